using CaseGrains.Domain.Access;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Storage;

namespace CaseGrains.TestSupport;

/// <summary>
/// What every people-index store must answer (issue 16, deliverable 1), checked against the SQLite and the PostgreSQL
/// store alike: look-ups by role around a region (above, under, both), pages by id, and a replace that leaves no old row.
/// </summary>
public static class PeopleStoreContract
{
    public static async Task CheckAsync(IPeopleStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var ct = CancellationToken.None;
        Assert.False(await store.AnyPeopleAsync(ct));
        Person[] people =
        [
            new("sv.jatim", Role.Supervisor, "Supervisor Jawa Timur", ["35"], false),
            new("sv.batu", Role.Supervisor, "Supervisor Batu", ["35.79"], false),
            new("sv.batu.off", Role.Supervisor, "Supervisor Nonaktif", ["35.79"], true),
            new("sv.malang", Role.Supervisor, "Supervisor Malang", ["35.07"], false),
            new("sv.dua", Role.Supervisor, "Supervisor Dua Wilayah", ["35.07", "35.79.01"], false),
            new("cw.bumiaji", Role.Caseworker, "Petugas Bumiaji", ["35.79.03"], false),
            new("m.batu", Role.Mentor, "Pendamping Batu", ["35.79.01"], false),
            new("m.malang", Role.Mentor, "Pendamping Malang", ["35.07"], false),
            new("m.jabar", Role.Mentor, "Pendamping Jawa Barat", ["32"], false),
            new("m.baru", Role.Mentor, "Pendamping Baru", [], false),
            new("admin.satu", Role.Admin, "Admin", [], false),
        ];
        foreach (var p in people)
        {
            await store.ReplacePersonAsync(p, ct);
        }

        Assert.True(await store.AnyPeopleAsync(ct));

        // Serving a village of Kota Batu: the province's, the regency's (enabled or not) and the kecamatan's supervisors,
        // each with the regions that serve it; never Malang's.
        var covering = await store.FindPeopleAsync(Role.Supervisor, "35.79.01.1001", PeopleReach.Covering, ct);
        Assert.Equal(["sv.batu", "sv.batu.off", "sv.dua", "sv.jatim"], covering.Select(p => p.UserId));
        Assert.Equal(["35.79.01"], covering.Single(p => p.UserId == "sv.dua").Regions);
        Assert.True(covering.Single(p => p.UserId == "sv.batu.off").Disabled);
        Assert.Equal("Supervisor Batu", covering[0].DisplayName);

        // Within a province, and around a regency (above it, in it or under it).
        Assert.Equal(["m.batu", "m.malang"], (await store.FindPeopleAsync(Role.Mentor, "35", PeopleReach.Within, ct)).Select(p => p.UserId));
        Assert.Equal(["m.batu"], (await store.FindPeopleAsync(Role.Mentor, "35.79", PeopleReach.Reaching, ct)).Select(p => p.UserId));
        Assert.Equal(["sv.batu", "sv.batu.off", "sv.dua", "sv.jatim"], (await store.FindPeopleAsync(Role.Supervisor, "35.79", PeopleReach.Reaching, ct)).Select(p => p.UserId));
        // "35.7" is not above "35.79": codes are compared by level, not by prefix.
        Assert.Empty(await store.FindPeopleAsync(Role.Supervisor, "35.7", PeopleReach.Within, ct));
        // The nation: every mentor, one without regions too; nobody covers the nation.
        Assert.Equal(["m.baru", "m.batu", "m.jabar", "m.malang"], (await store.FindPeopleAsync(Role.Mentor, "", PeopleReach.Reaching, ct)).Select(p => p.UserId));
        Assert.Empty(await store.FindPeopleAsync(Role.Mentor, "", PeopleReach.Covering, ct));

        // Pages by id: all accounts once each, in order; filtered by role and by region (working there or under it).
        var seen = new List<string>();
        for (var page = await store.ListPeopleAsync(null, null, "", 3, ct); page.Count > 0; page = await store.ListPeopleAsync(null, null, page[^1].UserId, 3, ct))
        {
            Assert.True(page.Count <= 3);
            seen.AddRange(page.Select(p => p.UserId));
        }

        Assert.Equal(people.Select(p => p.UserId).Order(StringComparer.Ordinal), seen);
        Assert.Equal(["35.07", "35.79.01"], (await store.ListPeopleAsync(Role.Supervisor, null, "sv.c", 1, ct)).Single().Regions);
        Assert.Equal(["cw.bumiaji", "m.batu", "sv.batu", "sv.batu.off", "sv.dua"], (await store.ListPeopleAsync(null, "35.79", "", 100, ct)).Select(p => p.UserId));

        // A change replaces the account's rows: moved from Kota Batu to Malang, disabled, renamed.
        await store.ReplacePersonAsync(new Person("sv.batu", Role.Supervisor, "Supervisor Pindah", ["35.07"], true), ct);
        Assert.DoesNotContain("sv.batu", (await store.FindPeopleAsync(Role.Supervisor, "35.79.01", PeopleReach.Covering, ct)).Select(p => p.UserId));
        var moved = (await store.FindPeopleAsync(Role.Supervisor, "35.07", PeopleReach.Covering, ct)).Single(p => p.UserId == "sv.batu");
        Assert.Equal(("Supervisor Pindah", true, "35.07"), (moved.DisplayName, moved.Disabled, string.Join(",", moved.Regions)));
        // A role change moves it out of the old role's look-ups.
        await store.ReplacePersonAsync(new Person("m.batu", Role.Caseworker, "Kini Petugas", ["35.79.01"], false), ct);
        Assert.Empty(await store.FindPeopleAsync(Role.Mentor, "35.79", PeopleReach.Reaching, ct));
        Assert.Equal(["cw.bumiaji", "m.batu"], (await store.FindPeopleAsync(Role.Caseworker, "35.79", PeopleReach.Within, ct)).Select(p => p.UserId));
    }
}
