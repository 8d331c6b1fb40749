using CaseGrains.Domain.Timeline;
using CaseGrains.Grains.Abstractions;

namespace CaseGrains.Grains.Storage;

/// <summary>
/// One timeline row as stored. <see cref="CommandHash"/> fingerprints the command so a reused id is detected.
/// <see cref="Redacted"/>: the payload was written before personal fields were encrypted and had them replaced by the
/// erased marker at the person's erasure, so its own hash can no longer be recomputed (its links still are).
/// </summary>
public sealed record StoredEvent(
    string CaseNumber,
    long Seq,
    string Type,
    string ActorId,
    string ActorRole,
    DateTimeOffset OccurredAt,
    string PayloadJson,
    string CommandId,
    string CommandHash,
    string PrevHash,
    string Hash,
    bool Redacted = false)
{
    public TimelineEntry ToEntry() => new(CaseNumber, Seq, Type, ActorId, ActorRole, OccurredAt, PayloadJson, CommandId, PrevHash, Hash);
}

/// <summary>The stored outcome of a refused command, so a repeat returns the same refusal.</summary>
public sealed record StoredRefusal(string CommandId, string CommandHash, string RefusalJson, int Version, string ActorId, string ActorRole);

/// <summary>The case-list projection row, written in the same transaction as the event that changed it.</summary>
public sealed record CaseIndexRow(
    string CaseNumber,
    string FullName,
    string NikMasked,
    string RegionCode,
    string Segment,
    string Gender,
    string Status,
    string CurrentStage,
    string CurrentStageState,
    int Version,
    DateTimeOffset OpenedAt,
    DateTimeOffset UpdatedAt,
    string? MentorId,
    string SlaState = "OnTime",
    string? PendingApproval = null);

/// <summary>
/// The enrolment projection row of one enrolment (case, the seq that created it), written in the same transaction as the
/// event that changed it: the source of the catalog's beneficiary counts and the financing totals. Amounts in whole rupiah.
/// </summary>
public sealed record EnrolmentRow(
    string CaseNumber,
    long EnrolmentSeq,
    string OfferId,
    string OfferType,
    string OfferName,
    string Provider,
    string RegionCode,
    string Segment,
    string Status,
    bool Counts,
    long? AmountIdr,
    long? PlafondIdr,
    long? DisbursedIdr,
    string? Repayment,
    DateTimeOffset UpdatedAt,
    string? PersonKey = null,
    string? PartnerOrg = null);

/// <summary>
/// What an append writes besides the event and the case-list row: the enrolment rows and counter deltas it changed, and
/// the case's chain checkpoint at the new event (<see cref="Checkpoint"/>; null writes none: benchmarks and store tests).
/// </summary>
public sealed record CaseProjections(IReadOnlyList<EnrolmentRow> Enrolments, IReadOnlyList<Domain.Metrics.MetricDelta> Metrics)
{
    public static CaseProjections None { get; } = new([], []);

    /// <summary>The case's checkpoint as of the appended event, written in the append's transaction (replacing the previous one).</summary>
    public ChainAnchor.Checkpoint? Checkpoint { get; init; }
}

/// <summary>A counter summed over a region's children (<see cref="Child"/> is the child region's code).</summary>
public sealed record MetricRow(string Child, string D1, string D2, string D3, string D4, long Value);

/// <summary>What a case's activation reads: its events, refused command ids, and how far its consequences are.</summary>
/// <param name="Events">Every event, oldest first.</param>
/// <param name="RefusedCommandIds">Command ids answered with a refusal.</param>
/// <param name="ConsequencesDone">Every consequence of the events up to this seq took effect or has its failure recorded.</param>
/// <param name="Failures">The kinds of consequence held up at some event of this case (retried, or parked for an admin).</param>
/// <param name="Snapshot">The case's snapshot in the format asked for, if it has one; <paramref name="Events"/> are then those after it.</param>
/// <param name="SubjectKey">The case's data key row (read with the events, so a key written before an event is there), if it has one.</param>
public sealed record CaseLoad(
    IReadOnlyList<StoredEvent> Events,
    IReadOnlyList<string> RefusedCommandIds,
    long ConsequencesDone,
    IReadOnlyList<ConsequenceFailure> Failures,
    StoredSnapshot? Snapshot = null,
    SubjectKeyRow? SubjectKey = null);

/// <summary>A case's folded state as of event <see cref="Seq"/> (whose hash is <see cref="Head"/>), in one snapshot format.</summary>
public sealed record StoredSnapshot(long Seq, string Format, string State, string Head);

/// <summary>
/// A kind of consequence that did not take effect for a case, from <see cref="Seq"/> on: retried with backoff at
/// <see cref="NextAttemptAt"/>, parked after repeated failure (an admin sees and retries it).
/// </summary>
public sealed record ConsequenceFailure(
    string CaseNumber,
    ConsequenceKind Kind,
    long Seq,
    int Attempts,
    DateTimeOffset FirstFailedAt,
    DateTimeOffset LastFailedAt,
    DateTimeOffset NextAttemptAt,
    string LastError,
    bool Parked);

/// <summary>A notice kept in a user's inbox (an approval to decide, an escalation, a request settled): one per user and event.</summary>
public sealed record NoticeRow(string UserId, string CaseNumber, long Seq, string Kind, string EventType, DateTimeOffset At);

/// <summary>
/// What a case needs of the store (the case grain and nothing else writes a timeline): its events, appends and refusals,
/// the access log, and the bookkeeping of its consequences. Append-only: no update or delete path exists for events; one
/// row per event keyed by (case, seq) and unique per (case, command id); an append writes its event row and projection
/// rows atomically and never touches earlier events.
/// </summary>
public interface ICaseTimelineStore
{
    /// <summary>
    /// A case's refused command ids, where its consequences stand, and its events oldest first: every one, or, when
    /// <paramref name="snapshotFormat"/> is given and the case has a snapshot in it, the snapshot and the events after it
    /// (read consistently: no event between them is missed).
    /// </summary>
    Task<CaseLoad> LoadAsync(string caseNumber, string? snapshotFormat, CancellationToken ct);

    /// <summary>Keeps <paramref name="snapshot"/> as the case's snapshot unless it already has a later one in the same format.</summary>
    Task WriteSnapshotAsync(string caseNumber, StoredSnapshot snapshot, CancellationToken ct);

    Task<IReadOnlyList<StoredEvent>> ReadAsync(string caseNumber, long afterSeq, int limit, CancellationToken ct);

    Task<StoredEvent?> FindByCommandAsync(string caseNumber, string commandId, CancellationToken ct);

    /// <summary>The case's chain checkpoint (<c>chain_checkpoints</c>), null when it has none.</summary>
    Task<ChainAnchor.Checkpoint?> ReadCheckpointAsync(string caseNumber, CancellationToken ct);

    Task<StoredRefusal?> FindRefusalAsync(string caseNumber, string commandId, CancellationToken ct);

    /// <summary>
    /// False when the seq or the command id is already taken (another activation wrote first). The case-list row, the
    /// enrolment rows and the counter deltas the event changed are written with it, or not at all.
    /// </summary>
    Task<bool> TryAppendAsync(StoredEvent @event, CaseIndexRow index, CaseProjections projections, CancellationToken ct);

    /// <summary>False when the command id already has an outcome (a refusal, or an event on the timeline).</summary>
    Task<bool> TryRecordRefusalAsync(string caseNumber, StoredRefusal refusal, DateTimeOffset at, CancellationToken ct);

    Task RecordAccessAsync(AccessLogEntry entry, CancellationToken ct);

    /// <summary>Several access records in one transaction (a listed page).</summary>
    Task RecordAccessAsync(IReadOnlyList<AccessLogEntry> entries, CancellationToken ct);

    /// <summary>Reads of personal data, accepted commands (the timeline) and refused ones, newest first.</summary>
    Task<IReadOnlyList<AccessLogEntry>> ReadAccessLogAsync(string caseNumber, int limit, CancellationToken ct);

    /// <summary>Recorded accesses (reads, exports, refused attempts) across cases, newest first, as the filter asks (the data protection officer's).</summary>
    Task<IReadOnlyList<AccessLogEntry>> SearchAccessLogAsync(AccessLogQuery query, CancellationToken ct);

    /// <summary>Moves cases' consequence cursors forward (never back), many cases in one transaction.</summary>
    Task AdvanceConsequencesAsync(IReadOnlyCollection<(string CaseNumber, long Seq)> done, CancellationToken ct);

    /// <summary>Records (or updates) a kind of consequence held up for a case.</summary>
    Task RecordConsequenceFailureAsync(ConsequenceFailure failure, CancellationToken ct);

    /// <summary>A held-up kind of consequence caught up: its record goes.</summary>
    Task ClearConsequenceFailureAsync(string caseNumber, ConsequenceKind kind, CancellationToken ct);

    /// <summary>Keeps notices in their users' inboxes (a repeat of the same user and event adds nothing).</summary>
    Task RecordNoticesAsync(IReadOnlyList<NoticeRow> notices, CancellationToken ct);
}

/// <summary>Reads of the projections written with the events: the case list, the dashboard counters, the catalog's counts, inboxes.</summary>
public interface IProjectionStore
{
    /// <summary>The case list, restricted to what <paramref name="scope"/> may see.</summary>
    Task<CasePage> SearchAsync(CaseQuery query, ListScope scope, CancellationToken ct);

    /// <summary>
    /// One metric's counters for the kecamatan under <paramref name="regionCode"/> (the national code: all), summed by the
    /// first <paramref name="childLength"/> characters of the kecamatan code (2 = province, 5 = kab/kota, 8 = kecamatan).
    /// Zero sums are left out.
    /// </summary>
    Task<IReadOnlyList<MetricRow>> ReadMetricsAsync(string regionCode, int childLength, string metric, CancellationToken ct);

    /// <summary>Beneficiaries (distinct people of the region) receiving or having received each offer (a waiting list is not counted).</summary>
    Task<IReadOnlyDictionary<string, long>> CountBeneficiariesAsync(string regionCode, IReadOnlyCollection<string> offerIds, CancellationToken ct);

    /// <summary>Distinct people of the region receiving or having received any offer of each set, by the set's index.</summary>
    Task<IReadOnlyDictionary<int, long>> CountPeopleInSetsAsync(string regionCode, IReadOnlyList<IReadOnlyCollection<string>> sets, CancellationToken ct);

    /// <summary>Financing per product for the cases of a region (withdrawn applications left out).</summary>
    Task<IReadOnlyList<FinancingTotal>> FinancingTotalsAsync(string regionCode, CancellationToken ct);

    /// <summary>
    /// A page of the cases with an enrolment of partner organisation <paramref name="org"/> waiting on it (the
    /// organisation as the offer was at enrolment), oldest change first: at most <paramref name="limit"/> after the first <paramref name="skip"/>.
    /// </summary>
    Task<IReadOnlyList<string>> PartnerQueueAsync(string org, int skip, int limit, CancellationToken ct);

    /// <summary>A user's notices, newest first.</summary>
    Task<IReadOnlyList<NoticeRow>> ReadNoticesAsync(string userId, int limit, CancellationToken ct);
}

/// <summary>What operators need of the store: health, the rebuild and reconciliation, and the consequences' backlog.</summary>
public interface IOperationsStore
{
    /// <summary>True when the database answers a trivial query.</summary>
    Task<bool> PingAsync(CancellationToken ct);

    /// <summary>At most <paramref name="limit"/> chain checkpoints of the cases after <paramref name="afterCase"/>, by case number (the auditor's export).</summary>
    Task<IReadOnlyList<ChainAnchor.Checkpoint>> ReadCheckpointsAsync(string afterCase, int limit, CancellationToken ct);

    /// <summary>Every case number (from the case list), for the rebuild and the reconciliation.</summary>
    Task<IReadOnlyList<string>> ListCaseNumbersAsync(CancellationToken ct);

    /// <summary>Every non-zero counter (for the rebuild's comparison).</summary>
    Task<IReadOnlyList<Domain.Metrics.MetricDelta>> ReadAllMetricsAsync(CancellationToken ct);

    /// <summary>Replaces every counter with <paramref name="counters"/> in one transaction (the rebuild).</summary>
    Task ReplaceMetricsAsync(IReadOnlyList<Domain.Metrics.MetricDelta> counters, CancellationToken ct);

    /// <summary>Cases whose consequences are behind their timeline, and held-up ones due for a retry (not parked), at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<string>> DueConsequencesAsync(DateTimeOffset now, int limit, CancellationToken ct);

    /// <summary>The consequences' backlog: cases behind, held-up kinds, parked ones, oldest, reasons.</summary>
    Task<ConsequenceBacklog> ReadConsequenceBacklogAsync(DateTimeOffset now, CancellationToken ct);

    /// <summary>Unparks held-up consequences (of one kind and/or case, or all) for an immediate retry; returns the cases touched.</summary>
    Task<IReadOnlyList<string>> RetryConsequencesAsync(ConsequenceKind? kind, string? caseNumber, DateTimeOffset now, CancellationToken ct);

    /// <summary>Every notice of a case (for the reconciliation).</summary>
    Task<IReadOnlyList<NoticeRow>> ReadCaseNoticesAsync(string caseNumber, CancellationToken ct);

    /// <summary>Gives up to <paramref name="limit"/> case-list rows without a name key (written before it existed) theirs; returns how many.</summary>
    Task<int> FillNameKeysAsync(int limit, CancellationToken ct);
}

/// <summary>The people index (<see cref="PeopleIndex"/>): accounts by role and by the regions they work in.</summary>
public interface IPeopleStore
{
    /// <summary>Replaces the account's rows with what it is now (one transaction).</summary>
    Task ReplacePersonAsync(Person person, CancellationToken ct);

    /// <summary>Accounts of <paramref name="role"/> working in, above or under <paramref name="regionCode"/> as <paramref name="reach"/> says, by id.</summary>
    Task<IReadOnlyList<Person>> FindPeopleAsync(Domain.Access.Role role, string regionCode, PeopleReach reach, CancellationToken ct);

    /// <summary>At most <paramref name="limit"/> accounts after <paramref name="after"/> by id, optionally of one role and working within one region.</summary>
    Task<IReadOnlyList<Person>> ListPeopleAsync(Domain.Access.Role? role, string? regionCode, string after, int limit, CancellationToken ct);

    /// <summary>False while the index is empty (a database from before it: the accounts are indexed at start-up).</summary>
    Task<bool> AnyPeopleAsync(CancellationToken ct);
}

/// <summary>A case's timer of one kind (<c>sla</c>, <c>referral</c>) due at <see cref="DueAt"/>.</summary>
public sealed record DueDeadline(string CaseNumber, string Kind, DateTimeOffset DueAt);

/// <summary>The outbox of notices leaving the app (<see cref="NoticeDeliveryTable"/>).</summary>
public interface INoticeOutbox
{
    /// <summary>Adds deliveries; one already there for the same recipient, event and channel is kept as it is.</summary>
    Task EnqueueDeliveriesAsync(IReadOnlyList<NoticeDelivery> deliveries, DateTimeOffset now, CancellationToken ct);

    /// <summary>Takes up to <paramref name="limit"/> due deliveries until <paramref name="until"/> (whole milliseconds), each counted as an attempt.</summary>
    Task<IReadOnlyList<NoticeDelivery>> ClaimDeliveriesAsync(DateTimeOffset now, DateTimeOffset until, int limit, CancellationToken ct);

    /// <summary>
    /// Records an attempt's outcome (status, next attempt, when sent, the error) and gives the lease back, if the lease
    /// taken until <paramref name="claimedUntil"/> is still the row's.
    /// </summary>
    Task FinishDeliveryAsync(NoticeDelivery delivery, DateTimeOffset claimedUntil, CancellationToken ct);

    Task<IReadOnlyList<NoticeDelivery>> ReadDeliveriesAsync(DeliveryStatus? status, int limit, CancellationToken ct);

    /// <summary>Puts every failed delivery back to pending; returns how many.</summary>
    Task<int> RetryFailedDeliveriesAsync(DateTimeOffset now, CancellationToken ct);
}

/// <summary>The deadline index (<see cref="CaseDeadlineTable"/>): each case's next due time per kind of timer.</summary>
public interface IDeadlineStore
{
    /// <summary>Sets the case's deadline of <paramref name="kind"/> (null: it has none).</summary>
    Task SetDeadlineAsync(string caseNumber, string kind, DateTimeOffset? dueAt, CancellationToken ct);

    /// <summary>At most <paramref name="limit"/> deadlines due at <paramref name="now"/> after <paramref name="after"/> (null: from the first), in due order.</summary>
    Task<IReadOnlyList<DueDeadline>> DueDeadlinesAsync(DateTimeOffset now, DueDeadline? after, int limit, CancellationToken ct);
}

/// <summary>
/// One case on an offer's roster: holding a place (<see cref="Seated"/>) or waiting at <see cref="Position"/> (smaller
/// first); <see cref="Promoted"/> when given a place it has yet to record; <see cref="UnconfirmedSince"/> when reserved
/// for an enrolment not yet on its timeline.
/// </summary>
public sealed record PlaceRow(string CaseNumber, bool Seated, long Position, bool Promoted, DateTimeOffset? UnconfirmedSince);

/// <summary>Offers' rosters as rows (<see cref="OfferPlacesTable"/>).</summary>
public interface IPlacesStore
{
    /// <summary>The offer's roster: seats first, then the waiting list in order.</summary>
    Task<IReadOnlyList<PlaceRow>> LoadPlacesAsync(string offerId, CancellationToken ct);

    /// <summary>Writes <paramref name="rows"/> and removes the rows of <paramref name="removed"/>, in one transaction.</summary>
    Task WritePlacesAsync(string offerId, IReadOnlyList<PlaceRow> rows, IReadOnlyList<string> removed, CancellationToken ct);

    /// <summary>Replaces the offer's whole roster (an admin's reconciliation, or rows moved from the earlier grain state).</summary>
    Task ReplacePlacesAsync(string offerId, IReadOnlyList<PlaceRow> rows, CancellationToken ct);
}

/// <summary>Row filter for a list: the regions served (and everything under them), or one mentor's cases.</summary>
public sealed record ListScope(IReadOnlyList<string>? Regions, string? MentorId);

public static class CaseEventStoreExtensions
{
    /// <summary>Every event of a case (no snapshot), its refused command ids, and where its consequences stand.</summary>
    public static Task<CaseLoad> LoadAsync(this ICaseTimelineStore store, string caseNumber, CancellationToken ct) =>
        store.LoadAsync(caseNumber, null, ct);

    /// <summary>An append that changes no enrolment.</summary>
    public static Task<bool> TryAppendAsync(this ICaseTimelineStore store, StoredEvent @event, CaseIndexRow index, CancellationToken ct) =>
        store.TryAppendAsync(@event, index, CaseProjections.None, ct);
}

/// <summary>A case's data key as stored: wrapped under the installation's key, or gone (null) since the erasure.</summary>
public sealed record SubjectKeyRow(byte[]? WrappedKey, DateTimeOffset CreatedAt, DateTimeOffset? ErasedAt);

/// <summary>
/// What an erasure writes in one transaction: the case's key destroyed, the payloads of <paramref name="Redactions"/>
/// (seq → payload with clear personal fields replaced) rewritten and flagged, the snapshot dropped, the case list's name
/// and masked NIK replaced by <paramref name="Marker"/> (no name key), the enrolment rows no longer tied to the person.
/// </summary>
public sealed record SubjectErasure(string CaseNumber, DateTimeOffset At, IReadOnlyList<KeyValuePair<long, string>> Redactions, string Marker);

/// <summary>The per-case data keys (<see cref="SubjectKeyTable"/>) and the erasure that destroys them (issue 19).</summary>
public interface ISubjectKeyStore
{
    /// <summary>The case's key row, if it has one (cases written before the keys have none until they need one).</summary>
    Task<SubjectKeyRow?> ReadSubjectKeyAsync(string caseNumber, CancellationToken ct);

    /// <summary>
    /// Keeps <paramref name="wrappedKey"/> as the case's key unless it has one: returns the one on record (the first
    /// writer's), or null when the case is erased.
    /// </summary>
    Task<byte[]?> AddSubjectKeyAsync(string caseNumber, byte[] wrappedKey, DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// Destroys the case's key and writes what <paramref name="erasure"/> says in one transaction (idempotent), then asks the
    /// database to let go of the old bytes (SQLite: secure delete and a truncating WAL checkpoint; PostgreSQL: VACUUM).
    /// </summary>
    Task EraseSubjectAsync(SubjectErasure erasure, CancellationToken ct);

    /// <summary>
    /// Up to <paramref name="limit"/> cases that ended (closed or graduated) with their last change before
    /// <paramref name="before"/> and are not erased, oldest first: what the retention sweep looks at.
    /// </summary>
    Task<IReadOnlyList<EndedCase>> EndedCasesAsync(DateTimeOffset before, int limit, CancellationToken ct);
}

/// <summary>A case that has ended, as the case list has it: its last change (<see cref="EndedAt"/>) starts its retention.</summary>
public sealed record EndedCase(string CaseNumber, string RegionCode, string Status, DateTimeOffset EndedAt);
