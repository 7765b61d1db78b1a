using System.Collections.ObjectModel;
using System.Management.Automation;
using Blit.Errors;
using Microsoft.PowerShell.Commands;

namespace Blit.Cmdlets.Infrastructure;

/// <summary>Resolves PowerShell paths (relative, ~, PS drives) to filesystem paths through SessionState.</summary>
internal static class PathResolution
{
    /// <summary>
    /// -Path: wildcards expanded, as PowerShell's own cmdlets do; exactly one match; on the
    /// FileSystem provider. A pattern that also exists as a literal name ('photos[1]') but does
    /// not match just that name is refused: which one a script meant is not guessed, since a
    /// mirror of the wrong source deletes what the destination held.
    /// </summary>
    public static string ResolveExisting(PSCmdlet cmdlet, string path, string parameterName)
    {
        string? literal = WildcardPattern.ContainsWildcardCharacters(path) ? TryLiteral(cmdlet, path) : null;
        Collection<string> resolved;
        ProviderInfo provider;
        try
        {
            resolved = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
        }
        catch (ItemNotFoundException ex) when (literal is null)
        {
            throw new BlitException(BlitErrorCode.SourceNotFound, $"The {parameterName} '{path}' does not exist.", path, ex);
        }
        catch (ItemNotFoundException)
        {
            resolved = [];
            provider = cmdlet.SessionState.Provider.GetOne("FileSystem");
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
        if (literal is not null && !(resolved.Count == 1 && resolved[0] == literal))
        {
            throw new BlitException(BlitErrorCode.InvalidArgument,
                $"The {parameterName} '{path}' exists as a name, but -Path reads it as a wildcard, which matches " +
                $"{Describe(resolved)}. Use -LiteralPath '{path}' for the name as written, or escape the wildcard characters.", path);
        }
        if (resolved.Count == 0)
        {
            throw new BlitException(BlitErrorCode.SourceNotFound, $"The {parameterName} '{path}' matches nothing.", path);
        }
        if (resolved.Count != 1)
        {
            throw new BlitException(BlitErrorCode.InvalidArgument,
                $"The {parameterName} '{path}' matches {Describe(resolved)}; a mirror has one source. To mirror each, pipe them " +
                "with a destination per item: Get-ChildItem ... -Directory | Invoke-BlitMirror -Destination { Join-Path <root> $_.Name }.", path);
        }
        return resolved[0];
    }

    private static string Describe(Collection<string> matches) => matches.Count switch
    {
        0 => "nothing",
        1 => $"'{matches[0]}'",
        <= 3 => $"{matches.Count} items ('{string.Join("', '", matches)}')",
        _ => $"{matches.Count} items ('{string.Join("', '", matches.Take(3))}', ...)",
    };

    /// <summary>-LiteralPath (and PSPath from Get-Item / Get-ChildItem): the path as written, never a wildcard.</summary>
    public static string ResolveLiteral(PSCmdlet cmdlet, string path, string parameterName)
    {
        string result;
        ProviderInfo provider;
        try
        {
            result = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
        }
        catch (Exception ex) when (ex is System.Management.Automation.DriveNotFoundException or ProviderNotFoundException
            or NotSupportedException or PSInvalidOperationException)
        {
            throw new BlitException(BlitErrorCode.SourceNotFound, $"The {parameterName} '{path}' does not exist: {ex.Message}", path, ex);
        }
        return provider.ImplementingType != typeof(FileSystemProvider)
            ? throw new BlitException(BlitErrorCode.InvalidArgument,
                $"The {parameterName} '{path}' is on the {provider.Name} provider; Blit mirrors filesystem paths only.", path)
            : result;
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
