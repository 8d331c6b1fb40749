using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Storage;

namespace CaseGrains.TestSupport;

/// <summary>
/// What every store must answer to the data protection officer's search (issue 19, deliverable 5), checked against the
/// SQLite and the PostgreSQL store alike: each access's origin kept, filters by account, case, action and period,
/// newest first, and the limit.
/// </summary>
public static class AccessLogStoreContract
{
    public static async Task CheckAsync(ICaseTimelineStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var ct = CancellationToken.None;
        var t0 = new DateTimeOffset(2026, 12, 1, 1, 0, 0, TimeSpan.Zero);
        AccessLogEntry[] entries =
        [
            new("35.79.01-000001", "cw.a", "Caseworker", "read-case", "case-work", t0) { Origin = "10.0.0.1" },
            new("35.79.01-000001", "cw.a", "Caseworker", "reveal-nik", "bank", t0.AddMinutes(1)) { Origin = "10.0.0.1" },
            new("35.79.01-000002", "sv.b", "Supervisor", "read-case", "case-work", t0.AddMinutes(2)) { Origin = "2001:db8::7" },
            new("35.79.01-000002", "cw.a", "Caseworker", "subject-access-export", "warga", t0.AddMinutes(3)),
        ];
        await store.RecordAccessAsync(entries, ct);

        var all = await store.SearchAccessLogAsync(new AccessLogQuery(null, null, null, null, null, null), ct);
        Assert.Equal(entries.Reverse().Select(e => (e.CaseNumber, e.UserId, e.Action, e.Origin)), all.Select(e => (e.CaseNumber, e.UserId, e.Action, e.Origin)));
        Assert.Equal(t0.AddMinutes(3), all[0].At);
        Assert.Equal(["reveal-nik", "read-case"], (await store.SearchAccessLogAsync(new("cw.a", "35.79.01-000001", null, null, null, null), ct)).Select(e => e.Action));
        Assert.Equal(["35.79.01-000002"], (await store.SearchAccessLogAsync(new(null, null, "subject-access-export", null, null, null), ct)).Select(e => e.CaseNumber));
        // From inclusive, to exclusive.
        Assert.Equal([("sv.b", "read-case"), ("cw.a", "reveal-nik")],
            (await store.SearchAccessLogAsync(new(null, null, null, t0.AddMinutes(1), t0.AddMinutes(3), null), ct)).Select(e => (e.UserId, e.Action)));
        Assert.Single(await store.SearchAccessLogAsync(new(null, null, null, null, null, 1), ct));
        Assert.Empty(await store.SearchAccessLogAsync(new("nobody", null, null, null, null, null), ct));
        // The case's own log carries the origin too.
        Assert.Contains(await store.ReadAccessLogAsync("35.79.01-000002", 10, ct), e => e.Origin == "2001:db8::7");
    }
}
