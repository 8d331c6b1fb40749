using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace CaseGrains.Silo.Tests;

/// <summary>
/// Every kind of stored state reads back in a new process (issue 15, deliverable 0a): one process writes accounts, a
/// mentor's profile and caseload, catalog offers and their rosters, the beneficiary registry and case numbers, cases, a
/// field problem and an import; it is killed; a new process on the same SQLite file, or new silo and frontend processes
/// on the same PostgreSQL database, answer every read with 200 and the same content, and go on from where the first
/// left off (the next case number, the duplicate check, the NIK reveal, the mentor's capacity).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class StateReadBackTests(PostgresServer server, ITestOutputHelper output)
{
    private const string Admin = "admin.state";
    private const string Password = "correct horse battery staple";

    [Fact]
    public async Task EveryKindOfState_WrittenByOneEmbeddedAppProcess_ReadsTheSameInTheNextOnTheSameSqliteFile()
    {
        var data = Path.Combine(Path.GetTempPath(), "casegrains-readback-" + Guid.NewGuid().ToString("N"));
        try
        {
            Dictionary<string, string> before;
            Written written;
            await using (var first = await Node.StartEmbeddedAppAsync(data, "app (first process)", "--create-admin", Admin))
            {
                var scenario = await Scenario.SignInAsync(first, await first.AdminPasswordAsync());
                written = await scenario.WriteEveryKindAsync();
                before = await scenario.ReadEveryKindAsync(written);
                await first.KillAsync();
            }

            await using var second = await Node.StartEmbeddedAppAsync(data, "app (second process)");
            var again = await Scenario.SignInAsync(second, null);
            await AssertSameAndGoingOnAsync(before, again, written);
        }
        finally
        {
            Node.DeleteData(data);
        }
    }

    [Fact]
    public async Task EveryKindOfState_WrittenThroughOneSiloAndFrontend_ReadsTheSameThroughNewOnesOnTheSamePostgresDatabase()
    {
        await using var cluster = await TestCluster.StartAsync(server, silos: 1);
        Dictionary<string, string> before;
        Written written;
        await using (var frontend = await Node.StartFrontendAsync(cluster.Spec, "frontend (first)", "--create-admin", Admin))
        {
            var scenario = await Scenario.SignInAsync(frontend, await frontend.AdminPasswordAsync());
            written = await scenario.WriteEveryKindAsync();
            before = await scenario.ReadEveryKindAsync(written);
            await frontend.KillAsync();
        }

        await cluster.Nodes[0].KillAsync();
        await cluster.AddSiloAsync();
        await using var next = await Node.StartFrontendAsync(cluster.Spec, "frontend (second)");
        var again = await Scenario.SignInAsync(next, null);
        await AssertSameAndGoingOnAsync(before, again, written);
    }

    private async Task AssertSameAndGoingOnAsync(Dictionary<string, string> before, Scenario again, Written written)
    {
        var after = await again.ReadEveryKindAsync(written);
        foreach (var (path, body) in before)
        {
            output.WriteLine($"{path}: {body.Length} bytes");
            Assert.True(after[path] == body, $"{path} differs after the restart:\nbefore {body}\nafter  {after[path]}");
        }

        // It goes on from where it was: the next intake takes the next number; the person's registry entry still knows
        // their open case and keeps the encrypted NIK; the mentor's caseload still counts against the capacity.
        var third = await again.OpenAsync("3579015506900003");
        Assert.Equal("3579-000004", third); // 1 and 2 by hand, 3 by the import
        var duplicate = await again.CaseworkerClient.PostAsJsonAsync("/api/cases", Scenario.Intake("3579015506900001"));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Contains(written.FirstCase, await duplicate.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var reveal = await again.CaseworkerClient.PostAsJsonAsync($"/api/cases/{written.FirstCase}/nik/reveal", new { purpose = "uji pemulihan" });
        Assert.Equal("3579015506900001", (await reveal.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("nik").GetString());
        var full = await again.CaseworkerClient.PostAsJsonAsync($"/api/cases/{third}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId = Scenario.Mentor });
        Assert.Equal("mentor.at_capacity", (await full.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        // A note sent again whose first answer is older than the case's snapshot: the first answer, nothing appended.
        var timeline = before[$"/api/cases/{written.FirstCase}/timeline"];
        var noteAgain = await again.CaseworkerClient.PostAsJsonAsync($"/api/cases/{written.FirstCase}/notes", new { commandId = written.EarlyNote, text = "Catatan kunjungan 2" });
        Assert.Equal(HttpStatusCode.OK, noteAgain.StatusCode);
        Assert.Equal("true", noteAgain.Headers.GetValues("Idempotent-Replayed").Single());
        var verified = await again.CaseworkerClient.GetFromJsonAsync<JsonElement>($"/api/cases/{written.FirstCase}/verify");
        Assert.True(verified.GetProperty("valid").GetBoolean(), verified.ToString());
        Assert.Equal(JsonDocument.Parse(timeline).RootElement.GetArrayLength(), verified.GetProperty("eventsChecked").GetInt32());
    }

    /// <summary>What the first process wrote; <c>EarlyNote</c> is the id of a note the first case took before its latest snapshot (one every 10 events).</summary>
    private sealed record Written(string FirstCase, string SecondCase, string ImportId, string EarlyNote);

    /// <summary>The writes and reads of every kind of state, over HTTP, as the roles that may make them.</summary>
    private sealed class Scenario
    {
        public const string Caseworker = "petugas.state";
        public const string Supervisor = "supervisor.state";
        public const string Mentor = "mentor.state";
        public const string Analyst = "analis.state";
        private const string Course = "kursus-state";
        private const string Lender = "kur-state";

        private Scenario(Node node, HttpClient admin, HttpClient caseworker, HttpClient supervisor, HttpClient analyst)
        {
            Node = node;
            AdminClient = admin;
            CaseworkerClient = caseworker;
            SupervisorClient = supervisor;
            AnalystClient = analyst;
        }

        public Node Node { get; }

        public HttpClient AdminClient { get; }

        public HttpClient CaseworkerClient { get; }

        public HttpClient SupervisorClient { get; }

        public HttpClient AnalystClient { get; }

        /// <summary>Signs every role in; with an admin password, first creates the other accounts (a fresh installation).</summary>
        public static async Task<Scenario> SignInAsync(Node node, string? adminPassword)
        {
            var admin = await node.ClientForAsync(Admin, adminPassword ?? Password);
            if (adminPassword is not null)
            {
                // The admin's own password is set again so the second process can sign in with a known one.
                foreach (var (id, role, regions) in new[]
                {
                    (Caseworker, "Caseworker", new[] { "35.79" }), (Supervisor, "Supervisor", ["35.79"]), (Mentor, "Mentor", []), (Analyst, "MinistryAnalyst", []),
                })
                {
                    await Ok(admin.PutAsJsonAsync($"/api/users/{id}", new { displayName = "Akun " + id, role, regions, password = Password }));
                }

                await Ok(admin.PutAsJsonAsync($"/api/users/{Admin}", new { password = Password }));
                admin.Dispose();
                admin = await node.ClientForAsync(Admin, Password);
            }

            return new Scenario(node, admin, await node.ClientForAsync(Caseworker, Password), await node.ClientForAsync(Supervisor, Password),
                await node.ClientForAsync(Analyst, Password));
        }

        public static object Intake(string nik) => new
        {
            commandId = Guid.NewGuid().ToString(), nik, fullName = "Warga Pemulihan " + nik[^2..], regionCode = "35.79.01.1001", segment = "Umkm", consentGiven = true,
        };

        public async Task<string> OpenAsync(string nik) =>
            (await Ok(CaseworkerClient.PostAsJsonAsync("/api/cases", Intake(nik)), HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;

        public async Task<Written> WriteEveryKindAsync()
        {
            // Mentor profile (capacity one), two catalog offers (a course with one place, a financing product).
            await Ok(AdminClient.PutAsJsonAsync($"/api/mentors/{Mentor}/profile", new { sectors = new[] { "Kuliner" }, regions = new[] { "35.79" }, capacity = 1 }));
            await Ok(AdminClient.PutAsJsonAsync($"/api/offers/{Course}", new
            {
                name = "Kursus Foto Produk", type = "Training", category = "Fotografi Produk", provider = "Dinas Koperasi Kota Batu", level = "KabKota",
                segments = new[] { "Umkm" }, regions = new[] { "35.79" }, start = "2026-01-01", end = "2030-12-31", capacity = 1, attendanceThresholdPercent = 75,
            }));
            await Ok(AdminClient.PutAsJsonAsync($"/api/offers/{Lender}", new
            {
                name = "KUR Mikro Uji", type = "FinancingProduct", category = "Modal Kerja", provider = "Bank Uji", level = "Partner", partnerRole = "Business",
                segments = new[] { "Umkm" }, regions = new[] { "35" }, start = "2026-01-01", end = "2030-12-31", capacity = 100,
                minAmountIdr = 1_000_000, maxAmountIdr = 50_000_000, eligibleClasses = new[] { "Micro", "Small" }, sectors = new[] { "Kuliner" },
            }));

            // Two cases (registry entries, case numbers): the first with the mentor and the course's place, the second waiting.
            var first = await OpenAsync("3579015506900001");
            var second = await OpenAsync("3579015506900002");
            await Command(first, "/mentor", new { mentorId = Mentor });
            foreach (var n in new[] { first, second })
            {
                await Command(n, "/stages/intake/complete", new { });
                await Command(n, "/stages/assessment/start", new { });
                await Command(n, "/assessment", new { sector = "Kuliner", annualTurnoverIdr = 300_000_000, businessCapitalIdr = 50_000_000, workers = 2, needs = new[] { "Fotografi Produk" } });
                await Command(n, "/stages/assessment/complete", new { });
                await Command(n, "/stages/training/start", new { });
                await Command(n, "/enrolments", new { offerId = Course });
            }

            // The first case past snapshots (the next process starts it from the latest): 30 notes, the third one's id kept.
            var early = "";
            for (var i = 0; i < 30; i++)
            {
                var id = Guid.NewGuid().ToString();
                early = i == 2 ? id : early;
                await Ok(CaseworkerClient.PostAsJsonAsync($"/api/cases/{first}/notes", new { commandId = id, text = $"Catatan kunjungan {i}" }));
            }

            // A field problem and an import of two rows.
            await Ok(CaseworkerClient.PostAsJsonAsync("/api/problems", new
            {
                regionCode = "35.79.01", sector = "Kuliner", category = "Sertifikasi Halal", description = "Belum ada pendamping halal", reporter = "Kelompok Uji", reporterKind = "Community",
            }), HttpStatusCode.Created);
            using var csv = new StringContent("nik,full_name,region_code,segment,consent,nib\n3579014306900004,Warga Impor,35.79.01.1001,Koperasi,ya,\n1234,Nomor Salah,35.79.01,Umkm,ya,\n",
                Encoding.UTF8, "text/csv");
            var import = (await Ok(CaseworkerClient.PostAsync("/api/cases/import", csv), HttpStatusCode.Accepted)).GetProperty("importId").GetString()!;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!(await Ok(CaseworkerClient.GetAsync($"/api/imports/{import}"))).GetProperty("progress").GetProperty("done").GetBoolean())
            {
                Assert.True(DateTime.UtcNow < deadline, "the import did not finish");
                await Task.Delay(100);
            }

            return new Written(first, second, import, early);
        }

        /// <summary>Every read that shows stored state, as the role that may read it: path → body.</summary>
        public async Task<Dictionary<string, string>> ReadEveryKindAsync(Written w)
        {
            var reads = new (HttpClient Client, string Path)[]
            {
                (AdminClient, "/api/users"), (AdminClient, $"/api/users/{Mentor}"), (AdminClient, $"/api/users/{Caseworker}"),
                (SupervisorClient, $"/api/mentors/{Mentor}/caseload"), (SupervisorClient, "/api/mentors?region=35.79"),
                (AdminClient, "/api/offers?region=35.79"), (AdminClient, $"/api/offers/{Course}"), (AdminClient, $"/api/offers/{Lender}"),
                (AnalystClient, "/api/catalog/redundancy?region=35.79"), (AnalystClient, "/api/financing/totals?region=35.79"),
                (CaseworkerClient, $"/api/cases/{w.FirstCase}"), (CaseworkerClient, $"/api/cases/{w.SecondCase}"), (CaseworkerClient, "/api/cases?region=35.79"),
                (CaseworkerClient, $"/api/cases/{w.FirstCase}/timeline"), (CaseworkerClient, $"/api/cases/{w.FirstCase}/candidates?kind=Financing&amountIdr=10000000"),
                (CaseworkerClient, "/api/problems?region=35.79"), (AnalystClient, "/api/problems/summary?region=35.79"),
                (CaseworkerClient, $"/api/imports/{w.ImportId}"), (AnalystClient, "/api/dashboard?region=35.79"),
            };
            var bodies = new Dictionary<string, string>();
            foreach (var (client, path) in reads)
            {
                using var response = await client.GetAsync(path);
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{Node.Name}: GET {path} → {(int)response.StatusCode} {body}\n{Node.Log}");
                bodies[path] = body;
            }

            return bodies;
        }

        private Task<JsonElement> Command(string caseNumber, string suffix, object body)
        {
            var json = JsonSerializer.SerializeToElement(body);
            var withId = new Dictionary<string, JsonElement>(json.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value)))
            {
                ["commandId"] = JsonSerializer.SerializeToElement(Guid.NewGuid().ToString()),
            };
            return Ok(CaseworkerClient.PostAsJsonAsync($"/api/cases/{caseNumber}{suffix}", withId));
        }

        private static async Task<JsonElement> Ok(Task<HttpResponseMessage> request, HttpStatusCode expected = HttpStatusCode.OK)
        {
            using var response = await request;
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} → {(int)response.StatusCode}: {text}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }
    }
}
