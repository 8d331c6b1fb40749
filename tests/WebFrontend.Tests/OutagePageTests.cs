using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// The web page through an outage (issue 15, deliverable 6), on the real PostgreSQL cluster: a caseworker saves a note
/// while the cluster's only silo is dead; the page says the service cannot be reached, sends the same command again after
/// each 503's Retry-After, and the note is saved once when a new silo is up.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class OutagePageTests : IAsyncLifetime
{
    private const string Admin = "admin.padam";
    private const string Caseworker = "petugas.padam";

    private readonly PostgresServer _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task ThePage_WaitsOutAnOutage_SendingTheCommandAgainAfterRetryAfter_AndTheNoteIsSavedOnceWhenASiloIsBack()
    {
        await using var cluster = await TestCluster.StartAsync(_server, silos: 1);
        // The built page is in the project's wwwroot, not beside the built dll.
        await using var frontend = await Node.StartFrontendAsync(cluster.Spec, "frontend", "--create-admin", Admin,
            "--contentRoot", Path.Combine(Repo.Root(), "src", "WebFrontend"));
        using (var admin = await frontend.ClientForAsync(Admin, await frontend.AdminPasswordAsync()))
        {
            using var created = await admin.PutAsJsonAsync($"/api/users/{Caseworker}", new { displayName = "Petugas", role = "Caseworker", regions = new[] { "35.79" }, password = AppHost.Password });
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        var number = (await cluster.OpenCasesAsync(1))[0];
        var (playwright, browser) = await Chromium.LaunchAsync();
        try
        {
            var page = await Chromium.SignInAsync(browser, frontend.BaseAddress, Caseworker);
            await page.GotoAsync($"/#/cases/{number}");
            var events = page.Locator("#timeline li");
            await Assertions.Expect(events.First).ToHaveAttributeAsync("data-type", "CaseOpened");
            var before = await events.CountAsync();
            await page.EvaluateAsync("""
                () => {
                  const status = document.getElementById('status');
                  window.__statuses = [];
                  new MutationObserver(() => { if (!status.hidden) window.__statuses.push(status.textContent); })
                    .observe(status, { childList: true, characterData: true, subtree: true, attributes: true });
                }
                """);

            // The only silo is gone: the note cannot be saved now, and the page says why while it keeps trying.
            await cluster.Nodes[0].KillAsync();
            await page.FillAsync("#note-text", "Dicatat saat layanan padam");
            await page.ClickAsync("#note-form button[type=submit]");
            await page.WaitForFunctionAsync("() => window.__statuses.some(s => s.includes('tidak dapat dijangkau'))", null, new() { Timeout = 15_000 });

            // A new silo joins: the page's next attempt goes through, the note is on the timeline and the status line clears.
            await cluster.AddSiloAsync();
            await Assertions.Expect(events).ToHaveCountAsync(before + 1, new() { Timeout = 45_000 });
            await Assertions.Expect(events.Last).ToHaveAttributeAsync("data-type", "NoteAdded");
            await Assertions.Expect(page.Locator("#status")).ToBeHiddenAsync();
            await Assertions.Expect(page.Locator("#note-text")).ToHaveValueAsync("");

            // Sent several times, saved once.
            using var caseworker = await frontend.ClientForAsync(Caseworker, AppHost.Password);
            var timeline = await caseworker.GetFromJsonAsync<JsonElement>($"/api/cases/{number}/timeline?limit=1000");
            Assert.Single(timeline.EnumerateArray(), e => e.GetProperty("type").GetString() == "NoteAdded");
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }
}
