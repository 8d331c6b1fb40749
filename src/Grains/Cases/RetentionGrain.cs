using CaseGrains.Domain;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Privacy;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using CaseGrains.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CaseGrains.Grains;

/// <summary>
/// Retention (issue 19, deliverable 4): finds the cases that ended longer ago than their purposes' periods allow and, in a
/// real run, erases each one (the case grain's crypto-shredding, as the retention actor, in the access log like any
/// erasure). The data protection officer asks for the dry run first, then the run; with <c>Retention:AutoErase</c> the
/// sweep runs by itself. Time is the journey clock (injected; tests move it).
/// </summary>
public sealed partial class RetentionGrain(
    ISubjectKeyStore store,
    [FromKeyedServices(ProviderNames.Clock)] TimeProvider clock,
    IOptions<CaseGrainsOptions> options,
    ILogger<RetentionGrain> logger) : SweeperGrain("retention-sweep", logger), IRetentionGrain
{
    /// <summary>Who erases in a retention run (recorded in the timeline and the access log).</summary>
    public static readonly Actor System = new("retention", Role.DataProtectionOfficer, []);

    protected override TimeSpan SweepEvery => options.Value.Retention.SweepEvery;

    public override async Task<int> Sweep() =>
        options.Value.Retention.AutoErase ? (await Review(System, apply: true)).Erased : 0;

    public async Task<RetentionReport> Review(Actor caller, bool apply)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var settings = options.Value.Retention;
        var policy = settings.Policy();
        var now = clock.GetUtcNow();
        var periods = policy.Periods.ToDictionary(kv => kv.Key, kv => kv.Value.ToString(), StringComparer.Ordinal);
        if (caller.Role != Role.DataProtectionOfficer)
        {
            return new RetentionReport(now, !apply, periods, [], new Dictionary<string, int>(), 0, false, RefusalInfo.From(Refusals.Forbidden()));
        }

        // The query bound lets through every case some purpose may make due; each is then judged exactly.
        var ended = await store.EndedCasesAsync(policy.EndedBefore(now), settings.MaxPerRun + 1, CancellationToken.None);
        var due = ended.Select(c => (Case: c, Governing: policy.Governing(c.EndedAt))).Where(x => x.Governing.DueAt <= now).ToList();
        var more = ended.Count > settings.MaxPerRun;
        var items = new List<RetentionItem>();
        var erased = 0;
        foreach (var (c, (purpose, period, dueAt)) in due.Take(settings.MaxPerRun))
        {
            string? refusal = null;
            if (apply)
            {
                var outcome = await GrainFactory.GetGrain<ICaseGrain>(c.CaseNumber).Erase(System,
                    $"Masa simpan berakhir / retention period ended: {purpose} {period}", "UU 27/2022 (PDP): masa retensi berakhir / retention period ended");
                refusal = outcome.Refusal?.Code;
                erased += refusal is null && !outcome.Replayed ? 1 : 0;
            }

            items.Add(new RetentionItem(c.CaseNumber, c.RegionCode, c.Status, c.EndedAt, purpose, period.ToString(), dueAt, apply && refusal is null, refusal));
        }

        if (apply)
        {
            LogRun(items.Count, erased, caller.Id);
        }

        return new RetentionReport(now, !apply, periods, items,
            items.GroupBy(i => i.Purpose, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal), erased, more, null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention run by {ActorId}: {Due} cases past their period, {Erased} erased")]
    private partial void LogRun(int due, int erased, string actorId);
}
