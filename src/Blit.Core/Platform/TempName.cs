using System.Text.RegularExpressions;

namespace Blit.Platform;

/// <summary>
/// The names Blit gives its temp files and staged directories, <c>.~blit-PID-SEQ.tmp</c>: made
/// here, and recognized here when an interrupted run left one behind.
/// </summary>
internal static partial class TempName
{
    // Random start: in a container every run can be PID 1, and a run killed there leaves
    // '.~blit-1-<n>.tmp' names the next run would otherwise pick again (O_EXCL: EEXIST).
    private static int s_sequence = Random.Shared.Next();

    /// <summary>A name no other entry of this process has, and unlikely for any other run.</summary>
    public static string New() => $".~blit-{Environment.ProcessId:x}-{Interlocked.Increment(ref s_sequence):x}.tmp";

    /// <summary>One delegate for every new file, which asks for a temp name only in the rare fallbacks.</summary>
    public static readonly Func<string> Factory = New;

    /// <summary>Matches a name made by <see cref="New"/>.</summary>
    [GeneratedRegex(@"^\.~blit-[0-9a-f]+-[0-9a-f]+\.tmp$", RegexOptions.CultureInvariant)]
    public static partial Regex Pattern();
}
