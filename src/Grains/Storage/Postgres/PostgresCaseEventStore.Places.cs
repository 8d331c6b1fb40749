using Npgsql;
using NpgsqlTypes;

namespace CaseGrains.Grains.Storage.Postgres;

/// <summary>Offers' rosters as rows on PostgreSQL.</summary>
public sealed partial class PostgresCaseEventStore : IPlacesStore
{
    public async Task<IReadOnlyList<PlaceRow>> LoadPlacesAsync(string offerId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(OfferPlacesTable.Select('@'));
        cmd.Parameters.AddWithValue("offer", offerId);
        var rows = new List<PlaceRow>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new PlaceRow(reader.GetString(0), reader.GetInt32(1) == 1, reader.GetInt64(2), reader.GetInt32(3) == 1,
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4)));
        }

        return rows;
    }

    public Task WritePlacesAsync(string offerId, IReadOnlyList<PlaceRow> rows, IReadOnlyList<string> removed, CancellationToken ct) =>
        WritePlacesAsync(offerId, rows, removed, all: false, ct);

    public Task ReplacePlacesAsync(string offerId, IReadOnlyList<PlaceRow> rows, CancellationToken ct) =>
        WritePlacesAsync(offerId, rows, [], all: true, ct);

    private async Task WritePlacesAsync(string offerId, IReadOnlyList<PlaceRow> rows, IReadOnlyList<string> removed, bool all, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(conn, tx);
        NpgsqlBatchCommand Add(string sql)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.AddWithValue("offer", offerId);
            batch.BatchCommands.Add(command);
            return command;
        }

        if (all)
        {
            Add(OfferPlacesTable.DeleteAll('@'));
        }

        foreach (var caseNumber in removed)
        {
            Add(OfferPlacesTable.Delete('@')).Parameters.AddWithValue("case", caseNumber);
        }

        foreach (var row in rows)
        {
            var p = Add(OfferPlacesTable.Upsert('@')).Parameters;
            p.AddWithValue("case", row.CaseNumber);
            p.AddWithValue("seated", row.Seated ? 1 : 0);
            p.AddWithValue("position", row.Position);
            p.AddWithValue("promoted", row.Promoted ? 1 : 0);
            p.Add(new NpgsqlParameter("since", NpgsqlDbType.TimestampTz) { Value = (object?)row.UnconfirmedSince?.ToUniversalTime() ?? DBNull.Value });
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
    }
}
