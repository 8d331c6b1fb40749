using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseGrains.Domain.Access;
using Microsoft.Extensions.DependencyInjection;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// ≥ 10,000 requests from 54 users of every role, with mentors assigned and reassigned and consents to sharing with
/// partners withdrawn between rounds, checked against the test's own model of who may see what: no response may reveal a
/// case outside the caller's scope. Partners' users see the cases that applied for their organisation's loan product,
/// while the beneficiary consents to sharing with partners, through their own endpoints only.
/// </summary>
public sealed class RandomizedAccessTests
{
    private const int Rounds = 20;
    private const int RequestsPerRound = 520;
    private static readonly string[] Kecamatan = ["35.79.01", "35.79.02", "35.79.03", "35.07.01", "35.07.02"];

    private sealed record User(string Id, Role Role, string[] Regions, HttpClient Client)
    {
        public string? Org { get; init; }
    }

    private sealed record Case(string Number, string Region, string Name)
    {
        public string? Mentor { get; set; }

        /// <summary>The partner organisation whose loan product the case applied for, while it shares with partners.</summary>
        public string? Partner { get; set; }
    }

    /// <summary>Each partner organisation and the loan product it answers for (Bank BRI reaches the country, Bank Jatim the province).</summary>
    private static readonly (string Org, string Offer)[] Partners = [("mitra-bri", "kur-bri-mikro"), ("mitra-jatim", "kur-jatim-mikro")];

    [Fact]
    public async Task TenThousandRandomRequests_FromFiftyUsers_NeverRevealACaseOutsideTheCallersScope()
    {
        await using var app = AppHost.Start();
        await app.Services.GetRequiredService<Demo.DemoSeeder>().SeedCatalogAsync();
        var random = new Random(20261127);
        try
        {
            var users = new List<User>();
            async Task Add(string id, Role role, params string[] regions)
            {
                await app.CreateUser(id, role, regions);
                users.Add(new User(id, role, regions, await app.ClientFor(id)));
            }

            for (var i = 0; i < 20; i++)
            {
                await Add($"cw{i:D2}", Role.Caseworker, i % 4 == 0 ? Kecamatan[i % 5][..5] : Kecamatan[i % 5]);
            }

            for (var i = 0; i < 5; i++)
            {
                await Add($"sv{i}", Role.Supervisor, i < 3 ? "35.79" : "35.07");
            }

            for (var i = 0; i < 20; i++)
            {
                await Add($"mt{i:D2}", Role.Mentor);
            }

            for (var i = 0; i < 3; i++)
            {
                await Add($"an{i}", Role.MinistryAnalyst);
            }

            for (var i = 0; i < 2; i++)
            {
                await Add($"ad{i}", Role.Admin);
            }

            foreach (var (org, offer) in Partners)
            {
                await app.CreatePartner(org, org + ".1", offer);
                await app.AddPartnerUser(org, org + ".2");
            }

            foreach (var (org, _) in Partners)
            {
                foreach (var id in new[] { org + ".1", org + ".2" })
                {
                    users.Add(new User(id, Role.Partner, [], await app.ClientFor(id)) { Org = org });
                }
            }

            Assert.Equal(54, users.Count);
            var mentors = users.Where(u => u.Role == Role.Mentor).ToList();

            // 60 cases across five kecamatan of Kota Batu and Kabupaten Malang, opened by a caseworker of each.
            var cases = new List<Case>();
            for (var i = 0; i < 60; i++)
            {
                var region = Kecamatan[i % 5];
                var opener = users.First(u => u.Role == Role.Caseworker && u.Regions[0] == region);
                var name = $"Warga Acak {i:D2}";
                using var response = await opener.Client.PostAsJsonAsync("/api/cases", new
                {
                    commandId = Guid.NewGuid().ToString(), nik = $"{region.Replace(".", "", StringComparison.Ordinal)}1508{80 + (i % 20):D2}{i + 1:D4}",
                    fullName = name, regionCode = region, segment = "Umkm", consentGiven = true,
                });
                var text = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.Created, text);
                cases.Add(new Case(JsonDocument.Parse(text).RootElement.GetProperty("caseNumber").GetString()!, region, name));
            }

            // Every third case applies for one partner's loan product (by its opener, after the assessment).
            for (var i = 0; i < cases.Count; i += 3)
            {
                var c = cases[i];
                var (org, offer) = Partners[i / 3 % 2];
                var flow = new ServicesFlow(app, users.First(u => u.Role == Role.Caseworker && u.Regions[0] == c.Region).Client);
                await flow.Stage(c.Number, "intake", "complete");
                await flow.Stage(c.Number, "assessment", "start");
                await flow.Command(c.Number, "/assessment", new { sector = "Kuliner", annualTurnoverIdr = 250_000_000L, businessCapitalIdr = 20_000_000L, workers = 2, needs = new[] { "Modal" } });
                var applied = await flow.Enrol(c.Number, offer, amountIdr: 10_000_000);
                Assert.True(applied.Status == HttpStatusCode.OK, applied.Body.GetRawText());
                c.Partner = org;
            }

            bool CanSee(User u, Case c) => u.Role switch
            {
                Role.Caseworker or Role.Supervisor => u.Regions.Any(r => c.Region == r || c.Region.StartsWith(r + ".", StringComparison.Ordinal)),
                Role.Mentor => c.Mentor == u.Id,
                _ => false,
            };

            // Through the partners' endpoints: a partner's user of the organisation the case applied to, while it shares.
            bool PartnerSees(User u, Case c) => u.Role == Role.Partner && c.Partner is not null && c.Partner == u.Org;

            var violations = new ConcurrentQueue<string>();
            var allowedSeen = 0;
            var partnerSeen = 0;
            var requests = 0;
            for (var round = 0; round < Rounds; round++)
            {
                // Reassignments happen between rounds, so the model is exact while requests run.
                for (var k = 0; k < 6; k++)
                {
                    var c = cases[random.Next(cases.Count)];
                    var mentor = mentors[random.Next(mentors.Count)];
                    var assigner = users.First(u => u.Role == Role.Supervisor && CanSee(u, c));
                    using var assign = await assigner.Client.PostAsJsonAsync($"/api/cases/{c.Number}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId = mentor.Id });
                    Assert.Equal(HttpStatusCode.OK, assign.StatusCode);
                    c.Mentor = mentor.Id;
                    requests++;
                }

                // A beneficiary withdraws the consent to sharing with partners: their partner loses sight of the case at once.
                if (cases.Where(c => c.Partner is not null).Skip(round % 7).FirstOrDefault() is { } sharing && round % 3 == 2)
                {
                    var withdrawer = users.First(u => u.Role == Role.Supervisor && CanSee(u, sharing));
                    using var withdraw = await withdrawer.Client.PostAsJsonAsync($"/api/cases/{sharing.Number}/consent/withdrawal", new
                    {
                        commandId = Guid.NewGuid().ToString(), purposes = new[] { "PartnerSharing" }, method = "formulir pencabutan",
                    });
                    Assert.Equal(HttpStatusCode.OK, withdraw.StatusCode);
                    sharing.Partner = null;
                    requests++;
                }

                var work = Enumerable.Range(0, RequestsPerRound).Select(_ => (User: users[random.Next(users.Count)], Case: cases[random.Next(cases.Count)], Kind: random.Next(9))).ToList();
                await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (w, ct) =>
                {
                    var (user, c, kind) = w;
                    using var request = kind switch
                    {
                        0 => new HttpRequestMessage(HttpMethod.Get, $"/api/cases/{c.Number}"),
                        1 => new HttpRequestMessage(HttpMethod.Get, $"/api/cases/{c.Number}/timeline"),
                        2 => new HttpRequestMessage(HttpMethod.Get, "/api/cases?pageSize=200"),
                        3 => new HttpRequestMessage(HttpMethod.Post, $"/api/cases/{c.Number}/nik/reveal") { Content = JsonContent.Create(new { purpose = "uji acak" }) },
                        4 => new HttpRequestMessage(HttpMethod.Post, $"/api/cases/{c.Number}/mentoring-sessions")
                        {
                            Content = JsonContent.Create(new { commandId = Guid.NewGuid().ToString(), date = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), topic = "Acak" }),
                        },
                        5 => new HttpRequestMessage(HttpMethod.Get, $"/api/cases/{c.Number}/verify"),
                        6 => new HttpRequestMessage(HttpMethod.Get, $"/api/partner/cases/{c.Number}"),
                        7 => new HttpRequestMessage(HttpMethod.Get, $"/api/partner/cases/{c.Number}/timeline"),
                        _ => new HttpRequestMessage(HttpMethod.Get, "/api/partner/queue"),
                    };
                    using var response = await user.Client.SendAsync(request, ct);
                    var body = await response.Content.ReadAsStringAsync(ct);
                    Interlocked.Increment(ref requests);
                    var status = (int)response.StatusCode;
                    if (status >= 500)
                    {
                        violations.Enqueue($"{user.Id} {request.RequestUri}: {status}");
                    }

                    if (kind == 2)
                    {
                        if (status == 200)
                        {
                            foreach (var item in JsonDocument.Parse(body).RootElement.GetProperty("items").EnumerateArray())
                            {
                                var listed = cases.FirstOrDefault(x => x.Number == item.GetProperty("caseNumber").GetString());
                                if (listed is not null && !CanSee(user, listed))
                                {
                                    violations.Enqueue($"{user.Id} listed {listed.Number} outside their scope");
                                }
                            }
                        }

                        return;
                    }

                    if (kind == 8)
                    {
                        // The queue: a partner's user lists only its organisation's cases that share with partners.
                        if (status == 200)
                        {
                            foreach (var item in JsonDocument.Parse(body).RootElement.GetProperty("cases").EnumerateArray())
                            {
                                var listed = cases.FirstOrDefault(x => x.Number == item.GetProperty("caseNumber").GetString());
                                if (listed is null || !PartnerSees(user, listed))
                                {
                                    violations.Enqueue($"{user.Id} listed {item.GetProperty("caseNumber")} in its partner queue outside its scope");
                                }
                            }
                        }
                        else if (user.Role == Role.Partner || status != 403)
                        {
                            violations.Enqueue($"{user.Id} ({user.Role}) got {status} for the partner queue");
                        }

                        return;
                    }

                    var partnerEndpoint = kind is 6 or 7;
                    var visible = partnerEndpoint ? PartnerSees(user, c) : CanSee(user, c);
                    var revealsCase = status is >= 200 and < 300 || body.Contains(c.Name, StringComparison.Ordinal);
                    if (!visible && revealsCase)
                    {
                        violations.Enqueue($"{user.Id} ({user.Role}) got {status} for {request.RequestUri} outside their scope");
                    }

                    // Roles that work on cases get exactly "not found"; roles that never see a case get the endpoint's 403.
                    var expectedDenial = (partnerEndpoint ? user.Role is Role.Partner : user.Role is Role.Caseworker or Role.Supervisor or Role.Mentor) ? 404 : 403;
                    if (!visible && status != expectedDenial)
                    {
                        violations.Enqueue($"{user.Id} ({user.Role}) got {status} (not {expectedDenial}) for {request.RequestUri} outside their scope");
                    }

                    if (visible && status is >= 200 and < 300)
                    {
                        Interlocked.Increment(ref allowedSeen);
                        if (partnerEndpoint)
                        {
                            Interlocked.Increment(ref partnerSeen);
                        }
                    }
                });
            }

            Assert.True(requests >= 10_000, $"only {requests} requests");
            Assert.True(violations.IsEmpty, string.Join("\n", violations.Take(20)));
            Assert.True(allowedSeen > 700, $"only {allowedSeen} allowed requests succeeded: the test did not exercise access");
            Assert.True(partnerSeen > 20, $"only {partnerSeen} partner reads succeeded: the test did not exercise the partners' access");
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }
}
