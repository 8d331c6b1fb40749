using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// The process dies between a commit and its consequences, or between a reservation and its append (issue 15,
/// deliverable 1): the embedded app as a real process, ended by fault injection at exactly that point, then started
/// again on the same SQLite file. The consequences run from the timeline after the restart, the reservation is given
/// back after its lease, and the reconciliation finds zero drift.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ConsequenceRecoveryTests
{
    private const string Admin = "admin.pulih";
    private const string Password = "correct horse battery staple";

    [Fact]
    public async Task AProcessKilledAfterACommit_RunsItsConsequencesAfterTheRestart_AndAReservationWithoutItsAppendIsGivenBack()
    {
        var data = Path.Combine(Path.GetTempPath(), "casegrains-recovery-" + Guid.NewGuid().ToString("N"));
        string[] quick = ["--CaseGrains:Consequences:SweepEvery=00:00:00.2", "--CaseGrains:Consequences:ReservationLease=00:00:02"];
        try
        {
            string first, second;
            await using (var app = await Node.StartEmbeddedAppAsync(data, "app (dies after its 3rd commit)",
                ["--create-admin", Admin, "--CaseGrains:Faults:Enabled=true", "--CaseGrains:Faults:ExitAfterCommits=3", .. quick]))
            {
                var admin = await app.ClientForAsync(Admin, await app.AdminPasswordAsync());
                foreach (var (id, role, regions) in new[] { ("petugas.pulih", "Caseworker", new[] { "35.79" }), ("pendamping.pulih", "Mentor", []) })
                {
                    await Ok(admin.PutAsJsonAsync($"/api/users/{id}", new { displayName = id, role, regions, password = Password }));
                }

                // A known password for the restarts (setting it ends this session: sign in again).
                await Ok(admin.PutAsJsonAsync($"/api/users/{Admin}", new { password = Password }));

                admin = await app.ClientForAsync(Admin, Password);
                await Ok(admin.PutAsJsonAsync("/api/mentors/pendamping.pulih/profile", new { sectors = new[] { "Kuliner" }, regions = new[] { "35.79" }, capacity = 2 }));
                var caseworker = await app.ClientForAsync("petugas.pulih", Password);
                first = await OpenAsync(caseworker, "3579015207900011");   // commit 1
                second = await OpenAsync(caseworker, "3579015207900012");  // commit 2
                // Commit 3: the assignment is durable, then the process ends before its consequences (the caseload) run.
                await Assert.ThrowsAnyAsync<HttpRequestException>(() => caseworker.PostAsJsonAsync($"/api/cases/{first}/mentor",
                    new { commandId = Guid.NewGuid().ToString(), mentorId = "pendamping.pulih" }));
                await WaitExitedAsync(app);
            }

            await using (var app = await Node.StartEmbeddedAppAsync(data, "app (restarted; dies before its 1st append)",
                ["--CaseGrains:Faults:Enabled=true", "--CaseGrains:Faults:ExitBeforeAppends=1", .. quick]))
            {
                var admin = await app.ClientForAsync(Admin, Password);
                // The restarted app found the case behind its timeline and ran the assignment's consequences.
                var drained = await WaitDrainedAsync(admin);
                Assert.Equal([first], await CaseloadAsync(admin, app));
                Assert.Equal(0, (await ReconcileAsync(admin)).GetProperty("drift").GetInt32());

                // The mentor's second place is reserved for the second case, and the process ends before the append.
                var caseworker = await app.ClientForAsync("petugas.pulih", Password);
                await Assert.ThrowsAnyAsync<HttpRequestException>(() => caseworker.PostAsJsonAsync($"/api/cases/{second}/mentor",
                    new { commandId = Guid.NewGuid().ToString(), mentorId = "pendamping.pulih" }));
                await WaitExitedAsync(app);
                Assert.Equal(0, drained.GetProperty("parked").GetInt64());
            }

            await using (var app = await Node.StartEmbeddedAppAsync(data, "app (restarted again)", quick))
            {
                var admin = await app.ClientForAsync(Admin, Password);
                var caseworker = await app.ClientForAsync("petugas.pulih", Password);
                var third = await OpenAsync(caseworker, "3579015207900013");
                // The dead reservation still holds the place at first; after its lease the mentor asks the case, which never
                // had the mentor, and the place is free again.
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (true)
                {
                    using var assign = await caseworker.PostAsJsonAsync($"/api/cases/{third}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId = "pendamping.pulih" });
                    if (assign.IsSuccessStatusCode)
                    {
                        break;
                    }

                    Assert.Equal("mentor.at_capacity", (await assign.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
                    Assert.True(DateTime.UtcNow < deadline, "the reservation of the append that never happened was not given back");
                    await Task.Delay(250);
                }

                await WaitDrainedAsync(admin);
                Assert.Equal([first, third], await CaseloadAsync(admin, app));
                var report = await ReconcileAsync(admin);
                Assert.True(report.GetProperty("drift").GetInt32() == 0, report.ToString());
            }

            // The same check as a command, with the app stopped (README: `-- reconcile`): exit 0, zero drift.
            var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { Repo.Built("WebFrontend", "CaseGrains.WebFrontend.dll"), "reconcile", $"--CaseGrains:DataDirectory={data}", $"--CaseGrains:ServiceId=cg-app-{Path.GetFileName(data)}",
                $"--CaseGrains:SiloPort={Ports.Free()}", $"--CaseGrains:GatewayPort={Ports.Free()}", "--Logging:LogLevel:Default=Warning" })
            {
                info.ArgumentList.Add(a);
            }

            using var command = System.Diagnostics.Process.Start(info)!;
            var printed = await command.StandardOutput.ReadToEndAsync();
            await command.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(command.ExitCode == 0, $"reconcile exited {command.ExitCode}: {printed} {await command.StandardError.ReadToEndAsync()}");
            Assert.Contains("\"Drift\": 0", printed, StringComparison.Ordinal);
            Assert.Contains("\"CasesRead\": 3", printed, StringComparison.Ordinal);
        }
        finally
        {
            Node.DeleteData(data);
        }
    }

    private static async Task<string> OpenAsync(HttpClient caseworker, string nik) =>
        (await Ok(caseworker.PostAsJsonAsync("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(), nik, fullName = "Warga Pulih", regionCode = "35.79.01.1001", segment = "Umkm", consentGiven = true,
        }), HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;

    private static async Task WaitExitedAsync(Node app)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!app.HasExited)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{app.Name} did not stop at the injected fault");
            await Task.Delay(100);
        }
    }

    private static async Task<JsonElement> WaitDrainedAsync(HttpClient admin)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var backlog = await admin.GetFromJsonAsync<JsonElement>("/api/admin/consequences");
            if (backlog.GetProperty("casesBehind").GetInt64() == 0 && backlog.GetProperty("failing").GetInt64() == 0)
            {
                return backlog;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the consequences did not catch up: {backlog}");
            await Task.Delay(100);
        }
    }

    private static async Task<IReadOnlyList<string>> CaseloadAsync(HttpClient admin, Node app)
    {
        // Admins do not read caseloads; the reconciliation compares them. Read it as a supervisor would.
        await Ok(admin.PutAsJsonAsync("/api/users/supervisor.pulih", new { displayName = "Supervisor", role = "Supervisor", regions = new[] { "35.79" }, password = Password }));
        using var supervisor = await app.ClientForAsync("supervisor.pulih", Password);
        var caseload = await supervisor.GetFromJsonAsync<JsonElement>("/api/mentors/pendamping.pulih/caseload");
        return [.. caseload.GetProperty("activeCases").EnumerateArray().Select(c => c.GetString()!)];
    }

    private static async Task<JsonElement> ReconcileAsync(HttpClient admin) => await Ok(admin.PostAsync("/api/admin/reconcile", null));

    private static async Task<JsonElement> Ok(Task<HttpResponseMessage> request, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await request;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.RequestUri} → {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
