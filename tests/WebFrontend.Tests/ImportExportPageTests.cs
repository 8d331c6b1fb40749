using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// The import screen and the export links in real headless Chromium on a 360 px phone viewport (issue 8, deliverables
/// 5 and 8): a Kota Batu caseworker uploads a file with good and bad rows through the file input, the progress bar reaches
/// the total on the live push, the report names each bad row's reason and each good row's case, and a second upload
/// opens nothing; the export downloaded from the workbench follows its filters and the caller's scope, NIK masked, and a
/// mentor's export holds only their assigned case.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed partial class ImportExportPageTests
{
    private const int GoodRows = 26;

    [GeneratedRegex(@"\d{16}")]
    private static partial Regex SixteenDigits();

    /// <summary>26 valid Kota Batu rows (lines 2–27), then four bad ones (lines 28–31) with the code each must be rejected with.</summary>
    private static (string Csv, Dictionary<int, string> BadLines) ImportFile()
    {
        var csv = new StringBuilder("nik,full_name,region_code,segment,consent,nib\n");
        for (var i = 1; i <= GoodRows; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"357901150890{i:D4},Warga Impor {i:D2},35.79.01.1001,Umkm,ya,\n");
        }

        csv.Append("1234,Nomor Pendek,35.79.01.1001,Umkm,ya,\n")
            .Append("3579011608900101,Warga Segmen,35.79.01.1001,Petani,ya,\n")
            .Append("3579011708900102,Warga Malang,35.07.01,Umkm,ya,\n")
            .Append("3579011808900103,,35.79.01.1001,Umkm,ya,\n");
        return (csv.ToString(), new Dictionary<int, string>
        {
            [28] = "nik.invalid_format", [29] = "import.bad_value", [30] = "access.forbidden", [31] = "input.required",
        });
    }

    private static FilePayload Payload(string csv) => new() { Name = "penerima-batu.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv) };

    private static async Task<string> DownloadAsync(IPage page, string selector)
    {
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync(selector));
        var path = await download.PathAsync();
        return (await File.ReadAllTextAsync(path)).TrimStart('\uFEFF');
    }

    /// <summary>Each report row on the page: line, masked NIK, result, problem code, the last cell's text and its link.</summary>
    private static async Task<string[][]> ReportRowsAsync(IPage page) =>
        await page.Locator("#imp-rows tbody tr").EvaluateAllAsync<string[][]>(
            "rows => rows.map(r => [r.dataset.line, r.cells[1].innerText, r.dataset.result, r.dataset.code ?? '', r.cells[3].innerText.trim(), r.querySelector('a')?.getAttribute('href') ?? ''])");

    private static string[][] ExpectedRows(JsonElement report) =>
        [.. report.GetProperty("rows").EnumerateArray().Select(r =>
        {
            var caseNumber = r.GetProperty("caseNumber").GetString();
            var problem = r.GetProperty("problem");
            return new[]
            {
                r.GetProperty("line").GetInt32().ToString(CultureInfo.InvariantCulture), r.GetProperty("nikMasked").GetString() ?? "—", r.GetProperty("result").GetString()!,
                problem.ValueKind == JsonValueKind.Null ? "" : problem.GetProperty("code").GetString()!,
                caseNumber ?? problem.GetProperty("indonesian").GetString()!, caseNumber is null ? "" : $"#/cases/{caseNumber}",
            };
        })];

    [Fact]
    public async Task ACaseworkerUploadsAFileWithGoodAndBadRows_SeesLiveProgressAndTheRowReport_AndAReUploadOpensNothing()
    {
        await using var session = await BrowserApp.StartAsync();
        var (app, browser) = (session.App, session.Browser);
        var (csv, badLines) = ImportFile();
        var page = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Caseworker);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Kasus wilayah saya");
        // Watch the page's hub connection from its start (a reload opens it again) for the import's last progress.
        var doneReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        page.WebSocket += (_, ws) => ws.FrameReceived += (_, frame) =>
        {
            if (frame.Text is { } text && text.Contains("\"target\":\"ImportProgress\"", StringComparison.Ordinal) && text.Contains("\"done\":true", StringComparison.Ordinal))
            {
                doneReceived.TrySetResult();
            }
        };
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Kasus wilayah saya");
        await page.ClickAsync("#to-import");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Impor penerima manfaat");

        // The sample format downloads as a file with the expected header.
        var sample = await DownloadAsync(page, "#imp-sample");
        Assert.Equal("nik,full_name,region_code,segment,consent,nib", sample.Split('\n')[0]);

        // A file not in the format is refused whole, with its message.
        await page.SetInputFilesAsync("#imp-file", Payload("nama,nik\nx,1\n"));
        await page.ClickAsync("#imp-form button[type=submit]");
        await Assertions.Expect(page.Locator("#imp-message")).ToContainTextAsync("Baris judul CSV tidak sesuai format");
        Assert.Equal(0, (await app.GetOk("/api/cases")).GetProperty("total").GetInt64());

        // The 202 naming the import is held back until the page has received the import's last progress message: the
        // page must keep that message and show it once it knows the import (the race of a small file).
        await page.RouteAsync("**/api/cases/import", async route =>
        {
            var response = await route.FetchAsync();
            await doneReceived.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await route.FulfillAsync(new() { Response = response });
        });
        await page.SetInputFilesAsync("#imp-file", Payload(csv));
        await page.ClickAsync("#imp-form button[type=submit]");
        await Assertions.Expect(page.Locator("#imp-bar")).ToHaveAttributeAsync("value", "30", new() { Timeout = 60_000 });
        await page.UnrouteAsync("**/api/cases/import");
        await Assertions.Expect(page.Locator("#imp-bar")).ToHaveAttributeAsync("max", "30");
        await Assertions.Expect(page.Locator("#imp-counts li[data-count='created'] strong")).ToHaveTextAsync($"{GoodRows}");
        await Assertions.Expect(page.Locator("#imp-counts li[data-count='rejected'] strong")).ToHaveTextAsync("4");
        await Assertions.Expect(page.Locator("#imp-message")).ToBeEmptyAsync();
        await Assertions.Expect(page.Locator("#imp-rows tbody tr")).ToHaveCountAsync(30);

        // The page's report is the server's, row by row: each bad row's reason, each good row's case as a link.
        var importId = await page.GetAttributeAsync("#imp-report", "data-import-id");
        var report = await app.GetOk($"/api/imports/{importId}");
        var shown = await ReportRowsAsync(page);
        Assert.Equal(ExpectedRows(report), shown);
        Assert.Equal(badLines, shown.Where(r => r[2] == "Rejected").ToDictionary(r => int.Parse(r[0], CultureInfo.InvariantCulture), r => r[3]));
        Assert.All(shown.Where(r => r[2] == "Rejected"), r => Assert.False(string.IsNullOrWhiteSpace(r[4])));
        Assert.DoesNotMatch(SixteenDigits(), await page.Locator("#imp-rows").InnerTextAsync());

        // The cases exist, exactly the good rows'.
        var cases = (await app.GetOk("/api/cases?pageSize=200")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(shown.Where(r => r[2] == "Created").Select(r => r[4]).Order(StringComparer.Ordinal),
            cases.Select(c => c.GetProperty("caseNumber").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(cases, c => Assert.StartsWith("Warga Impor ", c.GetProperty("fullName").GetString(), StringComparison.Ordinal));
        await page.ClickAsync($"#imp-rows tr[data-line='2'] a");
        await Assertions.Expect(page.Locator("#case-title")).ToContainTextAsync("Warga Impor 01");

        // Back on the import screen, the last report is still there; the same file again opens nothing new.
        await page.ClickAsync("#app > a[href='#/']");
        await page.ClickAsync("#to-import");
        await Assertions.Expect(page.Locator("#imp-report")).ToHaveAttributeAsync("data-import-id", importId!);
        await page.SetInputFilesAsync("#imp-file", Payload(csv));
        await page.ClickAsync("#imp-form button[type=submit]");
        await Assertions.Expect(page.Locator("#imp-report")).Not.ToHaveAttributeAsync("data-import-id", importId!, new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#imp-rows tbody tr")).ToHaveCountAsync(30);
        await Assertions.Expect(page.Locator("#imp-bar")).ToHaveAttributeAsync("value", "30");
        await Assertions.Expect(page.Locator("#imp-counts li[data-count='created'] strong")).ToHaveTextAsync("0");
        await Assertions.Expect(page.Locator("#imp-counts li[data-count='unchanged'] strong")).ToHaveTextAsync($"{GoodRows}");
        await Assertions.Expect(page.Locator("#imp-counts li[data-count='rejected'] strong")).ToHaveTextAsync("4");
        var again = await ReportRowsAsync(page);
        Assert.Equal(GoodRows, again.Count(r => r[2] is "Unchanged" or "Existing"));
        Assert.Equal(badLines.Keys, again.Where(r => r[2] == "Rejected").Select(r => int.Parse(r[0], CultureInfo.InvariantCulture)));
        Assert.Equal(shown.Where(r => r[2] == "Created").Select(r => r[4]), again.Where(r => r[2] == "Unchanged").Select(r => r[4]));
        Assert.Equal(GoodRows, (await app.GetOk("/api/cases?pageSize=200")).GetProperty("total").GetInt64());

        var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(width <= 360, $"the import screen is {width} px wide on a 360 px phone");
    }

    [Fact]
    public async Task TheExportLinks_DownloadTheCallersFilteredScope_WithTheNikMasked()
    {
        await using var session = await BrowserApp.StartAsync();
        var (app, browser) = (session.App, session.Browser);
        static object Intake(string nik, string name, string region) =>
            new { commandId = Guid.NewGuid().ToString(), nik, fullName = name, regionCode = region, segment = "Umkm", consentGiven = true };
        var one = (await app.PostOk("/api/cases", Intake("3579026107900061", "Ibu Ekspor Satu", "35.79.02.2004"), HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
        var two = (await app.PostOk("/api/cases", Intake("3579016107900062", "Pak Ekspor Dua", "35.79.01"), HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
        await app.PostOk($"/api/cases/{one}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId = AppHost.Mentor });
        await app.CreateUser("petugas.malang", Domain.Access.Role.Caseworker, "35.07");
        using var malangClient = await app.ClientFor("petugas.malang");
        var malang = (await new ServicesFlow(app, malangClient).Post("/api/cases", Intake("3507011508900009", "Warga Malang", "35.07.01"), HttpStatusCode.Created))
            .GetProperty("caseNumber").GetString()!;

        // The caseworker's export: Kota Batu only, NIK masked.
        var page = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Caseworker);
        await Assertions.Expect(page.Locator("#wb-cases li")).ToHaveCountAsync(2);
        var all = await DownloadAsync(page, "#export");
        var lines = all.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("case_number,full_name,nik_masked,", lines[0], StringComparison.Ordinal);
        Assert.Equal([one, two], lines.Skip(1).Select(l => l.Split(',')[0]).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(malang, all, StringComparison.Ordinal);
        Assert.DoesNotContain("Warga Malang", all, StringComparison.Ordinal);
        Assert.DoesNotMatch(SixteenDigits(), all);
        Assert.All(lines.Skip(1), l => Assert.Matches(@"^\d{4}-\d{6},[^,]+,\d{4}\*{10}\d{2},35\.79\.", l));

        // The export follows the filters the list shows.
        await page.FillAsync("#f-q", "Ekspor Dua");
        await page.ClickAsync("#filters button[type=submit]");
        await Assertions.Expect(page.Locator("#wb-cases li")).ToHaveCountAsync(1);
        var filtered = (await DownloadAsync(page, "#export")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([two], filtered.Skip(1).Select(l => l.Split(',')[0]));

        // The mentor's export from the mentor page: their assigned case only.
        var mentor = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Mentor);
        await Assertions.Expect(mentor.Locator($"li[data-case='{one}']")).ToBeVisibleAsync();
        var mentors = (await DownloadAsync(mentor, "#export")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([one], mentors.Skip(1).Select(l => l.Split(',')[0]));
        Assert.DoesNotMatch(SixteenDigits(), string.Join('\n', mentors));
    }
}
