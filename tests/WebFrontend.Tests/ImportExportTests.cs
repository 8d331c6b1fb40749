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
/// person with an open case records the consent it adds. The file as spreadsheets write it (issue 21, deliverable 5):
/// comma or semicolon, with or without a BOM, quoted fields holding separators and line breaks; a file that is not UTF-8
/// or cannot be read to its end refused whole, nothing imported. Export: the caller's scope only, NIK masked,
/// formula-safe.
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
    public async Task AFileWithCommasOrSemicolons_WithOrWithoutABom_ImportsEachQuotedFieldWhole_WithItsSeparatorsAndLineBreaks()
    {
        await using var app = AppHost.Start();
        try
        {
            await using var live = await LiveClient.ConnectAsync(app, AppHost.Caseworker);
            var progress = Channel.CreateUnbounded<JsonElement>();
            live.Connection.On<JsonElement>("ImportProgress", p => progress.Writer.TryWrite(p));
            var variant = 0;
            foreach (var (s, bom) in new[] { (';', true), (';', false), (',', true), (',', false) })
            {
                variant++;
                var what = $"separator '{s}', {(bom ? "with" : "without")} a BOM";
                var other = s == ';' ? ',' : ';';
                string Nik(int row) => $"357901150890{variant}{row:D3}";
                // Windows line ends, as Excel writes them; a name holding both separators, one holding quotes and a line
                // break (read whole, so the rows after it start a line later; refused, since a name holds no line break), a
                // blank line, then a bad NIK on line 7.
                var csv = string.Join("\r\n",
                    $"nik{s}full_name{s}region_code{s}segment{s}consent{s}nib",
                    $"{Nik(1)}{s}\"Siti{s} Aminah{other} S.Pd.\"{s}35.79.01.1001{s}Umkm{s}ya{s}",
                    $"{Nik(2)}{s}\"Budi \"\"Kecil\"\"\r\nSantoso\"{s}35.79.01.2003{s}Koperasi{s}tidak{s}",
                    "",
                    $"{Nik(3)}{s}Dewi Lestari{s}35.79.02.2004{s}EkonomiKreatif{s}ya{s}9120000000003",
                    $"1234{s}Nomor Pendek{s}35.79.01.1001{s}Umkm{s}ya{s}") + "\r\n";

                var (status, started) = await PostBytes(app.Client, "/api/cases/import", [.. (bom ? Encoding.UTF8.Preamble : []), .. Encoding.UTF8.GetBytes(csv)]);

                Assert.True(status == HttpStatusCode.Accepted, $"{what}: {(int)status} {started}");
                Assert.Equal(4, started.GetProperty("total").GetInt32());
                var id = started.GetProperty("importId").GetString()!;
                var done = await UntilDone(progress, id);
                Assert.Equal((4, 2, 2), (done.GetProperty("processed").GetInt32(), done.GetProperty("created").GetInt32(), done.GetProperty("rejected").GetInt32()));
                var rows = (await app.GetOk($"/api/imports/{id}")).GetProperty("rows").EnumerateArray().ToList();
                Assert.Equal([(2, "Created"), (3, "Rejected"), (6, "Created"), (7, "Rejected")],
                    rows.Select(r => (r.GetProperty("line").GetInt32(), r.GetProperty("result").GetString()!)));
                Assert.Equal("input.control_characters", rows[1].GetProperty("problem").GetProperty("code").GetString());
                Assert.Equal("nik.invalid_format", rows[3].GetProperty("problem").GetProperty("code").GetString());
                var names = new List<string>();
                foreach (var row in rows.Where(r => r.GetProperty("result").GetString() == "Created"))
                {
                    names.Add((await app.GetOk($"/api/cases/{row.GetProperty("caseNumber").GetString()}")).GetProperty("fullName").GetString()!);
                }

                Assert.Equal([$"Siti{s} Aminah{other} S.Pd.", "Dewi Lestari"], names);
            }

            Assert.Equal(8, (await app.GetOk("/api/cases?pageSize=1")).GetProperty("total").GetInt64());
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    [Fact]
    public async Task AFileNotInUtf8_OrUnreadablePartWay_OrTooLong_IsRefusedWhole_AndNothingIsImported()
    {
        await using var app = AppHost.Start();
        try
        {
            const string Header = "nik,full_name,region_code,segment,consent,nib\n";
            static string Row(int i) => $"357901150890{i:D4},Warga {i},35.79.01.1001,Umkm,ya,\n";
            var good = Header + Row(1) + Row(2);
            // Batches of these rows reach the import grain before the reader meets the byte that is not UTF-8.
            var thenWindows1252 = Encoding.UTF8.GetBytes(Header + string.Concat(Enumerable.Range(1, 3_000).Select(Row)))
                .Concat(Encoding.Latin1.GetBytes("3579011508909999,Désirée Anggraini,35.79.01.1001,Umkm,ya,\n")).ToArray();
            var files = new (string What, byte[] Bytes, string Code)[]
            {
                ("UTF-16 LE with its BOM", [.. Encoding.Unicode.Preamble, .. Encoding.Unicode.GetBytes(good)], "import.encoding"),
                ("UTF-16 BE with its BOM", [.. Encoding.BigEndianUnicode.Preamble, .. Encoding.BigEndianUnicode.GetBytes(good)], "import.encoding"),
                ("UTF-16 LE without a BOM", Encoding.Unicode.GetBytes(good), "import.encoding"),
                ("Windows-1252 (é as one byte)", Encoding.Latin1.GetBytes(Header + "3579011508900001,Désirée Anggraini,35.79.01.1001,Umkm,ya,\n"), "import.encoding"),
                ("3,000 good rows, then Windows-1252", thenWindows1252, "import.encoding"),
                ("an unclosed quote on line 3", Encoding.UTF8.GetBytes(Header + Row(1) + "3579011508900002,\"Warga Dua,35.79.01.1001,Umkm,ya,\n" + Row(3)), "import.bad_format"),
                ("200,001 rows", Encoding.UTF8.GetBytes(Header + string.Concat(Enumerable.Repeat("1234,Warga,35.79.01.1001,Umkm,ya,\n", 200_001))), "input.out_of_range"),
            };

            foreach (var (what, bytes, code) in files)
            {
                var (status, problem) = await PostBytes(app.Client, "/api/cases/import", bytes);

                Assert.True((status, problem.GetProperty("code").GetString()) == (HttpStatusCode.BadRequest, code), $"{what}: {(int)status} {problem}");
                Assert.Equal(0, (await app.GetOk("/api/cases?pageSize=1")).GetProperty("total").GetInt64());
            }

            var (_, notUtf8) = await PostBytes(app.Client, "/api/cases/import", files[3].Bytes, english: true);
            Assert.Contains("must be UTF-8", notUtf8.GetProperty("detail").GetString(), StringComparison.Ordinal);
            var (_, tidakUtf8) = await PostBytes(app.Client, "/api/cases/import", files[3].Bytes);
            Assert.Contains("harus berenkode UTF-8", tidakUtf8.GetProperty("detail").GetString(), StringComparison.Ordinal);
            var (_, unclosed) = await PostBytes(app.Client, "/api/cases/import", files[5].Bytes);
            Assert.Equal("3", unclosed.GetProperty("line").GetString());

            // The catalog import reads files the same way.
            using var admin = await app.ClientFor(AppHost.Administrator);
            var offers = (await admin.GetFromJsonAsync<JsonElement>("/api/offers")).GetArrayLength();
            var catalog = Encoding.Latin1.GetBytes("id,name,type,category,provider,level,segments,regions,start,end,capacity\n"
                + "kafe-batu,Kafé Batu,Training,Barista,Dinas Koperasi,KabKota,Umkm,35.79,2026-01-01,2026-12-31,20\n");
            var (catalogStatus, catalogProblem) = await PostBytes(admin, "/api/offers/import", catalog);
            Assert.Equal((HttpStatusCode.BadRequest, "import.encoding"), (catalogStatus, catalogProblem.GetProperty("code").GetString()));
            // (Expect: 100-continue, so the client sends nothing the server refuses by its length and the answer is read whole.)
            var (largeStatus, large) = await PostBytes(admin, "/api/offers/import", Encoding.UTF8.GetBytes("id,name\n" + new string('x', 4 * 1024 * 1024)), expectContinue: true);
            Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "request.too_large"), (largeStatus, large.GetProperty("code").GetString()));
            Assert.Equal(offers, (await admin.GetFromJsonAsync<JsonElement>("/api/offers")).GetArrayLength());
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    [Fact]
    public async Task TheExport_PrefixesEveryCellAFormulaCouldStartWith_AndKeepsQuotesAndSeparatorsInsideTheirCell()
    {
        await using var app = AppHost.Start();
        try
        {
            var flow = new ServicesFlow(app, app.Client);
            // Names hold a visible letter and no line break (CaseDecider.Name), so these are the formulas a name can carry.
            string[] names = ["=SUM(1;1) Wati", "+62 Budi", "-Sari", "@SUM(A1)", "Warga \"Dua\", Batu", "Warga Biasa"];
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

            Assert.Equal(["'+62 Budi", "'-Sari", "'=SUM(1;1) Wati", "'@SUM(A1)", "Warga \"Dua\", Batu", "Warga Biasa"], exported.Order(StringComparer.Ordinal));

            // A tab or a carriage return at the start, and a line break inside (which no name keeps), are written the same way.
            Assert.Equal(["'\tx", "\"'\rx\"", "\"a,b\"", "x", "\"a\nb \"\"c\"\"\""], new[] { "\tx", "\rx", "a,b", "x", "a\nb \"c\"" }.Select(Apis.ImportExportApi.Cell));
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostBytes(HttpClient client, string path, byte[] bytes, bool english = false, bool expectContinue = false)
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.ExpectContinue = expectContinue;
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

    private static async Task<JsonElement> UntilDone(Channel<JsonElement> progress, string? importId = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var p = await progress.Reader.ReadAsync(timeout.Token);
            if (p.GetProperty("done").GetBoolean() && (importId is null || p.GetProperty("importId").GetString() == importId))
            {
                return p;
            }
        }
    }
}
