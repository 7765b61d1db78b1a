namespace Blit.Platform;

/// <summary>
/// Paths relative to a tree's root, the engine's own form on every platform: '/'-separated, empty
/// for the root. Every layer joins, shows and opens them here, so there is one way to do each.
/// </summary>
internal static class RelativePath
{
    /// <summary><paramref name="name"/> inside the directory <paramref name="parent"/> (empty: the root).</summary>
    public static string Join(string parent, string name) => parent.Length == 0 ? name : parent + "/" + name;

    /// <summary>The full path of <paramref name="relative"/> below <paramref name="root"/>, for messages and items (bytes that are not UTF-8 shown as <c>\xNN</c>).</summary>
    public static string Display(string root, string relative) => NameEncoding.Display(
        relative.Length == 0 ? root : root.EndsWith('/') ? root + relative : root + "/" + relative);

    /// <summary>Opens the directory <paramref name="relative"/> below <paramref name="root"/> one component at a time, never following a symlink.</summary>
    public static DirHandle Open(IMirrorFileSystem fs, DirHandle root, string relative)
    {
        DirHandle current = fs.OpenDirectory(root, ".");
        if (relative.Length == 0)
        {
            return current;
        }
        try
        {
            foreach (string part in relative.Split('/'))
            {
                DirHandle next = fs.OpenDirectory(current, part);
                current.Dispose();
                current = next;
            }
            return current;
        }
        catch
        {
            current.Dispose();
            throw;
        }
    }
}
