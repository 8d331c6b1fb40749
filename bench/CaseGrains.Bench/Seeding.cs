using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Timeline;
using CaseGrains.Grains.Storage;

namespace CaseGrains.Bench;

/// <summary>Timeline rows exactly as the case grain writes them (payload, hash chain, case-list row).</summary>
internal static class Seeding
{
    public static (StoredEvent Event, CaseIndexRow Index) Opened(string caseNumber, DateTimeOffset at)
    {
        var opened = new CaseOpened(caseNumber, "bench-" + caseNumber, "3579**********01", "Penerima Beban", Gender.Female, "35.79.01", Segment.Umkm, null, true);
        return Event(caseNumber, 1, opened, EventChain.Genesis, at);
    }

    public static (StoredEvent Event, CaseIndexRow Index) Consent(string caseNumber, long seq, string prevHash, DateTimeOffset at) =>
        Event(caseNumber, seq, new ConsentRecorded("bench"), prevHash, at);

    public static (StoredEvent Event, CaseIndexRow Index) Event(string caseNumber, long seq, CaseEvent e, string prev, DateTimeOffset at)
    {
        var payload = EventJson.Serialize(e);
        var commandId = Guid.NewGuid().ToString();
        var hash = EventChain.Hash(prev, caseNumber, seq, e.Type, "bench", "Caseworker", at, commandId, payload);
        var stored = new StoredEvent(caseNumber, seq, e.Type, "bench", "Caseworker", at, payload, commandId, commandId, prev, hash);
        var index = new CaseIndexRow(caseNumber, "Penerima Beban", "3579**********01", "35.79.01", "Umkm", "Female", "Open",
            "Intake", "Active", checked((int)seq), at, at, null);
        return (stored, index);
    }
}
