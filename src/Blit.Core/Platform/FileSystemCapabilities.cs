using System.Globalization;
using System.Text;

namespace Blit.Platform;

/// <summary>
/// What a destination filesystem keeps, measured by the backend on the destination itself (a
/// temp entry is written, read back and removed), never guessed from its name. The planner and
/// executor decide from these, not from the operating system.
/// </summary>
public sealed class FileSystemCapabilities
{
    /// <summary>Nanoseconds; the precision of a native Linux filesystem (ext4, XFS, Btrfs, tmpfs).</summary>
    public const long NanosecondPrecision = 1;

    /// <summary>The filesystem type as the system names it (ext4, xfs, fuseblk, ntfs3, ...).</summary>
    public required string FileSystemType { get; init; }

    /// <summary>False when the destination could not be probed (read-only, or -WhatIf on a missing
    /// parent); the values are then the assumptions of a native filesystem.</summary>
    public bool Measured { get; init; }

    /// <summary>Names that differ only in letter case are different entries.</summary>
    public bool CaseSensitive { get; init; } = true;

    /// <summary>Names that differ only in Unicode normalization (NFC/NFD) are different entries.</summary>
    public bool NormalizationSensitive { get; init; } = true;

    /// <summary>The finest mtime step the filesystem keeps, in nanoseconds (1 = nanoseconds,
    /// 100 = NTFS, 1,000,000,000 = whole seconds); 0 when it keeps no mtime that was set.</summary>
    public long TimestampPrecisionNs { get; init; } = NanosecondPrecision;

    /// <summary>The finest mtime step kept for a time before 1970, where it is coarser than
    /// <see cref="TimestampPrecisionNs"/> (ntfs-3g drops the fraction of a negative time); 0 when the same.</summary>
    public long PreEpochPrecisionNs { get; init; }

    /// <summary>The latest mtime (seconds since 1970) the filesystem holds, where it stores that for
    /// any later time (ext4 with 128-byte inodes: 2038-01-19 03:14:07); null when the probe's 2096 was kept.</summary>
    public long? LatestMtimeSec { get; init; }

    /// <summary>The earliest mtime (seconds since 1970, negative before) the filesystem holds, where it stores that
    /// for any earlier time (ext4 with 128-byte inodes: 1901-12-13 20:45:52); null when the probe's 1843 was kept.</summary>
    public long? EarliestMtimeSec { get; init; }

    /// <summary>Symbolic links can be created.</summary>
    public bool Symlinks { get; init; } = true;

    /// <summary>Permission bits that are set are kept.</summary>
    public bool Permissions { get; init; } = true;

    /// <summary>Owners can be set (root on a filesystem that stores them).</summary>
    public bool Owners { get; init; }

    /// <summary>FIFOs (and, as root, devices) can be created.</summary>
    public bool SpecialFiles { get; init; } = true;

    /// <summary>Unnamed temp files (O_TMPFILE) can be created and linked.</summary>
    public bool UnnamedTempFiles { get; init; } = true;

    /// <summary>A rename can be told not to replace an existing entry.</summary>
    public bool NoReplaceRename { get; init; } = true;

    /// <summary>Names are matched by ordinal comparison (the fast path: a sorted merge).</summary>
    internal bool ExactNames => CaseSensitive && NormalizationSensitive;

    /// <summary>
    /// The key under which this filesystem considers two names the same entry: the name itself
    /// where names are exact, else its case-folded and/or normalized form.
    /// </summary>
    internal string NameKey(string name)
    {
        if (ExactNames)
        {
            return name;
        }
        string key = name;
        if (!NormalizationSensitive && !key.IsNormalized(NormalizationForm.FormC))
        {
            key = key.Normalize(NormalizationForm.FormC);
        }
        return CaseSensitive ? key : key.ToUpperInvariant();
    }

    /// <summary>A short description for messages and -Verbose.</summary>
    public override string ToString()
    {
        string precision = TimestampPrecisionNs switch
        {
            <= 0 => "mtimes not kept",
            1 => "ns mtimes",
            < 1000 => $"{TimestampPrecisionNs} ns mtimes",
            < 1_000_000 => $"{TimestampPrecisionNs / 1000} µs mtimes",
            < 1_000_000_000 => $"{TimestampPrecisionNs / 1_000_000} ms mtimes",
            _ => $"{(TimestampPrecisionNs / 1e9).ToString(CultureInfo.InvariantCulture)} s mtimes",
        };
        var parts = new List<string>
        {
            FileSystemType,
            CaseSensitive ? "case-sensitive" : "case-insensitive",
            precision,
        };
        if (!NormalizationSensitive)
        {
            parts.Add("normalization-insensitive");
        }
        if (!Permissions)
        {
            parts.Add("no permission bits");
        }
        if (!Symlinks)
        {
            parts.Add("no symlinks");
        }
        if (!SpecialFiles)
        {
            parts.Add("no special files");
        }
        if (!Measured)
        {
            parts.Add("not measured");
        }
        return string.Join(", ", parts);
    }

    /// <summary>What is assumed where nothing could be measured: a native Linux filesystem.</summary>
    internal static FileSystemCapabilities Assumed(string type, bool owners) => new()
    {
        FileSystemType = type,
        Measured = false,
        Owners = owners,
    };
}

/// <summary>
/// How the planner compares one destination directory's entries: its filesystem's capabilities
/// and the mtime window (the coarser precision of the two sides, or -ModifyWindow).
/// </summary>
internal sealed class DestinationRules
{
    public DestinationRules(FileSystemCapabilities capabilities, long? modifyWindowNs, bool canSetOwner)
    {
        Capabilities = capabilities;
        // Times equal within the window count as the same; a destination that keeps no mtime
        // at all can only be compared by size (said once per run).
        WindowNs = modifyWindowNs ?? Math.Max(capabilities.TimestampPrecisionNs, 1);
        PreEpochWindowNs = modifyWindowNs ?? Math.Max(capabilities.PreEpochPrecisionNs, WindowNs);
        TimesKept = modifyWindowNs is not null || capabilities.TimestampPrecisionNs > 0;
        ComparePermissions = capabilities.Permissions;
        CompareOwner = canSetOwner && capabilities.Owners;
    }

    public FileSystemCapabilities Capabilities { get; }

    /// <summary>Two mtimes closer than this (in ns) are the same; 1 means exactly equal.</summary>
    public long WindowNs { get; }

    /// <summary>The window for an mtime before 1970 (on either side): at least <see cref="WindowNs"/>.</summary>
    public long PreEpochWindowNs { get; }

    public bool TimesKept { get; }

    public bool ComparePermissions { get; }

    public bool CompareOwner { get; }

    public bool SameMtime(in FileMeta a, in FileMeta b)
    {
        if (!TimesKept)
        {
            return true;
        }
        if (Capabilities.LatestMtimeSec is long latest && a.MtimeSec >= latest && b.MtimeSec >= latest)
        {
            return true; // both at or past the latest time the destination holds: it keeps the one as the other
        }
        if (Capabilities.EarliestMtimeSec is long earliest && a.MtimeSec <= earliest && b.MtimeSec <= earliest)
        {
            return true; // both at or before the earliest time the destination holds, the same way
        }
        long window = a.MtimeSec < 0 || b.MtimeSec < 0 ? PreEpochWindowNs : WindowNs;
        if (window <= 1)
        {
            return a.SameMtime(b);
        }
        // |a - b| < window, without overflow for any real timestamp.
        long diffSec = a.MtimeSec - b.MtimeSec;
        if (diffSec > window / 1_000_000_000 + 1 || diffSec < -(window / 1_000_000_000 + 1))
        {
            return false;
        }
        long diff = diffSec * 1_000_000_000 + (a.MtimeNsec - b.MtimeNsec);
        return Math.Abs(diff) < window;
    }
}
