using CaseGrains.Grains.Abstractions;
using Npgsql;

namespace CaseGrains.Grains.Storage.Postgres;

/// <summary>The outbox of notices on PostgreSQL: silos claim due rows with <c>FOR UPDATE SKIP LOCKED</c>, never the same row at once.</summary>
public sealed partial class PostgresCaseEventStore : INoticeOutbox
{
    public async Task EnqueueDeliveriesAsync(IReadOnlyList<NoticeDelivery> deliveries, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(conn);
        foreach (var d in deliveries)
        {
            var command = new NpgsqlBatchCommand(NoticeDeliveryTable.Insert('@'));
            foreach (var (name, value) in NoticeDeliveryTable.Key(d))
            {
                command.Parameters.AddWithValue(name, value);
            }

            command.Parameters.AddWithValue("kind", d.Kind);
            command.Parameters.AddWithValue("type", d.EventType);
            command.Parameters.AddWithValue("address", d.Address);
            command.Parameters.AddWithValue("language", d.Language);
            command.Parameters.AddWithValue("now", now.ToUniversalTime());
            batch.BatchCommands.Add(command);
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(ct);
        }
    }

    public async Task<IReadOnlyList<NoticeDelivery>> ClaimDeliveriesAsync(DateTimeOffset now, DateTimeOffset until, int limit, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(NoticeDeliveryTable.Claim('@', skipLocked: true));
        cmd.Parameters.AddWithValue("now", now.ToUniversalTime());
        cmd.Parameters.AddWithValue("until", until.ToUniversalTime());
        cmd.Parameters.AddWithValue("limit", limit);
        return await ReadDeliveriesAsync(cmd, ct);
    }

    public async Task FinishDeliveryAsync(NoticeDelivery delivery, DateTimeOffset claimedUntil, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(NoticeDeliveryTable.Finish('@'));
        foreach (var (name, value) in NoticeDeliveryTable.Key(delivery))
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        cmd.Parameters.AddWithValue("status", delivery.Status.ToString());
        cmd.Parameters.AddWithValue("next", delivery.NextAttemptAt.ToUniversalTime());
        cmd.Parameters.Add(new NpgsqlParameter("sent", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)delivery.SentAt?.ToUniversalTime() ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("error", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)delivery.LastError ?? DBNull.Value });
        cmd.Parameters.AddWithValue("claimed", claimedUntil.ToUniversalTime());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<NoticeDelivery>> ReadDeliveriesAsync(DeliveryStatus? status, int limit, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(NoticeDeliveryTable.Read('@', status is not null));
        if (status is { } s)
        {
            cmd.Parameters.AddWithValue("status", s.ToString());
        }

        cmd.Parameters.AddWithValue("limit", limit);
        return await ReadDeliveriesAsync(cmd, ct);
    }

    public async Task<int> RetryFailedDeliveriesAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(NoticeDeliveryTable.Retry('@'));
        cmd.Parameters.AddWithValue("now", now.ToUniversalTime());
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<IReadOnlyList<NoticeDelivery>> ReadDeliveriesAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var rows = new List<NoticeDelivery>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(NoticeDeliveryTable.ReadRow(reader, i => reader.GetFieldValue<DateTimeOffset>(i)));
        }

        return rows;
    }
}
