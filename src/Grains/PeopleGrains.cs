using CaseGrains.Domain.Access;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace CaseGrains.Grains;

/// <summary>Look-ups in the people index, answered from the database by whichever silo takes the call.</summary>
[Orleans.Concurrency.StatelessWorker]
public sealed class PeopleGrain(IPeopleStore store) : Grain, IPeopleGrain
{
    public Task<IReadOnlyList<Person>> Find(Role role, string regionCode, PeopleReach reach) =>
        store.FindPeopleAsync(role, regionCode ?? "", reach, CancellationToken.None);

    public Task<IReadOnlyList<Person>> List(Role? role, string? regionCode, string after, int limit) =>
        store.ListPeopleAsync(role, regionCode, after ?? "", Math.Clamp(limit, 1, IPeopleGrain.MaxPage), CancellationToken.None);
}

/// <summary>
/// At each silo's start: a database from before the people index (the table is empty, accounts exist) has every account
/// indexed once, by the account directory. Each account also re-indexes itself when activated after a change it could
/// not index (<see cref="UserGrain"/>).
/// </summary>
internal sealed partial class PeopleIndexStart(IGrainFactory grains, IPeopleStore store, ILogger<PeopleIndexStart> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PeopleIndexStart), ServiceLifecycleStage.Active, async _ =>
        {
            try
            {
                if (!await store.AnyPeopleAsync(CancellationToken.None))
                {
                    var indexed = await grains.GetGrain<IUserDirectoryGrain>(0).IndexAll();
                    LogIndexed(indexed);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The next silo start tries again; accounts activated meanwhile index themselves.
                LogIndexFailed(ex);
            }
        });

    [LoggerMessage(Level = LogLevel.Information, Message = "People index built from {Count} existing accounts")]
    private partial void LogIndexed(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The people index could not be built from the existing accounts at this start")]
    private partial void LogIndexFailed(Exception exception);
}
