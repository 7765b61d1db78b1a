namespace Blit.Platform;

/// <summary>
/// Measures a destination for the portable backend the way the Linux backend does (a temp
/// directory of its own, each capability done once and read back, everything removed), with
/// .NET APIs only. What .NET cannot do at all (owners, special files, unnamed files) is false.
/// </summary>
internal sealed class PortableProbe(PortableOs os, string directory, string tempName)
{
    // The same probe time as the Linux backend's: an odd second and nanoseconds aligned to no
    // precision a filesystem uses, so the error read back tells the precision. Through DateTime
    // the finest step is 100 ns, which is what this backend can carry.
    private const long ProbeSec = 1_000_000_001;
    private const int ProbeNsec = 123_456_789;
    private static readonly long[] Precisions = [1, 100, 1_000, 1_000_000, 10_000_000, 1_000_000_000, 2_000_000_000];

    private const string ProbeFile = "blit-probe";
    private const string ProbeFileRenamed = "blit-probe-renamed";
    private const string ProbeLink = "blit-probe-link";
    private const string ProbeComposed = "blit-probe-\u00e9";      // é as one code point (NFC)
    private const string ProbeDecomposed = "blit-probe-e\u0301";   // e + combining acute (NFD)
    private const string ProbeDirA = "blit-probe-a";
    private const string ProbeDirB = "blit-probe-b";

    public FileSystemCapabilities Run()
    {
        string type = os.FileSystemType(directory);
        string probe = Path.Join(directory, tempName);
        DateTime before;
        try
        {
            before = Directory.GetLastWriteTimeUtc(directory);
            if ((int)new FileInfo(probe).Attributes != -1)
            {
                return FileSystemCapabilities.Assumed(type, owners: false);
            }
            os.CreateDirectory(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return FileSystemCapabilities.Assumed(type, owners: false); // read-only, or not ours to write
        }
        try
        {
            return Probe(probe, type);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return FileSystemCapabilities.Assumed(type, owners: false);
        }
        finally
        {
            Cleanup(probe);
            try
            {
                // The probe is not a change to the destination: give its directory its mtime back.
                Directory.SetLastWriteTimeUtc(directory, before);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    private FileSystemCapabilities Probe(string dir, string type)
    {
        // A file written, given a mode (attributes on Windows) and an mtime, renamed, as the copy path does.
        string file = Path.Join(dir, ProbeFile);
        File.WriteAllBytes(file, [(byte)'b']);
        bool modeSet = Try(() => os.SetProbeMode(file));
        File.SetLastWriteTimeUtc(file, PortableFileSystem.ToDateTime(ProbeSec, ProbeNsec));
        string renamed = Path.Join(dir, ProbeFileRenamed);
        File.Move(file, renamed);

        (long sec, int nsec) = PortableFileSystem.ToUnixTime(File.GetLastWriteTimeUtc(renamed));
        long error = Math.Abs((sec - ProbeSec) * 1_000_000_000L + (nsec - ProbeNsec));
        long precision = 0; // not kept at all
        foreach (long p in Precisions)
        {
            if (error < p || (p == 1 && error == 0))
            {
                precision = p;
                break;
            }
        }
        bool permissions = modeSet && os.ProbeModeKept(renamed);

        // The probe directory is ours and holds only the names written here: another spelling found is the same entry.
        bool caseSensitive = (int)new FileInfo(Path.Join(dir, ProbeFileRenamed.ToUpperInvariant())).Attributes == -1;
        bool normalizationSensitive = true;
        if (Try(() => File.WriteAllBytes(Path.Join(dir, ProbeComposed), [])))
        {
            normalizationSensitive = (int)new FileInfo(Path.Join(dir, ProbeDecomposed)).Attributes == -1;
        }

        string link = Path.Join(dir, ProbeLink);
        bool symlinks = Try(() => File.CreateSymbolicLink(link, ProbeFileRenamed)) &&
                        PortableFileSystem.LinkTargetOf(new FileInfo(link)) == ProbeFileRenamed;

        // Publishing a staged directory must not replace one that appeared meanwhile.
        string a = Path.Join(dir, ProbeDirA);
        string b = Path.Join(dir, ProbeDirB);
        Directory.CreateDirectory(a);
        Directory.CreateDirectory(b);
        bool noReplace = !Try(() => Directory.Move(a, b));

        return new FileSystemCapabilities
        {
            FileSystemType = type,
            Measured = true,
            CaseSensitive = caseSensitive,
            NormalizationSensitive = normalizationSensitive,
            TimestampPrecisionNs = precision,
            Permissions = permissions,
            Owners = false,          // no .NET API sets owners
            Symlinks = symlinks,
            SpecialFiles = false,    // no .NET API creates FIFOs or devices
            UnnamedTempFiles = false,
            NoReplaceRename = noReplace,
        };
    }

    private static bool Try(Action action)
    {
        try
        {
            action();
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            return false;
        }
    }

    /// <summary>Removes the probe directory and only the names the probe wrote (read-only ones too).</summary>
    private static void Cleanup(string dir)
    {
        foreach (string name in (string[])[ProbeFile, ProbeFileRenamed, ProbeLink, ProbeComposed, ProbeDecomposed])
        {
            string path = Path.Join(dir, name);
            _ = Try(() =>
            {
                var info = new FileInfo(path);
                if ((int)info.Attributes != -1 && info.Attributes.HasFlag(FileAttributes.ReadOnly) && PortableFileSystem.LinkTargetOf(info) is null)
                {
                    info.Attributes &= ~FileAttributes.ReadOnly;
                }
                File.Delete(path);
            });
        }
        foreach (string name in (string[])[ProbeDirA, ProbeDirB])
        {
            _ = Try(() => Directory.Delete(Path.Join(dir, name)));
        }
        _ = Try(() => Directory.Delete(dir));
    }
}
