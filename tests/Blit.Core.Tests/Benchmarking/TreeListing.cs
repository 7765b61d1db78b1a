using System.Security.Cryptography;

namespace Blit.Tests.Benchmarking;

/// <summary>Every entry of a tree as "path|kind|size|mtime ticks|sha256", sorted: equal listings mean equal trees.</summary>
internal static class TreeListing
{
    public static List<string> Of(string root)
    {
        var list = new List<string>();
        foreach (string entry in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(root, entry).Replace('\\', '/');
            if (Directory.Exists(entry))
            {
                list.Add($"{rel}|dir|{Directory.GetLastWriteTimeUtc(entry).Ticks}");
            }
            else
            {
                byte[] hash = SHA256.HashData(File.ReadAllBytes(entry));
                list.Add($"{rel}|file|{new FileInfo(entry).Length}|{File.GetLastWriteTimeUtc(entry).Ticks}|{Convert.ToHexString(hash)}");
            }
        }
        list.Sort(StringComparer.Ordinal);
        return list;
    }

    public static List<string> Files(string root) =>
        [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(root, p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];
}
