using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Timeline;
using CaseGrains.Grains.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace CaseGrains.Grains.Storage.Postgres;

/// <summary>
/// The cluster timeline store: the same contract as the embedded one, on PostgreSQL. An append is atomic (event row +
/// case-list row) and committed before it is acknowledged; appends waiting at the same moment share one commit (group
/// commit). The primary key (case, seq) and the unique (case, command id) make a second activation's write fail
/// instead of forking the timeline.
/// </summary>
public sealed partial class PostgresCaseEventStore(NpgsqlDataSource db) : ICaseTimelineStore, IProjectionStore, IOperationsStore, IPeopleStore, IDisposable
{
    private const string EventColumns =
        "case_number, seq, type, actor_id, actor_role, occurred_at, payload, command_id, command_hash, prev_hash, hash";

    /// <summary>What a read takes: the written columns and the redaction flag (migration 19).</summary>
    private const string ReadColumns = EventColumns + ", redacted";

    private const int Loops = 4;
    private const int MaxGroup = 64;

    private readonly RequestGroups<(string Case, string? Format), CaseLoad> _loads = new(group => LoadGroupAsync(db, group), Loops, MaxGroup, "loads");
    private readonly RequestGroups<IReadOnlyList<AccessLogEntry>, bool> _audits = new(group => WriteAuditsAsync(db, group), Loops, 4 * MaxGroup, "audits");
    private readonly RequestGroups<(StoredEvent Event, CaseIndexRow Index, CaseProjections Projections), AppendResult> _appends = new(group => WriteIsolatedAsync(db, group), Loops, MaxGroup, "appends");

    /// <summary>One append's answer from a group commit: whether its row went in, or what failed it alone.</summary>
    private readonly record struct AppendResult(bool Appended, Exception? Error);

    /// <summary>
    /// An activation's load: its snapshot, the events after it, its refused command ids, its consequence cursor and held
    /// kinds, and its data key. Loads waiting at the same moment share one round trip (six statements each), like appends
    /// share a commit: cold activations are dominated by round trips.
    /// </summary>
    public Task<CaseLoad> LoadAsync(string caseNumber, string? snapshotFormat, CancellationToken ct) => _loads.SubmitAsync((caseNumber, snapshotFormat));

    /// <summary>
    /// The loads of a group in one round trip, in one read-only repeatable-read transaction: a case's snapshot and the
    /// events after it come from the same moment (a snapshot written meanwhile cannot make the events skip ahead). Six
    /// statements for the whole group, each over the group's cases (not six for each case): a statement's fixed cost in
    /// PostgreSQL (its plan, and the locks on every partition of the events table) is paid once per group.
    /// </summary>
    private static async Task<CaseLoad[]> LoadGroupAsync(NpgsqlDataSource source, IReadOnlyList<(string Case, string? Format)> loads)
    {
        await using var conn = await source.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        var cases = loads.Select(l => l.Case).ToArray();
        // No format: no snapshot (a format no row has).
        var formats = loads.Select(l => l.Format ?? "").ToArray();
        // One plan per connection for these statements, its partitions pruned as it runs: a plan made for each call
        // (PostgreSQL's choice for the first calls, and whenever it guesses that one is cheaper) costs milliseconds over
        // the events table's 16 partitions, as much as the load itself.
        await using var batch = new NpgsqlBatch(conn, tx) { BatchCommands = { new NpgsqlBatchCommand("SET LOCAL plan_cache_mode TO force_generic_plan") } };
        foreach (var sql in GroupLoadStatements)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.AddWithValue("cases", cases);
            command.Parameters.AddWithValue("formats", formats);
            batch.BatchCommands.Add(command);
        }

        // Rows come keyed by the load's position in the group (snapshots, events) or by case number (the rest).
        var snapshots = new StoredSnapshot?[loads.Count];
        var events = new List<StoredEvent>?[loads.Count];
        var refused = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var cursors = new Dictionary<string, long>(StringComparer.Ordinal);
        var failures = new Dictionary<string, List<ConsequenceFailure>>(StringComparer.Ordinal);
        var keys = new Dictionary<string, SubjectKeyRow>(StringComparer.Ordinal);
        await using (var rows = await batch.ExecuteReaderAsync())
        {
            while (await rows.ReadAsync())
            {
                var i = (int)rows.GetInt64(0) - 1;
                snapshots[i] = new StoredSnapshot(rows.GetInt64(1), formats[i], rows.GetString(2), rows.GetString(3));
            }

            await rows.NextResultAsync();
            while (await rows.ReadAsync())
            {
                var i = (int)rows.GetInt64(0) - 1;
                (events[i] ??= []).Add(ReadEvent(rows, 1));
            }

            await rows.NextResultAsync();
            while (await rows.ReadAsync())
            {
                Bucket(refused, rows.GetString(0)).Add(rows.GetString(1));
            }

            await rows.NextResultAsync();
            while (await rows.ReadAsync())
            {
                cursors[rows.GetString(0)] = rows.GetInt64(1);
            }

            await rows.NextResultAsync();
            foreach (var failure in await ProjectionRows.ReadAsync(rows, ReadFailure, CancellationToken.None))
            {
                Bucket(failures, failure.CaseNumber).Add(failure);
            }

            await rows.NextResultAsync();
            while (await rows.ReadAsync())
            {
                keys[rows.GetString(0)] = new(rows.IsDBNull(1) ? null : rows.GetFieldValue<byte[]>(1), rows.GetFieldValue<DateTimeOffset>(2),
                    rows.IsDBNull(3) ? null : rows.GetFieldValue<DateTimeOffset>(3));
            }
        }

        await tx.CommitAsync();
        var results = new CaseLoad[loads.Count];
        for (var i = 0; i < loads.Count; i++)
        {
            var caseNumber = loads[i].Case;
            var caseEvents = events[i] ?? [];
            // No cursor row: caught up to the last event (or the snapshot's, with none after it).
            var done = cursors.TryGetValue(caseNumber, out var cursor) ? cursor : caseEvents.Count > 0 ? caseEvents[^1].Seq : snapshots[i]?.Seq ?? 0;
            results[i] = new CaseLoad(caseEvents, refused.GetValueOrDefault(caseNumber) ?? [], done,
                failures.GetValueOrDefault(caseNumber) ?? [], snapshots[i], keys.GetValueOrDefault(caseNumber));
        }

        return results;
    }

    /// <summary>
    /// A group's load: <c>@cases</c> and <c>@formats</c> are its cases and their snapshot formats, in the group's order;
    /// snapshots and events name the load by its position (1-based), so a case twice in a group gets each load its own.
    /// </summary>
    private static readonly string[] GroupLoadStatements =
    [
        """
        SELECT l.i, s.seq, s.state, s.head FROM unnest(@cases, @formats) WITH ORDINALITY AS l(c, f, i)
        JOIN case_snapshots s ON s.case_number = l.c AND s.format = l.f
        """,
        // OFFSET 0 keeps the events' subquery a subquery, planned for one case at a time, and its ORDER BY makes that plan
        // the index range from the snapshot on: flattened into the join (or without the order), PostgreSQL read every
        // event of the case and filtered on seq (27 ms for a case of 10,000 events from its snapshot, in bench national).
        $"""
        SELECT l.i, e.* FROM unnest(@cases, @formats) WITH ORDINALITY AS l(c, f, i)
        LEFT JOIN case_snapshots s ON s.case_number = l.c AND s.format = l.f
        CROSS JOIN LATERAL (
            SELECT {ReadColumns} FROM case_events WHERE case_number = l.c AND seq > coalesce(s.seq, 0) ORDER BY seq OFFSET 0
        ) e
        ORDER BY l.i, e.seq
        """,
        "SELECT case_number, command_id FROM case_refusals WHERE case_number = ANY(@cases)",
        "SELECT case_number, done FROM case_consequences_behind WHERE case_number = ANY(@cases)",
        $"SELECT {ConsequenceRows.Columns} FROM case_consequence_failures WHERE case_number = ANY(@cases)",
        "SELECT case_number, wrapped_key, created_at, erased_at FROM subject_keys WHERE case_number = ANY(@cases)",
    ];

    private static List<T> Bucket<T>(Dictionary<string, List<T>> buckets, string key)
    {
        if (!buckets.TryGetValue(key, out var bucket))
        {
            buckets[key] = bucket = [];
        }

        return bucket;
    }

    /// <summary>The upsert commits without waiting for the disk (a snapshot is a cache: one lost in a crash is a longer replay).</summary>
    public async Task WriteSnapshotAsync(string caseNumber, StoredSnapshot snapshot, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var upsert = new NpgsqlBatchCommand(CaseSnapshotTable.Upsert('@'));
        upsert.Parameters.AddWithValue("case", caseNumber);
        upsert.Parameters.AddWithValue("seq", snapshot.Seq);
        upsert.Parameters.AddWithValue("format", snapshot.Format);
        upsert.Parameters.AddWithValue("state", snapshot.State);
        upsert.Parameters.AddWithValue("head", snapshot.Head);
        upsert.Parameters.AddWithValue("at", DateTimeOffset.UtcNow);
        await using var batch = new NpgsqlBatch(conn, tx) { BatchCommands = { new NpgsqlBatchCommand("SET LOCAL synchronous_commit TO OFF"), upsert } };
        await batch.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    private static ConsequenceFailure ReadFailure(System.Data.Common.DbDataReader r) => ConsequenceRows.Read(r, i => r.GetFieldValue<DateTimeOffset>(i));

    public async Task<IReadOnlyList<StoredEvent>> ReadAsync(string caseNumber, long afterSeq, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await ReadEventsAsync(conn, caseNumber, afterSeq, limit, ct);
    }

    public async Task<StoredEvent?> FindByCommandAsync(string caseNumber, string commandId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"SELECT {ReadColumns} FROM case_events WHERE case_number = @case AND command_id = @cid");
        cmd.Parameters.AddWithValue("case", caseNumber);
        cmd.Parameters.AddWithValue("cid", commandId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadEvent(reader) : null;
    }

    public async Task<ChainAnchor.Checkpoint?> ReadCheckpointAsync(string caseNumber, CancellationToken ct) =>
        (await QueryAsync($"SELECT {ChainCheckpointTable.Columns} FROM chain_checkpoints WHERE case_number = @case", [("case", caseNumber)],
            (r, c) => ProjectionRows.ReadAsync(r, ChainCheckpointTable.Read, c), ct)).SingleOrDefault();

    public Task<IReadOnlyList<ChainAnchor.Checkpoint>> ReadCheckpointsAsync(string afterCase, int limit, CancellationToken ct) =>
        QueryAsync($"SELECT {ChainCheckpointTable.Columns} FROM chain_checkpoints WHERE case_number > @after ORDER BY case_number LIMIT @limit",
            [("after", afterCase), ("limit", (long)limit)], (r, c) => ProjectionRows.ReadAsync(r, ChainCheckpointTable.Read, c), ct);

    public async Task<StoredRefusal?> FindRefusalAsync(string caseNumber, string commandId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            "SELECT command_id, command_hash, refusal, version, actor_id, actor_role FROM case_refusals WHERE case_number = @case AND command_id = @cid");
        cmd.Parameters.AddWithValue("case", caseNumber);
        cmd.Parameters.AddWithValue("cid", commandId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new StoredRefusal(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3),
                reader.IsDBNull(4) ? "" : reader.GetString(4), reader.IsDBNull(5) ? "" : reader.GetString(5))
            : null;
    }

    /// <summary>
    /// Queued for the next group commit: appends waiting at the same moment are written in one round trip and one
    /// transaction, one statement each answering whether its event row went in (a conflicting one — seq or command id
    /// taken by another activation — inserts nothing and touches no case-list row, without failing the others). The
    /// caller's answer comes after that commit, so nothing is acknowledged before it is durable.
    /// </summary>
    public async Task<bool> TryAppendAsync(StoredEvent @event, CaseIndexRow index, CaseProjections projections, CancellationToken ct)
    {
        var result = await _appends.SubmitAsync((@event, index, projections));
        if (result.Error is { } error)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }

        return result.Appended;
    }

    public void Dispose()
    {
        _appends.Dispose();
        _loads.Dispose();
        _deadlines.Dispose();
        _audits.Dispose();
    }

    /// <summary>
    /// One append as one statement: the event row, and the case-list row only if the event row went in (a conflict
    /// inserts nothing and returns no row). Public for the benchmark's one-commit-per-append baseline.
    /// </summary>
    public static NpgsqlBatchCommand AppendCommand(StoredEvent e, CaseIndexRow row, IReadOnlyList<EnrolmentRow>? enrolments = null, ChainAnchor.Checkpoint? checkpoint = null)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(row);
        enrolments ??= [];
        // The checkpoint rides in the same statement too: it replaces the case's previous one only with the event row.
        var checkpointCte = checkpoint is null ? "" : $"""
            , checkpointed AS (
                INSERT INTO chain_checkpoints ({ChainCheckpointTable.Columns})
                SELECT @cpcase, @cpseq, @cphead, @cpat, @cpmac FROM appended
                ON CONFLICT (case_number) DO UPDATE SET
                    seq = excluded.seq, head = excluded.head, recorded_at = excluded.recorded_at, mac = excluded.mac
                WHERE chain_checkpoints.seq < excluded.seq)
            """;
        // The enrolment rows ride in the same statement, joined to the appended row: no event row, no projection write.
        var enrolmentCte = enrolments.Count == 0 ? "" : $"""
            , enrolments AS (
                INSERT INTO case_enrolments ({EnrolmentProjection.Columns})
                SELECT v.* FROM appended, (VALUES {string.Join(", ", enrolments.Select((_, i) =>
                    $"(@e{i}case, @e{i}seq, @e{i}offer, @e{i}type, @e{i}name, @e{i}provider, @e{i}region, @e{i}segment, @e{i}status, @e{i}counts, @e{i}amount, @e{i}plafond, @e{i}disbursed, @e{i}repayment, @e{i}updated, @e{i}person, @e{i}partner)"))})
                    AS v({EnrolmentProjection.Columns})
                {EnrolmentProjection.UpdateOnConflict})
            """;
        var command = new NpgsqlBatchCommand($"""
            WITH appended AS (
                INSERT INTO case_events ({EventColumns})
                VALUES (@case, @seq, @type, @actor, @role, @at, @payload, @cid, @chash, @prev, @hash)
                ON CONFLICT DO NOTHING
                RETURNING case_number){enrolmentCte}{checkpointCte}
            , behind AS ({ConsequenceTables.MarkBehind('@', "appended")})
            INSERT INTO case_index (case_number, full_name, nik_masked, region_code, segment, gender, status,
                                    current_stage, current_stage_state, version, opened_at, updated_at, mentor_id, sla_state, pending_approval, name_key)
            SELECT @case, @name, @nik, @region, @segment, @gender, @status, @stage, @stageState, @version, @opened, @updated, @mentor, @sla, @pending, @nameKey
            FROM appended
            ON CONFLICT (case_number) DO UPDATE SET
                full_name = excluded.full_name, name_key = excluded.name_key, region_code = excluded.region_code, segment = excluded.segment,
                status = excluded.status, current_stage = excluded.current_stage,
                current_stage_state = excluded.current_stage_state, version = excluded.version,
                updated_at = excluded.updated_at, mentor_id = excluded.mentor_id, sla_state = excluded.sla_state,
                pending_approval = excluded.pending_approval
            RETURNING 1
            """);
        var p = command.Parameters;
        p.AddWithValue("case", e.CaseNumber);
        p.AddWithValue("seq", e.Seq);
        p.AddWithValue("type", e.Type);
        p.AddWithValue("actor", e.ActorId);
        p.AddWithValue("role", e.ActorRole);
        p.AddWithValue("at", EventChain.FormatTime(e.OccurredAt));
        p.AddWithValue("payload", e.PayloadJson);
        p.AddWithValue("cid", e.CommandId);
        p.AddWithValue("chash", e.CommandHash);
        p.AddWithValue("prev", e.PrevHash);
        p.AddWithValue("hash", e.Hash);
        p.AddWithValue("name", row.FullName);
        p.AddWithValue("nameKey", Domain.SearchText.StoredKey(row.FullName));
        p.AddWithValue("nik", row.NikMasked);
        p.AddWithValue("region", row.RegionCode);
        p.AddWithValue("segment", row.Segment);
        p.AddWithValue("gender", row.Gender);
        p.AddWithValue("status", row.Status);
        p.AddWithValue("stage", row.CurrentStage);
        p.AddWithValue("stageState", row.CurrentStageState);
        p.AddWithValue("version", row.Version);
        p.AddWithValue("opened", row.OpenedAt.ToUniversalTime());
        p.AddWithValue("updated", row.UpdatedAt.ToUniversalTime());
        p.Add(new NpgsqlParameter("mentor", NpgsqlDbType.Text) { Value = (object?)row.MentorId ?? DBNull.Value });
        p.AddWithValue("sla", row.SlaState);
        p.Add(new NpgsqlParameter("pending", NpgsqlDbType.Text) { Value = (object?)row.PendingApproval ?? DBNull.Value });
        if (checkpoint is not null)
        {
            foreach (var (name, value) in ChainCheckpointTable.Parameters(checkpoint))
            {
                p.Add(new NpgsqlParameter(name, name == "cpseq" ? NpgsqlDbType.Bigint : NpgsqlDbType.Text) { Value = value });
            }
        }

        for (var i = 0; i < enrolments.Count; i++)
        {
            var en = enrolments[i];
            p.Add(new NpgsqlParameter($"e{i}case", NpgsqlDbType.Text) { Value = en.CaseNumber });
            p.Add(new NpgsqlParameter($"e{i}seq", NpgsqlDbType.Bigint) { Value = en.EnrolmentSeq });
            p.Add(new NpgsqlParameter($"e{i}offer", NpgsqlDbType.Text) { Value = en.OfferId });
            p.Add(new NpgsqlParameter($"e{i}type", NpgsqlDbType.Text) { Value = en.OfferType });
            p.Add(new NpgsqlParameter($"e{i}name", NpgsqlDbType.Text) { Value = en.OfferName });
            p.Add(new NpgsqlParameter($"e{i}provider", NpgsqlDbType.Text) { Value = en.Provider });
            p.Add(new NpgsqlParameter($"e{i}region", NpgsqlDbType.Text) { Value = en.RegionCode });
            p.Add(new NpgsqlParameter($"e{i}segment", NpgsqlDbType.Text) { Value = en.Segment });
            p.Add(new NpgsqlParameter($"e{i}status", NpgsqlDbType.Text) { Value = en.Status });
            p.Add(new NpgsqlParameter($"e{i}counts", NpgsqlDbType.Integer) { Value = en.Counts ? 1 : 0 });
            p.Add(new NpgsqlParameter($"e{i}amount", NpgsqlDbType.Bigint) { Value = (object?)en.AmountIdr ?? DBNull.Value });
            p.Add(new NpgsqlParameter($"e{i}plafond", NpgsqlDbType.Bigint) { Value = (object?)en.PlafondIdr ?? DBNull.Value });
            p.Add(new NpgsqlParameter($"e{i}disbursed", NpgsqlDbType.Bigint) { Value = (object?)en.DisbursedIdr ?? DBNull.Value });
            p.Add(new NpgsqlParameter($"e{i}repayment", NpgsqlDbType.Text) { Value = (object?)en.Repayment ?? DBNull.Value });
            p.Add(new NpgsqlParameter($"e{i}updated", NpgsqlDbType.TimestampTz) { Value = en.UpdatedAt.ToUniversalTime() });
            p.Add(new NpgsqlParameter($"e{i}person", NpgsqlDbType.Text) { Value = (object?)en.PersonKey ?? DBNull.Value });
            p.Add(new NpgsqlParameter($"e{i}partner", NpgsqlDbType.Text) { Value = (object?)en.PartnerOrg ?? DBNull.Value });
        }

        return command;
    }

    /// <summary>
    /// A group's appends in one transaction; when that transaction fails (one statement's error aborts it all, so none of
    /// the group took effect), each append is written again in a transaction of its own: the one that fails fails alone,
    /// the others commit (issue 15, deliverable 2).
    /// </summary>
    private static async Task<AppendResult[]> WriteIsolatedAsync(NpgsqlDataSource source, IReadOnlyList<(StoredEvent Event, CaseIndexRow Index, CaseProjections Projections)> arrived)
    {
        // Case rows are locked in case-number order by every writer of them (appends here, the consequence cursors): two
        // transactions never wait on each other's rows crosswise. A stable sort keeps one case's appends in their order.
        var order = Enumerable.Range(0, arrived.Count).OrderBy(i => arrived[i].Event.CaseNumber, StringComparer.Ordinal).ToArray();
        var group = order.Select(i => arrived[i]).ToList();
        var sorted = await WriteSortedAsync(source, group);
        var results = new AppendResult[arrived.Count];
        for (var i = 0; i < order.Length; i++)
        {
            results[order[i]] = sorted[i];
        }

        return results;
    }

    private static async Task<AppendResult[]> WriteSortedAsync(NpgsqlDataSource source, List<(StoredEvent Event, CaseIndexRow Index, CaseProjections Projections)> group)
    {
        try
        {
            return [.. (await WriteGroupAsync(source, group)).Select(appended => new AppendResult(appended, null))];
        }
        catch (Exception ex) when (group.Count > 1 && ex is not OutOfMemoryException)
        {
            var results = new AppendResult[group.Count];
            for (var i = 0; i < group.Count; i++)
            {
                try
                {
                    results[i] = new AppendResult((await WriteGroupAsync(source, [group[i]]))[0], null);
                }
                catch (Exception single) when (single is not OutOfMemoryException)
                {
                    results[i] = new AppendResult(false, single);
                }
            }

            return results;
        }
    }

    private static async Task<bool[]> WriteGroupAsync(NpgsqlDataSource source, List<(StoredEvent Event, CaseIndexRow Index, CaseProjections Projections)> group)
    {
        await using var connection = await source.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var appended = new bool[group.Count];
        await using (var batch = new NpgsqlBatch(connection, tx))
        {
            foreach (var (e, row, projections) in group)
            {
                batch.BatchCommands.Add(AppendCommand(e, row, projections.Enrolments, projections.Checkpoint));
            }

            // (The group arrives ordered by case number: case rows are locked in one order by every writer of them.)

            await using var reader = await batch.ExecuteReaderAsync();
            for (var i = 0; i < group.Count; i++)
            {
                appended[i] = await reader.ReadAsync();
                while (await reader.ReadAsync())
                {
                    // Drain: one row per statement at most.
                }

                await reader.NextResultAsync();
            }
        }

        // The counters of the appends that went in, summed and in one fixed order, in one statement after them: group
        // transactions running at once take the counter rows in the same order and cannot deadlock on them.
        await AddCountersAsync(connection, tx, group.Where((_, i) => appended[i]).SelectMany(g => g.Projections.Metrics), int.MaxValue, CancellationToken.None);

        // One commit for the whole group: nothing is acknowledged before it.
        await tx.CommitAsync();
        return appended;
    }

    public async Task<bool> TryRecordRefusalAsync(string caseNumber, StoredRefusal refusal, DateTimeOffset at, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO case_refusals (case_number, command_id, command_hash, refusal, version, recorded_at, actor_id, actor_role)
            SELECT @case, @cid, @chash, @refusal, @version, @at, @actor, @role
            WHERE NOT EXISTS (SELECT 1 FROM case_events WHERE case_number = @case AND command_id = @cid)
            ON CONFLICT DO NOTHING
            """);
        cmd.Parameters.AddWithValue("case", caseNumber);
        cmd.Parameters.AddWithValue("cid", refusal.CommandId);
        cmd.Parameters.AddWithValue("chash", refusal.CommandHash);
        cmd.Parameters.AddWithValue("refusal", refusal.RefusalJson);
        cmd.Parameters.AddWithValue("version", refusal.Version);
        cmd.Parameters.AddWithValue("actor", refusal.ActorId);
        cmd.Parameters.AddWithValue("role", refusal.ActorRole);
        cmd.Parameters.AddWithValue("at", at.ToUniversalTime());
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    public async Task<CasePage> SearchAsync(CaseQuery query, ListScope scope, CancellationToken ct)
    {
        var q = query;
        var filter = CaseListFilter.Build(q, scope, NameIndex.Column);
        await using var cmd = db.CreateCommand(filter.PageSql);
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
                (var item, total) = CaseListFilter.ReadRow(reader, (r, i) => r.GetFieldValue<DateTimeOffset>(i));
                items.Add(item);
            }
        }

        if (items.Count == 0 && q.Page > 1)
        {
            // Past the last page: still report the total.
            await using var count = db.CreateCommand(filter.CountSql);
            foreach (var (name, value) in filter.Parameters)
            {
                count.Parameters.AddWithValue(name, value);
            }

            total = (long)(await count.ExecuteScalarAsync(ct))!;
        }

        return new CasePage(items, q.Page, q.PageSize, total);
    }

    /// <summary>Adds the counter deltas (summed per key, in the key order) to <c>region_metrics</c>, <paramref name="rowsPerStatement"/> at most per statement.</summary>
    private static async Task AddCountersAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IEnumerable<Domain.Metrics.MetricDelta> deltas, int rowsPerStatement,
        CancellationToken ct)
    {
        foreach (var chunk in MetricsProjection.Combine(deltas).Chunk(rowsPerStatement))
        {
            await using var upsert = new NpgsqlCommand(MetricsProjection.Upsert(chunk.Length), connection, tx);
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
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // Appends wait while the table is rebuilt (they add to rows this transaction replaces).
        await using (var clear = new NpgsqlCommand("LOCK TABLE region_metrics IN EXCLUSIVE MODE; DELETE FROM region_metrics", connection, tx))
        {
            await clear.ExecuteNonQueryAsync(ct);
        }

        await AddCountersAsync(connection, tx, counters, 500, ct);

        await tx.CommitAsync(ct);
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
        await using var cmd = db.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await read(reader, ct);
    }

    public Task RecordAccessAsync(AccessLogEntry entry, CancellationToken ct) => RecordAccessAsync([entry], ct);

    /// <summary>
    /// Queued like appends (group commit): the audit rows of reads waiting at the same moment go in one statement and one
    /// commit, and each read is answered only after the commit that holds its rows. A crash loses no audited read: a read
    /// whose rows did not commit was never answered.
    /// </summary>
    public async Task RecordAccessAsync(IReadOnlyList<AccessLogEntry> entries, CancellationToken ct)
    {
        if (entries.Count > 0)
        {
            await _audits.SubmitAsync(entries);
        }
    }

    private static async Task<bool[]> WriteAuditsAsync(NpgsqlDataSource db, IReadOnlyList<IReadOnlyList<AccessLogEntry>> group)
    {
        var entries = group.SelectMany(g => g).ToList();

        // One statement for all of them: unnest the columns.
        await using var cmd = db.CreateCommand("""
            INSERT INTO access_audit (case_number, user_id, role, action, purpose, at, origin)
            SELECT * FROM unnest(@case, @user, @role, @action, @purpose, @at, @origin)
            """);
        cmd.Parameters.AddWithValue("case", entries.Select(e => e.CaseNumber).ToArray());
        cmd.Parameters.AddWithValue("user", entries.Select(e => e.UserId).ToArray());
        cmd.Parameters.AddWithValue("role", entries.Select(e => e.Role).ToArray());
        cmd.Parameters.AddWithValue("action", entries.Select(e => e.Action).ToArray());
        cmd.Parameters.AddWithValue("purpose", entries.Select(e => e.Purpose).ToArray());
        cmd.Parameters.AddWithValue("at", entries.Select(e => e.At.ToUniversalTime()).ToArray());
        cmd.Parameters.Add(new NpgsqlParameter<string?[]>("origin", entries.Select(e => e.Origin).ToArray()));
        await cmd.ExecuteNonQueryAsync();
        return [.. group.Select(_ => true)];
    }

    public async Task<bool> PingAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT count(*) FROM schema_migrations");
        return (long)(await cmd.ExecuteScalarAsync(ct))! > 0;
    }

    public async Task<IReadOnlyList<AccessLogEntry>> ReadAccessLogAsync(string caseNumber, int limit, CancellationToken ct)
    {
        // The timeline keeps its hashed time as text; the other two are timestamps.
        await using var cmd = db.CreateCommand("""
            SELECT case_number, user_id, role, action, purpose, at, origin FROM (
                SELECT case_number, user_id, role, action, purpose, at, origin FROM access_audit WHERE case_number = @case
                UNION ALL
                SELECT case_number, actor_id, actor_role, 'command', type, occurred_at::timestamptz, NULL FROM case_events WHERE case_number = @case
                UNION ALL
                SELECT case_number, actor_id, actor_role, 'refused-command', refusal::json ->> 'code', recorded_at, NULL
                FROM case_refusals WHERE case_number = @case AND actor_id IS NOT NULL) AS log
            ORDER BY at DESC LIMIT @limit
            """);
        cmd.Parameters.AddWithValue("case", caseNumber);
        cmd.Parameters.AddWithValue("limit", limit);
        return await ReadAccessRowsAsync(cmd, ct);
    }

    /// <summary>Access-log rows: case, user, role, action, purpose, time, origin.</summary>
    private static async Task<IReadOnlyList<AccessLogEntry>> ReadAccessRowsAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var list = new List<AccessLogEntry>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new AccessLogEntry(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5)) { Origin = reader.IsDBNull(6) ? null : reader.GetString(6) });
        }

        return list;
    }

    public async Task<IReadOnlyList<AccessLogEntry>> SearchAccessLogAsync(AccessLogQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (where, values) = AccessLogSearch.Where(query, "@");
        await using var cmd = db.CreateCommand($"SELECT case_number, user_id, role, action, purpose, at, origin FROM access_audit {where} ORDER BY at DESC, id DESC LIMIT @limit");
        foreach (var (name, value) in values)
        {
            cmd.Parameters.AddWithValue(name, value is DateTimeOffset t ? t.ToUniversalTime() : value);
        }

        cmd.Parameters.AddWithValue("limit", AccessLogSearch.Limit(query));
        return await ReadAccessRowsAsync(cmd, ct);
    }



    public async Task AdvanceConsequencesAsync(IReadOnlyCollection<(string CaseNumber, long Seq)> done, CancellationToken ct)
    {
        // The rows are locked by the update, in case-number order as the appends lock them; the delete then takes only rows
        // this transaction holds (a row an append raised meanwhile has its new version, and stays).
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var cases = done.Select(d => d.CaseNumber).ToArray();
        var advance = new NpgsqlBatchCommand("""
            UPDATE case_consequences_behind AS b SET done = v.seq
            FROM (SELECT * FROM unnest(@cases, @seqs) AS v(case_number, seq) ORDER BY case_number) AS v
            WHERE b.case_number = v.case_number AND b.done < v.seq
            """);
        advance.Parameters.AddWithValue("cases", cases);
        advance.Parameters.AddWithValue("seqs", done.Select(d => d.Seq).ToArray());
        var caughtUp = new NpgsqlBatchCommand("DELETE FROM case_consequences_behind WHERE case_number = ANY(@cases) AND done >= version");
        caughtUp.Parameters.AddWithValue("cases", cases);
        await using var batch = new NpgsqlBatch(conn, tx) { BatchCommands = { advance, caughtUp } };
        await batch.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    public async Task RecordConsequenceFailureAsync(ConsequenceFailure failure, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"""
            INSERT INTO case_consequence_failures ({ConsequenceRows.Columns})
            VALUES (@case, @kind, @seq, @attempts, @first, @last, @next, @error, @parked)
            ON CONFLICT (case_number, kind) DO UPDATE SET {ConsequenceRows.UpdateOnConflict}
            """);
        foreach (var (name, value) in ConsequenceRows.Parameters(failure, t => t.ToUniversalTime()))
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task ClearConsequenceFailureAsync(string caseNumber, ConsequenceKind kind, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("DELETE FROM case_consequence_failures WHERE case_number = @case AND kind = @kind");
        cmd.Parameters.AddWithValue("case", caseNumber);
        cmd.Parameters.AddWithValue("kind", kind.ToString());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task RecordNoticesAsync(IReadOnlyList<NoticeRow> notices, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO user_notices (user_id, case_number, seq, kind, event_type, at)
            SELECT * FROM unnest(@users, @cases, @seqs, @kinds, @types, @ats) ON CONFLICT DO NOTHING
            """);
        cmd.Parameters.AddWithValue("users", notices.Select(n => n.UserId).ToArray());
        cmd.Parameters.AddWithValue("cases", notices.Select(n => n.CaseNumber).ToArray());
        cmd.Parameters.AddWithValue("seqs", notices.Select(n => n.Seq).ToArray());
        cmd.Parameters.AddWithValue("kinds", notices.Select(n => n.Kind).ToArray());
        cmd.Parameters.AddWithValue("types", notices.Select(n => n.EventType).ToArray());
        cmd.Parameters.AddWithValue("ats", notices.Select(n => n.At.ToUniversalTime()).ToArray());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public Task<IReadOnlyList<NoticeRow>> ReadNoticesAsync(string userId, int limit, CancellationToken ct) =>
        QueryAsync("SELECT user_id, case_number, seq, kind, event_type, at FROM user_notices WHERE user_id = @user ORDER BY at DESC, case_number, seq DESC LIMIT @limit",
            [("user", userId), ("limit", limit)], (r, c) => ProjectionRows.ReadAsync(r, ReadNotice, c), ct);

    public Task<IReadOnlyList<NoticeRow>> ReadCaseNoticesAsync(string caseNumber, CancellationToken ct) =>
        QueryAsync("SELECT user_id, case_number, seq, kind, event_type, at FROM user_notices WHERE case_number = @case ORDER BY seq, user_id",
            [("case", caseNumber)], (r, c) => ProjectionRows.ReadAsync(r, ReadNotice, c), ct);

    private static NoticeRow ReadNotice(System.Data.Common.DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4), r.GetFieldValue<DateTimeOffset>(5));

    public Task<IReadOnlyList<string>> DueConsequencesAsync(DateTimeOffset now, int limit, CancellationToken ct) =>
        QueryAsync("""
            SELECT case_number FROM case_consequences_behind
            UNION
            SELECT case_number FROM case_consequence_failures WHERE parked = 0 AND next_attempt_at <= @now
            LIMIT @limit
            """, [("now", now.ToUniversalTime()), ("limit", limit)], (r, c) => ProjectionRows.ReadAsync(r, x => x.GetString(0), c), ct);

    public async Task<ConsequenceBacklog> ReadConsequenceBacklogAsync(DateTimeOffset now, CancellationToken ct)
    {
        var behind = await QueryAsync("SELECT count(*) FROM case_consequences_behind", [],
            async (r, c) => await r.ReadAsync(c) ? r.GetInt64(0) : 0, ct);
        var failures = await QueryAsync($"SELECT {ConsequenceRows.Columns} FROM case_consequence_failures", [],
            (r, c) => ProjectionRows.ReadAsync(r, ReadFailure, c), ct);
        return ConsequenceRows.Backlog(behind, failures, now);
    }

    public Task<IReadOnlyList<string>> RetryConsequencesAsync(ConsequenceKind? kind, string? caseNumber, DateTimeOffset now, CancellationToken ct) =>
        QueryAsync("""
            UPDATE case_consequence_failures SET parked = 0, attempts = 0, next_attempt_at = @now
            WHERE (@kind::text IS NULL OR kind = @kind::text) AND (@case::text IS NULL OR case_number = @case::text)
            RETURNING case_number
            """, [("now", now.ToUniversalTime()), ("kind", (object?)kind?.ToString() ?? DBNull.Value), ("case", (object?)caseNumber ?? DBNull.Value)],
            async (r, c) => (IReadOnlyList<string>)[.. (await ProjectionRows.ReadAsync(r, x => x.GetString(0), c)).Distinct(StringComparer.Ordinal)], ct);

    private static async Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(NpgsqlConnection conn, string caseNumber, long afterSeq, int limit, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            $"SELECT {ReadColumns} FROM case_events WHERE case_number = @case AND seq > @after ORDER BY seq LIMIT @limit", conn);
        cmd.Parameters.AddWithValue("case", caseNumber);
        cmd.Parameters.AddWithValue("after", afterSeq);
        cmd.Parameters.AddWithValue("limit", (long)limit);
        var list = new List<StoredEvent>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(ReadEvent(reader));
        }

        return list;
    }

    /// <summary>An event row of <see cref="ReadColumns"/>, starting at column <paramref name="at"/>.</summary>
    private static StoredEvent ReadEvent(NpgsqlDataReader r, int at = 0) => new(
        r.GetString(at), r.GetInt64(at + 1), r.GetString(at + 2), r.GetString(at + 3), r.GetString(at + 4), EventChain.ParseTime(r.GetString(at + 5)),
        r.GetString(at + 6), r.GetString(at + 7), r.GetString(at + 8), r.GetString(at + 9), r.GetString(at + 10), r.GetBoolean(at + 11));
}
