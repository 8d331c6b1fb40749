using CaseGrains.Domain;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Timeline;
using Npgsql;
using NpgsqlTypes;

namespace CaseGrains.Bench;

/// <summary>
/// Open cases bulk-loaded on PostgreSQL with COPY, as the case grain would have written them: each a CaseOpened event
/// (consent given, chained from the genesis) and its case-list row with the consequences done. Every case is named
/// "Penerima Beban" unless <c>names</c> gives each its own.
/// </summary>
internal static class OpenCasesCopy
{
    public static async Task WriteAsync(NpgsqlConnection conn, IReadOnlyList<(string Number, string Region, DateTimeOffset Opened)> rows, IReadOnlyList<string>? names = null)
    {
        await CopyEventsAsync(conn, "case_events", rows, names);
        await using (var index = await conn.BeginBinaryImportAsync("""
            COPY case_index (case_number, full_name, nik_masked, region_code, segment, gender, status, current_stage, current_stage_state,
                             version, opened_at, updated_at, name_key) FROM STDIN (FORMAT BINARY)
            """))
        {
            for (var i = 0; i < rows.Count; i++)
            {
                var (number, region, opened) = rows[i];
                var name = names?[i] ?? "Penerima Beban";
                await index.StartRowAsync();
                foreach (var text in new[] { number, name, region[..4] + "**********01", region, "Umkm", "Female", "Open", "Intake", "Active" })
                {
                    await index.WriteAsync(text, NpgsqlDbType.Text);
                }

                await index.WriteAsync(1, NpgsqlDbType.Integer);
                await index.WriteAsync(opened, NpgsqlDbType.TimestampTz);
                await index.WriteAsync(opened, NpgsqlDbType.TimestampTz);
                await index.WriteAsync(SearchText.StoredKey(name), NpgsqlDbType.Text);
            }

            await index.CompleteAsync();
        }
    }

    /// <summary>A case's CaseOpened event as these cases hold it (consent given, a masked NIK of its kab/kota).</summary>
    public static CaseOpened Opened(string number, string region, string? name) =>
        new(number, "bench-" + number, region[..4] + "**********01", name ?? "Penerima Beban", Gender.Female, region, Segment.Umkm, null, true);

    /// <summary>
    /// Each case's CaseOpened event, chained from the genesis, into <paramref name="table"/> (a table with the timeline's
    /// columns) by COPY; returns each event's hash (the case's head).
    /// </summary>
    public static async Task<string[]> CopyEventsAsync(NpgsqlConnection conn, string table, IReadOnlyList<(string Number, string Region, DateTimeOffset Opened)> rows,
        IReadOnlyList<string>? names)
    {
        var heads = new string[rows.Count];
        await using var events = await conn.BeginBinaryImportAsync(
            $"COPY {table} (case_number, seq, type, actor_id, actor_role, occurred_at, payload, command_id, command_hash, prev_hash, hash) FROM STDIN (FORMAT BINARY)");
        for (var i = 0; i < rows.Count; i++)
        {
            var (number, region, opened) = rows[i];
            var (stored, _) = Seeding.Event(number, 1, Opened(number, region, names?[i]), EventChain.Genesis, opened);
            heads[i] = stored.Hash;
            await events.StartRowAsync();
            await events.WriteAsync(stored.CaseNumber, NpgsqlDbType.Text);
            await events.WriteAsync(1L, NpgsqlDbType.Bigint);
            foreach (var text in new[] { stored.Type, stored.ActorId, stored.ActorRole, EventChain.FormatTime(opened), stored.PayloadJson, stored.CommandId, stored.CommandHash, stored.PrevHash, stored.Hash })
            {
                await events.WriteAsync(text, NpgsqlDbType.Text);
            }
        }

        await events.CompleteAsync();
        return heads;
    }
}
