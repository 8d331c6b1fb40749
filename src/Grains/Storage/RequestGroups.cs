using System.Threading.Channels;

namespace CaseGrains.Grains.Storage;

/// <summary>
/// Requests waiting at the same moment go to the database together (one round trip, one commit), each caller still
/// getting its own answer. A few loops take whatever is queued (up to a maximum): a lone request never waits for a
/// group to fill, and under load the groups grow. Loops start on first use and end when this is disposed. Each group's
/// size goes to <c>casegrains.store.group.size</c>, tagged with <paramref name="name"/>.
/// </summary>
internal sealed class RequestGroups<TRequest, TResult>(Func<IReadOnlyList<TRequest>, Task<TResult[]>> run, int loops, int maxGroup, string name) : IDisposable
{
    private readonly KeyValuePair<string, object?> _tag = new("group", name);

    private readonly Channel<(TRequest Request, TaskCompletionSource<TResult> Done)> _queue =
        Channel.CreateUnbounded<(TRequest, TaskCompletionSource<TResult>)>();

    private int _started;

    public Task<TResult> SubmitAsync(TRequest request)
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            for (var i = 0; i < loops; i++)
            {
                _ = Task.Run(LoopAsync, CancellationToken.None);
            }
        }

        var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        return _queue.Writer.TryWrite((request, done)) ? done.Task : throw new ObjectDisposedException(nameof(RequestGroups<TRequest, TResult>));
    }

    public void Dispose() => _queue.Writer.TryComplete();

    private async Task LoopAsync()
    {
        var group = new List<(TRequest Request, TaskCompletionSource<TResult> Done)>(maxGroup);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            group.Clear();
            while (group.Count < maxGroup && reader.TryRead(out var next))
            {
                group.Add(next);
            }

            if (group.Count == 0)
            {
                continue;
            }

            Hosting.CaseGrainsTelemetry.GroupSize.Record(group.Count, _tag);
            try
            {
                var results = await run([.. group.Select(g => g.Request)]);
                for (var i = 0; i < group.Count; i++)
                {
                    group[i].Done.TrySetResult(results[i]);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Nothing of the group took effect (one implicit transaction): each caller sees the failure and may retry.
                foreach (var (_, done) in group)
                {
                    done.TrySetException(ex);
                }
            }
        }
    }
}
