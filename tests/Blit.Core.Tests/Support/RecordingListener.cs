using Blit.Errors;
using Blit.Mirror;

namespace Blit.Tests.Support;

/// <summary>Collects what the engine reports, from any worker thread.</summary>
internal sealed class RecordingListener : IMirrorListener
{
    private readonly List<BlitError> _errors = [];
    private readonly List<MirrorItem> _items = [];

    public Action<MirrorItem>? OnItemHook { get; set; }

    public IReadOnlyList<BlitError> Errors { get { lock (_errors) { return [.. _errors]; } } }

    public IReadOnlyList<MirrorItem> Items { get { lock (_items) { return [.. _items]; } } }

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

    public string Describe() => string.Join("\n", Errors.Select(e => $"{e.Code} {e.Path}: {e.Message}"));
}
