using CaseGrains.Domain.Access;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace CaseGrains.Grains;

/// <summary>Look-ups in the people index, answered from the database by whichever silo takes the call.</summary>
[Orleans.Concurrency.StatelessWorker]
[Orleans.Concurrency.Reentrant]
public sealed class PeopleGrain(IPeopleStore store) : Grain, IPeopleGrain
{
    public Task<IReadOnlyList<Person>> Find(Role role, string regionCode, PeopleReach reach) =>
        store.FindPeopleAsync(role, regionCode ?? "", reach, CancellationToken.None);

    public Task<IReadOnlyList<Person>> List(Role? role, string? regionCode, string after, int limit) =>
        store.ListPeopleAsync(role, regionCode, after ?? "", Math.Clamp(limit, 1, IPeopleGrain.MaxPage), CancellationToken.None);
}

/// <summary>
/// At each silo's start, what a database from before an index lacks: the people index (the table is empty, accounts
/// exist) is built once by the account directory; case-list rows without a name key get theirs, a batch at a time.
/// Each account also re-indexes itself when activated after a change it could not index (<see cref="UserGrain"/>).
/// </summary>
internal sealed partial class IndexesAtStart(IGrainFactory grains, IPeopleStore store, IOperationsStore operations, ILogger<IndexesAtStart> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(IndexesAtStart), ServiceLifecycleStage.Active, _ => StartInBackground());

    /// <summary>In the background: the silo serves meanwhile (a look-up finds what is indexed so far).</summary>
    private Task StartInBackground()
    {
        _ = Task.Run(BuildAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task BuildAsync()
    {
        try
        {
            if (!await store.AnyPeopleAsync(CancellationToken.None))
            {
                var indexed = await grains.GetGrain<IUserDirectoryGrain>(0).IndexAll();
                LogIndexed(indexed);
            }

            var keyed = 0;
            for (var batch = await operations.FillNameKeysAsync(1000, CancellationToken.None); batch > 0; batch = await operations.FillNameKeysAsync(1000, CancellationToken.None))
            {
                keyed += batch;
            }

            if (keyed > 0)
            {
                LogNamesKeyed(keyed);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The next silo start tries again; accounts activated meanwhile index themselves.
            LogIndexFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Name search: {Count} case-list rows from before it keyed")]
    private partial void LogNamesKeyed(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "People index built from {Count} existing accounts")]
    private partial void LogIndexed(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The people index or the names' keys could not be built at this start")]
    private partial void LogIndexFailed(Exception exception);
}
