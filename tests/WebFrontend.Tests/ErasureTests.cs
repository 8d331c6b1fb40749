using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CaseGrains.Domain;
using CaseGrains.Domain.Privacy;
using CaseGrains.Domain.Timeline;
using CaseGrains.Grains.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// Erasure by crypto-shredding (issue 19, deliverable 3), on the real app and its SQLite file: a closed case's person is
/// erased, the timeline still verifies, the dashboard and its rebuild count the same, every read says "erased", the NIK
/// finds nothing, and neither the database's files nor the logs hold the person any more, also read by a new process.
/// </summary>
public sealed class ErasureTests : IAsyncLifetime, IDisposable
{
    private const string Name = "Sutinah Wirokromo Zulkarnain";
    private const string Distinct = "Wirokromo";
    private readonly CollectingLoggerProvider _logs = new();
    private AppHost _app = null!;

    public Task InitializeAsync()
    {
        _app = StartApp(null);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        var dir = _app.DataDirectory;
        await _app.DisposeAsync();
        AppHost.DeleteData(dir);
    }

    public void Dispose() => _logs.Dispose();

    private AppHost StartApp(string? dir) => AppHost.Start(dir, new Dictionary<string, string>
    {
        // Every category at its most talkative: nothing of the person may reach a log line at any level.
        ["Logging:LogLevel:Default"] = "Trace", ["Logging:LogLevel:Orleans"] = "Trace", ["Logging:LogLevel:Microsoft"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace", ["Logging:LogLevel:CaseGrains"] = "Trace",
    }, _logs);

    [Fact]
    public async Task AClosedCase_IsErased_ItsChainVerifies_CountsStay_EveryReadSaysErased_AndNothingOfThePersonIsLeft()
    {
        var nik = $"35790255089{Random.Shared.Next(10000, 99999)}";
        var number = (await _app.PostOk("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(), nik, fullName = Name, regionCode = "35.79.02", segment = "Umkm", consentGiven = true, nib = "9120001234567",
        }, HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
        await _app.PostOk($"/api/cases/{number}/consent", new
        {
            commandId = Guid.NewGuid().ToString(), method = "formulir bertanda tangan", formVersion = "PDP-2026.1", witness = "Pak Lurah " + Distinct,
        });
        await _app.PostOk($"/api/cases/{number}/notes", new { commandId = Guid.NewGuid().ToString(), text = $"Bu {Distinct} dikunjungi di rumah." });
        using var supervisor = await _app.ClientFor(AppHost.Supervisor);
        using var dpo = await _app.ClientFor(AppHost.PrivacyOfficer);
        using var admin = await _app.ClientFor(AppHost.Administrator);

        // Open: refused with its code, nothing changed.
        var early = await PostProblem(dpo, number, HttpStatusCode.Conflict);
        Assert.Equal("erasure.case_open", early);
        using (var close = await supervisor.PostAsJsonAsync($"/api/cases/{number}/close", new { commandId = Guid.NewGuid().ToString(), reason = "Moved", note = $"Pindah bersama keluarga {Distinct}" }))
        {
            Assert.Equal(HttpStatusCode.OK, close.StatusCode);
        }

        // The person is there before: in the case, the list, the search by name and by NIK.
        Assert.Equal(Name, (await _app.GetOk($"/api/cases/{number}")).GetProperty("fullName").GetString());
        Assert.Contains(number, await ListedAsync(_app.Client, "q=" + Uri.EscapeDataString(Distinct)));
        Assert.Contains(number, await ListedAsync(_app.Client, "q=" + nik));
        var dashboard = await StableDashboardAsync(supervisor);
        Assert.Empty(await RebuildDifferencesAsync(admin));

        // A caseworker may not erase; the DPO may, for any case; the answer names no content.
        Assert.Equal(HttpStatusCode.Forbidden, (await _app.Client.PostAsJsonAsync($"/api/cases/{number}/erasure", Body())).StatusCode);
        var erased = await PostOk(dpo, $"/api/cases/{number}/erasure", Body());
        Assert.Equal(number, erased.GetProperty("caseNumber").GetString());
        Assert.False(erased.GetProperty("replayed").GetBoolean());
        Assert.DoesNotContain(Distinct, erased.GetRawText(), StringComparison.Ordinal);

        // Again: the same answer, nothing changed.
        var again = await PostOk(supervisor, $"/api/cases/{number}/erasure", Body());
        Assert.True(again.GetProperty("replayed").GetBoolean());
        Assert.Equal(erased.GetProperty("erasedAt").GetDateTimeOffset(), again.GetProperty("erasedAt").GetDateTimeOffset());
        Assert.Equal(erased.GetProperty("seq").GetInt64(), again.GetProperty("seq").GetInt64());

        // The erasure and its repeat are in the case's access log, by who asked.
        var log = await supervisor.GetFromJsonAsync<JsonElement>($"/api/cases/{number}/access-log");
        Assert.Contains(log.EnumerateArray(), e => e.GetProperty("action").GetString() == "erasure" && e.GetProperty("userId").GetString() == AppHost.PrivacyOfficer);
        Assert.Contains(log.EnumerateArray(), e => e.GetProperty("action").GetString() == "erasure-repeated" && e.GetProperty("userId").GetString() == AppHost.Supervisor);

        await AssertErasedAsync(number, nik, supervisor, admin, dashboard, redacted: 0);

        // A new process on the same file reads the same.
        var dir = _app.DataDirectory;
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _app = StartApp(dir);
        using var supervisor2 = await _app.ClientFor(AppHost.Supervisor);
        using var admin2 = await _app.ClientFor(AppHost.Administrator);
        await AssertErasedAsync(number, nik, supervisor2, admin2, dashboard, redacted: 0);

        // Nothing of the person in the database's files (the file, its WAL and shared memory), nor in any log line.
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        AssertNotInFiles(dir, Name, Distinct, SearchText.StoredKey(Name), nik);
        var lines = _logs.Messages.ToList();
        Assert.NotEmpty(lines);
        Assert.DoesNotContain(lines, l => l.Contains(Distinct, StringComparison.OrdinalIgnoreCase) || l.Contains(nik, StringComparison.Ordinal));
        _app = StartApp(dir);
    }

    [Fact]
    public async Task AnErasureStoppedHalfWay_IsFinishedByTheCasesNextActivation_AndNothingDecryptsMeanwhile()
    {
        var nik = $"35790255089{Random.Shared.Next(10000, 99999)}";
        var number = (await _app.PostOk("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(), nik, fullName = Name, regionCode = "35.79.02", segment = "Umkm", consentGiven = true,
        }, HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
        await _app.PostOk($"/api/cases/{number}/notes", new { commandId = Guid.NewGuid().ToString(), text = $"Bu {Distinct} dikunjungi di rumah." });
        using var supervisor = await _app.ClientFor(AppHost.Supervisor);
        using (var close = await supervisor.PostAsJsonAsync($"/api/cases/{number}/close", new { commandId = Guid.NewGuid().ToString(), reason = "Moved" }))
        {
            Assert.Equal(HttpStatusCode.OK, close.StatusCode);
        }

        var dir = _app.DataDirectory;
        var file = Path.Combine(dir, "casegrains.db");
        byte[] wrapped;
        await using (var conn = new SqliteConnection($"Data Source={file}"))
        {
            await conn.OpenAsync();
            await using var read = conn.CreateCommand();
            read.CommandText = "SELECT wrapped_key FROM subject_keys WHERE case_number = $n";
            read.Parameters.AddWithValue("$n", number);
            wrapped = (byte[])(await read.ExecuteScalarAsync())!;
        }

        await PostOk(supervisor, $"/api/cases/{number}/erasure", Body());

        // As if the silo had stopped after appending the erasure, before destroying the key: the key row is back.
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        await using (var conn = new SqliteConnection($"Data Source={file}"))
        {
            await conn.OpenAsync();
            await using var restore = conn.CreateCommand();
            restore.CommandText = "UPDATE subject_keys SET wrapped_key = $k, erased_at = NULL WHERE case_number = $n";
            restore.Parameters.AddWithValue("$k", wrapped);
            restore.Parameters.AddWithValue("$n", number);
            Assert.Equal(1, await restore.ExecuteNonQueryAsync());
        }

        SqliteConnection.ClearAllPools();
        _app = StartApp(dir);
        using var supervisor2 = await _app.ClientFor(AppHost.Supervisor);
        var timeline = await supervisor2.GetFromJsonAsync<JsonElement>($"/api/cases/{number}/timeline?limit=100");
        Assert.DoesNotContain(Distinct, timeline.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(PersonalFields.Erased, (await supervisor2.GetFromJsonAsync<JsonElement>($"/api/cases/{number}")).GetProperty("fullName").GetString());

        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        await using (var conn = new SqliteConnection($"Data Source={file}"))
        {
            await conn.OpenAsync();
            await using var check = conn.CreateCommand();
            check.CommandText = "SELECT wrapped_key IS NULL AND erased_at IS NOT NULL FROM subject_keys WHERE case_number = $n";
            check.Parameters.AddWithValue("$n", number);
            Assert.Equal(1L, (long)(await check.ExecuteScalarAsync())!);
        }

        SqliteConnection.ClearAllPools();
        _app = StartApp(dir);
    }

    [Fact]
    public async Task ACaseWrittenBeforeTheKeys_IsErasedByRedaction_AndStillVerifies()
    {
        // A timeline in the earlier release's form, the person's fields in clear inside hashed payloads, in a file of its own.
        var dir = Path.Combine(Path.GetTempPath(), "casegrains-web-tests-" + Guid.NewGuid().ToString("N"));
        const string number = "3579-900001";
        const string nik = "3579025508900123";
        Directory.CreateDirectory(dir);
        var options = new Grains.Hosting.CaseGrainsOptions { DataDirectory = dir };
        SqliteSchema.Apply(options.SqliteConnectionString);
        var at = DateTimeOffset.UtcNow.AddDays(-400);
        string[] payloads =
        [
            $$"""{"caseNumber":"{{number}}","nikHash":"{{new string('a', 64)}}","nikMasked":"3579**********23","fullName":"{{Name}}","gender":"Female","regionCode":"35.79.02","segment":"Umkm","nib":null,"consentGiven":true}""",
            $$"""{"text":"Bu {{Distinct}} menelepon."}""",
            $$"""{"reason":"Moved","note":"Pindah ke rumah {{Distinct}}","activeStage":"Intake"}""",
        ];
        string[] types = ["CaseOpened", "NoteAdded", "CaseClosed"];
        var head = EventChain.Genesis;
        using (var conn = new SqliteConnection(options.SqliteConnectionString))
        {
            conn.Open();
            for (var i = 0; i < payloads.Length; i++)
            {
                var time = at.AddMinutes(i);
                var hash = EventChain.Hash(head, number, i + 1, types[i], "cw-old", "Caseworker", time, $"old-{i}", payloads[i]);
                using var insert = conn.CreateCommand();
                insert.CommandText = """
                    INSERT INTO case_events (case_number, seq, type, actor_id, actor_role, occurred_at, payload, command_id, command_hash, prev_hash, hash)
                    VALUES ($case, $seq, $type, 'cw-old', 'Caseworker', $at, $payload, $cid, $cid, $prev, $hash)
                    """;
                insert.Parameters.AddWithValue("$case", number);
                insert.Parameters.AddWithValue("$seq", i + 1);
                insert.Parameters.AddWithValue("$type", types[i]);
                insert.Parameters.AddWithValue("$at", EventChain.FormatTime(time));
                insert.Parameters.AddWithValue("$payload", payloads[i]);
                insert.Parameters.AddWithValue("$cid", $"old-{i}");
                insert.Parameters.AddWithValue("$prev", head);
                insert.Parameters.AddWithValue("$hash", hash);
                insert.ExecuteNonQuery();
                head = hash;
            }

            using var index = conn.CreateCommand();
            index.CommandText = """
                INSERT INTO case_index (case_number, full_name, nik_masked, region_code, segment, gender, status, current_stage, current_stage_state,
                                        version, opened_at, updated_at, name_key)
                VALUES ($case, $name, '3579**********23', '35.79.02', 'Umkm', 'Female', 'Closed', 'Intake', 'Active', 3, $at, $at, $key)
                """;
            index.Parameters.AddWithValue("$case", number);
            index.Parameters.AddWithValue("$name", Name);
            index.Parameters.AddWithValue("$key", SearchText.StoredKey(Name));
            index.Parameters.AddWithValue("$at", EventChain.FormatTime(at));
            index.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        // The scan finds the person while they are there (so its "absent" below means something).
        Assert.Throws<Xunit.Sdk.TrueException>(() => AssertNotInFiles(dir, Distinct));
        var app = StartApp(dir);
        try
        {
            using var supervisor = await app.ClientFor(AppHost.Supervisor);
            Assert.Equal(Name, (await app.GetOk($"/api/cases/{number}")).GetProperty("fullName").GetString());

            await PostOk(supervisor, $"/api/cases/{number}/erasure", Body());

            var verify = await app.GetOk($"/api/cases/{number}/verify");
            Assert.True(verify.GetProperty("valid").GetBoolean(), verify.GetRawText());
            Assert.Equal(4, verify.GetProperty("eventsChecked").GetInt64());
            Assert.Equal(3, verify.GetProperty("redactedEvents").GetInt64());
            var view = await app.GetOk($"/api/cases/{number}");
            Assert.Equal(PersonalFields.Erased, view.GetProperty("fullName").GetString());
            var timeline = await app.GetOk($"/api/cases/{number}/timeline");
            Assert.DoesNotContain(Distinct, timeline.GetRawText(), StringComparison.Ordinal);
            Assert.Contains(PersonalFields.Erased, timeline.GetRawText(), StringComparison.Ordinal);
        }
        finally
        {
            await app.DisposeAsync();
            SqliteConnection.ClearAllPools();
        }

        try
        {
            AssertNotInFiles(dir, Name, Distinct, SearchText.StoredKey(Name), nik);
            // The database itself still refuses any other change to a stored event.
            using var conn = new SqliteConnection(options.SqliteConnectionString);
            conn.Open();
            using var tamper = conn.CreateCommand();
            tamper.CommandText = $"UPDATE case_events SET payload = '{{}}', redacted = 1, actor_id = 'x' WHERE case_number = '{number}' AND seq = 4";
            Assert.Contains("append-only", Assert.Throws<SqliteException>(() => tamper.ExecuteNonQuery()).Message, StringComparison.Ordinal);

            // The one change the database lets through (a payload with the redaction flag), used to rewrite the erasure's
            // own record of what it redacted: verification compares every redacted event with that record, which the
            // chain vouches for, and reports it.
            tamper.CommandText = $$"""UPDATE case_events SET payload = '{"reason":"x","legalBasis":"y","redacted":[]}', redacted = 1 WHERE case_number = '{{number}}' AND seq = 4""";
            Assert.Equal(1, tamper.ExecuteNonQuery());
            conn.Close();
            SqliteConnection.ClearAllPools();
            await using var again = AppHost.Start(dir);
            var verify = await again.GetOk($"/api/cases/{number}/verify");
            Assert.False(verify.GetProperty("valid").GetBoolean(), verify.GetRawText());
            Assert.Equal("redacted event 1 is not as the erasure recorded it", verify.GetProperty("problem").GetString());
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            AppHost.DeleteData(dir);
        }
    }

    [Fact]
    public async Task Refusals_AnswerProblemCodes_AndChangeNothing_AndARedactionOfACaseNeverErasedFailsVerify()
    {
        var number = (await _app.PostOk("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(), nik = $"35790215088{Random.Shared.Next(10000, 99999)}", fullName = "Rini Penolakan", regionCode = "35.79.02",
            segment = "Umkm", consentGiven = true,
        }, HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
        await _app.CreateUser("supervisor-malang", Domain.Access.Role.Supervisor, "35.73");
        using var supervisor = await _app.ClientFor(AppHost.Supervisor);
        using var elsewhere = await _app.ClientFor("supervisor-malang");
        using var mentor = await _app.ClientFor(AppHost.Mentor);
        using var analyst = await _app.ClientFor(AppHost.Analyst);

        Assert.Equal("erasure.case_open", await PostProblem(supervisor, number, HttpStatusCode.Conflict));
        Assert.Equal("case.not_found", await PostProblem(elsewhere, number, HttpStatusCode.NotFound));
        Assert.Equal("case.not_found", await PostProblem(supervisor, "3579-999999", HttpStatusCode.NotFound));
        Assert.Equal("case.not_found", await PostProblem(supervisor, "not-a-case", HttpStatusCode.NotFound));
        Assert.Equal("access.forbidden", await PostProblem(_app.Client, number, HttpStatusCode.Forbidden));
        Assert.Equal("access.forbidden", await PostProblem(mentor, number, HttpStatusCode.Forbidden));
        Assert.Equal("access.forbidden", await PostProblem(analyst, number, HttpStatusCode.Forbidden));
        using (var close = await supervisor.PostAsJsonAsync($"/api/cases/{number}/close", new { commandId = Guid.NewGuid().ToString(), reason = "Duplicate" }))
        {
            Assert.Equal(HttpStatusCode.OK, close.StatusCode);
        }

        Assert.Equal("input.required", await PostProblem(supervisor, number, HttpStatusCode.BadRequest, new { reason = "Permintaan", legalBasis = " " }));
        using (var bad = await supervisor.PostAsync($"/api/cases/{number}/erasure", new StringContent("{", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        Assert.Equal("Rini Penolakan", (await _app.GetOk($"/api/cases/{number}")).GetProperty("fullName").GetString());
        Assert.True((await _app.GetOk($"/api/cases/{number}/verify")).GetProperty("valid").GetBoolean());

        // The one update the database lets through, made to a case nobody erased: verify says so.
        using (var conn = new SqliteConnection(new Grains.Hosting.CaseGrainsOptions { DataDirectory = _app.DataDirectory }.SqliteConnectionString))
        {
            conn.Open();
            using var tamper = conn.CreateCommand();
            tamper.CommandText = $"UPDATE case_events SET payload = '{{}}', redacted = 1 WHERE case_number = '{number}' AND seq = 1";
            Assert.Equal(1, tamper.ExecuteNonQuery());
        }

        var verify = await _app.GetOk($"/api/cases/{number}/verify");
        Assert.False(verify.GetProperty("valid").GetBoolean());
        Assert.Contains("never erased", verify.GetProperty("problem").GetString(), StringComparison.Ordinal);
    }

    private async Task AssertErasedAsync(string number, string nik, HttpClient supervisor, HttpClient admin, string dashboard, int redacted)
    {
        var verify = await _app.GetOk($"/api/cases/{number}/verify");
        Assert.True(verify.GetProperty("valid").GetBoolean(), verify.GetRawText());
        Assert.Equal(redacted, verify.GetProperty("redactedEvents").GetInt64());

        var view = await _app.GetOk($"/api/cases/{number}");
        Assert.Equal(PersonalFields.Erased, view.GetProperty("fullName").GetString());
        Assert.Equal(PersonalFields.Erased, view.GetProperty("nikMasked").GetString());
        Assert.Equal(JsonValueKind.Null, view.GetProperty("nib").ValueKind);
        Assert.NotNull(view.GetProperty("erasedAt").GetString());
        Assert.DoesNotContain(Distinct, view.GetRawText(), StringComparison.Ordinal);

        // The list shows it erased; neither the name nor the NIK finds it.
        var list = await _app.GetOk("/api/cases?pageSize=200");
        Assert.Contains(list.GetProperty("items").EnumerateArray(), i => i.GetProperty("caseNumber").GetString() == number
            && i.GetProperty("fullName").GetString() == PersonalFields.Erased);
        Assert.DoesNotContain(number, await ListedAsync(_app.Client, "q=" + Uri.EscapeDataString(Distinct)));
        Assert.DoesNotContain(number, await ListedAsync(_app.Client, "q=" + nik));

        var timeline = await _app.GetOk($"/api/cases/{number}/timeline");
        Assert.DoesNotContain(Distinct, timeline.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("SubjectErased", timeline.EnumerateArray().Last().GetProperty("type").GetString());

        var export = await _app.PostOk($"/api/cases/{number}/subject-access", new { purpose = "permintaan penghapusan" });
        Assert.Equal(JsonValueKind.Null, export.GetProperty("nik").ValueKind);
        Assert.Equal(PersonalFields.Erased, export.GetProperty("profile").GetProperty("fullName").GetString());
        Assert.DoesNotContain(Distinct, export.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(nik, export.GetRawText(), StringComparison.Ordinal);

        var csv = await _app.Client.GetStringAsync("/api/cases/export");
        Assert.Contains(number, csv, StringComparison.Ordinal);
        Assert.DoesNotContain(Distinct, csv, StringComparison.Ordinal);

        // Commands on it are refused; the dashboard and its rebuild from the timelines count exactly as before.
        using var note = await _app.Client.PostAsJsonAsync($"/api/cases/{number}/notes", new { commandId = Guid.NewGuid().ToString(), text = "lagi" });
        Assert.Equal(HttpStatusCode.Conflict, note.StatusCode);
        Assert.Equal("case.erased", JsonDocument.Parse(await note.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        Assert.Equal(dashboard, await StableDashboardAsync(supervisor));
        Assert.Empty(await RebuildDifferencesAsync(admin));
    }

    private static object Body() => new { reason = "Permintaan penghapusan oleh penerima manfaat", legalBasis = "UU 27/2022 Pasal 8" };

    private static async Task<string> PostProblem(HttpClient client, string number, HttpStatusCode expected, object? body = null)
    {
        using var response = await client.PostAsJsonAsync($"/api/cases/{number}/erasure", body ?? Body());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement.GetProperty("code").GetString()!;
    }

    private static async Task<JsonElement> PostOk(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST {path} → {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<IReadOnlyList<string>> ListedAsync(HttpClient client, string query)
    {
        var page = await client.GetFromJsonAsync<JsonElement>("/api/cases?" + query);
        return [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("caseNumber").GetString()!)];
    }

    /// <summary>The region's dashboard once two reads in a row agree (its counters follow the appends).</summary>
    private static async Task<string> StableDashboardAsync(HttpClient supervisor)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var last = "";
        while (true)
        {
            var now = await supervisor.GetStringAsync("/api/dashboard?region=35.79");
            if (now == last)
            {
                return now;
            }

            Assert.True(DateTime.UtcNow < deadline, "the dashboard did not settle within 10 s");
            last = now;
            await Task.Delay(200);
        }
    }

    private static async Task<IReadOnlyList<string>> RebuildDifferencesAsync(HttpClient admin)
    {
        using var response = await admin.PostAsync("/api/dashboard/rebuild?apply=false", null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return [.. JsonDocument.Parse(text).RootElement.GetProperty("differences").EnumerateArray().Select(d => d.GetString()!)];
    }

    /// <summary>No file of the database (the file, its WAL, its shared memory) holds any of <paramref name="texts"/> as UTF-8 bytes.</summary>
    private static void AssertNotInFiles(string dir, params string[] texts)
    {
        var files = Directory.GetFiles(dir, "casegrains.db*");
        Assert.Contains(files, f => f.EndsWith("casegrains.db", StringComparison.Ordinal));
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            foreach (var text in texts.Where(t => t.Trim().Length > 0))
            {
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) < 0, $"{Path.GetFileName(file)} still holds \"{text}\"");
            }
        }
    }

    /// <summary>Keeps every formatted log line and exception text, from every category, at every level.</summary>
    private sealed class CollectingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Collector(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Collector(CollectingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull
            {
                owner.Messages.Enqueue($"{category} scope: {state}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Messages.Enqueue($"{category} {logLevel}: {formatter(state, exception)} {exception} {state}");
        }
    }
}
