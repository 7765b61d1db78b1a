using Blit.Errors;
using Blit.Mirror;

namespace Blit.Tests.Support;

/// <summary>Collects what the engine reports, from any worker thread.</summary>
internal sealed class RecordingListener : IMirrorListener
{
    private readonly List<BlitError> _errors = [];
    private readonly List<MirrorItem> _items = [];
    private readonly List<MirrorSkip> _skips = [];

    public Action<MirrorItem>? OnItemHook { get; set; }

    public IReadOnlyList<BlitError> Errors { get { lock (_errors) { return [.. _errors]; } } }

    public IReadOnlyList<MirrorItem> Items { get { lock (_items) { return [.. _items]; } } }

    public IReadOnlyList<MirrorSkip> Skips { get { lock (_skips) { return [.. _skips]; } } }

    public IEnumerable<BlitError> NonWarnings => Errors.Where(e => !e.IsWarning);

    public void OnError(BlitError error)
    {
        lock (_errors)
        {
            _errors.Add(error);
        }
    }

    public void OnItem(MirrorItem item)
    {
        lock (_items)
        {
            _items.Add(item);
        }
        OnItemHook?.Invoke(item);
    }

    public void OnSkip(MirrorSkip skip)
    {
        lock (_skips)
        {
            _skips.Add(skip);
        }
    }

    public string Describe() => string.Join("\n", Errors.Select(e => $"{e.Code} {e.Path}: {e.Message}"));
}
