using CaseGrains.Domain;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Privacy;
using CaseGrains.Domain.Timeline;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Identity;
using CaseGrains.Grains.Storage;

namespace CaseGrains.Grains;

/// <summary>
/// The reads of one case beyond its view: timeline pages, the hash chain's verification, the audited NIK reveal and the
/// access log, and the access log's entries themselves. The grain checks that the caller may read the case first.
/// </summary>
internal sealed class CaseReads(string caseNumber, ICaseTimelineStore store, IGrainFactory grains, NikProtector nikProtector, ChainAnchorKey anchorKey, TimeProvider clock,
    Func<string, string, string> open)
{
    /// <summary>The most events one page of a timeline, a resume or a follow carries.</summary>
    public const int MaxPage = 1000;

    /// <summary>The most access-log entries a subject access export carries (the newest; years of daily reads).</summary>
    public const int MaxAccessLog = 100_000;

    /// <summary>
    /// Whether the caller may read the case; a read (<paramref name="action"/>) is audited, and so is a refusal: out of
    /// scope, the caller sees "not found" and the case's supervisors see the attempt.
    /// </summary>
    public async Task<bool> MayReadAsync(CaseState state, Actor caller, string? action, string purpose)
    {
        var allowed = AccessPolicy.CanRead(caller.ToCaller(), state);
        if (!allowed || action is not null)
        {
            await AuditAsync(caller, allowed ? action! : "denied-read", allowed ? purpose : "");
        }

        return allowed;
    }

    public Task AuditAsync(Actor caller, string action, string purpose) =>
        store.RecordAccessAsync(new AccessLogEntry(caseNumber, caller.Id, caller.Role.ToString(), action, Purpose(purpose), clock.GetUtcNow()) { Origin = caller.Origin }, CancellationToken.None);

    /// <summary>
    /// A page of the timeline as partner organisation <paramref name="org"/> sees it (<see cref="PartnerEntries"/>): up to
    /// <paramref name="limit"/> of its events after <paramref name="afterSeq"/>, reading on past the events that are not its
    /// business; <see cref="TimelinePage.ReadTo"/> says how far it read, so the next page starts there.
    /// </summary>
    public async Task<TimelinePage> PartnerPageAsync(CaseState state, string userId, string org, long afterSeq, int limit)
    {
        var version = state.Version;
        var events = new List<TimelineEntry>();
        var readTo = Math.Max(0, afterSeq);
        var wanted = Math.Clamp(limit, 1, MaxPage);
        while (readTo < version && events.Count < wanted)
        {
            var page = await PageAsync(readTo, MaxPage, version);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var e in page)
            {
                readTo = e.Seq;
                if (PartnerEntries.Of(e, org, userId, state) is { } seen)
                {
                    events.Add(seen);
                    if (events.Count == wanted)
                    {
                        break;
                    }
                }
            }
        }

        return new TimelinePage(events, version) { ReadTo = readTo };
    }

    /// <summary>
    /// Events after <paramref name="afterSeq"/>, oldest first, one page of at most <paramref name="limit"/> (≤
    /// <see cref="MaxPage"/>); nothing to read past the case's <paramref name="version"/> (a resume of a case that did not move).
    /// </summary>
    public async Task<IReadOnlyList<TimelineEntry>> PageAsync(long afterSeq, int limit, int version)
    {
        if (afterSeq >= version)
        {
            return [];
        }

        // Personal fields as readers see them: decrypted, or "erased" once the case's key is gone.
        var events = await store.ReadAsync(caseNumber, Math.Max(0, afterSeq), Math.Clamp(limit, 1, MaxPage), CancellationToken.None);
        return [.. events.Select(e => e.ToEntry() with { PayloadJson = open(e.Type, e.PayloadJson) })];
    }

    /// <summary>
    /// Recomputes the chain over every stored event, measures it against the case's checkpoint (whose MAC only the
    /// installation's anchor key gives: a timeline rewritten in the database with every hash recomputed no longer reaches
    /// it), and compares its end with what the case knows it appended.
    /// </summary>
    public async Task<ChainVerification> VerifyAsync(int version, string head)
    {
        var checkpoint = await store.ReadCheckpointAsync(caseNumber, CancellationToken.None);
        var prev = EventChain.Genesis;
        long expectedSeq = 1;
        long count = 0;
        string? hashAtCheckpoint = null;
        long redacted = 0;
        var redactions = new RedactionCheck();
        while (true)
        {
            var page = await store.ReadAsync(caseNumber, expectedSeq - 1, MaxPage, CancellationToken.None);
            foreach (var e in page)
            {
                var link = new EventChain.Link(e.CaseNumber, e.Seq, e.Type, e.ActorId, e.ActorRole, e.OccurredAt, e.CommandId, e.PayloadJson, e.PrevHash, e.Hash, e.Redacted);
                redacted += e.Redacted ? 1 : 0;
                redactions.Add(e.Seq, e.Type, e.PayloadJson, e.Redacted);
                if (EventChain.Problem(prev, expectedSeq, link) is { } problem)
                {
                    return new ChainVerification(caseNumber, false, expectedSeq - 1, e.Seq, problem, prev, false, checkpoint?.Seq);
                }

                prev = e.Hash;
                hashAtCheckpoint = e.Seq == checkpoint?.Seq ? e.Hash : hashAtCheckpoint;
                expectedSeq++;
                count++;
            }

            if (page.Count < MaxPage)
            {
                break;
            }
        }

        if (redactions.Problem is { } redactionProblem)
        {
            return new ChainVerification(caseNumber, false, count, redactionProblem.Seq, redactionProblem.Text, prev, false, checkpoint?.Seq);
        }

        var anchor = anchorKey.Check(checkpoint, count, hashAtCheckpoint);
        if (anchor.Problem is { } anchorProblem)
        {
            // The first event the checkpoint does not vouch for: the one after it, the first one missing, or (a rewritten
            // timeline, a checkpoint missing or forged) the first one: which event was rewritten no hash can tell.
            var broken = !anchor.Anchored ? 1L
                : count < checkpoint!.Seq ? count + 1
                : hashAtCheckpoint == checkpoint.Head ? checkpoint.Seq + 1
                : 1L;
            return new ChainVerification(caseNumber, false, count, broken, anchorProblem, prev, anchor.Anchored, anchor.CheckpointSeq);
        }

        // Rows removed from the end leave a consistent chain: compare with what this activation knows it appended.
        return count != version || prev != head
            ? new ChainVerification(caseNumber, false, count, count + 1L, $"events missing: the case is at version {version}, the table holds {count}", prev, anchor.Anchored, anchor.CheckpointSeq)
            : new ChainVerification(caseNumber, true, count, null, null, prev, anchor.Anchored, anchor.CheckpointSeq, redacted);
    }

    public async Task<NikReveal> RevealNikAsync(CaseState state, Actor caller, string purpose)
    {
        if (!AccessPolicy.MayRevealNik(caller.ToCaller(), state))
        {
            await AuditAsync(caller, "reveal-nik-denied", purpose);
            return new NikReveal(null, RefusalInfo.From(Refusals.Forbidden()));
        }

        if (CaseDecider.Text(purpose, "purpose", CaseDecider.MaxShortText, required: true) is { } badPurpose)
        {
            return new NikReveal(null, RefusalInfo.From(badPurpose));
        }

        var protectedNik = state.Erased ? null : await grains.GetGrain<IBeneficiaryRegistryGrain>(RegistryKeys.For(state.NikHash)).GetProtectedNik();
        if (protectedNik is null)
        {
            return new NikReveal(null, RefusalInfo.From(Refusals.NikNotStored()));
        }

        await AuditAsync(caller, "reveal-nik", purpose);
        return new NikReveal(nikProtector.Unprotect(protectedNik), null);
    }

    /// <summary>Everything held about the beneficiary; the export is in the access log before anything is answered.</summary>
    public async Task<SubjectAccess> SubjectAccessAsync(CaseState state, Func<CaseView> profile, Actor caller, string purpose)
    {
        if (!AccessPolicy.MayExportSubjectAccess(caller.ToCaller(), state))
        {
            await AuditAsync(caller, "subject-access-denied", purpose);
            return new SubjectAccess(null, RefusalInfo.From(Refusals.Forbidden()));
        }

        if (CaseDecider.Text(purpose, "purpose", CaseDecider.MaxShortText, required: true) is { } badPurpose)
        {
            return new SubjectAccess(null, RefusalInfo.From(badPurpose));
        }

        await AuditAsync(caller, "subject-access-export", purpose);
        var timeline = new List<TimelineEntry>(state.Version);
        while (timeline.Count < state.Version)
        {
            var page = await PageAsync(timeline.Count, MaxPage, state.Version);
            if (page.Count == 0)
            {
                break;
            }

            timeline.AddRange(page);
        }

        var consents = new List<ConsentEntry>();
        foreach (var e in timeline)
        {
            switch (e.Type)
            {
                case nameof(CaseOpened) when EventJson.Deserialize(e.Type, e.PayloadJson) is CaseOpened { ConsentGiven: true }:
                    consents.Add(new ConsentEntry(e.Seq, e.OccurredAt, e.ActorId, "intake", null, null, null) { Purposes = [.. ConsentPurposes.All] });
                    break;
                case nameof(ConsentRecorded) when EventJson.Deserialize(e.Type, e.PayloadJson) is ConsentRecorded c:
                    consents.Add(new ConsentEntry(e.Seq, e.OccurredAt, e.ActorId, c.Method, c.FormVersion, c.GivenOn, c.Witness)
                    {
                        Purposes = [.. c.Purposes ?? ConsentPurposes.All],
                    });
                    break;
                case nameof(ConsentWithdrawn) when EventJson.Deserialize(e.Type, e.PayloadJson) is ConsentWithdrawn w:
                    consents.Add(new ConsentEntry(e.Seq, e.OccurredAt, e.ActorId, w.Method, null, w.WithdrawnOn, w.Witness)
                    {
                        Purposes = [.. ConsentPurposes.Ending(w.Purposes)],
                        Withdrawn = true,
                        Note = w.Note,
                    });
                    break;
            }
        }

        var protectedNik = state.Erased ? null : await grains.GetGrain<IBeneficiaryRegistryGrain>(RegistryKeys.For(state.NikHash)).GetProtectedNik();
        var log = await store.ReadAccessLogAsync(caseNumber, MaxAccessLog, CancellationToken.None);
        return new SubjectAccess(new SubjectAccessExport(caseNumber, clock.GetUtcNow(), caller.Id, Purpose(purpose), profile(),
            protectedNik is null ? null : nikProtector.Unprotect(protectedNik), consents, timeline, [.. log.OrderBy(e => e.At)]), null);
    }

    public async Task<AccessLog> AccessLogAsync(CaseState state, Actor caller, int limit) =>
        AccessPolicy.MayReadAccessLog(caller.ToCaller(), state)
            ? new AccessLog(await store.ReadAccessLogAsync(caseNumber, Math.Clamp(limit, 1, MaxPage), CancellationToken.None), null)
            : new AccessLog(null, RefusalInfo.From(Refusals.Forbidden()));

    /// <summary>A stated purpose as recorded: trimmed, control characters dropped, at most 200 characters.</summary>
    private static string Purpose(string? purpose)
    {
        var clean = new string((purpose ?? "").Where(c => !char.IsControl(c)).ToArray()).Trim();
        return clean.Length == 0 ? "case-work" : clean[..Math.Min(clean.Length, CaseDecider.MaxShortText)];
    }
}
