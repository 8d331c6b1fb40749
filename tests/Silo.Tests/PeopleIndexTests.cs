using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace CaseGrains.Silo.Tests;

/// <summary>
/// The people index in use (issue 16, deliverable 1), on the embedded app as a user runs it (a real process on its SQLite
/// file): approvals go to the supervisors serving the case as their accounts are now, mentors are found by the regions
/// of their profiles, admins page the accounts by role and region; a database from before the index (its table empty)
/// is indexed when the next process starts.
/// </summary>
public sealed class PeopleIndexTests
{
    private const string Admin = "admin.orang";
    private const string Password = "correct horse battery staple";

    [Fact]
    public async Task LookUpsFollowAccountChanges_AndADatabaseFromBeforeTheIndexIsIndexedAtTheNextStart()
    {
        var data = Path.Combine(Path.GetTempPath(), "casegrains-people-" + Guid.NewGuid().ToString("N"));
        try
        {
            string adminPassword;
            await using (var app = await Node.StartEmbeddedAppAsync(data, "app (first process)", "--create-admin", Admin))
            {
                adminPassword = await app.AdminPasswordAsync();
                using var admin = await app.ClientForAsync(Admin, adminPassword);
                await UserAsync(admin, "sv.jatim", "Supervisor", "35");
                await UserAsync(admin, "sv.batu", "Supervisor", "35.79");
                await UserAsync(admin, "sv.malang", "Supervisor", "35.07");
                await UserAsync(admin, "cw.batu", "Caseworker", "35.79");
                await UserAsync(admin, "m.batu", "Mentor");
                await UserAsync(admin, "m.malang", "Mentor");
                await ProfileAsync(admin, "m.batu", "35.79.01");
                await ProfileAsync(admin, "m.malang", "35.07");
                using var caseworker = await app.ClientForAsync("cw.batu", Password);

                // A closure asked on a Kota Batu case: the province's and the city's supervisors are told, Malang's is not.
                var first = await ClosureAsync(caseworker, "3579011508900001");
                Assert.Equal(["sv.batu", "sv.jatim"], await ToldAsync(app, first, ["sv.batu", "sv.jatim"], "sv.malang"));

                // Accounts change: Malang's supervisor now serves Kota Batu, the province's only Malang; the next request follows.
                await UserAsync(admin, "sv.malang", "Supervisor", "35.79");
                await UserAsync(admin, "sv.jatim", "Supervisor", "35.07");

                var second = await ClosureAsync(caseworker, "3579011508900002");
                Assert.Equal(["sv.batu", "sv.malang"], await ToldAsync(app, second, ["sv.batu", "sv.malang"], "sv.jatim"));

                // Mentors by their profile's regions, and a profile moved.
                using var supervisor = await app.ClientForAsync("sv.batu", Password);
                Assert.Equal(["m.batu"], await MentorsAsync(supervisor, "35.79"));
                await ProfileAsync(admin, "m.malang", "35.79.02");
                Assert.Equal(["m.batu", "m.malang"], await MentorsAsync(supervisor, "35.79"));
                Assert.Equal(["sv.batu", "sv.malang"], await UsersAsync(admin, "role=Supervisor&region=35.79"));
                Assert.Equal(["cw.batu", "m.batu"], await UsersAsync(admin, $"limit=2&after={Admin}"));
                Assert.Equal(["m.malang", "sv.batu"], await UsersAsync(admin, "limit=2&after=m.batu"));
                using (var bad = await admin.GetAsync("/api/users?role=Raja"))
                {
                    Assert.Equal((HttpStatusCode.BadRequest, "request.unknown_value"), (bad.StatusCode, await CodeAsync(bad)));
                }

                using (var bad = await admin.GetAsync("/api/users?limit=0"))
                {
                    Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
                }

                await app.KillAsync();
            }

            // The state a database from before the index is in after its migration: accounts, an empty index. The accounts
            // are marked indexed, so only the start-up's indexing (IndexesAtStart) can bring them back.
            await using (var conn = new SqliteConnection($"Data Source={Path.Combine(data, "casegrains.db")};Pooling=False"))
            {
                await conn.OpenAsync();
                await using var empty = conn.CreateCommand();
                empty.CommandText = "DELETE FROM people";
                Assert.True(await empty.ExecuteNonQueryAsync() > 0);
            }

            await using var next = await Node.StartEmbeddedAppAsync(data, "app (next process)");
            using var supervisorAgain = await next.ClientForAsync("sv.batu", Password);
            // Built in the background after the start: asked again for a while.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await MentorsAsync(supervisorAgain, "35.79")).Count < 2 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }

            Assert.Equal(["m.batu", "m.malang"], await MentorsAsync(supervisorAgain, "35.79"));
            using var adminAgain = await next.ClientForAsync(Admin, adminPassword);
            // Admins manage mentors' profiles: they see the same list (it was empty for them before the index).
            Assert.Equal(["m.batu", "m.malang"], await MentorsAsync(adminAgain, "35.79"));
            Assert.Equal(["sv.batu", "sv.malang"], await UsersAsync(adminAgain, "role=Supervisor&region=35.79"));
        }
        finally
        {
            Node.DeleteData(data);
        }
    }

    private static async Task UserAsync(HttpClient admin, string id, string role, params string[] regions)
    {
        using var response = await admin.PutAsJsonAsync($"/api/users/{id}", new { displayName = id, role, regions, password = Password });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private static async Task ProfileAsync(HttpClient admin, string mentor, string region)
    {
        using var response = await admin.PutAsJsonAsync($"/api/mentors/{mentor}/profile", new { sectors = new[] { "Kuliner" }, regions = new[] { region }, capacity = 10 });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Opens a case in Kota Batu and asks for its closure; the case number.</summary>
    private static async Task<string> ClosureAsync(HttpClient caseworker, string nik)
    {
        using var opened = await caseworker.PostAsJsonAsync("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(), nik, fullName = "Warga Orang", regionCode = "35.79.01", segment = "Umkm", consentGiven = true,
        });
        Assert.True(opened.IsSuccessStatusCode, await opened.Content.ReadAsStringAsync());
        var number = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("caseNumber").GetString()!;
        using var asked = await caseworker.PostAsJsonAsync($"/api/cases/{number}/closure-request", new { commandId = Guid.NewGuid().ToString(), reason = "Moved" });
        Assert.True(asked.IsSuccessStatusCode, await asked.Content.ReadAsStringAsync());
        return number;
    }

    /// <summary>
    /// Which of the supervisors hold an approval notice of the case: <paramref name="expected"/> are waited for (the Notices
    /// consequence runs after the commit); the notices of one event are written together, so <paramref name="others"/> are
    /// then read once.
    /// </summary>
    private static async Task<List<string>> ToldAsync(Node app, string caseNumber, string[] expected, params string[] others)
    {
        var told = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        foreach (var supervisor in expected.Concat(others))
        {
            using var client = await app.ClientForAsync(supervisor, Password);
            while (true)
            {
                var notices = await client.GetFromJsonAsync<JsonElement>("/api/me/notices");
                if (notices.EnumerateArray().Any(n => n.GetProperty("caseNumber").GetString() == caseNumber && n.GetProperty("kind").GetString() == "approval-requested"))
                {
                    told.Add(supervisor);
                    break;
                }

                if (!expected.Contains(supervisor) || DateTime.UtcNow > deadline)
                {
                    break;
                }

                await Task.Delay(200);
            }
        }

        return [.. told.Order(StringComparer.Ordinal)];
    }

    private static async Task<List<string>> MentorsAsync(HttpClient client, string region) =>
        [.. (await client.GetFromJsonAsync<JsonElement>($"/api/mentors?region={region}")).EnumerateArray().Select(m => m.GetProperty("mentorId").GetString()!).Order(StringComparer.Ordinal)];

    private static async Task<List<string>> UsersAsync(HttpClient admin, string query) =>
        [.. (await admin.GetFromJsonAsync<JsonElement>($"/api/users?{query}")).EnumerateArray().Select(u => u.GetProperty("userId").GetString()!).Where(id => id != Admin)];

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();
}
