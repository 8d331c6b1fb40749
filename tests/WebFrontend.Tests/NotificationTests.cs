using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CaseGrains.Grains.Notifications;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// Notices leaving the app (issue 20, deliverables 4 and 5): e-mail through a real SMTP server started here on loopback,
/// WhatsApp/SMS through a local webhook receiver that fails and recovers, each message once per recipient and event, in
/// the recipient's language, with nothing of the beneficiary in it — also when a silo stops in the middle of sending.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class NotificationTests
{
    private const string Secret = "rahasia-gerbang-pesan-uji-0123456789abcdef";
    private const string Name = "Ibu Rahasia Sekali";

    private static Dictionary<string, string> Fast(Dictionary<string, string> settings)
    {
        settings["CaseGrains:Notifications:PollEvery"] = "00:00:00.1";
        settings["CaseGrains:Notifications:FirstRetry"] = "00:00:00.1";
        settings["CaseGrains:Notifications:AppUrl"] = "https://perintis.test";
        return settings;
    }

    private static Dictionary<string, string> Smtp(SmtpSink sink) => Fast(new()
    {
        ["CaseGrains:Notifications:Smtp:Host"] = "127.0.0.1",
        ["CaseGrains:Notifications:Smtp:Port"] = sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["CaseGrains:Notifications:Smtp:Security"] = "None",
        ["CaseGrains:Notifications:Smtp:From"] = "notifikasi@perintis.test",
    });

    private static async Task<HttpResponseMessage> SetSettings(AppHost app, string userId, object settings)
    {
        using var client = await app.ClientFor(userId);
        return await client.PutAsJsonAsync("/api/me/notifications", settings);
    }

    private static async Task<(string Number, string Nik)> OpenCaseAsync(AppHost app)
    {
        var nik = ServicesFlow.NextNik(female: true);
        var number = (await app.PostOk("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(), nik, fullName = Name, regionCode = "35.79.02", segment = "Umkm", consentGiven = true,
        }, HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
        return (number, nik);
    }

    private static Task<JsonElement> AssignMentor(AppHost app, string number) =>
        app.PostOk($"/api/cases/{number}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId = AppHost.Mentor });

    private static async Task<JsonElement[]> DeliveriesAsync(AppHost app, string? status = null)
    {
        using var admin = await app.ClientFor(AppHost.Administrator);
        return [.. (await admin.GetFromJsonAsync<JsonElement>($"/api/admin/notice-deliveries{(status is null ? "" : $"?status={status}")}")).EnumerateArray()];
    }

    private static async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> done, string what, int seconds = 20)
    {
        var clock = Stopwatch.StartNew();
        var value = await read();
        while (!done(value) && clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            await Task.Delay(100);
            value = await read();
        }

        Assert.True(done(value), $"{what} did not happen within {seconds} s");
        return value;
    }

    [Fact]
    public async Task ByEmail_EachRecipientGetsOneMessagePerEvent_InTheirLanguage_WithoutTheBeneficiarysData()
    {
        await using var sink = new SmtpSink();
        await using var app = AppHost.Start(overrides: Smtp(sink));
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await SetSettings(app, AppHost.Supervisor, new { email = "sv@perintis.test", language = "en", byEmail = true })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await SetSettings(app, AppHost.Mentor, new { email = "mentor@perintis.test", byEmail = true })).StatusCode);
            var (number, nik) = await OpenCaseAsync(app);

            await AssignMentor(app, number);
            await app.PostOk($"/api/cases/{number}/closure-request", new { commandId = Guid.NewGuid().ToString(), reason = "DroppedOut" });

            var messages = await sink.WaitForAsync(2, TimeSpan.FromSeconds(20));
            await Task.Delay(1500); // several polls more: nothing is sent twice
            Assert.Equal(2, sink.Messages.Count);
            var toMentor = Assert.Single(messages, m => m.To.ToString() == "mentor@perintis.test");
            var toSupervisor = Assert.Single(messages, m => m.To.ToString() == "sv@perintis.test");
            Assert.Equal($"[Perintis Berdaya] Anda ditugaskan sebagai pendamping kasus {number}.", toMentor.Subject);
            Assert.Equal($"[Perintis Berdaya] A request to close case {number} waits for your decision.", toSupervisor.Subject);
            Assert.Contains($"https://perintis.test/#/cases/{number}", toSupervisor.TextBody, StringComparison.Ordinal);
            Assert.Equal("en", toSupervisor.Body!.Headers["Content-Language"]);
            Assert.Equal($"{AppHost.Mentor}.{number}.2.email@casegrains", toMentor.MessageId);
            foreach (var m in messages)
            {
                var text = m.ToString();
                Assert.DoesNotContain(Name, text, StringComparison.Ordinal);
                Assert.DoesNotContain(nik, text, StringComparison.Ordinal);
                Assert.DoesNotContain(nik[..6] + "*", text, StringComparison.Ordinal);
            }

            var sent = await DeliveriesAsync(app, "Sent");
            Assert.Equal(2, sent.Length);
            Assert.All(sent, d => Assert.Equal(1, d.GetProperty("attempts").GetInt32()));
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    [Fact]
    public async Task ByTheGateway_AFailingReceiverIsRetriedUntilItAnswers_ThenFailuresShowToAdmins_AndARetrySendsThemOnce()
    {
        await using var gateway = await GatewaySink.StartAsync();
        var settings = Fast(new()
        {
            ["CaseGrains:Notifications:Webhook:Url"] = gateway.Url,
            ["CaseGrains:Notifications:Webhook:Secret"] = Secret,
            ["CaseGrains:Notifications:MaxAttempts"] = "3",
        });
        await using var app = AppHost.Start(overrides: settings);
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await SetSettings(app, AppHost.Mentor, new { phone = "+6281234567890", language = "en", byMessage = true })).StatusCode);
            gateway.FailNext = 2;
            var (first, _) = await OpenCaseAsync(app);
            await AssignMentor(app, first);

            var accepted = await Eventually(() => Task.FromResult(gateway.Accepted.ToList()), a => a.Count == 1, "the gateway's acceptance");
            await Task.Delay(1000);
            Assert.Single(gateway.Accepted);
            Assert.Equal(3, gateway.Requests.Count);
            var (body, signature, key, _) = accepted[0];
            Assert.Equal("sha256=" + WebhookNoticeSender.Signature(Secret, Encoding.UTF8.GetBytes(body)), signature);
            Assert.Equal($"{AppHost.Mentor}.{first}.2.message", key);
            var json = JsonDocument.Parse(body).RootElement;
            Assert.Equal("+6281234567890", json.GetProperty("to").GetString());
            Assert.Contains($"You were assigned as the mentor of case {first}.", json.GetProperty("text").GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain(Name, body, StringComparison.Ordinal);
            var delivered = Assert.Single(await DeliveriesAsync(app, "Sent"));
            Assert.Equal(3, delivered.GetProperty("attempts").GetInt32());

            // A receiver that keeps failing: after the last attempt the delivery shows as failed to admins, with why.
            gateway.FailNext = 1000;
            var (second, _) = await OpenCaseAsync(app);
            await AssignMentor(app, second);
            var failed = Assert.Single(await Eventually(() => DeliveriesAsync(app, "Failed"), f => f.Length == 1, "the failure"));
            Assert.Equal(second, failed.GetProperty("caseNumber").GetString());
            Assert.Contains("503", failed.GetProperty("lastError").GetString(), StringComparison.Ordinal);
            using var caseworker = await app.ClientFor(AppHost.Caseworker);
            Assert.Equal(HttpStatusCode.Forbidden, (await caseworker.GetAsync("/api/admin/notice-deliveries")).StatusCode);

            // Fixed: an admin sends the failed ones again, and each arrives once.
            gateway.FailNext = 0;
            var acceptedBefore = gateway.Accepted.Count();
            using var admin = await app.ClientFor(AppHost.Administrator);
            var retried = await (await admin.PostAsync("/api/admin/notice-deliveries/retry", null)).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(1, retried.GetProperty("retried").GetInt32());
            await Eventually(() => Task.FromResult(gateway.Accepted.Count()), n => n == acceptedBefore + 1, "the retried delivery");
            await Task.Delay(1000);
            Assert.Equal(acceptedBefore + 1, gateway.Accepted.Count());
            Assert.Equal(2, (await DeliveriesAsync(app, "Sent")).Length);
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    [Fact]
    public async Task ASiloThatStopsInTheMiddleOfSending_LeavesTheMessageToTheNextStart_AndItArrivesOnce()
    {
        await using var sink = new SmtpSink { Hold = true };
        var settings = Smtp(sink);
        settings["CaseGrains:Notifications:Lease"] = "00:00:10"; // each attempt may take half of it
        var app = AppHost.Start(overrides: settings);
        var dir = app.DataDirectory;
        try
        {
            await SetSettings(app, AppHost.Mentor, new { email = "mentor@perintis.test", byEmail = true });
            var (number, _) = await OpenCaseAsync(app);
            await AssignMentor(app, number);
            await sink.Held.Task.WaitAsync(TimeSpan.FromSeconds(20)); // the message is on the wire, unanswered

            await app.DisposeAsync(); // the silo stops in the middle of sending
            Assert.Empty(sink.Messages);
            sink.Hold = false;

            await using var again = AppHost.Start(dir, settings);
            var messages = await sink.WaitForAsync(1, TimeSpan.FromSeconds(40)); // once the stopped silo's lease has ended
            await Task.Delay(1500);
            Assert.Single(sink.Messages);
            Assert.Equal($"{AppHost.Mentor}.{number}.2.email@casegrains", messages[0].MessageId);
            var sent = Assert.Single(await DeliveriesAsync(again, "Sent"));
            Assert.Equal(2, sent.GetProperty("attempts").GetInt32());
        }
        finally
        {
            AppHost.DeleteData(dir);
        }
    }

    [Fact]
    public async Task AReferralAnswered_IsMailedOnceToWhoMadeIt_NotToWhoAnswered_AndNotWhenTheMakerAnsweredHimself()
    {
        await using var sink = new SmtpSink();
        await using var app = AppHost.Start(overrides: Smtp(sink));
        try
        {
            await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Demo.DemoSeeder>(app.Services).SeedCatalogAsync();
            Assert.Equal(HttpStatusCode.OK, (await SetSettings(app, AppHost.Caseworker, new { email = "petugas@perintis.test", language = "en", byEmail = true })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await SetSettings(app, AppHost.Supervisor, new { email = "sv@perintis.test", byEmail = true })).StatusCode);
            var flow = new ServicesFlow(app, app.Client); // the caseworker makes the referral
            var number = await flow.AssessedAsync();
            var nik = (await flow.Get($"/api/cases/{number}")).GetProperty("nikMasked").GetString()!;
            await flow.Enrol(number, "buyer-apel-2026");

            // The partner's answer, recorded by the supervisor: the caseworker who referred is told, once.
            using var supervisor = await app.ClientFor(AppHost.Supervisor);
            var answered = await new ServicesFlow(app, supervisor).Command(number, "/enrolments/buyer-apel-2026/referral-response", new { accepted = true });
            var messages = await sink.WaitForAsync(1, TimeSpan.FromSeconds(20));
            var mail = Assert.Single(messages);
            Assert.Equal("petugas@perintis.test", mail.To.ToString());
            Assert.Equal($"[Perintis Berdaya] Your referral on case {number} was answered.", mail.Subject);
            Assert.Contains($"https://perintis.test/#/cases/{number}", mail.TextBody, StringComparison.Ordinal);
            Assert.Equal($"{AppHost.Caseworker}.{number}.{answered.GetProperty("seq").GetInt64()}.email@casegrains", mail.MessageId);
            Assert.DoesNotContain("Warga Layanan", mail.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(nik, mail.ToString(), StringComparison.Ordinal);

            // The caseworker reports the outcome himself: no message; and nothing was sent twice meanwhile.
            await flow.Command(number, "/enrolments/buyer-apel-2026/referral-outcome", new { outcome = "Contracted" });
            await Task.Delay(1500);
            Assert.Single(sink.Messages);
            var delivery = Assert.Single(await DeliveriesAsync(app, "Sent"));
            Assert.Equal("referral-answered", delivery.GetProperty("kind").GetString());
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    [Fact]
    public async Task ANewApplicationToAPartner_IsMailedToItsUsers_AndTheirAnswerToTheCaseworkerWhoApplied_ButNotOnceSharingIsWithdrawn()
    {
        await using var sink = new SmtpSink();
        await using var app = AppHost.Start(overrides: Smtp(sink));
        try
        {
            await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Demo.DemoSeeder>(app.Services).SeedCatalogAsync();
            await app.CreatePartner("mitra-bri", "mitra.bri", "kur-bri-mikro");
            Assert.Equal(HttpStatusCode.OK, (await SetSettings(app, "mitra.bri", new { email = "kredit@bri.test", language = "en", byEmail = true })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await SetSettings(app, AppHost.Caseworker, new { email = "petugas@perintis.test", byEmail = true })).StatusCode);
            var flow = new ServicesFlow(app, app.Client);
            var number = await flow.AssessedAsync();
            var nik = (await flow.Get($"/api/cases/{number}")).GetProperty("nikMasked").GetString()!;
            Assert.Null((await flow.Enrol(number, "kur-bri-mikro", amountIdr: 10_000_000)).Code);

            var told = Assert.Single(await sink.WaitForAsync(1, TimeSpan.FromSeconds(20)));
            Assert.Equal("kredit@bri.test", told.To.ToString());
            Assert.Equal($"[Perintis Berdaya] A new financing application to your organisation (case {number}) waits for a decision.", told.Subject);
            Assert.DoesNotContain("Warga Layanan", told.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(nik, told.ToString(), StringComparison.Ordinal);

            // The bank decides in the platform: the caseworker who applied is told, in Bahasa Indonesia.
            using var bank = await app.ClientFor("mitra.bri");
            using var decided = await bank.PostAsJsonAsync($"/api/partner/cases/{number}/enrolments/kur-bri-mikro/financing-decision",
                new { commandId = Guid.NewGuid().ToString(), approved = true, plafondIdr = 10_000_000 });
            Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
            var answer = (await sink.WaitForAsync(2, TimeSpan.FromSeconds(20)))[1];
            Assert.Equal("petugas@perintis.test", answer.To.ToString());
            Assert.Equal($"[Perintis Berdaya] Pengajuan pembiayaan yang Anda buat untuk kasus {number} sudah diputuskan.", answer.Subject);

            // A course the bank runs, taken by a beneficiary who does not share with partners: the bank hears nothing of them.
            using var admin = await app.ClientFor(AppHost.Administrator);
            using var course = await admin.PutAsJsonAsync("/api/offers/literasi-keuangan-bri", new
            {
                name = "Literasi Keuangan BRI", type = "Training", category = "Literasi keuangan", provider = "Bank BRI", level = "Partner",
                partnerRole = "Business", partnerOrgId = "mitra-bri", segments = new[] { "Umkm" }, regions = new[] { "35.79" },
                start = "2026-01-01", end = "2030-12-31", capacity = 20,
            }, AppHost.Json);
            Assert.True(course.IsSuccessStatusCode, await course.Content.ReadAsStringAsync());
            var other = await flow.AssessedAsync();
            await flow.Command(other, "/consent/withdrawal", new { purposes = new[] { "PartnerSharing" }, method = "Formulir" });
            Assert.Null((await flow.Enrol(other, "literasi-keuangan-bri")).Code);
            await Task.Delay(1500);
            Assert.Equal(2, sink.Messages.Count);
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    [Fact]
    public async Task AStageNearItsDeadline_IsMailedOnceToTheCaseworkers_WhenTheJourneyClockReachesEightyPercent()
    {
        await using var sink = new SmtpSink();
        var clock = new TestClock(DateTimeOffset.UtcNow);
        var settings = Smtp(sink);
        settings["CaseGrains:Sla:CheckPeriod"] = "00:00:01";
        await using var app = AppHost.Start(overrides: settings,
            services: s => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddKeyedSingleton<TimeProvider>(s, Grains.Hosting.ProviderNames.Clock, clock));
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await SetSettings(app, AppHost.Caseworker, new { email = "petugas@perintis.test", byEmail = true })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await SetSettings(app, AppHost.Supervisor, new { email = "sv@perintis.test", byEmail = true })).StatusCode);
            var (number, nik) = await OpenCaseAsync(app);

            // Intake's target is 7 days: just before 80 % of it nothing is sent, just after the caseworker is told once.
            clock.Advance(TimeSpan.FromDays(7) * 0.8 - TimeSpan.FromMinutes(1));
            await Task.Delay(2500); // two sweeps at least
            Assert.Empty(sink.Messages);
            clock.Advance(TimeSpan.FromMinutes(2));
            var mail = Assert.Single(await sink.WaitForAsync(1, TimeSpan.FromSeconds(20)));
            await Task.Delay(2500); // more sweeps and polls: nothing twice
            Assert.Single(sink.Messages);
            Assert.Equal("petugas@perintis.test", mail.To.ToString());
            Assert.Equal($"[Perintis Berdaya] Satu tahap kasus {number} hampir melewati batas waktunya.", mail.Subject);
            Assert.DoesNotContain(Name, mail.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(nik, mail.ToString(), StringComparison.Ordinal);
            var timeline = await app.GetOk($"/api/cases/{number}/timeline");
            Assert.Equal(["CaseOpened", "SlaWarned"], timeline.EnumerateArray().Select(e => e.GetProperty("type").GetString()));
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    [Fact]
    public async Task BadSettings_AreProblems_AndChangeNothing()
    {
        await using var sink = new SmtpSink();
        await using var app = AppHost.Start(overrides: Smtp(sink));
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await SetSettings(app, AppHost.Caseworker, new { email = "petugas@perintis.test", byEmail = true })).StatusCode);
            (object Body, string Code, string Field)[] bad =
            [
                (new { email = "bukan alamat", byEmail = true }, "notify.email_invalid", "email"),
                (new { email = "a@b.test\r\nBcc: x@y.test", byEmail = true }, "notify.email_invalid", "email"),
                (new { phone = "081234567890", byMessage = false }, "notify.phone_invalid", "phone"),
                (new { byEmail = true }, "notify.address_missing", "email"),
                (new { phone = "+6281234567890", byMessage = true }, "notify.channel_unavailable", "byMessage"),
                (new { email = "petugas@perintis.test", language = "fr" }, "input.out_of_range", "language"),
            ];
            foreach (var (body, code, field) in bad)
            {
                using var response = await SetSettings(app, AppHost.Caseworker, body);
                var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                Assert.Equal(code, problem.GetProperty("code").GetString());
                Assert.Equal(field, problem.GetProperty("field").GetString());
            }

            using var caseworker = await app.ClientFor(AppHost.Caseworker);
            var kept = await caseworker.GetFromJsonAsync<JsonElement>("/api/me/notifications");
            Assert.Equal("petugas@perintis.test", kept.GetProperty("email").GetString());
            Assert.True(kept.GetProperty("byEmail").GetBoolean());
            Assert.Equal("id", kept.GetProperty("language").GetString());
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }
}
