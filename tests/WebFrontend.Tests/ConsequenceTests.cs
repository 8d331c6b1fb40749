using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseGrains.Grains;
using CaseGrains.Grains.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// What an accepted command causes is derived from the durable timeline (issue 15, deliverable 1): with every kind of
/// consequence failing once, or always until an admin retries, commands still succeed, and once the consequences caught up
/// the mentors' caseloads, the rosters, the counters and the notices equal a recomputation from the timelines (reconcile
/// reports zero drift); a reservation made for an append that failed is given back.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ConsequenceTests
{
    private const string Course = "kursus-satu-kursi";

    private static Dictionary<string, string> Faults(string consequences) => new()
    {
        ["CaseGrains:Faults:Enabled"] = "true",
        ["CaseGrains:Faults:Consequences"] = consequences,
        ["CaseGrains:Consequences:FirstRetry"] = "00:00:00.05",
        ["CaseGrains:Consequences:MaxAttempts"] = "3",
        ["CaseGrains:Consequences:SweepEvery"] = "00:00:00.2",
    };

    [Fact]
    public async Task EveryKindFailingOnce_IsRetried_CommandsAllSucceed_AndEverythingEqualsTheTimelines()
    {
        var app = AppHost.Start(overrides: Faults("all=once"));
        try
        {
            await using var supervisor = await LiveClient.ConnectAsync(app, AppHost.Supervisor);
            await using var mentor = await LiveClient.ConnectAsync(app, AppHost.Mentor);
            var (first, second, firstNik) = await RunScenarioAsync(app);

            await Operations.WaitDrainedAsync(app);
            var report = await Operations.ReconcileAsync(app, apply: false);
            Assert.True(report.GetProperty("drift").GetInt32() == 0, report.ToString());

            // What the consequences did, each after failing once: the closed case's mentor place and registry entry are
            // free, the course's one place went to the waiting case, the supervisor got the request (live and in the
            // inbox), the caseworker who asked got the decision in theirs, and the mentor got their cases' events.
            Assert.Equal([second], await Operations.CaseloadAsync(app));
            using var admin = await app.ClientFor(AppHost.Administrator);
            var course = await admin.GetFromJsonAsync<JsonElement>($"/api/offers/{Course}");
            Assert.Equal((1, 0), (course.GetProperty("places").GetProperty("taken").GetInt32(), course.GetProperty("places").GetProperty("waiting").GetInt32()));
            Assert.Equal("WaitlistPromoted", (await new ServicesFlow(app, app.Client).EventTypesAsync(second))[^1]);
            await LiveEvents.UntilAsync(supervisor, e => e.GetProperty("caseNumber").GetString() == first && e.GetProperty("type").GetString() == "ClosureRequested");
            Assert.Contains(await Operations.NoticesAsync(app, AppHost.Supervisor), n => n == (first, "approval-requested"));
            Assert.Contains(await Operations.NoticesAsync(app, AppHost.Caseworker), n => n == (first, "request-settled"));
            await LiveEvents.UntilAsync(mentor, e => e.GetProperty("caseNumber").GetString() == second && e.GetProperty("type").GetString() == "WaitlistPromoted");
            using var again = await app.Client.PostAsJsonAsync("/api/cases", Intake(firstNik));
            Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        }
        finally
        {
            await StopAsync(app);
        }
    }

    [Fact]
    public async Task EveryKindFailingAlways_IsParkedWhereAnAdminSeesIt_ThenAnAdminRetryRunsIt_AndNothingDrifts()
    {
        var app = AppHost.Start(overrides: Faults("all=always"));
        try
        {
            var (first, _, _) = await RunScenarioAsync(app);

            // Commands all succeeded; their consequences are parked after three attempts each, reasons shown.
            var backlog = await Operations.WaitAsync(app, b => b.GetProperty("parked").GetInt64() >= 6 && b.GetProperty("failing").GetInt64() == 0);
            var kinds = backlog.GetProperty("kinds").EnumerateArray().ToDictionary(k => k.GetProperty("kind").GetString()!, k => k);
            foreach (var kind in new[] { "Timers", "Registry", "Places", "Caseload", "Feed", "Notices", "Dashboard" })
            {
                Assert.True(kinds.ContainsKey(kind), $"{kind} not parked: {backlog}");
                Assert.Equal($"InjectedFaultException: injected always fault in {kind}",
                    kinds[kind].GetProperty("reasons")[0].GetProperty("reason").GetString());
                Assert.True(kinds[kind].GetProperty("oldestSeconds").GetDouble() >= 0);
            }

            // What is parked is drift until it runs: the mentor's caseload, the rosters and the notices lag the timelines.
            var lagging = await Operations.ReconcileAsync(app, apply: false);
            Assert.NotEmpty(lagging.GetProperty("caseloadDrift").EnumerateArray());
            Assert.NotEmpty(lagging.GetProperty("placeDrift").EnumerateArray());
            Assert.NotEmpty(lagging.GetProperty("noticeDrift").EnumerateArray());
            Assert.Empty(lagging.GetProperty("counterDrift").EnumerateArray()); // counters are written with their events

            // The cause is fixed; an admin retries everything parked.
            app.Services.GetRequiredService<ConsequenceFaults>().Clear();
            using var admin = await app.ClientFor(AppHost.Administrator);
            using var retry = await admin.PostAsync("/api/admin/consequences/retry", null);
            Assert.True((await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cases").GetInt32() >= 2);
            await Operations.WaitDrainedAsync(app);
            var report = await Operations.ReconcileAsync(app, apply: false);
            Assert.True(report.GetProperty("drift").GetInt32() == 0, report.ToString());
            Assert.Contains(await Operations.NoticesAsync(app, AppHost.Supervisor), n => n == (first, "approval-requested"));
        }
        finally
        {
            await StopAsync(app);
        }
    }

    [Fact]
    public async Task AReservationForAnAppendThatFails_IsGivenBack_TheMentorsAndTheOffersAlike()
    {
        var app = AppHost.Start(overrides: Faults(""));
        try
        {
            var flow = new ServicesFlow(app, app.Client);
            await SetUpAsync(app, mentorCapacity: 1);
            var a = await flow.AssessedAsync();
            var b = await flow.AssessedAsync();
            var faults = app.Services.GetRequiredService<ConsequenceFaults>();

            // The mentor's only place and the course's only place are reserved, then the append fails: both come back.
            faults.FailAppends(1);
            var failed = await flow.Try(a, "/mentor", new { mentorId = AppHost.Mentor });
            Assert.True(failed.Status >= HttpStatusCode.InternalServerError, failed.Body.ToString());
            faults.FailAppends(1);
            Assert.True((await flow.Enrol(a, Course)).Status >= HttpStatusCode.InternalServerError);

            await flow.Command(b, "/mentor", new { mentorId = AppHost.Mentor });
            var enrolled = await flow.Enrol(b, Course);
            Assert.Null(enrolled.Code);
            Assert.Equal("Enrolled", (await flow.EnrolmentAsync(b, Course)).GetProperty("status").GetString());
            Assert.Equal([b], await Operations.CaseloadAsync(app));
            await Operations.WaitDrainedAsync(app);
            var report = await Operations.ReconcileAsync(app, apply: false);
            Assert.True(report.GetProperty("drift").GetInt32() == 0, report.ToString());
        }
        finally
        {
            await StopAsync(app);
        }
    }

    /// <summary>Stops the app, then deletes its data (its timers write to the folder until it stops).</summary>
    internal static async Task StopAsync(AppHost app)
    {
        var data = app.DataDirectory;
        await app.DisposeAsync();
        AppHost.DeleteData(data);
    }

    /// <summary>The mentor's profile and a course with one place.</summary>
    internal static async Task SetUpAsync(AppHost app, int mentorCapacity = 5)
    {
        using var admin = await app.ClientFor(AppHost.Administrator);
        Assert.True((await admin.PutAsJsonAsync($"/api/mentors/{AppHost.Mentor}/profile", new { sectors = new[] { "Kuliner" }, regions = new[] { "35.79" }, capacity = mentorCapacity })).IsSuccessStatusCode);
        using var saved = await admin.PutAsJsonAsync($"/api/offers/{Course}", new
        {
            name = "Kursus Foto Produk (satu kursi)", type = "Training", category = "Pemasaran Digital", provider = "Dinas Koperasi Kota Batu", level = "KabKota",
            segments = new[] { "Umkm" }, regions = new[] { "35.79" }, start = "2026-01-01", end = "2030-12-31", capacity = 1,
        }, AppHost.Json);
        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
    }

    private static object Intake(string nik) => new
    {
        commandId = Guid.NewGuid().ToString(), nik, fullName = "Warga Konsekuensi", regionCode = "35.79.02.2004", segment = "Umkm", consentGiven = true,
    };

    /// <summary>
    /// Two cases with the mentor; the course's one place to the first, the second waiting; the first withdraws (the second
    /// is promoted), asks to close, and the supervisor approves (registry and mentor place released, the asker told).
    /// </summary>
    private static async Task<(string First, string Second, string FirstNik)> RunScenarioAsync(AppHost app)
    {
        var flow = new ServicesFlow(app, app.Client);
        await SetUpAsync(app);
        var firstNik = ServicesFlow.NextNik(female: true);
        var first = (await flow.Post("/api/cases", Intake(firstNik), HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
        foreach (var (path, body) in new (string, object)[]
        {
            ("/stages/intake/complete", new { }), ("/stages/assessment/start", new { }),
            ("/assessment", new { sector = "Kuliner", annualTurnoverIdr = 300_000_000, businessCapitalIdr = 50_000_000, workers = 3, needs = new[] { "Pemasaran Digital" } }),
            ("/stages/assessment/complete", new { }), ("/stages/training/start", new { }),
        })
        {
            await flow.Command(first, path, body);
        }

        var second = await flow.AssessedAsync();
        foreach (var n in new[] { first, second })
        {
            await flow.Command(n, "/mentor", new { mentorId = AppHost.Mentor });
        }

        Assert.Null((await flow.Enrol(first, Course)).Code);
        Assert.Null((await flow.Enrol(second, Course)).Code);
        await flow.Command(first, $"/enrolments/{Course}/withdraw", new { reason = "Jadwal bentrok" });
        await flow.Command(first, "/closure-request", new { reason = "DroppedOut", note = "pindah kerja" });
        using var supervisor = await app.ClientFor(AppHost.Supervisor);
        using var approved = await supervisor.PostAsJsonAsync($"/api/cases/{first}/closure-request/approve",
            new { commandId = Guid.NewGuid().ToString(), kind = "Closure", approve = true }, AppHost.Json);
        Assert.True(approved.IsSuccessStatusCode, await approved.Content.ReadAsStringAsync());
        return (first, second, firstNik);
    }
}

/// <summary>The operator's endpoints, as an admin calls them.</summary>
internal static class Operations
{
    public static async Task<JsonElement> BacklogAsync(AppHost app)
    {
        using var admin = await app.ClientFor(AppHost.Administrator);
        return await admin.GetFromJsonAsync<JsonElement>("/api/admin/consequences");
    }

    /// <summary>Polls the backlog until <paramref name="done"/> holds (60 s at most).</summary>
    public static async Task<JsonElement> WaitAsync(AppHost app, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var backlog = await BacklogAsync(app);
            if (done(backlog))
            {
                return backlog;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the consequences did not get there: {backlog}");
            await Task.Delay(100);
        }
    }

    public static Task<JsonElement> WaitDrainedAsync(AppHost app) =>
        WaitAsync(app, b => b.GetProperty("casesBehind").GetInt64() == 0 && b.GetProperty("failing").GetInt64() == 0 && b.GetProperty("parked").GetInt64() == 0);

    public static async Task<JsonElement> ReconcileAsync(AppHost app, bool apply)
    {
        using var admin = await app.ClientFor(AppHost.Administrator);
        using var response = await admin.PostAsync($"/api/admin/reconcile?apply={(apply ? "true" : "false")}", null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<IReadOnlyList<string>> CaseloadAsync(AppHost app)
    {
        using var supervisor = await app.ClientFor(AppHost.Supervisor);
        var caseload = await supervisor.GetFromJsonAsync<JsonElement>($"/api/mentors/{AppHost.Mentor}/caseload");
        return [.. caseload.GetProperty("activeCases").EnumerateArray().Select(c => c.GetString()!)];
    }

    public static async Task<IReadOnlyList<(string Case, string Kind)>> NoticesAsync(AppHost app, string userId)
    {
        using var client = await app.ClientFor(userId);
        var notices = await client.GetFromJsonAsync<JsonElement>("/api/me/notices");
        return [.. notices.EnumerateArray().Select(n => (n.GetProperty("caseNumber").GetString()!, n.GetProperty("kind").GetString()!))];
    }
}

/// <summary>Waiting for a pushed event that matches.</summary>
internal static class LiveEvents
{
    public static async Task<JsonElement> UntilAsync(LiveClient client, Func<JsonElement, bool> match)
    {
        while (true)
        {
            var e = await client.NextEventAsync();
            if (match(e))
            {
                return e;
            }
        }
    }
}
