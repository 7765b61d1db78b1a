using System.Text;

namespace Blit.Platform;

/// <summary>One line of /proc/self/mountinfo: which part of which filesystem is mounted where.</summary>
internal readonly record struct MountEntry(ulong MountId, string Device, string Root, string MountPoint, string FileSystemType,
    string Source = "");

/// <summary>The mounts this process sees (/proc/self/mountinfo), for the nesting and mount-point checks.</summary>
internal static class MountTable
{
    private const string MountInfo = "/proc/self/mountinfo";

    public static IEnumerable<MountEntry> Read() =>
        File.Exists(MountInfo) ? Parse(File.ReadLines(MountInfo)) : [];

    /// <summary>The entries of mountinfo lines (malformed ones left out).</summary>
    public static IEnumerable<MountEntry> Parse(IEnumerable<string> lines)
    {
        foreach (string line in lines)
        {
            // id parent major:minor root mount-point options [optional...] - fstype source super-options;
            // spaces and the like are octal-escaped.
            string[] fields = line.Split(' ');
            if (fields.Length > 4 && ulong.TryParse(fields[0], out ulong id))
            {
                int dash = Array.IndexOf(fields, "-", 5);
                string type = dash > 0 && dash + 1 < fields.Length ? fields[dash + 1] : "unknown";
                string source = dash > 0 && dash + 2 < fields.Length ? Unescape(fields[dash + 2]) : string.Empty;
                yield return new MountEntry(id, fields[2], Unescape(fields[3]), Unescape(fields[4]), type, source);
            }
        }
    }

    /// <summary>
    /// Where filesystems are mounted strictly inside the directory <paramref name="canonicalPath"/>,
    /// relative to it and '/'-separated, parents before children.
    /// </summary>
    public static List<string> MountPointsBelow(string canonicalPath)
    {
        string prefix = canonicalPath.EndsWith('/') ? canonicalPath : canonicalPath + "/";
        var below = new SortedSet<string>(StringComparer.Ordinal);
        foreach (MountEntry m in Read())
        {
            if (m.MountPoint.StartsWith(prefix, StringComparison.Ordinal) && m.MountPoint.Length > prefix.Length)
            {
                below.Add(m.MountPoint[prefix.Length..].TrimEnd('/'));
            }
        }
        return [.. below];
    }

    /// <summary>True when <paramref name="path"/> is where a filesystem is mounted.</summary>
    public static bool IsMountPoint(string path) =>
        Read().Any(m => string.Equals(m.MountPoint, path, StringComparison.Ordinal));

    private static string Unescape(string field)
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
                bytes.AddRange(Encoding.UTF8.GetBytes(field[i].ToString()));
            }
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }
}
