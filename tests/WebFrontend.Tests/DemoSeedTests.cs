using System.Net.Http.Json;
using System.Text.Json;
using CaseGrains.WebFrontend.Demo;
using Microsoft.Extensions.DependencyInjection;

namespace CaseGrains.WebFrontend.Tests;

public sealed class DemoSeedTests
{
    [Fact]
    public async Task DemoSeed_OpensKotaBatuCasesAcrossAllSegmentsAndStages_AndRunningItAgainAddsNothing()
    {
        await using var app = AppHost.Start();
        try
        {
            var seeder = app.Services.GetRequiredService<DemoSeeder>();

            Assert.Equal(DemoSeeder.Beneficiaries, await seeder.SeedAsync());
            var first = await app.GetOk("/api/cases?region=35.79&pageSize=200");
            Assert.Equal(DemoSeeder.Beneficiaries, await seeder.SeedAsync());
            var second = await app.GetOk("/api/cases?region=35.79&pageSize=200");

            var items = first.GetProperty("items").EnumerateArray().ToList();
            Assert.Equal(DemoSeeder.Beneficiaries, first.GetProperty("total").GetInt64());
            Assert.Equal(first.GetRawText(), second.GetRawText());
            Assert.Equal(4, items.Select(i => i.GetProperty("segment").GetString()).Distinct().Count());
            Assert.Equal(7, items.Select(i => i.GetProperty("currentStage").GetString()).Distinct().Count());
            Assert.All(items, i => Assert.StartsWith("35.79.", i.GetProperty("regionCode").GetString(), StringComparison.Ordinal));
            var furthest = items.First(i => i.GetProperty("currentStage").GetString() == "Graduated").GetProperty("caseNumber").GetString();
            Assert.True((await app.GetOk($"/api/cases/{furthest}/verify")).GetProperty("valid").GetBoolean());

            // The supervision view has something to show: two closures asked (once, whatever the re-runs), the demo mentor's caseload.
            using var supervisor = await app.ClientFor(AppHost.Supervisor);
            var pending = await supervisor.GetFromJsonAsync<JsonElement>("/api/cases?pending=Closure", AppHost.Json);
            Assert.Equal(2, pending.GetProperty("total").GetInt64());
            var loads = await supervisor.GetFromJsonAsync<JsonElement>("/api/mentors?region=35.79", AppHost.Json);
            var mentor = loads.EnumerateArray().Single(m => m.GetProperty("mentorId").GetString() == DemoSeeder.MentorId);
            Assert.Equal(30, mentor.GetProperty("capacity").GetInt32());
            Assert.True(mentor.GetProperty("activeCases").GetInt32() > 0);
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }
}
