using Blit.Errors;
using Blit.Platform;

namespace Blit.Mirror;

/// <summary>The refusals that protect data before anything is scanned.</summary>
internal static class PathRules
{
    public static void Check(IMirrorFileSystem fs, MirrorOptions options)
    {
        string source = options.Source;
        string destination = options.Destination;
        if (!Path.IsPathFullyQualified(source) || !Path.IsPathFullyQualified(destination))
        {
            throw new BlitException(BlitErrorCode.InvalidArgument, "Source and destination must be full paths.");
        }
        FileMeta sourceMeta;
        try
        {
            sourceMeta = fs.StatRoot(source);
        }
        catch (NativeIOException ex) when (ex.Kind is IOErrorKind.NotFound or IOErrorKind.NotADirectory)
        {
            throw new BlitException(BlitErrorCode.SourceNotFound, $"The source '{source}' does not exist.", source, ex);
        }
        if (sourceMeta.Kind != EntryKind.Directory)
        {
            throw new BlitException(BlitErrorCode.SourceNotDirectory,
                $"The source '{source}' is not a directory; Blit mirrors directory trees.", source);
        }
        if (File.Exists(destination))
        {
            throw new BlitException(BlitErrorCode.DestinationNotDirectory,
                $"The destination '{destination}' exists and is not a directory.", destination);
        }

        string realSource = fs.CanonicalPath(source) ?? Path.GetFullPath(source);
        string realDest = CanonicalDestination(fs, destination);
        bool same = false;
        if (IsSameOrInside(realSource, realDest) || IsSameOrInside(realDest, realSource) || Nested(fs, source, destination, out same))
        {
            throw new BlitException(BlitErrorCode.SameOrNestedPath,
                string.Equals(realSource, realDest, StringComparison.Ordinal)
                    ? $"The source and destination are the same directory ('{realSource}')."
                    : same
                        ? $"The source '{realSource}' and destination '{realDest}' are the same directory (reached by another path, such as a bind mount)."
                        : $"The source '{realSource}' and destination '{realDest}' are nested: one is inside the other.",
                destination);
        }
        if (!options.Force)
        {
            if (Path.GetPathRoot(realDest) == realDest || fs.IsMountPoint(realDest))
            {
                throw new BlitException(BlitErrorCode.DestinationIsRootRefused,
                    $"The destination '{realDest}' is the root of a filesystem: mirroring would delete everything else on it. " +
                    "Use -Force to mirror into it.", destination);
            }
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (home.Length > 0 && string.Equals(fs.CanonicalPath(home) ?? home, realDest, StringComparison.Ordinal))
            {
                throw new BlitException(BlitErrorCode.DestinationIsHomeRefused,
                    $"The destination '{realDest}' is your home directory. Use -Force to mirror into it.", destination);
            }
        }
    }

    /// <summary>
    /// True when the source and destination are the same directory or one is inside the other, by
    /// the identity of the directories, not their paths: a bind mount, a symlink or any other path
    /// to the same directory counts. A destination that does not exist yet is judged by its
    /// nearest existing ancestor.
    /// </summary>
    private static bool Nested(IMirrorFileSystem fs, string source, string destination, out bool same)
    {
        same = false;
        IReadOnlyList<FileIdentity>? sourceChain = fs.DirectoryAndAncestors(source);
        if (sourceChain is null)
        {
            return false;
        }
        string? existing = Path.TrimEndingDirectorySeparator(Path.GetFullPath(destination));
        while (existing is not null)
        {
            IReadOnlyList<FileIdentity>? destChain = fs.DirectoryAndAncestors(existing);
            if (destChain is not null)
            {
                bool destExists = string.Equals(existing, Path.TrimEndingDirectorySeparator(Path.GetFullPath(destination)),
                    StringComparison.Ordinal);
                same = destExists && destChain[0] == sourceChain[0];
                // The source is the destination or one of its ancestors; or the destination is one of the source's.
                return destChain.Contains(sourceChain[0]) || (destExists && sourceChain.Contains(destChain[0]));
            }
            existing = Path.GetDirectoryName(existing);
        }
        return false;
    }

    /// <summary>The destination with every existing part canonical (it may not exist yet).</summary>
    private static string CanonicalDestination(IMirrorFileSystem fs, string destination)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(destination));
        var missing = new Stack<string>();
        string? current = full;
        while (current is not null)
        {
            string? real = fs.CanonicalPath(current);
            if (real is not null)
            {
                foreach (string part in missing)
                {
                    real = Path.Combine(real, part);
                }
                return real;
            }
            missing.Push(Path.GetFileName(current));
            current = Path.GetDirectoryName(current);
        }
        return full;
    }

    internal static bool IsSameOrInside(string path, string parent)
    {
        path = Path.TrimEndingDirectorySeparator(path);
        parent = Path.TrimEndingDirectorySeparator(parent);
        if (string.Equals(path, parent, StringComparison.Ordinal))
        {
            return true;
        }
        string prefix = Path.EndsInDirectorySeparator(parent) ? parent : parent + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, StringComparison.Ordinal);
    }
}
