using CaseGrains.Domain.Timeline;
using CaseGrains.Grains.Abstractions;

namespace CaseGrains.Grains.Storage;

/// <summary>The outbox of notices on the embedded file (times as the timeline's fixed-width UTC text, so they sort).</summary>
public sealed partial class SqliteCaseEventStore : INoticeOutbox
{
    public Task EnqueueDeliveriesAsync(IReadOnlyList<NoticeDelivery> deliveries, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(async (conn, tx) =>
        {
            foreach (var d in deliveries)
            {
                await using var cmd = conn.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = NoticeDeliveryTable.Insert('$');
                foreach (var (name, value) in NoticeDeliveryTable.Key(d))
                {
                    cmd.Parameters.AddWithValue("$" + name, value);
                }

                cmd.Parameters.AddWithValue("$kind", d.Kind);
                cmd.Parameters.AddWithValue("$type", d.EventType);
                cmd.Parameters.AddWithValue("$address", d.Address);
                cmd.Parameters.AddWithValue("$language", d.Language);
                cmd.Parameters.AddWithValue("$now", EventChain.FormatTime(now));
                await cmd.ExecuteNonQueryAsync(ct);
            }
        }, ct);

    public async Task<IReadOnlyList<NoticeDelivery>> ClaimDeliveriesAsync(DateTimeOffset now, DateTimeOffset until, int limit, CancellationToken ct)
    {
        var claimed = new List<NoticeDelivery>();
        await WriteAsync(async (conn, tx) =>
        {
            await using var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = NoticeDeliveryTable.Claim('$', skipLocked: false);
            cmd.Parameters.AddWithValue("$now", EventChain.FormatTime(now));
            cmd.Parameters.AddWithValue("$until", EventChain.FormatTime(until));
            cmd.Parameters.AddWithValue("$limit", limit);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                claimed.Add(NoticeDeliveryTable.ReadRow(reader, i => EventChain.ParseTime(reader.GetString(i))));
            }
        }, ct);
        return claimed;
    }

    public Task FinishDeliveryAsync(NoticeDelivery delivery, DateTimeOffset claimedUntil, CancellationToken ct) =>
        WriteAsync(async (conn, tx) =>
        {
            await using var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = NoticeDeliveryTable.Finish('$');
            foreach (var (name, value) in NoticeDeliveryTable.Key(delivery))
            {
                cmd.Parameters.AddWithValue("$" + name, value);
            }

            cmd.Parameters.AddWithValue("$status", delivery.Status.ToString());
            cmd.Parameters.AddWithValue("$next", EventChain.FormatTime(delivery.NextAttemptAt));
            cmd.Parameters.AddWithValue("$sent", delivery.SentAt is { } sent ? EventChain.FormatTime(sent) : DBNull.Value);
            cmd.Parameters.AddWithValue("$error", (object?)delivery.LastError ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$claimed", EventChain.FormatTime(claimedUntil));
            await cmd.ExecuteNonQueryAsync(ct);
        }, ct);

    public async Task<IReadOnlyList<NoticeDelivery>> ReadDeliveriesAsync(DeliveryStatus? status, int limit, CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = NoticeDeliveryTable.Read('$', status is not null);
        if (status is { } s)
        {
            cmd.Parameters.AddWithValue("$status", s.ToString());
        }

        cmd.Parameters.AddWithValue("$limit", limit);
        var rows = new List<NoticeDelivery>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(NoticeDeliveryTable.ReadRow(reader, i => EventChain.ParseTime(reader.GetString(i))));
        }

        return rows;
    }

    public async Task<int> RetryFailedDeliveriesAsync(DateTimeOffset now, CancellationToken ct)
    {
        var count = 0;
        await WriteAsync(async (conn, tx) =>
        {
            await using var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = NoticeDeliveryTable.Retry('$');
            cmd.Parameters.AddWithValue("$now", EventChain.FormatTime(now));
            count = await cmd.ExecuteNonQueryAsync(ct);
        }, ct);
        return count;
    }
}
