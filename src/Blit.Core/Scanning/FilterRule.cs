using System.Text;
using Blit.Errors;

namespace Blit.Scanning;

/// <summary>What a filter rule does to the entries it matches.</summary>
public enum FilterAction
{
    /// <summary>Neither copied nor deleted (rsync's <c>- PATTERN</c>, <c>--exclude</c>).</summary>
    Exclude,

    /// <summary>Mirrored even if a later rule would exclude it (rsync's <c>+ PATTERN</c>, <c>--include</c>).</summary>
    Include,

    /// <summary>Forget every rule given so far (rsync's <c>!</c>).</summary>
    Clear,
}

/// <summary>One include or exclude rule, as rsync reads <c>--exclude</c>, <c>--include</c> and their <c>-from</c> files.</summary>
public sealed record FilterRule(FilterAction Action, string Pattern)
{
    /// <summary>
    /// Reads one rule the way rsync reads an <c>--exclude</c> or <c>--include</c> argument:
    /// a leading <c>"- "</c> or <c>"+ "</c> says exclude or include whatever the option,
    /// <c>"!"</c> alone clears the list, anything else is a pattern with the default action.
    /// Returns null for a blank rule (empty or only spaces), which is ignored.
    /// </summary>
    public static FilterRule? Parse(string? text, FilterAction defaultAction)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        if (text == "!")
        {
            return new FilterRule(FilterAction.Clear, string.Empty);
        }
        FilterAction action = defaultAction;
        string pattern = text;
        if (text.Length >= 2 && text[1] == ' ' && text[0] is '-' or '+')
        {
            action = text[0] == '+' ? FilterAction.Include : FilterAction.Exclude;
            pattern = text[2..];
            if (pattern.Length == 0)
            {
                throw new BlitException(BlitErrorCode.InvalidExcludePattern,
                    $"The filter rule '{text}' has no pattern after '{text[0]} '.");
            }
        }
        return new FilterRule(action, pattern);
    }

    /// <summary>
    /// The rules of an rsync <c>--exclude-from</c>/<c>--include-from</c> file: one per line
    /// (LF, CRLF or CR), blank lines and lines starting with '#' or ';' ignored, each line
    /// read as by <see cref="Parse"/>.
    /// </summary>
    public static IReadOnlyList<FilterRule> ReadFile(string path, FilterAction defaultAction)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BlitException(BlitErrorCode.FilterFileUnreadable,
                $"Cannot read the filter file '{path}': {ex.Message}", path, ex);
        }
        var rules = new List<FilterRule>();
        int lineNumber = 0;
        foreach (string line in text.Split(["\r\n", "\n", "\r"], StringSplitOptions.None))
        {
            lineNumber++;
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }
            FilterRule? rule;
            try
            {
                rule = Parse(line, defaultAction);
            }
            catch (BlitException ex)
            {
                throw new BlitException(ex.Code, $"{path}:{lineNumber}: {ex.Message}", path, ex);
            }
            if (rule is not null)
            {
                rules.Add(rule);
            }
        }
        return rules;
    }

    /// <summary>The rule as rsync would write it in a filter file.</summary>
    public override string ToString() => Action switch
    {
        FilterAction.Clear => "!",
        FilterAction.Include => "+ " + Pattern,
        _ => "- " + Pattern,
    };
}
