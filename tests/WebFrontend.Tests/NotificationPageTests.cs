using Microsoft.Playwright;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// The notification settings page in real headless Chromium on a 360 px phone: a mentor chooses e-mail in English, a
/// bad address is refused in words, and the next assignment's e-mail reaches a real SMTP server on loopback in English.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class NotificationPageTests
{
    [Fact]
    public async Task AMentorChoosesEmailInEnglish_OnTheirPhone_AndTheNextAssignmentArrivesSo()
    {
        await using var sink = new SmtpSink();
        await using var app = AppHost.Start(overrides: new Dictionary<string, string>
        {
            ["CaseGrains:Notifications:Smtp:Host"] = "127.0.0.1",
            ["CaseGrains:Notifications:Smtp:Port"] = sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CaseGrains:Notifications:Smtp:Security"] = "None",
            ["CaseGrains:Notifications:Smtp:From"] = "notifikasi@perintis.test",
            ["CaseGrains:Notifications:PollEvery"] = "00:00:00.1",
        });
        var (playwright, browser) = await Chromium.LaunchAsync();
        try
        {
            var page = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Mentor);
            await page.ClickAsync("#notify-link");
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Pemberitahuan");

            await page.FillAsync("#n-email", "bukan alamat");
            await page.CheckAsync("#n-by-email");
            await page.EvaluateAsync("() => document.getElementById('n-email').type = 'text'"); // past the browser's own check, to the server's
            await page.ClickAsync("#n-save");
            await Assertions.Expect(page.Locator("#n-message")).ToHaveTextAsync("Alamat e-mail tidak valid.");

            await page.FillAsync("#n-email", "pendamping@perintis.test");
            await page.SelectOptionAsync("#n-language", "en");
            await page.ClickAsync("#n-save");
            await Assertions.Expect(page.Locator("#n-message")).ToHaveTextAsync("Tersimpan.");
            var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
            Assert.True(width <= 360, $"the page is {width} px wide on a 360 px phone");

            var number = await MentorPageTests.OpenAssignedCaseAsync(app, "3579026107900045", "Ibu Pesan Rahasia");
            var message = Assert.Single(await sink.WaitForAsync(1, TimeSpan.FromSeconds(20)));
            Assert.Equal($"[Perintis Berdaya] You were assigned as the mentor of case {number}.", message.Subject);
            Assert.DoesNotContain("Pesan Rahasia", message.ToString(), StringComparison.Ordinal);

            // Read back on a new visit of the page.
            await page.ReloadAsync();
            await Assertions.Expect(page.Locator("#n-email")).ToHaveValueAsync("pendamping@perintis.test");
            await Assertions.Expect(page.Locator("#n-by-email")).ToBeCheckedAsync();
            await Assertions.Expect(page.Locator("#n-language")).ToHaveValueAsync("en");
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
            AppHost.DeleteData(app.DataDirectory);
        }
    }
}
