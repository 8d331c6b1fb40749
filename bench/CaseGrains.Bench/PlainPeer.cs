using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Timeline;
using CaseGrains.Grains;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Storage;
using CaseGrains.Domain;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using NpgsqlTypes;

namespace CaseGrains.Bench;

/// <summary>
/// The plain peer of issue 16 (deliverable 8): the same journey commands as CaseGrains, done the way a plain ASP.NET Core
/// + PostgreSQL service without actors does them. A row per case holds its folded state (JSON) and version; an events
/// table holds the timeline. A command reads the row and its command id's earlier answer in one round trip, decides with
/// the same domain code (<see cref="CommandMapper"/>, <see cref="AccessPolicy"/>, <see cref="CaseDecider"/>), chains the
/// event with the same hash, and in one transaction inserts the event and updates the row <c>WHERE version = read
/// version</c> (optimistic concurrency: on a lost race it reads again and decides again). Idempotency as ours: a command id
/// answered before gets its first answer (accepted or refused), never a second event. A read of a case writes its audit
/// row (one commit each). Callers present the same JWT as to CaseGrains, checked here with the same key; their role and
/// regions are rows of <c>peer_users</c>, kept in memory once read. It does no live push, no consequences (SLA deadlines,
/// dashboard, people index) and no Orleans; BENCHMARKS.md says what that leaves out of the comparison.
/// </summary>
internal static class PlainPeer
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS peer_cases (
            case_number text PRIMARY KEY, version integer NOT NULL, head text NOT NULL, state text NOT NULL);
        CREATE TABLE IF NOT EXISTS peer_events (
            case_number text NOT NULL, seq bigint NOT NULL, type text NOT NULL, actor_id text NOT NULL, actor_role text NOT NULL,
            occurred_at text NOT NULL, payload text NOT NULL, command_id text NOT NULL, command_hash text NOT NULL,
            prev_hash text NOT NULL, hash text NOT NULL,
            PRIMARY KEY (case_number, seq), UNIQUE (case_number, command_id));
        CREATE TABLE IF NOT EXISTS peer_refusals (
            case_number text NOT NULL, command_id text NOT NULL, command_hash text NOT NULL, code text NOT NULL, at timestamptz NOT NULL,
            PRIMARY KEY (case_number, command_id));
        CREATE TABLE IF NOT EXISTS peer_reads (
            id bigserial PRIMARY KEY, case_number text NOT NULL, user_id text NOT NULL, at timestamptz NOT NULL);
        CREATE TABLE IF NOT EXISTS peer_users (user_id text PRIMARY KEY, role text NOT NULL, regions text[] NOT NULL);
        """;

    private static readonly JourneyPolicy Policy = JourneyPolicy.Default;

    /// <summary>Creates its tables and copies the cases in, each as its CaseOpened event and the row of its folded state.</summary>
    public static async Task LoadAsync(string connectionString, IReadOnlyList<(string Number, string Region, DateTimeOffset Opened)> rows, IReadOnlyList<string> names)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using (var schema = new NpgsqlCommand(Schema, conn))
        {
            await schema.ExecuteNonQueryAsync();
        }

        var heads = await OpenCasesCopy.CopyEventsAsync(conn, "peer_events", rows, names);
        await using (var cases = await conn.BeginBinaryImportAsync("COPY peer_cases (case_number, version, head, state) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < rows.Count; i++)
            {
                await cases.StartRowAsync();
                await cases.WriteAsync(rows[i].Number, NpgsqlDbType.Text);
                await cases.WriteAsync(1, NpgsqlDbType.Integer);
                await cases.WriteAsync(heads[i], NpgsqlDbType.Text);
                await cases.WriteAsync(CaseSnapshots.Write(CaseState.Apply(null, OpenCasesCopy.Opened(rows[i].Number, rows[i].Region, names[i]), 1, rows[i].Opened)), NpgsqlDbType.Text);
            }

            await cases.CompleteAsync();
        }

        await using var analyze = new NpgsqlCommand("ANALYZE peer_cases; ANALYZE peer_events", conn);
        await analyze.ExecuteNonQueryAsync();
    }

    public static async Task AddUserAsync(string connectionString, string userId, Role role, IReadOnlyList<string> regions)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO peer_users (user_id, role, regions) VALUES (@u, @r, @g) ON CONFLICT (user_id) DO UPDATE SET role = excluded.role, regions = excluded.regions", conn);
        cmd.Parameters.AddWithValue("u", userId);
        cmd.Parameters.AddWithValue("r", role.ToString());
        cmd.Parameters.AddWithValue("g", regions.ToArray());
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>The peer's process (<c>CaseGrains.Bench peer --postgres CS --port P --jwt-key K</c>): serves until stopped.</summary>
    public static async Task ServeAsync(string connectionString, int port, string jwtKey)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddAuthorization();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
        {
            // The same checks as the frontend's (AuthSetup): issuer, audience, HMAC-SHA256 key, lifetime.
            o.MapInboundClaims = false;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = "casegrains",
                ValidAudience = "casegrains-api",
                IssuerSigningKey = new SymmetricSecurityKey(Convert.FromBase64String(jwtKey)),
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                ClockSkew = TimeSpan.FromSeconds(30),
            };
        });
        await using var source = NpgsqlDataSource.Create(connectionString);
        var users = new Users(source);
        await using var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        var cases = app.MapGroup("/api/cases/{caseNumber}").RequireAuthorization();
        cases.MapGet("/", (HttpContext http, string caseNumber) => ReadAsync(http, source, users, caseNumber));
        cases.MapPost("/consent", (HttpContext http, string caseNumber, RecordConsentRequest body) => CommandAsync(http, source, users, caseNumber, body));
        cases.MapPost("/assessment", (HttpContext http, string caseNumber, RecordAssessmentRequest body) => CommandAsync(http, source, users, caseNumber, body));
        cases.MapPost("/notes", (HttpContext http, string caseNumber, AddNoteRequest body) => CommandAsync(http, source, users, caseNumber, body));
        foreach (var (path, action) in new[] { ("start", StageAction.Start), ("complete", StageAction.Complete), ("skip", StageAction.Skip) })
        {
            cases.MapPost("/stages/{stage}/" + path, (HttpContext http, string caseNumber, string stage, StageCommandRequest body) =>
                Enum.TryParse<Stage>(stage, ignoreCase: false, out var parsed)
                    ? CommandAsync(http, source, users, caseNumber, body with { Stage = parsed, Action = action })
                    : Task.FromResult(Problem(400, "request.unknown_stage")));
        }

        await app.RunAsync();
    }

    private static IResult Problem(int status, string code) =>
        Results.Problem(statusCode: status, type: "https://casegrains.id/problems/" + code, extensions: new Dictionary<string, object?> { ["code"] = code });

    private static async Task<IResult> ReadAsync(HttpContext http, NpgsqlDataSource source, Users users, string caseNumber)
    {
        if (!CaseNumbers.IsWellFormed(caseNumber) || await users.ActorAsync(http) is not { } actor)
        {
            return Problem(404, "case.not_found");
        }

        await using var conn = await source.OpenConnectionAsync();
        await using var read = new NpgsqlCommand("SELECT state FROM peer_cases WHERE case_number = @n", conn);
        read.Parameters.AddWithValue("n", caseNumber);
        if (await read.ExecuteScalarAsync() is not string json || CaseSnapshots.Read(json) is var state && !AccessPolicy.CanRead(actor.ToCaller(), state))
        {
            return Problem(404, "case.not_found");
        }

        // Every read leaves its audit row before the answer (as ours; here one commit per read).
        await using var audit = new NpgsqlCommand("INSERT INTO peer_reads (case_number, user_id, at) VALUES (@n, @u, now())", conn);
        audit.Parameters.AddWithValue("n", caseNumber);
        audit.Parameters.AddWithValue("u", actor.Id);
        await audit.ExecuteNonQueryAsync();
        return Results.Ok(ViewMapper.ToView(state, Policy));
    }

    private static async Task<IResult> CommandAsync(HttpContext http, NpgsqlDataSource source, Users users, string caseNumber, CaseCommandRequest command)
    {
        if (!CaseNumbers.IsWellFormed(caseNumber) || await users.ActorAsync(http) is not { } actor)
        {
            return Problem(404, "case.not_found");
        }

        if (CommandMapper.CheckCommandId(command.CommandId) is { } badId)
        {
            return Problem(400, badId.Code);
        }

        var fingerprint = CommandMapper.Fingerprint(command);
        await using var conn = await source.OpenConnectionAsync();
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            // The row, and this command id's earlier answer (an event or a refusal), in one round trip.
            await using var read = new NpgsqlCommand("""
                SELECT c.version, c.head, c.state,
                       (SELECT e.seq FROM peer_events e WHERE e.case_number = c.case_number AND e.command_id = @id),
                       (SELECT r.code FROM peer_refusals r WHERE r.case_number = c.case_number AND r.command_id = @id)
                FROM peer_cases c WHERE c.case_number = @n
                """, conn);
            read.Parameters.AddWithValue("n", caseNumber);
            read.Parameters.AddWithValue("id", command.CommandId!);
            int version;
            string head;
            CaseState state;
            long? answered;
            string? refused;
            await using (var row = await read.ExecuteReaderAsync())
            {
                if (!await row.ReadAsync())
                {
                    return Problem(404, "case.not_found");
                }

                (version, head, state) = (row.GetInt32(0), row.GetString(1), CaseSnapshots.Read(row.GetString(2)));
                answered = row.IsDBNull(3) ? null : row.GetInt64(3);
                refused = row.IsDBNull(4) ? null : row.GetString(4);
            }

            var access = AccessPolicy.CheckCommand(actor.ToCaller(), state, CommandMapper.KindOf(command), CommandMapper.RegionOf(command));
            if (access is not null && access.Code == Refusals.CaseNotFound().Code)
            {
                return Problem(404, "case.not_found");
            }

            if (answered is { } seq)
            {
                http.Response.Headers["Idempotent-Replayed"] = "true";
                return Results.Ok(new { caseNumber, accepted = true, seq, replayed = true });
            }

            if (refused is not null)
            {
                http.Response.Headers["Idempotent-Replayed"] = "true";
                return Problem(409, refused);
            }

            var now = DateTimeOffset.UtcNow;
            var mapped = CommandMapper.ToDomain(command, actor.Id);
            var decision = access ?? mapped.Refusal ?? (command.ExpectedVersion is { } expected && expected != version ? Refusals.StaleVersion(version) : null);
            var decided = decision is null ? CaseDecider.Decide(state, mapped.Value, new DecisionContext(now, Policy)) : decision;
            if (decided.IsRefused)
            {
                await using var refuse = new NpgsqlCommand(
                    "INSERT INTO peer_refusals (case_number, command_id, command_hash, code, at) VALUES (@n, @id, @h, @c, @at) ON CONFLICT DO NOTHING", conn);
                refuse.Parameters.AddWithValue("n", caseNumber);
                refuse.Parameters.AddWithValue("id", command.CommandId!);
                refuse.Parameters.AddWithValue("h", fingerprint);
                refuse.Parameters.AddWithValue("c", decided.Refusal!.Code);
                refuse.Parameters.AddWithValue("at", now);
                await refuse.ExecuteNonQueryAsync();
                return Problem(409, decided.Refusal.Code);
            }

            var @event = decided.Value;
            var next = version + 1;
            var payload = EventJson.Serialize(@event);
            var role = actor.Role.ToString();
            var hash = EventChain.Hash(head, caseNumber, next, @event.Type, actor.Id, role, now, command.CommandId!, payload);
            var folded = CaseState.Apply(state, @event, next, now);
            await using var tx = await conn.BeginTransactionAsync();
            await using var batch = new NpgsqlBatch(conn, tx);
            var insert = new NpgsqlBatchCommand("""
                INSERT INTO peer_events (case_number, seq, type, actor_id, actor_role, occurred_at, payload, command_id, command_hash, prev_hash, hash)
                VALUES (@n, @s, @t, @a, @r, @at, @p, @id, @h, @prev, @hash)
                """);
            foreach (var (name, value) in new (string, object)[]
            {
                ("n", caseNumber), ("s", (long)next), ("t", @event.Type), ("a", actor.Id), ("r", role), ("at", EventChain.FormatTime(now)), ("p", payload),
                ("id", command.CommandId!), ("h", fingerprint), ("prev", head), ("hash", hash),
            })
            {
                insert.Parameters.AddWithValue(name, value);
            }

            var update = new NpgsqlBatchCommand("UPDATE peer_cases SET version = @v, head = @hash, state = @state WHERE case_number = @n AND version = @old");
            update.Parameters.AddWithValue("v", next);
            update.Parameters.AddWithValue("hash", hash);
            update.Parameters.AddWithValue("state", CaseSnapshots.Write(folded));
            update.Parameters.AddWithValue("n", caseNumber);
            update.Parameters.AddWithValue("old", version);
            batch.BatchCommands.Add(insert);
            batch.BatchCommands.Add(update);
            try
            {
                await batch.ExecuteNonQueryAsync();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                // Another request appended this seq (or this command id) first: read again and decide again.
                await tx.RollbackAsync();
                continue;
            }

            if (update.RecordsAffected != 1)
            {
                await tx.RollbackAsync();
                continue;
            }

            await tx.CommitAsync();
            return Results.Ok(new { caseNumber, accepted = true, seq = next, eventType = @event.Type, version = next });
        }

        return Problem(503, "case.busy");
    }

    /// <summary>Callers' role and regions, read from <c>peer_users</c> once per user and kept.</summary>
    private sealed class Users(NpgsqlDataSource source)
    {
        private readonly ConcurrentDictionary<string, Actor?> _known = new(StringComparer.Ordinal);

        public async Task<Actor?> ActorAsync(HttpContext http)
        {
            if (http.User.FindFirst("sub")?.Value is not { } id)
            {
                return null;
            }

            if (_known.TryGetValue(id, out var actor))
            {
                return actor;
            }

            await using var cmd = source.CreateCommand("SELECT role, regions FROM peer_users WHERE user_id = @u");
            cmd.Parameters.AddWithValue("u", id);
            await using var row = await cmd.ExecuteReaderAsync();
            actor = await row.ReadAsync() ? new Actor(id, Enum.Parse<Role>(row.GetString(0)), row.GetFieldValue<string[]>(1)) : null;
            return _known[id] = actor;
        }
    }

    /// <summary>The peer as a child process of this benchmark (the same executable), started and ready.</summary>
    public sealed class Process : IAsyncDisposable
    {
        private readonly System.Diagnostics.Process _process;
        private readonly StringBuilder _log = new();

        private Process(System.Diagnostics.Process process, int port)
        {
            _process = process;
            BaseAddress = new Uri($"http://127.0.0.1:{port}");
        }

        public Uri BaseAddress { get; }

        public int ProcessId => _process.Id;

        public static async Task<Process> StartAsync(string connectionString, string jwtKey)
        {
            var port = ActivationBench.FreePort();
            var dll = typeof(PlainPeer).Assembly.Location;
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { dll, "peer", "--postgres", connectionString, "--port", port.ToString(CultureInfo.InvariantCulture), "--jwt-key", jwtKey })
            {
                start.ArgumentList.Add(a);
            }

            var peer = new Process(System.Diagnostics.Process.Start(start)!, port);
            peer._process.OutputDataReceived += (_, e) => { lock (peer._log) { peer._log.AppendLine(e.Data); } };
            peer._process.ErrorDataReceived += (_, e) => { lock (peer._log) { peer._log.AppendLine(e.Data); } };
            peer._process.BeginOutputReadLine();
            peer._process.BeginErrorReadLine();
            using var http = new HttpClient { BaseAddress = peer.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
            var clock = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    // Anything answered (401 without a token) means it listens.
                    using var response = await http.GetAsync("/api/cases/0000-000000");
                    return peer;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    if (peer._process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(60))
                    {
                        await peer.DisposeAsync();
                        throw new InvalidOperationException($"the plain peer did not start: {peer._log}", e);
                    }

                    await Task.Delay(200);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }
    }
}
