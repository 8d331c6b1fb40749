using System.Net.Http.Json;
using Microsoft.Playwright;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>Debian's headless Chromium through Playwright (no browser download), and signing in on a 360 px phone viewport.</summary>
internal static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        // A missing browser is a failure, never a skip: .ci/run installs Debian's chromium.
        Assert.True(File.Exists(ExecutablePath), $"{ExecutablePath} is missing: apt-get install -y chromium (as .ci/run does)");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Args,
        });
        return (playwright, browser);
    }

    /// <summary>The switches every test browser runs with (no sandbox as root, no background traffic).</summary>
    public static string[] Args { get; } = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];

    /// <summary>A browser with a profile on disk (closing and launching it again keeps IndexedDB and the service worker), on a 360 px viewport.</summary>
    public static Task<IBrowserContext> LaunchPersistentAsync(IPlaywright playwright, string profile, Uri baseAddress) =>
        playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Args,
            ViewportSize = new ViewportSize { Width = 360, Height = 740 },
            BaseURL = baseAddress.ToString(),
        });

    /// <summary>Opens the page and submits the login form for <paramref name="userId"/>.</summary>
    public static async Task SignInOnAsync(IPage page, string userId)
    {
        await page.GotoAsync("/");
        await page.FillAsync("#userId", userId);
        await page.FillAsync("#password", AppHost.Password);
        await page.ClickAsync("#login button[type=submit]");
    }

    /// <summary>A new browser context on a 360 px phone viewport, its relative addresses on <paramref name="baseAddress"/>.</summary>
    public static Task<IBrowserContext> PhoneContextAsync(IBrowser browser, Uri baseAddress) =>
        browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 360, Height = 740 }, BaseURL = baseAddress.ToString() });

    /// <summary>A new 360 px context with the login form submitted for <paramref name="userId"/>.</summary>
    public static async Task<IPage> SignInAsync(IBrowser browser, Uri baseAddress, string userId)
    {
        var context = await PhoneContextAsync(browser, baseAddress);
        var page = await context.NewPageAsync();
        await SignInOnAsync(page, userId);
        return page;
    }
}

/// <summary>
/// The app on the embedded default with Debian's headless Chromium beside it, for one browser test: disposing closes the
/// browser, stops the app and deletes its data folder.
/// </summary>
internal sealed class BrowserApp : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private BrowserApp(AppHost app, IPlaywright playwright, IBrowser browser)
    {
        App = app;
        _playwright = playwright;
        Browser = browser;
    }

    public AppHost App { get; }

    public IBrowser Browser { get; }

    public static async Task<BrowserApp> StartAsync(IReadOnlyDictionary<string, string>? overrides = null)
    {
        var app = AppHost.Start(overrides: overrides);
        try
        {
            var (playwright, browser) = await Chromium.LaunchAsync();
            return new BrowserApp(app, playwright, browser);
        }
        catch
        {
            await app.DisposeAsync();
            AppHost.DeleteData(app.DataDirectory);
            throw;
        }
    }

    /// <summary>Gives the mentor a profile reaching <paramref name="region"/> (admins set profiles), so ranking and caseloads see them.</summary>
    public async Task SetMentorProfileAsync(string mentorId, int capacity = 30, string region = "35.79", string sector = "Kuliner")
    {
        using var admin = await App.ClientFor(AppHost.Administrator);
        using var profile = await admin.PutAsJsonAsync($"/api/mentors/{mentorId}/profile", new { sectors = new[] { sector }, regions = new[] { region }, capacity });
        Assert.True(profile.IsSuccessStatusCode, $"mentor profile of {mentorId}: {(int)profile.StatusCode}");
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        var data = App.DataDirectory;
        await App.DisposeAsync();
        AppHost.DeleteData(data);
    }
}
