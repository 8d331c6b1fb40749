using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// The workbench's remaining actions in real headless Chromium (issue 8, deliverable 1): skipping stages with a reason, a
/// referral to a ranked partner answered and its outcome reported, the financing pipeline from the ranked lender to
/// repayment in rupiah, outcomes and graduation, a case note; closing through a supervisor's approval.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class WorkbenchActionsTests
{
    private static ILocator Stage(IPage page, string stage) => CasePage.Stage(page, stage);

    private static ILocator Enrolment(IPage page, string offerId) => CasePage.Enrolment(page, offerId);

    [Fact]
    public async Task SkipReferralFinancingOutcomesAndANote_RunFromTheCasePage_ToGraduation()
    {
        await using var session = await BrowserApp.StartAsync();
        var (app, browser) = (session.App, session.Browser);
        await app.Services.GetRequiredService<Demo.DemoSeeder>().SeedCatalogAsync();
        var flow = new ServicesFlow(app, app.Client);
        var n = await flow.AssessedAsync();
        var cw = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Caseworker);
        await cw.GotoAsync($"/#/cases/{n}");
        await Assertions.Expect(Stage(cw, "Training")).ToHaveAttributeAsync("data-state", "Active");

        // A skip without a reason is refused with the server's words; with one it is taken.
        await cw.ClickAsync("#next-action summary");
        await cw.ClickAsync("#skip-Training");
        await Assertions.Expect(cw.Locator("#c-message")).ToHaveTextAsync("Kolom 'reason' wajib diisi.");
        await cw.FillAsync("#skip-reason-Training", "Sudah ikut pelatihan serupa tahun lalu");
        await cw.ClickAsync("#skip-Training");
        await Assertions.Expect(Stage(cw, "Training")).ToHaveAttributeAsync("data-state", "Skipped");
        await cw.ClickAsync("#next-action summary");
        await cw.FillAsync("#skip-reason-Mentoring", "Sudah didampingi BUMDes");
        await cw.ClickAsync("#skip-Mentoring");
        await Assertions.Expect(Stage(cw, "Mentoring")).ToHaveAttributeAsync("data-state", "Skipped");

        // Matching: refer to the top-ranked partner, the partner accepts, the outcome is reported, the gate is met.
        await cw.ClickAsync("#start-Matching");
        await Assertions.Expect(Stage(cw, "Matching")).ToHaveAttributeAsync("data-state", "Active");
        var partner = (await cw.Locator("#candidates-Partner li").First.GetAttributeAsync("data-candidate"))!;
        await cw.ClickAsync($"#accept-Partner-{partner}");
        await Assertions.Expect(Enrolment(cw, partner)).ToHaveAttributeAsync("data-status", "ReferralOffered");
        await cw.ClickAsync($"#referral-accept-{partner}");
        await Assertions.Expect(Enrolment(cw, partner)).ToHaveAttributeAsync("data-status", "ReferralAccepted");
        await cw.SelectOptionAsync($"#outcome-{partner}", "Contracted");
        await cw.ClickAsync($"#report-outcome-{partner}");
        await Assertions.Expect(Enrolment(cw, partner)).ToHaveAttributeAsync("data-status", "ReferralClosed");
        await cw.ClickAsync("#complete-Matching");
        await Assertions.Expect(Stage(cw, "Matching")).ToHaveAttributeAsync("data-state", "Completed");

        // Financing: apply for KUR Mikro with an amount, approved, disbursed (shown in rupiah), repayment recorded.
        await cw.ClickAsync("#start-Financing");
        // Each answer re-renders the page: wait for it before typing, or the text goes into the page being replaced.
        await Assertions.Expect(Stage(cw, "Financing")).ToHaveAttributeAsync("data-state", "Active");
        await cw.FillAsync("#fin-amount", "20000000");
        await cw.ClickAsync("#accept-Financing-kur-bri-mikro");
        await Assertions.Expect(Enrolment(cw, "kur-bri-mikro")).ToHaveAttributeAsync("data-status", "Applied");
        await Assertions.Expect(Enrolment(cw, "kur-bri-mikro")).ToContainTextAsync("Rp 20.000.000");
        await cw.FillAsync("#plafond-kur-bri-mikro", "18000000");
        await cw.ClickAsync("#approve-kur-bri-mikro");
        await Assertions.Expect(Enrolment(cw, "kur-bri-mikro")).ToHaveAttributeAsync("data-status", "Approved");
        await Assertions.Expect(cw.Locator("#disburse-amount-kur-bri-mikro")).ToHaveValueAsync("18000000");
        await cw.ClickAsync("#disburse-kur-bri-mikro");
        await Assertions.Expect(Enrolment(cw, "kur-bri-mikro")).ToHaveAttributeAsync("data-status", "Disbursed");
        await Assertions.Expect(Enrolment(cw, "kur-bri-mikro")).ToContainTextAsync("cair Rp 18.000.000");
        await cw.SelectOptionAsync("#repayment-kur-bri-mikro", "Late");
        await cw.ClickAsync("#repay-kur-bri-mikro");
        await Assertions.Expect(Enrolment(cw, "kur-bri-mikro")).ToContainTextAsync("angsuran: terlambat");
        await cw.ClickAsync("#complete-Financing");
        await Assertions.Expect(Stage(cw, "Financing")).ToHaveAttributeAsync("data-state", "Completed");

        // A note, then the outcomes and graduation.
        await cw.FillAsync("#note-text", "Kunjungan lapangan: produksi naik dua kali lipat");
        await cw.ClickAsync("#note-form button[type=submit]");
        await Assertions.Expect(cw.Locator("#timeline li").Last).ToHaveAttributeAsync("data-type", "NoteAdded");
        await cw.ClickAsync("#start-Graduated");
        await Assertions.Expect(Stage(cw, "Graduated")).ToHaveAttributeAsync("data-state", "Active");
        await cw.FillAsync("#o-turnover", "2500000000");
        await cw.FillAsync("#o-capital", "400000000");
        await cw.FillAsync("#o-workers", "6");
        await cw.ClickAsync("#outcomes button[type=submit]");
        await Assertions.Expect(cw.Locator("#stages li[data-stage='Graduated'] .meta")).ToHaveCountAsync(0);
        await cw.ClickAsync("#complete-Graduated");
        await Assertions.Expect(Stage(cw, "Graduated")).ToHaveAttributeAsync("data-state", "Completed");
        await Assertions.Expect(cw.Locator("#stage")).ToContainTextAsync("Mandiri");

        var types = await flow.EventTypesAsync(n);
        Assert.Equal(1, types.Count(t => t == "NoteAdded"));
        Assert.Equal(2, types.Count(t => t == "StageSkipped"));
        Assert.Equal(["ReferralOffered", "ReferralAccepted", "ReferralOutcomeReported", "FinancingApplied", "FinancingApproved", "FinancingDisbursed", "RepaymentStatusRecorded"],
            types.Where(t => t.StartsWith("Referral", StringComparison.Ordinal) || t.StartsWith("Financing", StringComparison.Ordinal) || t == "RepaymentStatusRecorded"));
        var view = await flow.Get($"/api/cases/{n}");
        Assert.Equal("Graduated", view.GetProperty("status").GetString());
        Assert.Equal("Small", view.GetProperty("outcomes").GetProperty("umkmClassAfter").GetString());
    }

    [Fact]
    public async Task TheCaseList_FiltersByKecamatanSegmentMentorAndPendingApproval_AndTheExportLinkCarriesTheSameFilter()
    {
        await using var session = await BrowserApp.StartAsync();
        var (app, browser) = (session.App, session.Browser);
        var flow = new ServicesFlow(app, app.Client);
        var batu = await flow.OpenAsync(segment: "Umkm", region: "35.79.01", name: "Warga Batu");
        var bumiaji = await flow.OpenAsync(segment: "Koperasi", region: "35.79.02.2004", name: "Warga Bumiaji");
        var junrejo = await flow.OpenAsync(segment: "Koperasi", region: "35.79.03", name: "Warga Junrejo");
        await flow.Command(junrejo, "/mentor", new { mentorId = AppHost.Mentor });
        await flow.Command(batu, "/closure-request", new { reason = "Moved" });

        var cw = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Caseworker);
        var rows = cw.Locator("#wb-cases li");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        await Assertions.Expect(cw.Locator("#wb-total")).ToHaveTextAsync("3 kasus");

        async Task Apply(params string[] expected)
        {
            await cw.ClickAsync("#filters button[type=submit]");
            foreach (var n in expected)
            {
                await Assertions.Expect(cw.Locator($"#wb-cases li[data-case='{n}']")).ToHaveCountAsync(1);
            }

            await Assertions.Expect(rows).ToHaveCountAsync(expected.Length);
            await Assertions.Expect(cw.Locator("#wb-total")).ToHaveTextAsync($"{expected.Length} kasus");
        }

        await cw.Locator("#more-filters").EvaluateAsync("d => d.open = true");
        await cw.SelectOptionAsync("#f-segment", "Koperasi");
        await Apply(bumiaji, junrejo);
        await cw.SelectOptionAsync("#f-region", "35.79.02");
        await Apply(bumiaji);
        Assert.Equal("/api/cases/export?region=35.79.02&segment=Koperasi", await cw.GetAttributeAsync("#export", "href"));
        await cw.SelectOptionAsync("#f-region", "");
        await cw.FillAsync("#f-mentor", AppHost.Mentor);
        await Apply(junrejo);
        await cw.SelectOptionAsync("#f-segment", "");
        await cw.FillAsync("#f-mentor", "");
        await cw.SelectOptionAsync("#f-pending", "Closure");
        await Apply(batu);
        await Assertions.Expect(rows.First).ToContainTextAsync("menunggu persetujuan");

        // The filters survive a visit to a case page.
        await rows.First.Locator("a").ClickAsync();
        await Assertions.Expect(cw.Locator("#case-title")).ToContainTextAsync("Warga Batu");
        await cw.ClickAsync("#app > a[href='#/']");
        await Assertions.Expect(cw.Locator("#wb-total")).ToHaveTextAsync("1 kasus");
        await Assertions.Expect(cw.Locator("#f-pending")).ToHaveValueAsync("Closure");

        // A refused export says why on the page (the server's message), instead of a silent failed download.
        await cw.EvaluateAsync("() => document.getElementById('export').setAttribute('href', '/api/cases/export?stage=Bogus')");
        await cw.ClickAsync("#export");
        await Assertions.Expect(cw.Locator("#export-message")).ToHaveTextAsync("Nilai filter tidak dikenal (stage, segment, status atau pending).");
    }

    [Fact]
    public async Task WhatTheCaseworkerIsTyping_SurvivesALiveUpdateOfTheCase_AndASentNoteIsCleared()
    {
        await using var session = await BrowserApp.StartAsync();
        var (app, browser) = (session.App, session.Browser);
        var flow = new ServicesFlow(app, app.Client);
        var n = await flow.AssessedAsync();
        await flow.Command(n, "/mentor", new { mentorId = AppHost.Mentor });
        var cw = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Caseworker);
        await cw.GotoAsync($"/#/cases/{n}");
        var events = cw.Locator("#timeline li");
        // Opened, intake completed, assessment started / recorded / completed, training started, mentor assigned.
        await Assertions.Expect(events).ToHaveCountAsync(7);

        await cw.ClickAsync("#next-action summary");
        await cw.FillAsync("#skip-reason-Training", "Sudah ikut pelatihan");
        await cw.FillAsync("#note-text", "Ditelepon pukul 10, minta");
        // The mentor logs a session meanwhile: the page re-renders with the new event and keeps both texts and the focus.
        using (var mentor = await app.ClientFor(AppHost.Mentor))
        {
            using var logged = await mentor.PostAsJsonAsync($"/api/cases/{n}/mentoring-sessions",
                new { commandId = Guid.NewGuid().ToString(), date = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), topic = "Pembukuan" });
            Assert.Equal(HttpStatusCode.OK, logged.StatusCode);
        }

        await Assertions.Expect(events).ToHaveCountAsync(8, new() { Timeout = 15_000 });
        await Assertions.Expect(events.Last).ToHaveAttributeAsync("data-type", "MentoringSessionLogged");
        await Assertions.Expect(cw.Locator("#note-text")).ToHaveValueAsync("Ditelepon pukul 10, minta");
        await Assertions.Expect(cw.Locator("#skip-reason-Training")).ToHaveValueAsync("Sudah ikut pelatihan");
        await Assertions.Expect(cw.Locator("#skip-reason-Training")).ToBeVisibleAsync();
        Assert.Equal("note-text", await cw.EvaluateAsync<string>("() => document.activeElement.id"));

        await cw.Keyboard.TypeAsync(" jadwal ulang");
        await cw.ClickAsync("#note-form button[type=submit]");
        await Assertions.Expect(events.Last).ToHaveAttributeAsync("data-type", "NoteAdded");
        await Assertions.Expect(cw.Locator("#note-text")).ToHaveValueAsync("");
        // Only what was sent is cleared: the skip reason typed in another part of the page is still there.
        await Assertions.Expect(cw.Locator("#skip-reason-Training")).ToHaveValueAsync("Sudah ikut pelatihan");
        var timeline = await flow.Get($"/api/cases/{n}/timeline?limit=1000");
        Assert.Equal("Ditelepon pukul 10, minta jadwal ulang", timeline.EnumerateArray().Last().GetProperty("payload").GetProperty("text").GetString());
    }

    [Fact]
    public async Task ACaseworkerAsksToClose_TheSupervisorApprovesFromTheSupervisionView_AndTheCasePageShowsItClosedLive()
    {
        await using var session = await BrowserApp.StartAsync();
        var (app, browser) = (session.App, session.Browser);
        var flow = new ServicesFlow(app, app.Client);
        var n = await flow.OpenAsync(name: "Ibu Sulastri Tutup");
        var supervisor = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Supervisor);
        await Assertions.Expect(supervisor.Locator("#supervisor")).ToHaveTextAsync("Supervisi wilayah");
        await Assertions.Expect(supervisor.Locator("#approvals h2")).ToHaveTextAsync("Menunggu persetujuan (0)");
        await supervisor.EvaluateAsync("() => { window.__noReload = true; }");

        var cw = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Caseworker);
        await cw.GotoAsync($"/#/cases/{n}");
        await cw.ClickAsync("#approval summary");
        await cw.SelectOptionAsync("#close-reason", "Moved");
        await cw.FillAsync("#close-note", "Pindah ke Malang");
        await cw.ClickAsync("#close-submit");
        await Assertions.Expect(cw.Locator("#pending")).ToContainTextAsync("Pindah domisili");
        await Assertions.Expect(cw.Locator("#approve-request")).ToHaveCountAsync(0);

        // The request reaches the supervisor's open view by itself; a decline needs a reason, then the caseworker asks again.
        var row = supervisor.Locator($"#approvals li[data-case='{n}']");
        await Assertions.Expect(row).ToContainTextAsync("Pindah ke Malang", new() { Timeout = 15_000 });
        await supervisor.ClickAsync($"#decline-{n}");
        await Assertions.Expect(supervisor.Locator("#sv-message")).ToHaveTextAsync("Kolom 'reason' wajib diisi.");
        await supervisor.FillAsync($"#decline-reason-{n}", "Masih aktif di grup WA");
        await supervisor.ClickAsync($"#decline-{n}");
        await Assertions.Expect(row).ToHaveCountAsync(0);
        await Assertions.Expect(cw.Locator("#pending")).ToHaveCountAsync(0, new() { Timeout = 15_000 });

        await cw.ClickAsync("#approval summary");
        await cw.SelectOptionAsync("#close-reason", "Moved");
        await cw.ClickAsync("#close-submit");
        await Assertions.Expect(row).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await supervisor.ClickAsync($"#approve-{n}");
        await Assertions.Expect(row).ToHaveCountAsync(0);
        await Assertions.Expect(cw.Locator("#stage")).ToContainTextAsync("Ditutup (Pindah domisili)", new() { Timeout = 15_000 });
        Assert.True(await supervisor.EvaluateAsync<bool>("() => window.__noReload === true"), "the supervision view reloaded");

        // The caseworker may ask to reopen; the English switch works on the supervision view.
        await cw.FillAsync("#reopen-reason", "Kembali ke Batu");
        await cw.ClickAsync("#reopen-submit");
        await Assertions.Expect(supervisor.Locator($"#approvals li[data-case='{n}']")).ToContainTextAsync("Kembali ke Batu", new() { Timeout = 15_000 });
        await supervisor.ClickAsync("#lang");
        await Assertions.Expect(supervisor.Locator("#supervisor")).ToHaveTextAsync("Regional supervision");
        await Assertions.Expect(supervisor.Locator("#approvals h2")).ToHaveTextAsync("Waiting for approval (1)");

        var types = await flow.EventTypesAsync(n);
        Assert.Equal(["CaseOpened", "ClosureRequested", "ClosureRequestDeclined", "ClosureRequested", "CaseClosed", "ReopeningRequested"], types);
    }

    [Fact]
    public async Task TheSupervisionView_ShowsAnEscalationLive_AndReassignsAMentorsCase_WhichLeavesTheMentorsPage()
    {
        var fastSla = new Dictionary<string, string>
        {
            ["CaseGrains:Sla:Targets:Intake"] = "00:00:03",
            ["CaseGrains:Sla:EscalationGrace"] = "00:00:02",
            ["CaseGrains:Sla:CheckPeriod"] = "00:00:01",
        };
        await using var session = await BrowserApp.StartAsync(overrides: fastSla);
        var (app, browser) = (session.App, session.Browser);
        await app.CreateUser("pendamping2", Domain.Access.Role.Mentor);
        await session.SetMentorProfileAsync(AppHost.Mentor, capacity: 2);
        await session.SetMentorProfileAsync("pendamping2", capacity: 30);

        var flow = new ServicesFlow(app, app.Client);
        var mentored = await flow.OpenAsync(name: "Pak Slamet Dampingan");
        await flow.Command(mentored, "/mentor", new { mentorId = AppHost.Mentor });
        var mentorPage = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Mentor);
        await Assertions.Expect(mentorPage.Locator($"li[data-case='{mentored}']")).ToHaveCountAsync(1);
        var supervisor = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Supervisor);
        await Assertions.Expect(supervisor.Locator($"#caseloads tr[data-mentor='{AppHost.Mentor}'] td").Nth(1)).ToHaveTextAsync("1 / 2");

        // Intake left open past its 3 s target: breached, then escalated to the supervisor, whose view shows it unasked.
        await Assertions.Expect(supervisor.Locator($"#overdue li[data-case='{mentored}']")).ToHaveAttributeAsync("data-sla", "Escalated", new() { Timeout = 30_000 });

        await supervisor.ClickAsync($"#cases-of-{AppHost.Mentor}");
        await supervisor.SelectOptionAsync($"#reassign-to-{mentored}", "pendamping2");
        await supervisor.ClickAsync($"#reassign-{mentored}");
        await Assertions.Expect(supervisor.Locator("#caseloads tr[data-mentor='pendamping2'] td").Nth(1)).ToHaveTextAsync("1 / 30");
        await Assertions.Expect(supervisor.Locator($"#caseloads tr[data-mentor='{AppHost.Mentor}'] td").Nth(1)).ToHaveTextAsync("0 / 2");
        await Assertions.Expect(mentorPage.Locator($"li[data-case='{mentored}']")).ToHaveCountAsync(0, new() { Timeout = 15_000 });
        var view = await flow.Get($"/api/cases/{mentored}");
        Assert.Equal("pendamping2", view.GetProperty("mentorId").GetString());
    }
}
