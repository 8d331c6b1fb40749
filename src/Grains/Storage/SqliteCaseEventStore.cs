using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Timeline;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace CaseGrains.Grains.Storage;

/// <summary>The embedded timeline store: the project's tables in the same SQLite file as Orleans' grain state.</summary>
public sealed partial class SqliteCaseEventStore(IOptions<CaseGrainsOptions> options) : ICaseTimelineStore, IProjectionStore, IOperationsStore, IPeopleStore, IDisposable
{
    // SQLite has one writer at a time; a second one gets SQLITE_BUSY and Microsoft.Data.Sqlite retries it after a
    // 150 ms sleep (on an Orleans scheduler thread). Queueing this process's writers here instead keeps the tail short.
    private readonly SemaphoreSlim _writer = new(1, 1);
    private static readonly KeyValuePair<string, object?> AppendGroup = new("group", "appends");

    private RequestGroups<IReadOnlyList<AccessLogEntry>, bool>? _audits;

    private const int SqliteConstraint = 19;
    private readonly string _connectionString = options.Value.SqliteConnectionString;

    private static readonly string[] AuditParameters = ["$case", "$user", "$role", "$action", "$purpose", "$at", "$origin"];
    private static readonly string[] NoticeParameters = ["$user", "$case", "$seq", "$kind", "$type", "$at"];

    private const string EventColumns =
        "case_number, seq, type, actor_id, actor_role, occurred_at, payload, command_id, command_hash, prev_hash, hash";

    /// <summary>What a read takes: the written columns and the redaction flag (migration 19).</summary>
    private const string ReadColumns = EventColumns + ", redacted";

    public async Task<CaseLoad> LoadAsync(string caseNumber, string? snapshotFormat, CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        // The snapshot first, then the events after its seq: an event appended in between is read too, none is missed.
        var snapshot = snapshotFormat is null ? null : await ReadSnapshotAsync(conn, caseNumber, snapshotFormat, ct);
        var events = await ReadEventsAsync(conn, caseNumber, snapshot?.Seq ?? 0, int.MaxValue, ct);
        var refused = new List<string>();
        await using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = "SELECT command_id FROM case_refusals WHERE case_number = $case";
            cmd.Parameters.AddWithValue("$case", caseNumber);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                refused.Add(reader.GetString(0));
            }
        }

        // No row: caught up to the last event (or the snapshot's, with none after it).
        var done = events.Count > 0 ? events[^1].Seq : snapshot?.Seq ?? 0;
        await using (var cursor = conn.CreateCommand())
        {
            cursor.CommandText = "SELECT done FROM case_consequences_behind WHERE case_number = $case";
            cursor.Parameters.AddWithValue("$case", caseNumber);
            done = await cursor.ExecuteScalarAsync(ct) is long seq ? seq : done;
        }

        // The key after the events: it is written before the first event that needs it.
        return new CaseLoad(events, refused, done, await ReadFailuresAsync(conn, "WHERE case_number = $case", caseNumber, ct), snapshot,
            await ReadKeyAsync(conn, null, caseNumber, ct));
    }

    private static async Task<StoredSnapshot?> ReadSnapshotAsync(SqliteConnection conn, string caseNumber, string format, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT seq, state, head FROM case_snapshots WHERE case_number = $case AND format = $format";
        cmd.Parameters.AddWithValue("$case", caseNumber);
        cmd.Parameters.AddWithValue("$format", format);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new StoredSnapshot(reader.GetInt64(0), format, reader.GetString(1), reader.GetString(2)) : null;
    }

    public async Task WriteSnapshotAsync(string caseNumber, StoredSnapshot snapshot, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        await _writer.WaitAsync(ct);
        try
        {
            await using var conn = await OpenAsync(ct);
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = CaseSnapshotTable.Upsert('$');
            cmd.Parameters.AddWithValue("$case", caseNumber);
            cmd.Parameters.AddWithValue("$seq", snapshot.Seq);
            cmd.Parameters.AddWithValue("$format", snapshot.Format);
            cmd.Parameters.AddWithValue("$state", snapshot.State);
            cmd.Parameters.AddWithValue("$head", snapshot.Head);
            cmd.Parameters.AddWithValue("$at", EventChain.FormatTime(DateTimeOffset.UtcNow));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        finally
        {
            _writer.Release();
        }
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadAsync(string caseNumber, long afterSeq, int limit, CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        return await ReadEventsAsync(conn, caseNumber, afterSeq, limit, ct);
    }

    public async Task<StoredEvent?> FindByCommandAsync(string caseNumber, string commandId, CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT {ReadColumns} FROM case_events WHERE case_number = $case AND command_id = $cid";
        cmd.Parameters.AddWithValue("$case", caseNumber);
        cmd.Parameters.AddWithValue("$cid", commandId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadEvent(reader) : null;
    }

    public async Task<ChainAnchor.Checkpoint?> ReadCheckpointAsync(string caseNumber, CancellationToken ct) =>
        (await QueryAsync($"SELECT {ChainCheckpointTable.Columns} FROM chain_checkpoints WHERE case_number = @case", [("@case", caseNumber)],
            (r, c) => ProjectionRows.ReadAsync(r, ChainCheckpointTable.Read, c), ct)).SingleOrDefault();

    public Task<IReadOnlyList<ChainAnchor.Checkpoint>> ReadCheckpointsAsync(string afterCase, int limit, CancellationToken ct) =>
        QueryAsync($"SELECT {ChainCheckpointTable.Columns} FROM chain_checkpoints WHERE case_number > @after ORDER BY case_number LIMIT @limit",
            [("@after", afterCase), ("@limit", limit)], (r, c) => ProjectionRows.ReadAsync(r, ChainCheckpointTable.Read, c), ct);

    public async Task<StoredRefusal?> FindRefusalAsync(string caseNumber, string commandId, CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT command_id, command_hash, refusal, version, actor_id, actor_role FROM case_refusals WHERE case_number = $case AND command_id = $cid";
        cmd.Parameters.AddWithValue("$case", caseNumber);
        cmd.Parameters.AddWithValue("$cid", commandId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new StoredRefusal(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3),
                reader.IsDBNull(4) ? "" : reader.GetString(4), reader.IsDBNull(5) ? "" : reader.GetString(5))
            : null;
    }

    public async Task<bool> TryAppendAsync(StoredEvent @event, CaseIndexRow index, CaseProjections projections, CancellationToken ct)
    {
        await _writer.WaitAsync(ct);
        try
        {
            // One writer, one transaction per event: the embedded store's groups are always of one.
            Hosting.CaseGrainsTelemetry.GroupSize.Record(1, AppendGroup);
            return await AppendAsync(@event, index, projections, ct);
        }
        finally
        {
            _writer.Release();
        }
    }

    private async Task<bool> AppendAsync(StoredEvent @event, CaseIndexRow index, CaseProjections projections, CancellationToken ct)
    {
        var (e, row) = (@event, index);
        await using var conn = await OpenAsync(ct);
        await using var tx = conn.BeginTransaction();
        try
        {
            await using (var insert = conn.CreateCommand())
            {
                insert.Transaction = tx;
                insert.CommandText = $"""
                    INSERT INTO case_events ({EventColumns})
                    VALUES ($case, $seq, $type, $actor, $role, $at, $payload, $cid, $chash, $prev, $hash)
                    """;
                insert.Parameters.AddWithValue("$case", e.CaseNumber);
                insert.Parameters.AddWithValue("$seq", e.Seq);
                insert.Parameters.AddWithValue("$type", e.Type);
                insert.Parameters.AddWithValue("$actor", e.ActorId);
                insert.Parameters.AddWithValue("$role", e.ActorRole);
                insert.Parameters.AddWithValue("$at", EventChain.FormatTime(e.OccurredAt));
                insert.Parameters.AddWithValue("$payload", e.PayloadJson);
                insert.Parameters.AddWithValue("$cid", e.CommandId);
                insert.Parameters.AddWithValue("$chash", e.CommandHash);
                insert.Parameters.AddWithValue("$prev", e.PrevHash);
                insert.Parameters.AddWithValue("$hash", e.Hash);
                await insert.ExecuteNonQueryAsync(ct);
            }

            await using (var upsert = conn.CreateCommand())
            {
                upsert.Transaction = tx;
                upsert.CommandText = """
                    INSERT INTO case_index (case_number, full_name, nik_masked, region_code, segment, gender, status,
                                            current_stage, current_stage_state, version, opened_at, updated_at, mentor_id, sla_state, pending_approval, name_key)
                    VALUES ($case, $name, $nik, $region, $segment, $gender, $status, $stage, $stageState, $version, $opened, $updated, $mentor, $sla, $pending, $nameKey)
                    ON CONFLICT (case_number) DO UPDATE SET
                        full_name = excluded.full_name, name_key = excluded.name_key, region_code = excluded.region_code, segment = excluded.segment,
                        status = excluded.status, current_stage = excluded.current_stage,
                        current_stage_state = excluded.current_stage_state, version = excluded.version,
                        updated_at = excluded.updated_at, mentor_id = excluded.mentor_id, sla_state = excluded.sla_state,
                        pending_approval = excluded.pending_approval
                    """;
                upsert.Parameters.AddWithValue("$case", row.CaseNumber);
                upsert.Parameters.AddWithValue("$name", row.FullName);
                upsert.Parameters.AddWithValue("$nameKey", Domain.SearchText.StoredKey(row.FullName));
                upsert.Parameters.AddWithValue("$nik", row.NikMasked);
                upsert.Parameters.AddWithValue("$region", row.RegionCode);
                upsert.Parameters.AddWithValue("$segment", row.Segment);
                upsert.Parameters.AddWithValue("$gender", row.Gender);
                upsert.Parameters.AddWithValue("$status", row.Status);
                upsert.Parameters.AddWithValue("$stage", row.CurrentStage);
                upsert.Parameters.AddWithValue("$stageState", row.CurrentStageState);
                upsert.Parameters.AddWithValue("$version", row.Version);
                upsert.Parameters.AddWithValue("$opened", EventChain.FormatTime(row.OpenedAt));
                upsert.Parameters.AddWithValue("$updated", EventChain.FormatTime(row.UpdatedAt));
                upsert.Parameters.AddWithValue("$mentor", (object?)row.MentorId ?? DBNull.Value);
                upsert.Parameters.AddWithValue("$sla", row.SlaState);
                upsert.Parameters.AddWithValue("$pending", (object?)row.PendingApproval ?? DBNull.Value);
                await upsert.ExecuteNonQueryAsync(ct);
            }

            await using (var behind = conn.CreateCommand())
            {
                behind.Transaction = tx;
                behind.CommandText = ConsequenceTables.MarkBehind('$');
                behind.Parameters.AddWithValue("$case", e.CaseNumber);
                behind.Parameters.AddWithValue("$seq", e.Seq);
                await behind.ExecuteNonQueryAsync(ct);
            }

            foreach (var en in projections.Enrolments)
            {
                await using var enrolment = conn.CreateCommand();
                enrolment.Transaction = tx;
                enrolment.CommandText = $"""
                    INSERT INTO case_enrolments ({EnrolmentProjection.Columns})
                    VALUES (@case, @eseq, @offer, @type, @name, @provider, @region, @segment, @status, @counts, @amount, @plafond, @disbursed, @repayment, @updated, @person, @partner)
                    {EnrolmentProjection.UpdateOnConflict}
                    """;
                var p = enrolment.Parameters;
                p.AddWithValue("@case", en.CaseNumber);
                p.AddWithValue("@eseq", en.EnrolmentSeq);
                p.AddWithValue("@offer", en.OfferId);
                p.AddWithValue("@type", en.OfferType);
                p.AddWithValue("@name", en.OfferName);
                p.AddWithValue("@provider", en.Provider);
                p.AddWithValue("@region", en.RegionCode);
                p.AddWithValue("@segment", en.Segment);
                p.AddWithValue("@status", en.Status);
                p.AddWithValue("@counts", en.Counts ? 1 : 0);
                p.AddWithValue("@amount", (object?)en.AmountIdr ?? DBNull.Value);
                p.AddWithValue("@plafond", (object?)en.PlafondIdr ?? DBNull.Value);
                p.AddWithValue("@disbursed", (object?)en.DisbursedIdr ?? DBNull.Value);
                p.AddWithValue("@repayment", (object?)en.Repayment ?? DBNull.Value);
                p.AddWithValue("@updated", EventChain.FormatTime(en.UpdatedAt));
                p.AddWithValue("@person", (object?)en.PersonKey ?? DBNull.Value);
                p.AddWithValue("@partner", (object?)en.PartnerOrg ?? DBNull.Value);
                await enrolment.ExecuteNonQueryAsync(ct);
            }

            await AddCountersAsync(conn, tx, projections.Metrics, ct);

            if (projections.Checkpoint is { } checkpoint)
            {
                await using var anchor = conn.CreateCommand();
                anchor.Transaction = tx;
                anchor.CommandText = ChainCheckpointTable.Upsert('$');
                foreach (var (name, value) in ChainCheckpointTable.Parameters(checkpoint))
                {
                    anchor.Parameters.AddWithValue("$" + name, value);
                }

                await anchor.ExecuteNonQueryAsync(ct);
            }

            await tx.CommitAsync(ct);
            return true;
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteConstraint)
        {
            await tx.RollbackAsync(ct);
            return false;
        }
    }

    public async Task<bool> TryRecordRefusalAsync(string caseNumber, StoredRefusal refusal, DateTimeOffset at, CancellationToken ct)
    {
        await _writer.WaitAsync(ct);
        try
        {
            return await RecordRefusalAsync(caseNumber, refusal, at, ct);
        }
        finally
        {
            _writer.Release();
        }
    }

    private async Task<bool> RecordRefusalAsync(string caseNumber, StoredRefusal refusal, DateTimeOffset at, CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = """
            INSERT INTO case_refusals (case_number, command_id, command_hash, refusal, version, recorded_at, actor_id, actor_role)
            SELECT $case, $cid, $chash, $refusal, $version, $at, $actor, $role
            WHERE NOT EXISTS (SELECT 1 FROM case_events WHERE case_number = $case AND command_id = $cid)
            ON CONFLICT DO NOTHING
            """;
        cmd.Parameters.AddWithValue("$case", caseNumber);
        cmd.Parameters.AddWithValue("$cid", refusal.CommandId);
        cmd.Parameters.AddWithValue("$chash", refusal.CommandHash);
        cmd.Parameters.AddWithValue("$refusal", refusal.RefusalJson);
        cmd.Parameters.AddWithValue("$version", refusal.Version);
        cmd.Parameters.AddWithValue("$actor", refusal.ActorId);
        cmd.Parameters.AddWithValue("$role", refusal.ActorRole);
        cmd.Parameters.AddWithValue("$at", EventChain.FormatTime(at));
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    public async Task<CasePage> SearchAsync(CaseQuery query, ListScope scope, CancellationToken ct)
    {
        var q = query;
        var filter = CaseListFilter.Build(q, scope, NameIndex.Fts5Table);
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = filter.PageSql;
        foreach (var (name, value) in filter.Parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        cmd.Parameters.AddWithValue("@limit", q.PageSize);
        cmd.Parameters.AddWithValue("@offset", (long)(q.Page - 1) * q.PageSize);
        var items = new List<CaseSummary>();
        long total = 0;
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                (var item, total) = CaseListFilter.ReadRow(reader, (r, i) => EventChain.ParseTime(r.GetString(i)));
                items.Add(item);
            }
        }

        if (items.Count == 0 && q.Page > 1)
        {
            // Past the last page: still report the total.
            await using var count = conn.CreateCommand();
            count.CommandText = filter.CountSql;
            foreach (var (name, value) in filter.Parameters)
            {
                count.Parameters.AddWithValue(name, value);
            }

            total = (long)(await count.ExecuteScalarAsync(ct))!;
        }

        return new CasePage(items, q.Page, q.PageSize, total);
    }

    /// <summary>Adds the counter deltas (summed per key) to <c>region_metrics</c>, at most 100 rows per statement.</summary>
    private static async Task AddCountersAsync(SqliteConnection conn, SqliteTransaction tx, IEnumerable<Domain.Metrics.MetricDelta> deltas, CancellationToken ct)
    {
        foreach (var chunk in MetricsProjection.Combine(deltas).Chunk(100))
        {
            await using var upsert = conn.CreateCommand();
            upsert.Transaction = tx;
            upsert.CommandText = MetricsProjection.Upsert(chunk.Length);
            foreach (var (name, value) in MetricsProjection.Parameters(chunk))
            {
                upsert.Parameters.AddWithValue(name, value);
            }

            await upsert.ExecuteNonQueryAsync(ct);
        }
    }

    public Task<IReadOnlyList<MetricRow>> ReadMetricsAsync(string regionCode, int childLength, string metric, CancellationToken ct)
    {
        var (sql, parameters) = MetricsProjection.ReadQuery(regionCode, childLength, metric);
        return QueryAsync(sql, parameters, MetricsProjection.ReadRowsAsync, ct);
    }

    public Task<IReadOnlyList<Domain.Metrics.MetricDelta>> ReadAllMetricsAsync(CancellationToken ct) =>
        QueryAsync(MetricsProjection.ReadAll, [], MetricsProjection.ReadAllAsync, ct);

    public async Task ReplaceMetricsAsync(IReadOnlyList<Domain.Metrics.MetricDelta> counters, CancellationToken ct)
    {
        await _writer.WaitAsync(ct);
        try
        {
            await using var conn = await OpenAsync(ct);
            await using var tx = conn.BeginTransaction();
            await using (var clear = conn.CreateCommand())
            {
                clear.Transaction = tx;
                clear.CommandText = "DELETE FROM region_metrics";
                await clear.ExecuteNonQueryAsync(ct);
            }

            await AddCountersAsync(conn, tx, counters, ct);

            await tx.CommitAsync(ct);
        }
        finally
        {
            _writer.Release();
        }
    }

    public Task<IReadOnlyList<string>> ListCaseNumbersAsync(CancellationToken ct) =>
        QueryAsync("SELECT case_number FROM case_index ORDER BY case_number", [], (r, c) => ProjectionRows.ReadAsync(r, x => x.GetString(0), c), ct);

    public async Task<IReadOnlyDictionary<string, long>> CountBeneficiariesAsync(string regionCode, IReadOnlyCollection<string> offerIds, CancellationToken ct)
    {
        if (offerIds.Count == 0)
        {
            return new Dictionary<string, long>();
        }

        var (sql, parameters) = EnrolmentProjection.BeneficiariesQuery(regionCode, offerIds);
        return await QueryAsync(sql, parameters, EnrolmentProjection.ReadCountsAsync, ct);
    }

    public async Task<IReadOnlyDictionary<int, long>> CountPeopleInSetsAsync(string regionCode, IReadOnlyList<IReadOnlyCollection<string>> sets, CancellationToken ct)
    {
        if (sets.All(set => set.Count == 0))
        {
            return new Dictionary<int, long>();
        }

        var (sql, parameters) = EnrolmentProjection.PeopleInSetsQuery(regionCode, sets);
        return await QueryAsync(sql, parameters, EnrolmentProjection.ReadSetCountsAsync, ct);
    }

    public Task<IReadOnlyList<FinancingTotal>> FinancingTotalsAsync(string regionCode, CancellationToken ct)
    {
        var (sql, parameters) = EnrolmentProjection.FinancingQuery(regionCode);
        return QueryAsync(sql, parameters, (r, c) => ProjectionRows.ReadAsync(r, EnrolmentProjection.ReadTotal, c), ct);
    }

    public Task<IReadOnlyList<string>> PartnerQueueAsync(string org, int skip, int limit, CancellationToken ct)
    {
        var (sql, parameters) = EnrolmentProjection.PartnerQueueQuery(org, skip, limit);
        return QueryAsync(sql, parameters, EnrolmentProjection.ReadCaseNumbersAsync, ct);
    }

    /// <summary>One read-only query of the projections: parameters in, rows read by <paramref name="read"/>.</summary>
    private async Task<T> QueryAsync<T>(string sql, IEnumerable<(string Name, object Value)> parameters, Func<System.Data.Common.DbDataReader, CancellationToken, Task<T>> read, CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await read(reader, ct);
    }

    public Task RecordAccessAsync(AccessLogEntry entry, CancellationToken ct) => RecordAccessAsync([entry], ct);

    public async Task<bool> PingAsync(CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM schema_migrations";
        return (long)(await cmd.ExecuteScalarAsync(ct))! > 0;
    }

    /// <summary>
    /// Group commit for the audit: the rows of reads waiting at the same moment are written in one transaction (one
    /// fsync), and each read is answered only after it. A crash loses no audited read: a read whose rows did not commit
    /// was never answered.
    /// </summary>
    public async Task RecordAccessAsync(IReadOnlyList<AccessLogEntry> entries, CancellationToken ct)
    {
        if (entries.Count > 0)
        {
            await LazyInitializer.EnsureInitialized(ref _audits, () => new(WriteAuditsAsync, 1, 256, "audits")).SubmitAsync(entries);
        }
    }

    private async Task<bool[]> WriteAuditsAsync(IReadOnlyList<IReadOnlyList<AccessLogEntry>> group)
    {
        await _writer.WaitAsync();
        try
        {
            await RecordAccessBatchAsync([.. group.SelectMany(g => g)], CancellationToken.None);
        }
        finally
        {
            _writer.Release();
        }

        return [.. group.Select(_ => true)];
    }

    public void Dispose()
    {
        _audits?.Dispose();
        _writer.Dispose();
    }

    public async Task<IReadOnlyList<AccessLogEntry>> SearchAccessLogAsync(AccessLogQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        var (where, values) = AccessLogSearch.Where(query, "$");
        cmd.CommandText = $"SELECT case_number, user_id, role, action, purpose, at, origin FROM access_audit {where} ORDER BY at DESC, id DESC LIMIT $limit";
        foreach (var (name, value) in values)
        {
            cmd.Parameters.AddWithValue("$" + name, value is DateTimeOffset t ? EventChain.FormatTime(t) : value);
        }

        cmd.Parameters.AddWithValue("$limit", AccessLogSearch.Limit(query));
        return await ReadAccessRowsAsync(cmd, ct);
    }

    /// <summary>Access-log rows: case, user, role, action, purpose, time (text), origin.</summary>
    private static async Task<IReadOnlyList<AccessLogEntry>> ReadAccessRowsAsync(SqliteCommand cmd, CancellationToken ct)
    {
        var list = new List<AccessLogEntry>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new AccessLogEntry(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetString(4), EventChain.ParseTime(reader.GetString(5))) { Origin = reader.IsDBNull(6) ? null : reader.GetString(6) });
        }

        return list;
    }

    private async Task RecordAccessBatchAsync(IReadOnlyList<AccessLogEntry> entries, CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        await using var tx = conn.BeginTransaction();
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT INTO access_audit (case_number, user_id, role, action, purpose, at, origin)
            VALUES ($case, $user, $role, $action, $purpose, $at, $origin)
            """;
        var p = AuditParameters.Select(n => cmd.Parameters.Add(n, SqliteType.Text)).ToArray();
        foreach (var e in entries)
        {
            (p[0].Value, p[1].Value, p[2].Value, p[3].Value, p[4].Value, p[5].Value, p[6].Value) =
                (e.CaseNumber, e.UserId, e.Role, e.Action, e.Purpose, EventChain.FormatTime(e.At), (object?)e.Origin ?? DBNull.Value);
            await cmd.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<AccessLogEntry>> ReadAccessLogAsync(string caseNumber, int limit, CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = """
            SELECT case_number, user_id, role, action, purpose, at, origin FROM (
                SELECT case_number, user_id, role, action, purpose, at, origin FROM access_audit WHERE case_number = $case
                UNION ALL
                SELECT case_number, actor_id, actor_role, 'command', type, occurred_at, NULL FROM case_events WHERE case_number = $case
                UNION ALL
                SELECT case_number, actor_id, actor_role, 'refused-command', json_extract(refusal, '$.code'), recorded_at, NULL
                FROM case_refusals WHERE case_number = $case AND actor_id IS NOT NULL)
            ORDER BY at DESC LIMIT $limit
            """;
        cmd.Parameters.AddWithValue("$case", caseNumber);
        cmd.Parameters.AddWithValue("$limit", limit);
        return await ReadAccessRowsAsync(cmd, ct);
    }



    public Task AdvanceConsequencesAsync(IReadOnlyCollection<(string CaseNumber, long Seq)> done, CancellationToken ct) =>
        WriteAsync(async (conn, tx) =>
        {
            await using var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                DELETE FROM case_consequences_behind WHERE case_number = $case AND version <= $seq;
                UPDATE case_consequences_behind SET done = $seq WHERE case_number = $case AND done < $seq;
                """;
            var (caseParameter, seqParameter) = (cmd.Parameters.Add("$case", SqliteType.Text), cmd.Parameters.Add("$seq", SqliteType.Integer));
            foreach (var (caseNumber, seq) in done)
            {
                (caseParameter.Value, seqParameter.Value) = (caseNumber, seq);
                await cmd.ExecuteNonQueryAsync(ct);
            }
        }, ct);

    public Task RecordConsequenceFailureAsync(ConsequenceFailure failure, CancellationToken ct) =>
        WriteAsync(async (conn, tx) =>
        {
            await using var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = $"""
                INSERT INTO case_consequence_failures ({ConsequenceRows.Columns})
                VALUES ($case, $kind, $seq, $attempts, $first, $last, $next, $error, $parked)
                ON CONFLICT (case_number, kind) DO UPDATE SET {ConsequenceRows.UpdateOnConflict}
                """;
            foreach (var (name, value) in ConsequenceRows.Parameters(failure, EventChain.FormatTime))
            {
                cmd.Parameters.AddWithValue("$" + name, value);
            }

            await cmd.ExecuteNonQueryAsync(ct);
        }, ct);

    public Task ClearConsequenceFailureAsync(string caseNumber, ConsequenceKind kind, CancellationToken ct) =>
        WriteAsync(async (conn, tx) =>
        {
            await using var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "DELETE FROM case_consequence_failures WHERE case_number = $case AND kind = $kind";
            cmd.Parameters.AddWithValue("$case", caseNumber);
            cmd.Parameters.AddWithValue("$kind", kind.ToString());
            await cmd.ExecuteNonQueryAsync(ct);
        }, ct);

    public Task RecordNoticesAsync(IReadOnlyList<NoticeRow> notices, CancellationToken ct) =>
        WriteAsync(async (conn, tx) =>
        {
            await using var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                INSERT INTO user_notices (user_id, case_number, seq, kind, event_type, at) VALUES ($user, $case, $seq, $kind, $type, $at)
                ON CONFLICT DO NOTHING
                """;
            var p = NoticeParameters.Select(n => cmd.Parameters.Add(n, SqliteType.Text)).ToArray();
            foreach (var n in notices)
            {
                (p[0].Value, p[1].Value, p[2].Value, p[3].Value, p[4].Value, p[5].Value) = (n.UserId, n.CaseNumber, n.Seq, n.Kind, n.EventType, EventChain.FormatTime(n.At));
                await cmd.ExecuteNonQueryAsync(ct);
            }
        }, ct);

    public Task<IReadOnlyList<NoticeRow>> ReadNoticesAsync(string userId, int limit, CancellationToken ct) =>
        QueryAsync("SELECT user_id, case_number, seq, kind, event_type, at FROM user_notices WHERE user_id = @user ORDER BY at DESC, case_number, seq DESC LIMIT @limit",
            [("@user", userId), ("@limit", limit)], (r, c) => ProjectionRows.ReadAsync(r, ReadNotice, c), ct);

    public Task<IReadOnlyList<NoticeRow>> ReadCaseNoticesAsync(string caseNumber, CancellationToken ct) =>
        QueryAsync("SELECT user_id, case_number, seq, kind, event_type, at FROM user_notices WHERE case_number = @case ORDER BY seq, user_id",
            [("@case", caseNumber)], (r, c) => ProjectionRows.ReadAsync(r, ReadNotice, c), ct);

    private static NoticeRow ReadNotice(System.Data.Common.DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4), EventChain.ParseTime(r.GetString(5)));

    public Task<IReadOnlyList<string>> DueConsequencesAsync(DateTimeOffset now, int limit, CancellationToken ct) =>
        QueryAsync("""
            SELECT case_number FROM (
                SELECT case_number FROM case_consequences_behind
                UNION
                SELECT case_number FROM case_consequence_failures WHERE parked = 0 AND next_attempt_at <= @now)
            LIMIT @limit
            """, [("@now", EventChain.FormatTime(now)), ("@limit", limit)], (r, c) => ProjectionRows.ReadAsync(r, x => x.GetString(0), c), ct);

    public async Task<ConsequenceBacklog> ReadConsequenceBacklogAsync(DateTimeOffset now, CancellationToken ct)
    {
        var behind = await QueryAsync("SELECT COUNT(*) FROM case_consequences_behind", [], async (r, c) => await r.ReadAsync(c) ? r.GetInt64(0) : 0, ct);
        await using var conn = await OpenAsync(ct);
        return ConsequenceRows.Backlog(behind, await ReadFailuresAsync(conn, "", null, ct), now);
    }

    public async Task<IReadOnlyList<string>> RetryConsequencesAsync(ConsequenceKind? kind, string? caseNumber, DateTimeOffset now, CancellationToken ct)
    {
        var touched = new List<string>();
        await WriteAsync(async (conn, tx) =>
        {
            await using var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                UPDATE case_consequence_failures SET parked = 0, attempts = 0, next_attempt_at = $now
                WHERE ($kind IS NULL OR kind = $kind) AND ($case IS NULL OR case_number = $case)
                RETURNING case_number
                """;
            cmd.Parameters.AddWithValue("$now", EventChain.FormatTime(now));
            cmd.Parameters.AddWithValue("$kind", (object?)kind?.ToString() ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$case", (object?)caseNumber ?? DBNull.Value);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                touched.Add(reader.GetString(0));
            }
        }, ct);
        return [.. touched.Distinct(StringComparer.Ordinal)];
    }

    private static async Task<IReadOnlyList<ConsequenceFailure>> ReadFailuresAsync(SqliteConnection conn, string where, string? caseNumber, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT {ConsequenceRows.Columns} FROM case_consequence_failures {where}";
        if (caseNumber is not null)
        {
            cmd.Parameters.AddWithValue("$case", caseNumber);
        }

        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await ProjectionRows.ReadAsync(reader, r => ConsequenceRows.Read(r, i => EventChain.ParseTime(r.GetString(i))), ct);
    }

    /// <summary>One write transaction, queued behind this process's other writers.</summary>
    private async Task WriteAsync(Func<SqliteConnection, SqliteTransaction, Task> write, CancellationToken ct)
    {
        await _writer.WaitAsync(ct);
        try
        {
            await using var conn = await OpenAsync(ct);
            await using var tx = conn.BeginTransaction();
            await write(conn, tx);
            await tx.CommitAsync(ct);
        }
        finally
        {
            _writer.Release();
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var conn = new SqliteConnection(_connectionString);
        await conn.OpenAsync(ct);
        // Freed bytes are zeroed (old case-list rows, snapshots, an erasure's rewrites), so a person's name does not
        // linger in free space of the file after their erasure. Per connection; a pooled one keeps it.
        await using var secure = conn.CreateCommand();
        secure.CommandText = "PRAGMA secure_delete = ON";
        await secure.ExecuteNonQueryAsync(ct);
        return conn;
    }

    private static async Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(SqliteConnection conn, string caseNumber, long afterSeq, int limit, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT {ReadColumns} FROM case_events WHERE case_number = $case AND seq > $after ORDER BY seq LIMIT $limit";
        cmd.Parameters.AddWithValue("$case", caseNumber);
        cmd.Parameters.AddWithValue("$after", afterSeq);
        cmd.Parameters.AddWithValue("$limit", limit);
        var list = new List<StoredEvent>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(ReadEvent(reader));
        }

        return list;
    }

    private static StoredEvent ReadEvent(SqliteDataReader r) => new(
        r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), EventChain.ParseTime(r.GetString(5)),
        r.GetString(6), r.GetString(7), r.GetString(8), r.GetString(9), r.GetString(10), r.GetInt64(11) != 0);
}
