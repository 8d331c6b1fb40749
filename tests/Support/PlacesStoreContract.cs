using CaseGrains.Grains.Storage;

namespace CaseGrains.TestSupport;

/// <summary>
/// What either store must do with offers' rosters as rows (issue 16, deliverable 4): seats first then the waiting list
/// in position order; a write touches only the rows it names; a replace leaves exactly the rows given; offers apart.
/// </summary>
public static class PlacesStoreContract
{
    public static async Task CheckAsync(IPlacesStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var ct = CancellationToken.None;
        var since = new DateTimeOffset(2026, 12, 6, 1, 2, 3, TimeSpan.Zero);
        Assert.Empty(await store.LoadPlacesAsync("kursus-a", ct));

        await store.WritePlacesAsync("kursus-a", [new PlaceRow("3579-000003", false, 7, false, since), new PlaceRow("3579-000001", true, 0, false, since)], [], ct);
        await store.WritePlacesAsync("kursus-a", [new PlaceRow("3579-000002", false, 5, false, null), new PlaceRow("3579-000004", true, 0, true, null)], [], ct);
        await store.WritePlacesAsync("kursus-b", [new PlaceRow("3579-000009", true, 0, false, null)], [], ct);
        Assert.Equal(
        [
            new PlaceRow("3579-000001", true, 0, false, since), new PlaceRow("3579-000004", true, 0, true, null),
            new PlaceRow("3579-000002", false, 5, false, null), new PlaceRow("3579-000003", false, 7, false, since),
        ], await store.LoadPlacesAsync("kursus-a", ct));

        // A promotion: one row changes, one goes; the others stay as they were.
        await store.WritePlacesAsync("kursus-a", [new PlaceRow("3579-000002", true, 0, true, null)], ["3579-000001"], ct);
        Assert.Equal(
        [
            new PlaceRow("3579-000002", true, 0, true, null), new PlaceRow("3579-000004", true, 0, true, null),
            new PlaceRow("3579-000003", false, 7, false, since),
        ], await store.LoadPlacesAsync("kursus-a", ct));

        await store.ReplacePlacesAsync("kursus-a", [new PlaceRow("3579-000005", true, 0, false, null)], ct);
        Assert.Equal([new PlaceRow("3579-000005", true, 0, false, null)], await store.LoadPlacesAsync("kursus-a", ct));
        Assert.Equal([new PlaceRow("3579-000009", true, 0, false, null)], await store.LoadPlacesAsync("kursus-b", ct));
    }
}
