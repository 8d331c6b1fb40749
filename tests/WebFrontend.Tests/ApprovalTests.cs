using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// Closure and reopening approval over HTTP with real SignalR clients: a caseworker asks, the region's supervisor is
/// told live and finds the case in the "waiting for approval" list, approves or declines; a caseworker cannot close or
/// reopen directly; each step is on the timeline exactly once; notes.
/// </summary>
[Collection(AppCollection.Name)]
[Trait("Category", "Quick")]
public sealed class ApprovalTests(AppFixture fx)
{
    private AppHost App => fx.App;

    private static Dictionary<string, object?> Cmd(object? fields = null)
    {
        var body = new Dictionary<string, object?> { ["commandId"] = Guid.NewGuid().ToString() };
        foreach (var p in fields?.GetType().GetProperties() ?? [])
        {
            body[p.Name] = p.GetValue(fields);
        }

        return body;
    }

    private static async Task<JsonElement> NextOfTypeAsync(LiveClient client, string caseNumber, string type)
    {
        while (true)
        {
            var e = await client.NextEventAsync();
            if (e.GetProperty("caseNumber").GetString() == caseNumber && e.GetProperty("type").GetString() == type)
            {
                return e;
            }
        }
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body, AppHost.Json);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static async Task<string[]> PendingAsync(HttpClient supervisor, string kind)
    {
        var page = await supervisor.GetFromJsonAsync<JsonElement>($"/api/cases?pending={kind}&pageSize=200", AppHost.Json);
        return [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("caseNumber").GetString()!)];
    }

    [Fact]
    public async Task ACaseworkerAsksToClose_TheSupervisorIsToldLive_AndApproves_ThenAReopeningIsDeclinedWithAReason()
    {
        var number = await fx.OpenCaseAsync();
        using var supervisor = await App.ClientFor(AppHost.Supervisor);
        await using var supervisorLive = await LiveClient.ConnectAsync(App, AppHost.Supervisor);
        // The caseworker does not follow the case: they are still told how their requests were settled.
        await using var caseworkerLive = await LiveClient.ConnectAsync(App, AppHost.Caseworker);
        // A supervisor of the case's kecamatan only may decide it too, and is told as well.
        await App.CreateUser("supervisor.bumiaji", Domain.Access.Role.Supervisor, "35.79.02");
        await using var kecamatanLive = await LiveClient.ConnectAsync(App, "supervisor.bumiaji");

        // A caseworker may not close directly any more: it asks.
        var direct = await PostAsync(App.Client, $"/api/cases/{number}/close", Cmd(new { reason = "Moved" }));
        Assert.Equal(HttpStatusCode.Forbidden, direct.Status);
        Assert.Equal("access.forbidden", direct.Body.GetProperty("code").GetString());

        await App.PostOk($"/api/cases/{number}/closure-request", Cmd(new { reason = "Moved", note = "Pindah ke Malang" }));
        var pushed = await NextOfTypeAsync(supervisorLive, number, "ClosureRequested");
        Assert.Equal(pushed.GetProperty("seq").GetInt64(), (await NextOfTypeAsync(kecamatanLive, number, "ClosureRequested")).GetProperty("seq").GetInt64());
        Assert.Equal("petugas", pushed.GetProperty("actorId").GetString());
        Assert.Contains(number, await PendingAsync(supervisor, "Closure"));
        var view = await App.GetOk($"/api/cases/{number}");
        Assert.Equal("Open", view.GetProperty("status").GetString());
        Assert.Equal("Closure", view.GetProperty("pendingApproval").GetProperty("kind").GetString());
        Assert.Equal("Moved", view.GetProperty("pendingApproval").GetProperty("closeReason").GetString());
        Assert.Equal("petugas", view.GetProperty("pendingApproval").GetProperty("requestedBy").GetString());

        // Asked twice: refused, nothing changes; the caseworker may not decide its own request.
        var twice = await PostAsync(App.Client, $"/api/cases/{number}/closure-request", Cmd(new { reason = "Moved" }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, twice.Status);
        Assert.Equal("approval.already_pending", twice.Body.GetProperty("code").GetString());
        var self = await PostAsync(App.Client, $"/api/cases/{number}/closure-request/approve", Cmd());
        Assert.Equal(HttpStatusCode.Forbidden, self.Status);

        var approved = await PostAsync(supervisor, $"/api/cases/{number}/closure-request/approve", Cmd());
        Assert.Equal(HttpStatusCode.OK, approved.Status);
        Assert.Equal("supervisor", (await NextOfTypeAsync(caseworkerLive, number, "CaseClosed")).GetProperty("actorId").GetString());
        view = await App.GetOk($"/api/cases/{number}");
        Assert.Equal("Closed", view.GetProperty("status").GetString());
        Assert.Equal("Moved", view.GetProperty("closeReason").GetString());
        Assert.Equal(JsonValueKind.Null, view.GetProperty("pendingApproval").ValueKind);
        Assert.DoesNotContain(number, await PendingAsync(supervisor, "Closure"));

        // Reopening: asked by the caseworker, declined by the supervisor with a reason (a decline without one is refused).
        var reopenDirect = await PostAsync(App.Client, $"/api/cases/{number}/reopen", Cmd(new { reason = "kembali" }));
        Assert.Equal(HttpStatusCode.Forbidden, reopenDirect.Status);
        await App.PostOk($"/api/cases/{number}/reopening-request", Cmd(new { reason = "Kembali ke Batu" }));
        await NextOfTypeAsync(supervisorLive, number, "ReopeningRequested");
        Assert.Contains(number, await PendingAsync(supervisor, "Reopening"));
        var bare = await PostAsync(supervisor, $"/api/cases/{number}/reopening-request/decline", Cmd());
        Assert.Equal(HttpStatusCode.BadRequest, bare.Status);
        Assert.Equal("input.required", bare.Body.GetProperty("code").GetString());
        await PostAsync(supervisor, $"/api/cases/{number}/reopening-request/decline", Cmd(new { reason = "Sudah dilayani program kabupaten" }));
        var declined = await NextOfTypeAsync(caseworkerLive, number, "ReopeningRequestDeclined");
        Assert.Equal("Sudah dilayani program kabupaten", declined.GetProperty("payload").GetProperty("reason").GetString());
        view = await App.GetOk($"/api/cases/{number}");
        Assert.Equal("Closed", view.GetProperty("status").GetString());
        Assert.DoesNotContain(number, await PendingAsync(supervisor, "Reopening"));
        var none = await PostAsync(supervisor, $"/api/cases/{number}/reopening-request/approve", Cmd());
        Assert.Equal("approval.none_pending", none.Body.GetProperty("code").GetString());

        // A note is taken on the closed case; the timeline holds each step once, by whom it was done.
        await App.PostOk($"/api/cases/{number}/notes", Cmd(new { text = "Ditelepon: sudah bekerja di Malang" }));
        var timeline = await App.GetOk($"/api/cases/{number}/timeline?limit=1000");
        var steps = timeline.EnumerateArray().Select(e => (Type: e.GetProperty("type").GetString(), Actor: e.GetProperty("actorId").GetString())).ToList();
        Assert.Equal(
            [("ClosureRequested", "petugas"), ("CaseClosed", "supervisor"), ("ReopeningRequested", "petugas"), ("ReopeningRequestDeclined", "supervisor"), ("NoteAdded", "petugas")],
            steps.Skip(1));
        var verify = await App.GetOk($"/api/cases/{number}/verify");
        Assert.True(verify.GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task AnApprovedReopening_OpensTheCaseAgain_AndTheSupervisorMayStillCloseDirectly()
    {
        var number = await fx.OpenCaseAsync();
        using var supervisor = await App.ClientFor(AppHost.Supervisor);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(supervisor, $"/api/cases/{number}/close", Cmd(new { reason = "Duplicate", note = "ganda" }))).Status);

        await App.PostOk($"/api/cases/{number}/reopening-request", Cmd(new { reason = "Bukan kasus ganda" }));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(supervisor, $"/api/cases/{number}/reopening-request/approve", Cmd())).Status);

        var view = await App.GetOk($"/api/cases/{number}");
        Assert.Equal("Open", view.GetProperty("status").GetString());
        var timeline = await App.GetOk($"/api/cases/{number}/timeline?limit=1000");
        var reopened = timeline.EnumerateArray().Last();
        Assert.Equal("CaseReopened", reopened.GetProperty("type").GetString());
        Assert.Equal("Bukan kasus ganda", reopened.GetProperty("payload").GetProperty("reason").GetString());
    }
}
