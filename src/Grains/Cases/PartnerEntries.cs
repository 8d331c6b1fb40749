using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Storage;

namespace CaseGrains.Grains;

/// <summary>
/// A timeline entry as a partner organisation's user sees it (<see cref="PartnerScope"/>): only the events about the
/// organisation's offers (and the closing that ended them), their payload trimmed of other offers, without the chain's
/// hashes (a hash of a short text can be guessed back), and with the command id only on the user's own commands (their
/// page matches its answers by it). The same for pages, resumes and live pushes.
/// </summary>
internal static class PartnerEntries
{
    /// <summary>The entry as <paramref name="userId"/> of <paramref name="org"/> sees it on the case as it is (<paramref name="state"/>), or null.</summary>
    public static TimelineEntry? Of(TimelineEntry entry, string org, string userId, CaseState state) =>
        Of(entry, EventJson.Deserialize(entry.Type, entry.PayloadJson), org, userId, state);

    /// <summary>As above, with the entry's event already read.</summary>
    public static TimelineEntry? Of(TimelineEntry entry, CaseEvent @event, string org, string userId, CaseState state) =>
        PartnerScope.Project(@event, org, state) is { } seen
            ? entry with { PayloadJson = EventJson.Serialize(seen), PrevHash = "", Hash = "", CommandId = entry.ActorId == userId ? entry.CommandId : "" }
            : null;
}
