namespace CaseGrains.Grains.Abstractions;

/// <summary>
/// The kinds of consequence an accepted event has after it is committed (docs/decisions.md, "Durable consequences").
/// Each kind runs for a case's events in sequence order, on its own: one held up does not hold up the others.
/// </summary>
public enum ConsequenceKind
{
    /// <summary>A closed or graduated case gives back the person's registry entry (a new intake may open a case).</summary>
    Registry,

    /// <summary>Catalog rosters follow the case's enrolments: places and waiting-list entries confirmed or given back.</summary>
    Places,

    /// <summary>Mentors' caseloads follow the case's mentor and status.</summary>
    Caseload,

    /// <summary>The live push to the case's mentor and followers, and "access ended" to a mentor who lost the case.</summary>
    Feed,

    /// <summary>Notices kept in users' inboxes, pushed and queued for e-mail/WhatsApp: approvals, escalations, SLA warnings, answers, assignments, sessions due.</summary>
    Notices,

    /// <summary>The dashboards watching the case's regions are told their numbers moved.</summary>
    Dashboard,

    /// <summary>The case's durable timers (stage SLA, referral deadline) aimed at their next deadline.</summary>
    Timers,
}

/// <summary>How far behind the consequences are, for an admin (<c>GET /api/admin/consequences</c>).</summary>
[GenerateSerializer, Immutable, Alias("cg.ConsequenceBacklog")]
public sealed record ConsequenceBacklog(
    [property: Id(0)] long CasesBehind,
    [property: Id(1)] long Failing,
    [property: Id(2)] long Parked,
    [property: Id(3)] double? OldestFailureSeconds,
    [property: Id(4)] IReadOnlyList<ConsequenceKindBacklog> Kinds);

/// <summary>One kind's held-up consequences: how many are being retried, how many parked, the oldest, and why.</summary>
[GenerateSerializer, Immutable, Alias("cg.ConsequenceKindBacklog")]
public sealed record ConsequenceKindBacklog(
    [property: Id(0)] ConsequenceKind Kind,
    [property: Id(1)] long Failing,
    [property: Id(2)] long Parked,
    [property: Id(3)] double? OldestSeconds,
    [property: Id(4)] IReadOnlyList<ConsequenceReason> Reasons);

/// <summary>A reason consequences failed (the exception's type and message, without personal data) and how many.</summary>
[GenerateSerializer, Immutable, Alias("cg.ConsequenceReason")]
public sealed record ConsequenceReason([property: Id(0)] string Reason, [property: Id(1)] long Count, [property: Id(2)] IReadOnlyList<string> Cases);

/// <summary>The answer to a retry: the cases whose held-up consequences were unparked and started again.</summary>
[GenerateSerializer, Immutable, Alias("cg.ConsequenceRetry")]
public sealed record ConsequenceRetry([property: Id(0)] int Cases, [property: Id(1)] RefusalInfo? Refusal);

/// <summary>
/// What <c>reconcile</c> found: the caseloads, rosters, counters and notices recomputed from the timelines, compared with
/// what the grains and projections hold, and (with apply) repaired.
/// </summary>
[GenerateSerializer, Immutable, Alias("cg.ReconcileReport")]
public sealed record ReconcileReport(
    [property: Id(0)] int CasesRead,
    [property: Id(1)] IReadOnlyList<string> CaseloadDrift,
    [property: Id(2)] IReadOnlyList<string> PlaceDrift,
    [property: Id(3)] IReadOnlyList<string> CounterDrift,
    [property: Id(4)] IReadOnlyList<string> NoticeDrift,
    [property: Id(5)] bool Applied,
    [property: Id(6)] RefusalInfo? Refusal)
{
    /// <summary>Everything recomputed matched what is held.</summary>
    public int Drift => CaseloadDrift.Count + PlaceDrift.Count + CounterDrift.Count + NoticeDrift.Count;
}

/// <summary>A notice in a user's inbox: the case and event it is about (read the case for its content; access is checked there).</summary>
[GenerateSerializer, Immutable, Alias("cg.Notice")]
public sealed record Notice(
    [property: Id(0)] string CaseNumber,
    [property: Id(1)] long Seq,
    [property: Id(2)] string Kind,
    [property: Id(3)] string EventType,
    [property: Id(4)] DateTimeOffset At);

/// <summary>The operators' entry (admins): the consequences' backlog, retrying what is parked, and the reconciliation. Stateless.</summary>
[Alias("cg.IOperationsGrain")]
public interface IOperationsGrain : IGrainWithIntegerKey
{
    [Alias("Backlog")]
    Task<ConsequenceBacklog?> Backlog(Actor caller);

    /// <summary>Unparks held-up consequences (of one kind, one case, or all) and starts them again at once.</summary>
    [Alias("Retry")]
    Task<ConsequenceRetry> Retry(Actor caller, ConsequenceKind? kind, string? caseNumber);

    /// <summary>Recomputes caseloads, rosters, counters and notices from the timelines; with <paramref name="apply"/>, repairs the drift.</summary>
    [Alias("Reconcile"), ResponseTimeout("00:30:00")]
    Task<ReconcileReport> Reconcile(Actor caller, bool apply);

    /// <summary>
    /// The access log across cases, newest first, as the filter asks: the data protection officer only (else null).
    /// The search itself is recorded (<c>privacy:access-log</c>, <c>access-log-search</c>).
    /// </summary>
    [Alias("SearchAccessLog")]
    Task<IReadOnlyList<AccessLogEntry>?> SearchAccessLog(Actor caller, AccessLogQuery query);

    /// <summary>The caller's notices, newest first.</summary>
    [Alias("Notices")]
    Task<IReadOnlyList<Notice>> Notices(Actor caller, int limit);

    /// <summary>The outbox's deliveries, newest first (of one status, or all): admins only (else null).</summary>
    [Alias("Deliveries")]
    Task<IReadOnlyList<NoticeDelivery>?> Deliveries(Actor caller, DeliveryStatus? status, int limit);

    /// <summary>Puts every failed delivery back to be sent now: admins only (else null). The number put back.</summary>
    [Alias("RetryDeliveries")]
    Task<int?> RetryDeliveries(Actor caller);
}

/// <summary>
/// Finds cases whose consequences are behind (a silo died between a commit and its consequences) or due for a retry, and
/// wakes them; kept alive by a reminder, so it runs again on another silo after a failure.
/// </summary>
[Alias("cg.IConsequenceSweeperGrain")]
public interface IConsequenceSweeperGrain : IGrainWithIntegerKey
{
    [Alias("Start")]
    Task Start();

    /// <summary>One sweep now; returns how many cases were woken.</summary>
    [Alias("Sweep")]
    Task<int> Sweep();
}

/// <summary>
/// Something failed because a fault was injected on purpose (<c>CaseGrains:Faults</c>: tests and the fault benchmark
/// only). Here so that every host knows the type when it crosses a grain call (the API answers it as an outage, 503).
/// </summary>
public sealed class InjectedFaultException : Exception
{
    public InjectedFaultException()
        : base("injected fault")
    {
    }

    public InjectedFaultException(string message)
        : base(message)
    {
    }

    public InjectedFaultException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>Sweeps the deadline index: wakes every case whose SLA or referral deadline is due (one activation in the cluster).</summary>
[Alias("cg.IDeadlineSweeperGrain")]
public interface IDeadlineSweeperGrain : IGrainWithIntegerKey
{
    [Alias("Start")]
    Task Start();

    /// <summary>One sweep now: every deadline due at its start, once; returns how many cases were woken.</summary>
    [Alias("Sweep")]
    Task<int> Sweep();
}
