using Microsoft.AspNetCore.SignalR.Client;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// A referral the partner does not answer in time raises ReferralResponseOverdue on the case's timeline (pushed live like
/// any event), from the case's durable reminder. The response time is seconds here (configuration), so the real reminder
/// service fires it; a late answer is still taken and ends the watch.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ReferralDeadlineTests
{
    [Fact]
    public async Task AReferralNotAnsweredInTime_RaisesAnOverdueEventOnce_PushedLive_AndALateAnswerIsStillTaken()
    {
        await using var app = AppHost.Start(overrides: new Dictionary<string, string> { ["CaseGrains:Journey:ReferralResponseTime"] = "00:00:02" });
        try
        {
            await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Demo.DemoSeeder>(app.Services).SeedCatalogAsync();
            var flow = new ServicesFlow(app, app.Client);
            var n = await flow.AssessedAsync();
            await using var live = await LiveClient.ConnectAsync(app, AppHost.Caseworker);
            await live.Connection.InvokeAsync<System.Text.Json.JsonElement>("Follow", n, 0L);

            await flow.Enrol(n, "buyer-apel-2026");
            var offered = await flow.EnrolmentAsync(n, "buyer-apel-2026");
            System.Text.Json.JsonElement overdue;
            do
            {
                overdue = await live.NextEventAsync(TimeSpan.FromSeconds(30));
            }
            while (overdue.GetProperty("type").GetString() != "ReferralResponseOverdue");

            Assert.Equal("system:referral", overdue.GetProperty("actorId").GetString());
            Assert.Equal("buyer-apel-2026", overdue.GetProperty("payload").GetProperty("offerId").GetString());
            Assert.Equal(offered.GetProperty("respondBy").GetDateTimeOffset(), overdue.GetProperty("payload").GetProperty("respondBy").GetDateTimeOffset());
            Assert.True((await flow.EnrolmentAsync(n, "buyer-apel-2026")).GetProperty("responseOverdue").GetBoolean());

            await flow.Command(n, "/enrolments/buyer-apel-2026/referral-response", new { accepted = false, reason = "Stok musim ini sudah terpenuhi" });
            // A second referral's deadline still fires after the first one was answered.
            await flow.Enrol(n, "buyer-hotel-2026");
            do
            {
                overdue = await live.NextEventAsync(TimeSpan.FromSeconds(30));
            }
            while (overdue.GetProperty("type").GetString() != "ReferralResponseOverdue");

            Assert.Equal("buyer-hotel-2026", overdue.GetProperty("payload").GetProperty("offerId").GetString());
            var types = await flow.EventTypesAsync(n);
            Assert.Equal(2, types.Count(t => t == "ReferralResponseOverdue"));
            Assert.Equal(1, (await flow.Get($"/api/cases/{n}")).GetProperty("matchOutcomes").GetInt32());
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }
}
