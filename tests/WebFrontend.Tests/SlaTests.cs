using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// Stage SLAs on the embedded default (warnings near the target are off here, so each timeline is exact: NotificationTests
/// and NoticeKindTests show the warning with the clock moved): an overdue stage appends SlaBreached (pushed live like any event), then, after
/// the grace period, SlaEscalated, which also reaches the region's supervisors. The timers are durable reminders in
/// the SQLite file. Targets are seconds here (configuration), so the real reminder service fires them.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class SlaTests
{
    private static readonly Dictionary<string, string> FastSla = new()
    {
        ["CaseGrains:Sla:Targets:Intake"] = "00:00:03",
        ["CaseGrains:Sla:EscalationGrace"] = "00:00:02",
        ["CaseGrains:Sla:CheckPeriod"] = "00:00:01",
        ["CaseGrains:Sla:WarnAtPercent"] = "0",
    };

    private static async Task<string> OpenCaseAsync(AppHost app) =>
        (await app.PostOk("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(), nik = $"35790215088{Random.Shared.Next(10000, 99999)}",
            fullName = "Warga Tenggat", regionCode = "35.79.02", segment = "Koperasi", consentGiven = true,
        }, HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;

    private static async Task<JsonElement> NextOfTypeAsync(LiveClient client, string type)
    {
        while (true)
        {
            var e = await client.NextEventAsync(TimeSpan.FromSeconds(30));
            if (e.GetProperty("type").GetString() == type)
            {
                return e;
            }
        }
    }

    [Fact]
    public async Task AnOverdueStage_IsBreached_ThenEscalated_PushedToTheCaseworkerAndTheRegionsSupervisor()
    {
        await using var app = AppHost.Start(overrides: FastSla);
        try
        {
            await using var caseworker = await LiveClient.ConnectAsync(app, AppHost.Caseworker);
            await using var supervisor = await LiveClient.ConnectAsync(app, AppHost.Supervisor);
            var number = await OpenCaseAsync(app);
            await caseworker.Connection.InvokeAsync<JsonElement>("Follow", number, 0L);

            var breached = await NextOfTypeAsync(caseworker, "SlaBreached");
            var escalated = await NextOfTypeAsync(caseworker, "SlaEscalated");
            // The supervisor follows nothing: the escalation comes to them because they supervise Kota Batu.
            var toSupervisor = await NextOfTypeAsync(supervisor, "SlaEscalated");

            Assert.Equal("Intake", breached.GetProperty("payload").GetProperty("stage").GetString());
            Assert.Equal("system:sla", breached.GetProperty("actorId").GetString());
            Assert.Equal("35.79", escalated.GetProperty("payload").GetProperty("supervisorRegion").GetString());
            Assert.Equal(escalated.GetProperty("seq").GetInt64(), toSupervisor.GetProperty("seq").GetInt64());
            Assert.Equal(number, toSupervisor.GetProperty("caseNumber").GetString());

            // Exactly once each on the timeline, in order, and nothing more is scheduled for this stage.
            var timeline = await app.GetOk($"/api/cases/{number}/timeline");
            var types = timeline.EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
            Assert.Equal(["CaseOpened", "SlaBreached", "SlaEscalated"], types);

            // The supervisor's list of overdue stages has it, escalated; a case on time is not in it, and leaves it when its stage completes.
            using var supervisorClient = await app.ClientFor(AppHost.Supervisor);
            var onTime = await OpenCaseAsync(app);
            var overdue = (await supervisorClient.GetFromJsonAsync<JsonElement>("/api/cases?overdue=true")).GetProperty("items").EnumerateArray().ToList();
            Assert.Equal(number, Assert.Single(overdue).GetProperty("caseNumber").GetString());
            Assert.Equal("Escalated", overdue[0].GetProperty("sla").GetString());
            Assert.Contains((await supervisorClient.GetFromJsonAsync<JsonElement>("/api/cases?overdue=false")).GetProperty("items").EnumerateArray(),
                c => c.GetProperty("caseNumber").GetString() == onTime);
            await app.PostOk($"/api/cases/{number}/stages/intake/complete", new { commandId = Guid.NewGuid().ToString() });
            Assert.DoesNotContain((await supervisorClient.GetFromJsonAsync<JsonElement>("/api/cases?overdue=true")).GetProperty("items").EnumerateArray(),
                c => c.GetProperty("caseNumber").GetString() == number);
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    [Fact]
    public async Task CompletingTheStageInTime_StopsItsTimer_AndTheNextStageGetsItsOwn()
    {
        // Intake's 3 s deadline passes while Assessment runs toward its 6 s one.
        var settings = new Dictionary<string, string>(FastSla) { ["CaseGrains:Sla:Targets:Assessment"] = "00:00:06" };
        await using var app = AppHost.Start(overrides: settings);
        try
        {
            await using var caseworker = await LiveClient.ConnectAsync(app, AppHost.Caseworker);
            var number = await OpenCaseAsync(app);
            await caseworker.Connection.InvokeAsync<JsonElement>("Follow", number, 0L);
            await app.PostOk($"/api/cases/{number}/stages/Intake/complete", new { commandId = Guid.NewGuid().ToString() });
            await app.PostOk($"/api/cases/{number}/stages/Assessment/start", new { commandId = Guid.NewGuid().ToString() });

            var breached = await NextOfTypeAsync(caseworker, "SlaBreached");

            Assert.Equal("Assessment", breached.GetProperty("payload").GetProperty("stage").GetString());
            var opened = (await app.GetOk($"/api/cases/{number}/timeline")).EnumerateArray().First().GetProperty("occurredAt").GetDateTimeOffset();
            Assert.True(breached.GetProperty("occurredAt").GetDateTimeOffset() - opened >= TimeSpan.FromSeconds(3), "Intake's deadline had not passed yet");
            var timeline = await app.GetOk($"/api/cases/{number}/timeline");
            Assert.DoesNotContain(timeline.EnumerateArray(), e => e.GetProperty("type").GetString() == "SlaBreached"
                && e.GetProperty("payload").GetProperty("stage").GetString() == "Intake");
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    [Fact]
    public async Task TheTimer_SurvivesARestart_OfTheEmbeddedApp()
    {
        var dir = Path.Combine(Path.GetTempPath(), "casegrains-sla-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string>(FastSla) { ["CaseGrains:Sla:Targets:Intake"] = "00:00:06" };
        try
        {
            string number;
            await using (var first = AppHost.Start(dir, settings))
            {
                number = await OpenCaseAsync(first);
            }

            // Stopped before the target: only the reminder row in the SQLite file can bring the case back to life.
            var restartedAt = DateTimeOffset.UtcNow;
            await using var second = AppHost.Start(dir, settings);
            await using var caseworker = await LiveClient.ConnectAsync(second, AppHost.Caseworker);
            var missed = await caseworker.Connection.InvokeAsync<JsonElement>("Follow", number, 0L);
            var breached = missed.GetProperty("events").EnumerateArray().Where(e => e.GetProperty("type").GetString() == "SlaBreached").ToList() is { Count: > 0 } early
                ? early[0]
                : await NextOfTypeAsync(caseworker, "SlaBreached");

            Assert.True(breached.GetProperty("occurredAt").GetDateTimeOffset() >= restartedAt, "the breach was appended before the restart");
        }
        finally
        {
            AppHost.DeleteData(dir);
        }
    }
}
