using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CaseGrains.Silo.Tests;

/// <summary>
/// The read audit is group-committed (issue 16, deliverable 4): the audit rows of reads arriving together share one
/// commit, and a read is answered only after its rows are committed. The guarantee tested here: after <c>kill -9</c>,
/// every read that was answered is in the case's access log of the next process, once.
/// </summary>
public sealed class ReadAuditTests
{
    private const string Password = "correct horse battery staple";

    [Fact]
    public async Task EveryAnsweredRead_IsInTheAccessLogOnce_AfterTheProcessIsKilledRightAfterTheAnswers()
    {
        var data = Path.Combine(Path.GetTempPath(), "casegrains-audit-" + Guid.NewGuid().ToString("N"));
        const int reads = 150;
        try
        {
            string number;
            await using (var first = await Node.StartEmbeddedAppAsync(data, "app (first process)", "--create-admin", "admin.audit",
                "--CaseGrains:Auth:RequestsPerMinute=100000"))
            {
                using var admin = await first.ClientForAsync("admin.audit", await first.AdminPasswordAsync());
                foreach (var (id, role) in new[] { ("petugas.audit", "Caseworker"), ("supervisor.audit", "Supervisor") })
                {
                    (await admin.PutAsJsonAsync($"/api/users/{id}", new { displayName = id, role, regions = new[] { "35.79" }, password = Password })).EnsureSuccessStatusCode();
                }

                using var caseworker = await first.ClientForAsync("petugas.audit", Password);
                using var opened = await caseworker.PostAsJsonAsync("/api/cases", new
                {
                    commandId = Guid.NewGuid().ToString(), nik = "3579015506900011", fullName = "Warga Audit", regionCode = "35.79.01.1001", segment = "Umkm", consentGiven = true,
                });
                Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
                number = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("caseNumber").GetString()!;

                // All at once, so their audit rows share commits; killed as soon as the last answer is in.
                var answers = await Task.WhenAll(Enumerable.Range(0, reads).Select(_ => caseworker.GetAsync($"/api/cases/{number}")));
                Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
                await first.KillAsync();
                foreach (var a in answers)
                {
                    a.Dispose();
                }
            }

            await using var second = await Node.StartEmbeddedAppAsync(data, "app (second process)");
            using var supervisor = await second.ClientForAsync("supervisor.audit", Password);
            var log = await supervisor.GetFromJsonAsync<JsonElement>($"/api/cases/{number}/access-log?limit=500");
            var readsLogged = log.EnumerateArray().Count(e => e.GetProperty("userId").GetString() == "petugas.audit" && e.GetProperty("action").GetString() == "read-case");
            Assert.Equal(reads, readsLogged);
        }
        finally
        {
            Node.DeleteData(data);
        }
    }
}
