using CaseGrains.Grains.Hosting;
using CaseGrains.Grains.Identity;
using CaseGrains.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CaseGrains.Grains;

/// <summary>
/// The silo's services a case grain uses, in one object: an activation holds one reference to them rather than one each
/// (a national caseload keeps a great many cases active at once).
/// </summary>
public sealed class CaseGrainDependencies(
    ICaseTimelineStore store,
    [FromKeyedServices(ProviderNames.Clock)] TimeProvider clock,
    ILogger<CaseGrain> logger,
    IDeadlineStore deadlines,
    NikProtector nikProtector,
    ChainAnchorKey anchorKey,
    CasePolicies policies,
    ConsequenceCursor cursor,
    ConsequenceFaults faults,
    IOptions<CaseGrainsOptions> options,
    LocalFeed localFeed,
    DashboardSignals dashboardSignals,
    Notifications.NoticeEnqueuer outbox,
    ISubjectKeyStore subjectKeys,
    SubjectKeyRing keyRing)
{
    public ICaseTimelineStore Store { get; } = store;

    /// <summary>The journey's clock (event times; tests set it).</summary>
    public TimeProvider Clock { get; } = clock;

    public ILogger<CaseGrain> Logger { get; } = logger;

    public IDeadlineStore Deadlines { get; } = deadlines;

    public NikProtector NikProtector { get; } = nikProtector;

    public ChainAnchorKey AnchorKey { get; } = anchorKey;

    public CasePolicies Policies { get; } = policies;

    public ConsequenceCursor Cursor { get; } = cursor;

    public ConsequenceFaults Faults { get; } = faults;

    public CaseGrainsOptions Options { get; } = options.Value;

    public LocalFeed LocalFeed { get; } = localFeed;

    public DashboardSignals DashboardSignals { get; } = dashboardSignals;

    public Notifications.NoticeEnqueuer Outbox { get; } = outbox;

    public ISubjectKeyStore SubjectKeys { get; } = subjectKeys;

    public SubjectKeyRing KeyRing { get; } = keyRing;
}
