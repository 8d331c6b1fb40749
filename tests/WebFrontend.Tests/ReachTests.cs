using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// Language and reach on every screen (issue 8, deliverable 7), in real headless Chromium on a 360 px phone: every form
/// control has a label (or an accessible name), every button and link has text, no id is used twice, nothing is wider
/// than the screen, no enum name is shown raw (in either language), and the page's language follows the switch; the
/// intake form is filled and sent with the keyboard alone.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ReachTests
{
    /// <summary>What a screen reader or a keyboard user would miss on the page, and whether it overflows 360 px.</summary>
    private const string Audit = """
        () => {
          const problems = [];
          for (const c of document.querySelectorAll('input, select, textarea')) {
            if (c.type === 'hidden' || c.closest('[hidden]')) continue;
            const labelled = [...(c.labels ?? [])].some(l => l.textContent.trim()) || (c.getAttribute('aria-label') ?? '').trim() || c.getAttribute('aria-labelledby');
            if (!labelled) problems.push('unlabelled ' + (c.id || c.outerHTML.slice(0, 80)));
          }
          for (const b of document.querySelectorAll('button, a[href], summary')) {
            if (b.closest('[hidden]')) continue;
            if (!(b.textContent.trim() || (b.getAttribute('aria-label') ?? '').trim())) problems.push('nameless ' + b.outerHTML.slice(0, 80));
          }
          const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
          ids.filter((id, i) => ids.indexOf(id) !== i).forEach(id => problems.push('duplicate id ' + id));
          // Nothing reaches past the screen's right edge, except inside a container meant to scroll sideways (wide tables).
          const wide = [...document.body.querySelectorAll('*')].find(e => !e.closest('.scroll') && e.getBoundingClientRect().width > 0
            && e.getBoundingClientRect().right > window.innerWidth + 1);
          if (wide) problems.push('wider than the screen: ' + (wide.id || wide.tagName) + ' ends at ' + Math.round(wide.getBoundingClientRect().right) + 'px');
          if (document.documentElement.scrollWidth > window.innerWidth) problems.push('scrolls sideways: ' + document.documentElement.scrollWidth + 'px');
          return problems;
        }
        """;

    private static async Task AssertReachableAsync(IPage page, string screen, string readySelector)
    {
        await Assertions.Expect(page.Locator(readySelector).First).ToBeVisibleAsync();
        var problems = await page.EvaluateAsync<string[]>(Audit);
        Assert.True(problems.Length == 0, $"{screen}: {string.Join("; ", problems)}");
        Assert.Equal("id", await page.EvaluateAsync<string>("() => document.documentElement.lang"));
        await PlainPage.AssertPlainAsync(page, screen);
        await page.ClickAsync("#lang");
        Assert.Equal("en", await page.EvaluateAsync<string>("() => document.documentElement.lang"));
        // The page is drawn again in English before it is audited again (not the Indonesian page still on screen).
        await Assertions.Expect(page.Locator("body[data-rendered-lang='en']")).ToBeAttachedAsync();
        await Assertions.Expect(page.Locator(readySelector).First).ToBeVisibleAsync();
        problems = await page.EvaluateAsync<string[]>(Audit);
        Assert.True(problems.Length == 0, $"{screen} (English): {string.Join("; ", problems)}");
        await PlainPage.AssertPlainAsync(page, screen + " (English)");
        await page.ClickAsync("#lang");
        await Assertions.Expect(page.Locator("body[data-rendered-lang='id']")).ToBeAttachedAsync();
    }

    [Fact]
    public async Task EveryScreen_HasLabelsAndNamesAndFitsAPhone_InBothLanguages()
    {
        await using var session = await BrowserApp.StartAsync();
        var (app, browser) = (session.App, session.Browser);
        await app.Services.GetRequiredService<Demo.DemoSeeder>().SeedCatalogAsync();
        await session.SetMentorProfileAsync(AppHost.Mentor);

        // A case in training with a course place; another in matching with an accepted referral and a financing application.
        var flow = new ServicesFlow(app, app.Client);
        var training = await flow.AssessedAsync();
        Assert.Null((await flow.Enrol(training, "dm-batu-2026")).Code);
        await flow.Command(training, "/mentor", new { mentorId = AppHost.Mentor });
        var matching = await flow.AssessedAsync();
        await flow.Stage(matching, "training", "skip", "Sudah ikut");
        await flow.Stage(matching, "mentoring", "skip", "Sudah didampingi");
        await flow.Stage(matching, "matching", "start");
        Assert.Null((await flow.Enrol(matching, "buyer-hotel-2026")).Code);
        await flow.Command(matching, "/enrolments/buyer-hotel-2026/referral-response", new { accepted = true });
        Assert.Null((await flow.Enrol(matching, "kur-bri-mikro", amountIdr: 20_000_000)).Code);
        await flow.Command(matching, "/closure-request", new { reason = "Moved" });

        var login = await (await Chromium.PhoneContextAsync(browser, app.BaseAddress)).NewPageAsync();
        await login.GotoAsync("/");
        // The audit finds what it looks for: an unlabelled field, a nameless button, a repeated id, a too-wide element.
        await login.EvaluateAsync("""
            () => document.body.append(Object.assign(document.createElement('input'), { id: 'probe' }), document.createElement('button'),
              Object.assign(document.createElement('p'), { id: 'probe' }), Object.assign(document.createElement('div'), { id: 'wide', style: 'width: 900px' }))
            """);
        var found = await login.EvaluateAsync<string[]>(Audit);
        Assert.Contains("unlabelled probe", found);
        Assert.Contains("nameless <button></button>", found);
        Assert.Contains("duplicate id probe", found);

        Assert.Contains(found, p => p.StartsWith("wider than the screen: wide", StringComparison.Ordinal));
        await login.ReloadAsync();
        await AssertReachableAsync(login, "sign-in", "#login");

        var cw = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Caseworker);
        await AssertReachableAsync(cw, "case list", "#wb-cases li");
        // On the phone the list is the first thing: its first case shows without scrolling, the intake folded above it.
        Assert.True(await cw.EvaluateAsync<bool>("() => document.querySelector('#wb-cases li').getBoundingClientRect().top < window.innerHeight"),
            "the first case of the list is below the first screen");
        Assert.False(await cw.EvaluateAsync<bool>("() => document.getElementById('intake-panel').open"));
        await cw.GotoAsync("/#/import");
        await AssertReachableAsync(cw, "import", "#imp-form");
        await cw.GotoAsync("/#/problems");
        await AssertReachableAsync(cw, "field problems", "#pb-form");
        await cw.GotoAsync($"/#/cases/{training}");
        await AssertReachableAsync(cw, "case in training", "#enrolments li[data-status='Enrolled']");
        // The case page itself speaks English after the switch (it is drawn again, not only the header).
        await cw.ClickAsync("#lang");
        await Assertions.Expect(cw.Locator("#stages")).ToContainTextAsync("Training: Active");
        await cw.ClickAsync("#lang");
        await Assertions.Expect(cw.Locator("#stages")).ToContainTextAsync("Pelatihan: Berjalan");
        await cw.GotoAsync($"/#/cases/{matching}");
        await AssertReachableAsync(cw, "case in matching", "#enrolments li[data-status='Applied']");

        var supervisor = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Supervisor);
        await Assertions.Expect(supervisor.Locator($"#approvals li[data-case='{matching}']")).ToHaveCountAsync(1);
        await supervisor.ClickAsync($"#cases-of-{AppHost.Mentor}");
        await AssertReachableAsync(supervisor, "supervision", $"#approvals li[data-case='{matching}']");
        await supervisor.GotoAsync($"/#/cases/{matching}");
        await AssertReachableAsync(supervisor, "case with a pending closure (supervisor)", "#approve-request");

        var mentor = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Mentor);
        await AssertReachableAsync(mentor, "mentor's cases", $"li[data-case='{training}']");
        await mentor.GotoAsync($"/#/cases/{training}");
        await AssertReachableAsync(mentor, "mentor's case", "#session");

        var analyst = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Analyst);
        await AssertReachableAsync(analyst, "dashboard", "#kpi-cases");
        await analyst.GotoAsync("/#/problems");
        await AssertReachableAsync(analyst, "field problems (ministry)", "#pb-summary");
    }

    [Fact]
    public async Task AProvincesCaseworker_PicksTheKabKotaThenTheKecamatan_AndFiltersTheListByKabKota()
    {
        await using var session = await BrowserApp.StartAsync();
        var (app, browser) = (session.App, session.Browser);
        await app.CreateUser("petugas.jatim", Domain.Access.Role.Caseworker, "35");
        var cw = await Chromium.SignInAsync(browser, app.BaseAddress, "petugas.jatim");
        await Assertions.Expect(cw.Locator("#f-region option[value='35.79']")).ToBeAttachedAsync();
        await Assertions.Expect(cw.Locator("#i-regency option[value='35.79']")).ToBeAttachedAsync();
        await cw.ClickAsync("#intake-panel summary");
        await cw.SelectOptionAsync("#i-regency", "35.79");
        await Assertions.Expect(cw.Locator("#i-region option[value='35.79.02']")).ToBeAttachedAsync();
        Assert.Equal(0, await cw.Locator("#i-region option[value='35.73.01']").CountAsync());
        await cw.SelectOptionAsync("#i-region", "35.79.02");
        await cw.FillAsync("#i-nik", "3579025508930078");
        await cw.FillAsync("#i-name", "Ibu Provinsi");
        await cw.CheckAsync("#i-consent");
        await cw.ClickAsync("#intake button[type=submit]");
        await Assertions.Expect(cw.Locator("#case-title")).ToContainTextAsync("Ibu Provinsi");
        var number = (await cw.Locator("#case-title").TextContentAsync())!.Split(" · ")[1];
        Assert.Equal("35.79.02", (await new ServicesFlow(app, app.Client).Get($"/api/cases/{number}")).GetProperty("regionCode").GetString());

        await cw.ClickAsync("#app > a[href='#/']");
        await cw.Locator("#more-filters").EvaluateAsync("d => d.open = true");
        await cw.SelectOptionAsync("#f-region", "35.79");
        await cw.ClickAsync("#filters button[type=submit]");
        await Assertions.Expect(cw.Locator($"#wb-cases li[data-case='{number}']")).ToHaveCountAsync(1);
        await Assertions.Expect(cw.Locator("#wb-total")).ToHaveTextAsync("1 kasus");

        // The field-problem form places a problem the same way.
        await cw.GotoAsync("/#/problems");
        await cw.SelectOptionAsync("#pb-regency", "35.79");
        await Assertions.Expect(cw.Locator("#pb-kecamatan option[value='35.79.03']")).ToBeAttachedAsync();
    }

    [Fact]
    public async Task TheIntakeForm_IsFilledAndSentWithTheKeyboardAlone()
    {
        await using var session = await BrowserApp.StartAsync();
        var (app, browser) = (session.App, session.Browser);
        var cw = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Caseworker);
        await Assertions.Expect(cw.Locator("#i-region option").First).ToBeAttachedAsync();
        // The intake is folded under its summary: Enter on it opens the form.
        await cw.FocusAsync("#intake-panel summary");
        await cw.Keyboard.PressAsync("Enter");
        await cw.FocusAsync("#i-nik");
        await cw.Keyboard.TypeAsync("3579025508930077");
        await cw.Keyboard.PressAsync("Tab");
        Assert.Equal("i-name", await cw.EvaluateAsync<string>("() => document.activeElement.id"));
        await cw.Keyboard.TypeAsync("Ibu Keyboard Saja");
        await cw.Keyboard.PressAsync("Tab");
        Assert.Equal("i-region", await cw.EvaluateAsync<string>("() => document.activeElement.id"));
        await cw.Keyboard.PressAsync("ArrowDown");
        await cw.Keyboard.PressAsync("Tab");
        Assert.Equal("i-segment", await cw.EvaluateAsync<string>("() => document.activeElement.id"));
        await cw.Keyboard.PressAsync("ArrowDown");
        await cw.Keyboard.PressAsync("Tab");
        Assert.Equal("i-consent", await cw.EvaluateAsync<string>("() => document.activeElement.id"));
        await cw.Keyboard.PressAsync("Space");
        await cw.Keyboard.PressAsync("Tab");
        await cw.Keyboard.PressAsync("Enter");

        await Assertions.Expect(cw.Locator("#case-title")).ToContainTextAsync("Ibu Keyboard Saja");
        var number = (await cw.Locator("#case-title").TextContentAsync())!.Split(" · ")[1];
        var view = await new ServicesFlow(app, app.Client).Get($"/api/cases/{number}");
        Assert.Equal("Koperasi", view.GetProperty("segment").GetString());
        Assert.True(view.GetProperty("consentRecorded").GetBoolean());
        Assert.Equal("35.79.02", view.GetProperty("regionCode").GetString());
    }
}
