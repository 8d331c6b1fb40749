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
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
        return (playwright, browser);
    }

    /// <summary>A new 360 px context with the login form submitted for <paramref name="userId"/>.</summary>
    public static async Task<IPage> SignInAsync(IBrowser browser, Uri baseAddress, string userId)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 360, Height = 740 }, BaseURL = baseAddress.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await page.FillAsync("#userId", userId);
        await page.FillAsync("#password", AppHost.Password);
        await page.ClickAsync("#login button[type=submit]");
        return page;
    }
}
