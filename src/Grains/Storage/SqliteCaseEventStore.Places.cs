using CaseGrains.Domain.Timeline;
using Microsoft.Data.Sqlite;

namespace CaseGrains.Grains.Storage;

/// <summary>Offers' rosters as rows on the embedded file.</summary>
public sealed partial class SqliteCaseEventStore : IPlacesStore
{
    public async Task<IReadOnlyList<PlaceRow>> LoadPlacesAsync(string offerId, CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = OfferPlacesTable.Select('$');
        cmd.Parameters.AddWithValue("$offer", offerId);
        var rows = new List<PlaceRow>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new PlaceRow(reader.GetString(0), reader.GetInt64(1) == 1, reader.GetInt64(2), reader.GetInt64(3) == 1,
                reader.IsDBNull(4) ? null : EventChain.ParseTime(reader.GetString(4))));
        }

        return rows;
    }

    public Task WritePlacesAsync(string offerId, IReadOnlyList<PlaceRow> rows, IReadOnlyList<string> removed, CancellationToken ct) =>
        WritePlacesAsync(offerId, rows, removed, all: false, ct);

    public Task ReplacePlacesAsync(string offerId, IReadOnlyList<PlaceRow> rows, CancellationToken ct) =>
        WritePlacesAsync(offerId, rows, [], all: true, ct);

    private async Task WritePlacesAsync(string offerId, IReadOnlyList<PlaceRow> rows, IReadOnlyList<string> removed, bool all, CancellationToken ct)
    {
        await _writer.WaitAsync(ct);
        try
        {
            await using var conn = await OpenAsync(ct);
            await using var tx = conn.BeginTransaction();
            async Task RunAsync(string sql, Action<SqliteParameterCollection> bind)
            {
                await using var cmd = conn.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = sql;
                cmd.Parameters.AddWithValue("$offer", offerId);
                bind(cmd.Parameters);
                await cmd.ExecuteNonQueryAsync(ct);
            }

            if (all)
            {
                await RunAsync(OfferPlacesTable.DeleteAll('$'), _ => { });
            }

            foreach (var caseNumber in removed)
            {
                await RunAsync(OfferPlacesTable.Delete('$'), p => p.AddWithValue("$case", caseNumber));
            }

            foreach (var row in rows)
            {
                await RunAsync(OfferPlacesTable.Upsert('$'), p =>
                {
                    p.AddWithValue("$case", row.CaseNumber);
                    p.AddWithValue("$seated", row.Seated ? 1 : 0);
                    p.AddWithValue("$position", row.Position);
                    p.AddWithValue("$promoted", row.Promoted ? 1 : 0);
                    p.AddWithValue("$since", row.UnconfirmedSince is { } since ? EventChain.FormatTime(since) : DBNull.Value);
                });
            }

            await tx.CommitAsync(ct);
        }
        finally
        {
            _writer.Release();
        }
    }
}
