using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseGrains.Domain.Access;
using Microsoft.Playwright;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// The mentor's phone without signal (issue 17), in real headless Chromium through a loopback link the test cuts
/// (<see cref="LinkProxy"/>): the installed shell and the cases as last seen open with no network; a session logged
/// offline survives closing the browser and is saved exactly once when the link returns, even when an answer was lost
/// on the way; a queued session the server refuses on replay stays visible with the server's reason and the choices
/// that make sense.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class MentorOfflineTests
{
    /// <summary>The shell is precached and the caseload (with every timeline) is on the phone, as the page says.</summary>
    private static async Task WaitReadyOfflineAsync(IPage page, string number)
    {
        await Assertions.Expect(page.Locator($"li[data-case='{number}']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#kept")).ToContainTextAsync("tersimpan di perangkat ini");
        // Active means installed, and installing is precaching the shell.
        await page.WaitForFunctionAsync("async () => (await navigator.serviceWorker.ready).active?.state === 'activated'", null, new() { Timeout = 30_000 });
    }

    /// <summary>Today in Kota Batu (WIB, UTC+7), as the page dates a session.</summary>
    private static string Today() => DateTime.UtcNow.AddHours(7).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<JsonElement[]> SessionsAsync(AppHost app, string number) =>
        [.. (await app.GetOk($"/api/cases/{number}/timeline?limit=1000")).EnumerateArray().Where(e => e.GetProperty("type").GetString() == "MentoringSessionLogged")];

    [Fact]
    public async Task WithNoNetwork_TheShellAndTheCasesOpen_ShowingWhatWasLastSeen_InWords_AndHowOldItIs()
    {
        await using var app = AppHost.Start();
        await using var link = new LinkProxy(app.BaseAddress);
        var (playwright, browser) = await Chromium.LaunchAsync();
        try
        {
            var number = await MentorPageTests.OpenAssignedCaseAsync(app, "3579026107900051");
            await app.PostOk($"/api/cases/{number}/mentoring-sessions", new
            {
                commandId = Guid.NewGuid().ToString(), date = Today(), topic = "Pembukuan sederhana", nextStep = "Rekap kas mingguan",
            });
            // A case in Denpasar (Bali): its times are WITA.
            await app.CreateUser("petugas.denpasar", Role.Caseworker, "51.71");
            using (var bali = await app.ClientFor("petugas.denpasar"))
            {
                using var opened = await bali.PostAsJsonAsync("/api/cases", new
                {
                    commandId = Guid.NewGuid().ToString(), nik = "5171016107900055", fullName = "Ni Made Sari", regionCode = "51.71.01", segment = "EkonomiKreatif", consentGiven = true,
                });
                Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
                var denpasar = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("caseNumber").GetString()!;
                using var assigned = await bali.PostAsJsonAsync($"/api/cases/{denpasar}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId = AppHost.Mentor });
                Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
            }

            var page = await Chromium.SignInAsync(browser, link.BaseAddress, AppHost.Mentor);
            await WaitReadyOfflineAsync(page, number);
            await Assertions.Expect(page.Locator("li[data-case^='5171']")).ToContainTextAsync("WITA");
            await Assertions.Expect(page.Locator($"li[data-case='{number}']")).ToContainTextAsync("WIB");

            link.Down();
            await page.ReloadAsync();
            var row = page.Locator($"li[data-case='{number}']");
            await Assertions.Expect(row).ToContainTextAsync("Ibu Sri Rahayu");
            await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("Luring");

            await row.Locator("a").ClickAsync();
            await Assertions.Expect(page.Locator("#case-age")).ToContainTextAsync("terakhir diperbarui");
            await Assertions.Expect(page.Locator("#next-step")).ToContainTextAsync("Rekap kas mingguan");
            await Assertions.Expect(page.Locator("#stage")).ToContainTextAsync("Pendaftaran");
            // Each event in words, never a raw type name; times in the case's zone (Kota Batu: WIB).
            var events = page.Locator("#timeline li");
            await Assertions.Expect(events).ToHaveCountAsync(3);
            await Assertions.Expect(events.Nth(0)).ToContainTextAsync("Kasus dibuka");
            await Assertions.Expect(events.Nth(2)).ToContainTextAsync("Sesi pendampingan");
            await Assertions.Expect(events.Nth(2)).ToContainTextAsync("Pembukuan sederhana — langkah berikutnya: Rekap kas mingguan");
            await Assertions.Expect(events.Nth(2)).ToContainTextAsync("WIB");
            foreach (var text in await events.AllTextContentsAsync())
            {
                Assert.DoesNotContain("MentoringSessionLogged", text, StringComparison.Ordinal);
                Assert.DoesNotContain("CaseOpened", text, StringComparison.Ordinal);
            }

            // The session form comes before the long timeline.
            var formTop = await page.Locator("#session").EvaluateAsync<double>("e => e.getBoundingClientRect().top");
            var timelineTop = await page.Locator("#timeline").EvaluateAsync<double>("e => e.getBoundingClientRect().top");
            Assert.True(formTop < timelineTop, "the session form is below the timeline");

            // The link returns: the page is live again on its own.
            link.Up();
            await Assertions.Expect(page.Locator("#status")).ToBeHiddenAsync(new() { Timeout = 30_000 });
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    [Fact]
    public async Task SessionsLoggedOffline_SurviveClosingTheBrowser_AndAreSavedExactlyOnce_EvenWhenAnAnswerIsLost()
    {
        await using var app = AppHost.Start();
        await using var link = new LinkProxy(app.BaseAddress);
        var profile = Directory.CreateTempSubdirectory("casegrains-chromium-").FullName;
        using var playwright = await Playwright.CreateAsync();
        Task<IBrowserContext> LaunchAsync() => Chromium.LaunchPersistentAsync(playwright, profile, link.BaseAddress);
        var context = await LaunchAsync();
        try
        {
            var number = await MentorPageTests.OpenAssignedCaseAsync(app, "3579026107900052");
            var page = context.Pages.Count > 0 ? context.Pages[0] : await context.NewPageAsync();
            await Chromium.SignInOnAsync(page, AppHost.Mentor);
            await WaitReadyOfflineAsync(page, number);
            await page.Locator($"li[data-case='{number}'] a").ClickAsync();
            await Assertions.Expect(page.Locator("#timeline li")).ToHaveCountAsync(2);

            // No signal: two sessions are logged. Neither is said to be saved; both wait, visibly.
            link.Down();
            foreach (var (topic, next) in new[] { ("Kas harian", "Catat kas"), ("Stok barang", "Hitung stok") })
            {
                await page.FillAsync("#topic", topic);
                await page.FillAsync("#next", next);
                await page.ClickAsync("#session button[type=submit]");
                await Assertions.Expect(page.Locator("#session-message")).ToContainTextAsync("Belum terkirim");
            }

            var waiting = page.Locator("#outbox li[data-state='waiting']");
            await Assertions.Expect(waiting).ToHaveCountAsync(2);
            await Assertions.Expect(waiting.First).ToContainTextAsync("Menunggu koneksi");
            await Assertions.Expect(page.Locator("#session-message")).Not.ToHaveTextAsync("Sesi tersimpan.");

            // The browser is closed and opened again, still without signal: the page and the two sessions are there.
            await context.CloseAsync();
            context = await LaunchAsync();
            page = context.Pages.Count > 0 ? context.Pages[0] : await context.NewPageAsync();
            await page.GotoAsync("/");
            await Assertions.Expect(page.Locator("#outbox li[data-state='waiting']")).ToHaveCountAsync(2);
            Assert.Empty(await SessionsAsync(app, number));

            // A weak link: the first session reaches the server but its answer is lost.
            link.LoseCommandAnswers();
            for (var i = 0; i < 120 && (await SessionsAsync(app, number)).Length == 0; i++)
            {
                await Task.Delay(500);
            }

            Assert.Single(await SessionsAsync(app, number));

            // The link is good again: the first is sent again (answered with its first outcome), then the second.
            link.Up();
            for (var i = 0; i < 120 && (await SessionsAsync(app, number)).Length < 2; i++)
            {
                await Task.Delay(500);
            }

            await Assertions.Expect(page.Locator("#outbox li")).ToHaveCountAsync(0, new() { Timeout = 60_000 });
            var sessions = await SessionsAsync(app, number);
            Assert.Equal(["Kas harian", "Stok barang"], sessions.Select(e => e.GetProperty("payload").GetProperty("topic").GetString()));
            await Assertions.Expect(page.Locator($"li[data-case='{number}']")).ToHaveAttributeAsync("data-version", "4", new() { Timeout = 30_000 });
        }
        finally
        {
            await context.CloseAsync();
            Directory.Delete(profile, recursive: true);
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    [Fact]
    public async Task QueuedSessionsTheServerRefusesOnReplay_StayVisibleWithTheReason_ToEditAndResendOrDiscard()
    {
        await using var app = AppHost.Start();
        await using var link = new LinkProxy(app.BaseAddress);
        await app.CreateUser("pendamping.lain", Role.Mentor);
        var (playwright, browser) = await Chromium.LaunchAsync();
        try
        {
            var reassigned = await MentorPageTests.OpenAssignedCaseAsync(app, "3579026107900053", "Bapak Joko");
            var changed = await MentorPageTests.OpenAssignedCaseAsync(app, "3579026107900054", "Ibu Wati");
            var page = await Chromium.SignInAsync(browser, link.BaseAddress, AppHost.Mentor);
            await WaitReadyOfflineAsync(page, changed);
            page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();

            link.Down();
            foreach (var (number, topic) in new[] { (reassigned, "Perizinan usaha"), (changed, "Pemasaran daring") })
            {
                await page.GotoAsync($"/#/cases/{number}");
                await Assertions.Expect(page.Locator("#case-age")).ToBeVisibleAsync();
                await page.FillAsync("#topic", topic);
                await page.ClickAsync("#session button[type=submit]");
                await Assertions.Expect(page.Locator("#session-message")).ToContainTextAsync("Belum terkirim");
            }

            // Meanwhile the caseworker gives the first case to another mentor and writes a note on the second.
            await app.PostOk($"/api/cases/{reassigned}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId = "pendamping.lain" });
            await app.PostOk($"/api/cases/{changed}/notes", new { commandId = Guid.NewGuid().ToString(), text = "Ditelepon, minta jadwal ulang" });

            link.Up();
            await page.GotoAsync("/#/");
            var refused = page.Locator("#outbox li[data-state='refused']");
            await Assertions.Expect(refused).ToHaveCountAsync(2, new() { Timeout = 60_000 });
            // Out of reach now: the reason, and only discarding makes sense.
            var gone = refused.Filter(new() { HasText = "Perizinan usaha" });
            await Assertions.Expect(gone).ToContainTextAsync("Kasus tidak ditemukan");
            await Assertions.Expect(gone.Locator("button.edit")).ToHaveCountAsync(0);
            // Moved on: the reason, and editing it on the case as it is now.
            var moved = refused.Filter(new() { HasText = "Pemasaran daring" });
            await Assertions.Expect(moved).ToContainTextAsync("Kasus sudah berubah");

            await gone.Locator("button.discard").ClickAsync();
            await Assertions.Expect(refused).ToHaveCountAsync(1);
            await moved.Locator("button.edit").ClickAsync();
            await Assertions.Expect(page.Locator("#editing")).ToContainTextAsync("Kasus sudah berubah");
            await Assertions.Expect(page.Locator("#topic")).ToHaveValueAsync("Pemasaran daring");
            await Assertions.Expect(page.Locator("#timeline li").Last).ToHaveAttributeAsync("data-type", "NoteAdded");
            await page.ClickAsync("#session button[type=submit]");
            await Assertions.Expect(page.Locator("#session-message")).ToHaveTextAsync("Sesi tersimpan.", new() { Timeout = 30_000 });
            await Assertions.Expect(page.Locator("#outbox li")).ToHaveCountAsync(0);

            Assert.Empty(await SessionsAsync(app, reassigned));
            var saved = Assert.Single(await SessionsAsync(app, changed));
            Assert.Equal("Pemasaran daring", saved.GetProperty("payload").GetProperty("topic").GetString());
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    private const string CountStored = """
        async () => {
          const db = await new Promise((resolve, reject) => { const r = indexedDB.open('casegrains'); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
          const count = (name) => new Promise((resolve) => { const q = db.transaction(name).objectStore(name).count(); q.onsuccess = () => resolve(q.result); });
          const counts = [await count('cases'), await count('timelines'), await count('queue'), await count('meta')];
          db.close();
          return counts.join(',');
        }
        """;

    /// <summary>The counts of cases, timelines, queued actions and owner rows on the phone, once they are <paramref name="expected"/> (or after 15 s).</summary>
    private static async Task<string> StoredSoonAsync(IPage page, string expected)
    {
        var counts = await page.EvaluateAsync<string>(CountStored);
        for (var i = 0; i < 150 && counts != expected; i++)
        {
            await Task.Delay(100);
            counts = await page.EvaluateAsync<string>(CountStored);
        }

        return counts;
    }

    [Fact]
    public async Task WhatThePhoneKeeps_LeavesWithTheSession_AnotherAccountNeverSeesOrSendsIt_AndSigningOutClearsIt()
    {
        await using var app = AppHost.Start();
        await using var link = new LinkProxy(app.BaseAddress);
        await app.CreateUser("pendamping.dua", Role.Mentor);
        var (playwright, browser) = await Chromium.LaunchAsync();
        try
        {
            var first = await MentorPageTests.OpenAssignedCaseAsync(app, "3579026107900056", "Bapak Harun");
            var second = (await app.PostOk("/api/cases", new
            {
                commandId = Guid.NewGuid().ToString(), nik = "3579026107900057", fullName = "Ibu Lestari", regionCode = "35.79.02", segment = "Koperasi", consentGiven = true,
            }, HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
            await app.PostOk($"/api/cases/{second}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId = "pendamping.dua" });

            var page = await Chromium.SignInAsync(browser, link.BaseAddress, AppHost.Mentor);
            await WaitReadyOfflineAsync(page, first);
            page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
            Assert.Equal("1,1,0,1", await page.EvaluateAsync<string>(CountStored));

            // A session waits offline; meanwhile the account signs out on another device.
            link.Down();
            await page.Locator($"li[data-case='{first}'] a").ClickAsync();
            await page.FillAsync("#topic", "Tidak boleh terkirim atas nama orang lain");
            await page.ClickAsync("#session button[type=submit]");
            await Assertions.Expect(page.Locator("#session-message")).ToContainTextAsync("Belum terkirim");
            using (var elsewhere = await app.ClientFor(AppHost.Mentor))
            using (var logout = await elsewhere.PostAsync("/api/auth/logout", null))
            {
                Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
            }

            // Back online, the session is over: the cases leave the phone, the unsent session stays for its author.
            link.Up();
            await Assertions.Expect(page.Locator("#login")).ToBeVisibleAsync(new() { Timeout = 60_000 });
            Assert.Equal("0,0,1,1", await StoredSoonAsync(page, "0,0,1,1"));

            // Another mentor signs in on this phone: nothing of the first one is shown or sent.
            await page.FillAsync("#userId", "pendamping.dua");
            await page.FillAsync("#password", AppHost.Password);
            await page.ClickAsync("#login button[type=submit]");
            await Assertions.Expect(page.Locator($"li[data-case='{second}']")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator($"li[data-case='{first}']")).ToHaveCountAsync(0);
            await Assertions.Expect(page.Locator("#outbox li")).ToHaveCountAsync(0);
            await Assertions.Expect(page.Locator("#kept")).ToContainTextAsync("1 kasus tersimpan");
            Assert.Equal("1,1,0,1", await page.EvaluateAsync<string>(CountStored));
            Assert.Empty(await SessionsAsync(app, first));

            // Signing out clears the phone.
            await page.ClickAsync("#logout");
            await Assertions.Expect(page.Locator("#login")).ToBeVisibleAsync();
            Assert.Equal("0,0,0,0", await page.EvaluateAsync<string>(CountStored));
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    [Fact]
    public async Task ANewVersion_WaitsUntilTheMentorChoosesIt_AndTheOpenPageKeepsWorkingMeanwhile()
    {
        // The app serves a copy of the built page, so the test can deploy a new version under the open page.
        var web = Directory.CreateTempSubdirectory("casegrains-web-").FullName;
        var built = Path.Combine(Repo.Root(), "src", "WebFrontend", "wwwroot");
        foreach (var file in Directory.EnumerateFiles(built, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(web, Path.GetRelativePath(built, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        await using var app = AppHost.Start(overrides: new Dictionary<string, string> { ["webroot"] = web });
        var (playwright, browser) = await Chromium.LaunchAsync();
        try
        {
            var number = await MentorPageTests.OpenAssignedCaseAsync(app, "3579026107900058");
            var page = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Mentor);
            await WaitReadyOfflineAsync(page, number);
            await page.ReloadAsync();
            await page.WaitForFunctionAsync("() => navigator.serviceWorker.controller !== null");
            await page.Locator($"li[data-case='{number}'] a").ClickAsync();
            await page.FillAsync("#topic", "Sedang diketik");

            // A new version is deployed (its service worker differs) and the browser finds it.
            File.AppendAllText(Path.Combine(web, "sw.js"), "\n// the next version\n");
            File.Delete(Path.Combine(web, "sw.js.br"));
            File.Delete(Path.Combine(web, "sw.js.gz"));
            await page.EvaluateAsync("async () => { await (await navigator.serviceWorker.getRegistration()).update(); }");

            // It waits: the page offers it, and what the mentor is typing stays as it is.
            await Assertions.Expect(page.Locator("#update-now")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            Assert.True(await page.EvaluateAsync<bool>("async () => (await navigator.serviceWorker.getRegistration()).waiting !== null"));
            await Assertions.Expect(page.Locator("#topic")).ToHaveValueAsync("Sedang diketik");
            await page.Locator("a[href='#/']").ClickAsync();
            await Assertions.Expect(page.Locator($"li[data-case='{number}']")).ToBeVisibleAsync();

            // The mentor chooses it: the new version takes over and the page opens on it.
            await page.ClickAsync("#update-now");
            await page.WaitForFunctionAsync("""
                async () => { const r = await navigator.serviceWorker.getRegistration();
                              return r.waiting === null && r.active?.state === 'activated' && navigator.serviceWorker.controller !== null; }
                """, null, new() { Timeout = 30_000 });
            await Assertions.Expect(page.Locator($"li[data-case='{number}']")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Assertions.Expect(page.Locator("#update")).ToBeHiddenAsync();
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
            AppHost.DeleteData(app.DataDirectory);
            Directory.Delete(web, recursive: true);
        }
    }
}
