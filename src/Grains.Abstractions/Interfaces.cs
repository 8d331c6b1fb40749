using Orleans.Concurrency;

namespace CaseGrains.Grains.Abstractions;

/// <summary>
/// One beneficiary's journey; the key is the case number (<c>3579-000123</c>). Every accepted command appends
/// exactly one event to the case's timeline.
/// </summary>
[Alias("cg.ICaseGrain")]
public interface ICaseGrain : IGrainWithStringKey
{
    /// <summary>Runs one journey command for <paramref name="actor"/> (a repeat of its command id is answered from the first).</summary>
    [Alias("Execute"), ResendWhenInterrupted]
    Task<CommandOutcome> Execute(CaseCommandRequest command, Actor actor);

    /// <summary>The case, or null when no case has this number or it is outside the caller's scope. Audited.</summary>
    [Alias("GetView")]
    Task<CaseView?> GetView(Actor caller, string purpose);

    /// <summary>
    /// The case as a partner's user sees it (<see cref="PartnerCaseView"/>), or null when it does not (no consent to
    /// sharing with partners, no enrolment with its organisation's offers, no case). Audited like every read.
    /// </summary>
    [Alias("GetPartnerView")]
    Task<PartnerCaseView?> GetPartnerView(Actor caller, string purpose);

    /// <summary>
    /// One page of events with seq greater than <paramref name="afterSeq"/>, oldest first, at most <paramref name="limit"/>
    /// (and at most 1,000), with the case's version so the caller knows whether more remain; null when the case does not
    /// exist or is outside the caller's scope. Audited.
    /// </summary>
    [Alias("GetTimeline")]
    Task<TimelinePage?> GetTimeline(Actor caller, long afterSeq, int limit, string purpose);

    /// <summary>Recomputes the hash chain over every stored event; null when not found or out of scope.</summary>
    [Alias("VerifyChain")]
    Task<ChainVerification?> VerifyChain(Actor caller);

    /// <summary>The clear NIK for a stated purpose, to the roles that need it; audited.</summary>
    [Alias("RevealNik")]
    Task<NikReveal> RevealNik(Actor caller, string purpose);

    /// <summary>Leave memory once idle (a bulk import opened the case and nobody waits on it); the next call activates it again.</summary>
    [Alias("Rest"), Orleans.Concurrency.OneWay]
    Task Rest();

    /// <summary>
    /// Everything held about the beneficiary (caseworkers and supervisors of the region), for a stated purpose; the export
    /// is audited before it is answered.
    /// </summary>
    [Alias("ExportSubjectAccess")]
    Task<SubjectAccess> ExportSubjectAccess(Actor caller, string purpose);

    /// <summary>
    /// Erases the beneficiary's personal data (a supervisor of the region, or the data protection officer; a closed or
    /// graduated case only): the case's key is destroyed, so its events stay and verify but read as erased. Idempotent.
    /// </summary>
    [Alias("Erase")]
    Task<ErasureOutcome> Erase(Actor caller, string? reason, string? legalBasis);

    /// <summary>Who accessed the case (supervisors of its region), newest first, or the refusal.</summary>
    [Alias("GetAccessLog")]
    Task<AccessLog> GetAccessLog(Actor caller, int limit);

    /// <summary>
    /// Follows the case live (caseworkers and supervisors of its region; its mentor follows it anyway): events go to
    /// the caller's feed while they may read the case. False (like "not found") when they may not.
    /// </summary>
    [Alias("Follow")]
    Task<bool> Follow(Actor caller);

    [Alias("Unfollow")]
    Task Unfollow(string userId);

    /// <summary>
    /// Status, region and mentor, or null when the case does not exist: for the registry and tests, never for
    /// callers. Interleaves with a running command so that the registry can probe a case waiting on the registry.
    /// </summary>
    [Alias("GetScope"), AlwaysInterleave]
    Task<CaseScope?> GetScope();

    /// <summary>
    /// The financing this case holds or has applied for and that still binds the debtor (applied, approved, disbursed and
    /// not repaid): read by the person's other case before a financing application, never by callers.
    /// </summary>
    [Alias("GetActiveFinancing"), AlwaysInterleave]
    Task<IReadOnlyList<FinancingHoldingView>> GetActiveFinancing();

    /// <summary>
    /// A place freed up in an offer whose waiting list the case is on (sent by the offer's roster, one-way so the roster
    /// never waits on a case). The case records the promotion and confirms, or gives the place back if it no longer waits.
    /// </summary>
    [Alias("SeatGranted"), OneWay]
    Task SeatGranted(string offerId);

    /// <summary>What the case holds on an offer's roster as its timeline says (the roster checks a reservation it was never told about).</summary>
    [Alias("GetPlace"), AlwaysInterleave]
    Task<PlaceHolding> GetPlace(string offerId);

    /// <summary>
    /// Runs the consequences the case has yet to run (after a silo loss, or a retry that is due); with
    /// <paramref name="force"/>, also the parked ones (an admin's retry). One-way: the sweeper never waits on a case.
    /// </summary>
    [Alias("RunConsequences"), OneWay]
    Task RunConsequences(bool force);

    /// <summary>
    /// The deadline sweep found the case's timer of <paramref name="kind"/> (<c>sla</c>, <c>referral</c>) due: the case
    /// appends what is due (a breach, an escalation, an overdue referral; each once, by a stable command id) and writes
    /// its next deadline. Nothing happens when nothing is due any more.
    /// </summary>
    [Alias("DeadlineDue")]
    Task DeadlineDue(string kind);

    /// <summary>Ranked candidates (mentors, courses, partners, financing) with their reasons, for the caseworkers of the case.</summary>
    [Alias("Match")]
    Task<MatchResult> Match(Actor caller, Domain.Services.CandidateKind kind, long? amountIdr, int limit);
}

/// <summary>Entry point of intake: validates the NIK and routes to the person's registry entry. Stateless.</summary>
[Alias("cg.IIntakeGrain")]
public interface IIntakeGrain : IGrainWithIntegerKey
{
    /// <summary>Opens a case (a repeat of the request's command id is answered from the first).</summary>
    [Alias("Open"), ResendWhenInterrupted]
    Task<CommandOutcome> Open(IntakeRequest request, Actor actor);
}

/// <summary>
/// Retention (issue 19, deliverable 4): the cases past their period, as a dry run or erased (the data protection officer;
/// and the automatic sweep when configured). One activation in the cluster.
/// </summary>
[Alias("cg.IRetentionGrain")]
public interface IRetentionGrain : IGrainWithIntegerKey
{
    /// <summary>The report; with <paramref name="apply"/>, each listed case is erased (crypto-shredded) too.</summary>
    [Alias("Review"), ResponseTimeout("00:30:00")]
    Task<RetentionReport> Review(Actor caller, bool apply);

    /// <summary>Keeps the automatic sweep running in the cluster (when <c>CaseGrains:Retention:AutoErase</c> is on).</summary>
    [Alias("Start")]
    Task Start();
}

/// <summary>Reads the case list projection. Stateless.</summary>
[Alias("cg.ICaseSearchGrain")]
public interface ICaseSearchGrain : IGrainWithIntegerKey
{
    /// <summary>The cases the caller may see that match the query; null when the caller's role may not list cases.</summary>
    [Alias("Search")]
    Task<CasePage?> Search(CaseQuery query, Actor caller);
}

/// <summary>Readiness probe: answers when a silo is reachable and can reach its database.</summary>
[Alias("cg.IHealthGrain")]
public interface IHealthGrain : IGrainWithIntegerKey
{
    [Alias("Ready")]
    Task<bool> Ready();
}
