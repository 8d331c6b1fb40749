using CaseGrains.Domain.Timeline;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Storage;

namespace CaseGrains.TestSupport;

/// <summary>
/// What the case list's search must answer on either store (issue 16, deliverable 5): every word of the query found in
/// the name, whatever the case and the diacritics, parts of words too; a case number from its start; exact case numbers
/// (the NIK look-up's result); always within the scope; a query of symbols matching nothing; rows from before the name
/// keys found again once the start-up filled their keys in.
/// </summary>
public static class SearchStoreContract
{
    public static async Task CheckAsync(ICaseTimelineStore timeline, IProjectionStore projections, IOperationsStore operations, Func<string, Task> execute)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(projections);
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(execute);
        (string Number, string Name, string Region)[] cases =
        [
            ("3579-000001", "Eko Saputra, S.E.", "35.79.01.1001"),
            ("3579-000002", "Dédé Setiawan", "35.79.02.1001"),
            ("3579-000003", "Siti Nur'aini", "35.79.01.1002"),
            ("3507-000001", "EKO PRASETYO", "35.07.01.1001"),
            ("3579-000004", "Ni Luh Putu Ayu", "35.79.03.1001"),
            ("3579-000005", ":::", "35.79.01.1001"),
        ];
        foreach (var (number, name, region) in cases)
        {
            var at = DateTimeOffset.UtcNow;
            var hash = EventChain.Hash("", number, 1, "CaseOpened", "cw", "Caseworker", at, "open-" + number, "{}");
            var appended = await timeline.TryAppendAsync(new StoredEvent(number, 1, "CaseOpened", "cw", "Caseworker", at, "{}", "open-" + number, "h", "", hash),
                new CaseIndexRow(number, name, "3579**********01", region, "Umkm", "Female", "Open", "Intake", "Active", 1, at, at, null), CancellationToken.None);
            Assert.True(appended, number);
        }

        var batu = new ListScope(["35.79"], null);
        async Task<List<string>> Find(string text, ListScope? scope = null, IReadOnlyList<string>? numbers = null) =>
            [.. (await projections.SearchAsync(new CaseQuery(null, null, null, null, text, 1, 50, CaseNumbers: numbers), scope ?? batu, CancellationToken.None))
                .Items.Select(i => i.CaseNumber)];

        Assert.Equal(["3579-000001"], await Find("eko sap"));
        Assert.Equal(["3579-000001"], await Find("  EKO,  saputra "));
        Assert.Equal(["3507-000001", "3579-000001"], await Find("eko", new ListScope(["35"], null)));
        Assert.Equal(["3579-000001"], await Find("eko")); // Malang's Eko is outside Kota Batu
        Assert.Equal(["3579-000002"], await Find("dede"));
        Assert.Equal(["3579-000002"], await Find("DÉDÉ setia"));
        Assert.Equal(["3579-000003"], await Find("nur aini"));
        Assert.Equal(["3579-000004"], await Find("putu"));
        Assert.Equal(["3579-000001", "3579-000002", "3579-000003", "3579-000004", "3579-000005"], await Find("3579-0000"));
        Assert.Equal(["3579-000002"], await Find("3579-000002"));
        Assert.Empty(await Find("eko dede"));
        Assert.Empty(await Find("%"));
        Assert.Empty(await Find("_"));
        Assert.Equal(["3579-000002", "3579-000004"], await Find("", numbers: ["3579-000004", "3579-000002", "3507-000001"]));
        Assert.Empty(await Find("", numbers: []));

        // Rows written before the keys existed (their key empty) are found again once the start-up fills the keys in.
        await execute("UPDATE case_index SET name_key = ''");
        Assert.Empty(await Find("eko sap"));
        Assert.Equal(6, await operations.FillNameKeysAsync(1000, CancellationToken.None));
        Assert.Equal(0, await operations.FillNameKeysAsync(1000, CancellationToken.None));
        Assert.Equal(["3579-000001"], await Find("eko sap"));
        Assert.Equal(["3579-000002"], await Find("setiawan"));
    }
}
