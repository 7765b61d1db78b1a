using System.Collections.ObjectModel;
using System.Management.Automation;
using Blit.Errors;
using Microsoft.PowerShell.Commands;

namespace Blit.Cmdlets.Infrastructure;

/// <summary>Resolves PowerShell paths (relative, ~, PS drives) to filesystem paths through SessionState.</summary>
internal static class PathResolution
{
    /// <summary>An existing path; exactly one match; on the FileSystem provider.</summary>
    public static string ResolveExisting(PSCmdlet cmdlet, string path, string parameterName)
    {
        // 'photos[1]' is a wildcard to PowerShell and resolves to 'photos1' if that exists: a mirror of
        // the wrong source deletes what the destination held. A path that exists as written wins.
        if (WildcardPattern.ContainsWildcardCharacters(path) && TryLiteral(cmdlet, path) is string literal)
        {
            return literal;
        }
        Collection<string> resolved;
        ProviderInfo provider;
        try
        {
            resolved = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
        }
        catch (ItemNotFoundException ex)
        {
            throw new BlitException(BlitErrorCode.SourceNotFound, $"The {parameterName} '{path}' does not exist.", path, ex);
        }
        catch (System.Management.Automation.DriveNotFoundException ex)
        {
            throw new BlitException(BlitErrorCode.SourceNotFound, $"The {parameterName} '{path}' does not exist: {ex.Message}", path, ex);
        }
        if (provider.ImplementingType != typeof(FileSystemProvider))
        {
            throw new BlitException(BlitErrorCode.InvalidArgument,
                $"The {parameterName} '{path}' is on the {provider.Name} provider; Blit mirrors filesystem paths only.", path);
        }
        if (resolved.Count != 1)
        {
            throw new BlitException(BlitErrorCode.InvalidArgument,
                $"The {parameterName} '{path}' matches {resolved.Count} items; name exactly one directory.", path);
        }
        return resolved[0];
    }

    private static string? TryLiteral(PSCmdlet cmdlet, string path)
    {
        try
        {
            string literal = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out ProviderInfo provider, out _);
            return provider.ImplementingType == typeof(FileSystemProvider) && (Directory.Exists(literal) || File.Exists(literal))
                ? literal
                : null;
        }
        catch (Exception ex) when (ex is System.Management.Automation.DriveNotFoundException or ProviderNotFoundException
            or NotSupportedException or PSInvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>A path that may not exist yet.</summary>
    public static string ResolveNew(PSCmdlet cmdlet, string path, string parameterName)
    {
        string result;
        ProviderInfo provider;
        try
        {
            result = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
        }
        catch (Exception ex) when (ex is System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException)
        {
            throw new BlitException(BlitErrorCode.InvalidArgument, $"The {parameterName} '{path}' cannot be resolved: {ex.Message}", path, ex);
        }
        return provider.ImplementingType != typeof(FileSystemProvider)
            ? throw new BlitException(BlitErrorCode.InvalidArgument,
                $"The {parameterName} '{path}' is on the {provider.Name} provider; Blit works with filesystem paths only.", path)
            : result;
    }
}
