using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Timeline;
using CaseGrains.Grains.Storage;

namespace CaseGrains.Bench;

/// <summary>Timeline rows exactly as the case grain writes them (payload, hash chain, case-list row).</summary>
internal static class Seeding
{
    public static (StoredEvent Event, CaseIndexRow Index) Opened(string caseNumber, DateTimeOffset at)
    {
        // As intake writes them: the NIK's keyed hash is 64 hex characters, the masked NIK ends in the person's digits.
        var nikHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("bench-nik-" + caseNumber)));
        var masked = $"3579**********{caseNumber.GetHashCode(StringComparison.Ordinal) & 63:D2}";
        var opened = new CaseOpened(caseNumber, nikHash, masked, "Penerima Beban", Gender.Female, "35.79.01", Segment.Umkm, null, true);
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
