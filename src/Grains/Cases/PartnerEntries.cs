using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Storage;

namespace CaseGrains.Grains;

/// <summary>
/// A timeline entry as a partner organisation's user sees it (<see cref="PartnerScope"/>): only the events about the
/// organisation's enrolments (and the closing that ended them), their payload trimmed of other offers, without the chain's
/// hashes (a hash of a short text can be guessed back), and with the command id only on the user's own commands (their
/// page matches its answers by it). The same for pages, resumes and live pushes.
/// </summary>
internal static class PartnerEntries
{
    /// <summary>The stored entry as <paramref name="userId"/> of <paramref name="org"/> sees it on the case (<paramref name="state"/>), or null.</summary>
    public static TimelineEntry? Of(TimelineEntry entry, string org, string userId, CaseState state) =>
        Of(entry, EventJson.Deserialize(entry.Type, entry.PayloadJson), org, state) is { } seen ? For(seen, entry, userId) : null;

    /// <summary>The entry (its event already read) as the organisation sees it, with no command id; null when it is not its business.</summary>
    public static TimelineEntry? Of(TimelineEntry entry, CaseEvent @event, string org, CaseState state) =>
        PartnerScope.Project(@event, entry.Seq, org, state) is { } seen
            ? entry with { PayloadJson = EventJson.Serialize(seen), PrevHash = "", Hash = "", CommandId = "" }
            : null;

    /// <summary>The organisation's entry for one of its users: the command id back when the user sent it.</summary>
    public static TimelineEntry For(TimelineEntry seen, TimelineEntry entry, string userId) =>
        entry.ActorId == userId ? seen with { CommandId = entry.CommandId } : seen;
}
