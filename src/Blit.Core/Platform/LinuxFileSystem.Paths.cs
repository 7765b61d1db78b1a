using static Blit.Platform.LinuxNative;

namespace Blit.Platform;

/// <summary>Write protection, canonical paths and mount points, the Linux way.</summary>
internal sealed partial class LinuxFileSystem
{
    /// <summary>On Linux a directory's mode decides what may be created or removed in it (entries have no protection of their own).</summary>
    public bool MakeWritable(DirHandle dir, string? name)
    {
        FileMeta meta = FStat(dir.Fd, dir.DisplayPath);
        if ((meta.Permissions & 0x1C0) == 0x1C0)
        {
            return false; // already writable by its owner: something else refused
        }
        if (FChmod(dir.Fd, meta.Permissions | 0x1C0) < 0)
        {
            throw Fail("set mode", dir.DisplayPath);
        }
        return true;
    }

    public string? CanonicalPath(string fullPath) => RealPath(fullPath);

    /// <summary>True when <paramref name="canonicalPath"/> is where a filesystem is mounted (/proc/self/mountinfo).</summary>
    public bool IsMountPoint(string canonicalPath)
    {
        const string mountInfo = "/proc/self/mountinfo";
        if (!File.Exists(mountInfo))
        {
            return false;
        }
        foreach (string line in File.ReadLines(mountInfo))
        {
            // Fields: id parent major:minor root mount-point ...; spaces etc. are octal-escaped.
            string[] fields = line.Split(' ');
            if (fields.Length > 4 && string.Equals(UnescapeMountField(fields[4]), canonicalPath, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    private static string UnescapeMountField(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }
        var bytes = new List<byte>(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length)
            {
                bytes.Add(Convert.ToByte(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(field[i].ToString()));
            }
        }
        return System.Text.Encoding.UTF8.GetString([.. bytes]);
    }
}
