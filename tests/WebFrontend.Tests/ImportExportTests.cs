using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// Bulk import of beneficiaries (issue 8, deliverable 5): the sample file plus bad rows; each bad row rejected with its
/// reason and nothing opened for it; progress pushed live to the importing user; re-running changes nothing; a row for a
/// person with an open case records the consent it adds. Export: the caller's scope only, NIK masked, formula-safe
/// (issue 21, deliverable 5: every cell, read back as a spreadsheet reads it).
/// </summary>
public sealed class ImportExportTests
{
    private static string RepoFile(params string[] parts) => Path.Combine([Repo.Root(), .. parts]);

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostCsv(HttpClient client, string csv)
    {
        using var content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using var response = await client.PostAsync("/api/cases/import", content);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task ImportingAFileWithGoodAndBadRows_OpensTheGoodOnes_RejectsEachBadOneWithItsReason_PushesProgress_AndReRunsSafely()
    {
        await using var app = AppHost.Start();
        try
        {
            var sample = await File.ReadAllTextAsync(RepoFile("samples", "beneficiaries-kota-batu.csv"));
            var csv = sample
                + "3579011508900001,Warga Tambahan,35.79.01.1001,Umkm,ya,\n"           // a valid extra row: opened
                + "1234,Nomor Pendek,35.79.01.1001,Umkm,ya,\n"                           // bad NIK
                + "3579011608900002,Warga Segmen,35.79.01.1001,Petani,ya,\n"              // unknown segment
                + "3579011708900003,Warga Malang,35.07.01,Umkm,ya,\n"                     // outside the caseworker's region
                + "3579011808900004,,35.79.01.1001,Umkm,ya,\n"                            // no name
                + "3579011908900005,Warga Kolom,35.79.01.1001,Umkm\n"                     // too few columns
                + "3579012008900006,Warga Setuju,35.79.01.1001,Umkm,mungkin,\n";          // consent neither ya nor tidak
            await using var live = await LiveClient.ConnectAsync(app, AppHost.Caseworker);
            var progress = Channel.CreateUnbounded<JsonElement>();
            live.Connection.On<JsonElement>("ImportProgress", p => progress.Writer.TryWrite(p));

            var (status, started) = await PostCsv(app.Client, csv);
            Assert.Equal(HttpStatusCode.Accepted, status);
            Assert.Equal(27, started.GetProperty("total").GetInt32());
            var id = started.GetProperty("importId").GetString()!;
            var last = await UntilDone(progress);

            Assert.Equal((27, 21, 0, 6), (last.GetProperty("processed").GetInt32(), last.GetProperty("created").GetInt32(),
                last.GetProperty("updated").GetInt32(), last.GetProperty("rejected").GetInt32()));
            var report = await app.GetOk($"/api/imports/{id}");
            var rejected = report.GetProperty("rows").EnumerateArray().Where(r => r.GetProperty("result").GetString() == "Rejected")
                .ToDictionary(r => r.GetProperty("line").GetInt32(), r => r.GetProperty("problem").GetProperty("code").GetString());
            Assert.Equal(new Dictionary<int, string?>
            {
                [23] = "nik.invalid_format", [24] = "import.bad_value", [25] = "access.forbidden", [26] = "input.required",
                [27] = "import.column_count", [28] = "import.bad_value",
            }, rejected);
            Assert.DoesNotContain(report.GetProperty("rows").EnumerateArray(), r => r.GetProperty("nikMasked").GetString() is { Length: 16 } n && n.All(char.IsAsciiDigit));
            var cases = (await app.GetOk("/api/cases?pageSize=200")).GetProperty("items").EnumerateArray().ToList();
            Assert.Equal(21, cases.Count);
            Assert.Contains(cases, c => c.GetProperty("fullName").GetString() == "Eko Saputra, S.E.");

            // Another user cannot read the report.
            using var supervisor = await app.ClientFor(AppHost.Supervisor);
            Assert.Equal(HttpStatusCode.BadRequest, (await supervisor.GetAsync($"/api/imports/{id}")).StatusCode);

            // Re-running the same file opens nothing new; a row whose person now consents records it on the open case.
            var (_, again) = await PostCsv(app.Client, csv);
            var second = await UntilDone(progress);
            Assert.NotEqual(id, again.GetProperty("importId").GetString());
            Assert.Equal((0, 21, 6), (second.GetProperty("created").GetInt32(), second.GetProperty("unchanged").GetInt32(), second.GetProperty("rejected").GetInt32()));
            var noConsent = sample.Split('\n').Skip(1).First(l => l.Contains(",tidak,", StringComparison.Ordinal));
            var (_, consenting) = await PostCsv(app.Client, "nik,full_name,region_code,segment,consent,nib\n" + noConsent.Replace(",tidak,", ",ya,", StringComparison.Ordinal) + "\n");
            var third = await UntilDone(progress);
            Assert.Equal(1, third.GetProperty("updated").GetInt32());
            Assert.Equal(21, (await app.GetOk("/api/cases?pageSize=200")).GetProperty("total").GetInt64());
            var row = (await app.GetOk($"/api/imports/{consenting.GetProperty("importId").GetString()}")).GetProperty("rows")[0];
            Assert.Equal("ConsentRecorded", row.GetProperty("result").GetString());
            Assert.True((await app.GetOk($"/api/cases/{row.GetProperty("caseNumber").GetString()}")).GetProperty("consentRecorded").GetBoolean());

            // A file that is not in the format is refused whole, opening nothing.
            var (badStatus, bad) = await PostCsv(app.Client, "nama,nik\nx,1");
            Assert.Equal((HttpStatusCode.BadRequest, "import.bad_header"), (badStatus, bad.GetProperty("code").GetString()));
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    [Fact]
    public async Task TheExport_IsTheCallersFilteredScope_WithTheNikMasked_AndFormulaSafe()
    {
        await using var app = AppHost.Start();
        try
        {
            await app.CreateUser("petugas.malang", Domain.Access.Role.Caseworker, "35.07");
            var batu = new ServicesFlow(app, app.Client);
            var first = await batu.OpenAsync("Umkm", "35.79.02.2004", name: "=HYPERLINK(\"x\")");
            await batu.OpenAsync("Koperasi", "35.79.01.1001", name: "Koperasi \"Maju\", Batu");
            using var malangClient = await app.ClientFor("petugas.malang");
            await new ServicesFlow(app, malangClient).Post("/api/cases", new
            {
                commandId = Guid.NewGuid().ToString(), nik = "3507011508900009", fullName = "Warga Malang", regionCode = "35.07.01", segment = "Umkm", consentGiven = true,
            }, HttpStatusCode.Created);
            await batu.Command(first, "/mentor", new { mentorId = AppHost.Mentor });

            var all = await Csv(app.Client, "/api/cases/export");
            var koperasi = await Csv(app.Client, "/api/cases/export?segment=Koperasi");
            using var mentor = await app.ClientFor(AppHost.Mentor);
            var mentors = await Csv(mentor, "/api/cases/export");
            using var analyst = await app.ClientFor(AppHost.Analyst);

            Assert.Equal("case_number,full_name,nik_masked,region_code,region_name,segment,gender,status,current_stage,current_stage_state,sla,mentor_id,opened_at,updated_at", all[0]);
            Assert.Equal(3, all.Length);
            Assert.DoesNotContain(all, l => l.Contains("Malang", StringComparison.Ordinal));
            Assert.Contains(all, l => l.Contains("\"'=HYPERLINK(\"\"x\"\")\"", StringComparison.Ordinal));
            Assert.Contains(all, l => l.Contains("\"Koperasi \"\"Maju\"\", Batu\"", StringComparison.Ordinal));
            Assert.All(all.Skip(1), l => Assert.Matches(@"^\d{4}-\d{6},.*,\d{4}\*{10}\d{2},", l));
            Assert.Equal(2, koperasi.Length);
            Assert.Equal(2, mentors.Length);
            Assert.EndsWith(AppHost.Mentor, string.Join(',', mentors[1].Split(',')[..^2]), StringComparison.Ordinal);
            Assert.StartsWith(first, mentors[1], StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Forbidden, (await analyst.GetAsync("/api/cases/export")).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await app.Client.GetAsync("/api/cases/export?stage=Lulus")).StatusCode);
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    [Fact]
    public async Task TheExport_PrefixesEveryCellAFormulaCouldStartWith_AndKeepsQuotesAndLineBreaksInsideTheirCell()
    {
        await using var app = AppHost.Start();
        try
        {
            var flow = new ServicesFlow(app, app.Client);
            string[] names = ["=1+1", "+62 812 3456", "-2+3", "@SUM(A1)", "Baris satu\nbaris \"dua\", Batu", "Warga Biasa"];
            foreach (var name in names)
            {
                await flow.OpenAsync(name: name);
            }

            using var response = await app.Client.GetAsync("/api/cases/export");
            var bytes = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(Encoding.UTF8.Preamble.ToArray(), bytes[..3]);
            await using var csv = await Sylvan.Data.Csv.CsvDataReader.CreateAsync(new StringReader(Encoding.UTF8.GetString(bytes[3..])));
            var exported = new List<string>();
            while (await csv.ReadAsync())
            {
                exported.Add(csv.GetString(csv.GetOrdinal("full_name")));
            }

            Assert.Equal(["'+62 812 3456", "'-2+3", "'=1+1", "'@SUM(A1)", "Baris satu\nbaris \"dua\", Batu", "Warga Biasa"], exported.Order(StringComparer.Ordinal));

            // A tab or a carriage return at the start (which no name keeps: names are trimmed) is prefixed the same way.
            Assert.Equal(["'\tx", "\"'\rx\"", "\"a,b\"", "x"], new[] { "\tx", "\rx", "a,b", "x" }.Select(Apis.ImportExportApi.Cell));
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostBytes(HttpClient client, string path, byte[] bytes, bool english = false)
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (english)
        {
            request.Headers.AcceptLanguage.ParseAdd("en");
        }

        using var response = await client.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static async Task<string[]> Csv(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var text = (await response.Content.ReadAsStringAsync()).TrimStart('\uFEFF');
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static async Task<JsonElement> UntilDone(Channel<JsonElement> progress)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var p = await progress.Reader.ReadAsync(timeout.Token);
            if (p.GetProperty("done").GetBoolean())
            {
                return p;
            }
        }
    }
}
