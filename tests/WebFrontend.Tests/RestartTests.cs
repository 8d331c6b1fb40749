using System.Net;
using System.Text.Json;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>Everything lives in the SQLite file: a new process over the same folder sees the same cases.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task AfterARestart_CaseTimelineRegistryAndIdempotencySurvive_AndCaseNumbersContinue()
    {
        var dir = Path.Combine(Path.GetTempPath(), "casegrains-restart-" + Guid.NewGuid().ToString("N"));
        const string nik = "3579035503920007";
        var intake = new { commandId = "restart-intake", nik, fullName = "Ratna Sari", regionCode = "35.79.03.2006", segment = "Koperasi", consentGiven = true };
        var consent = new { commandId = "restart-consent", method = "formulir" };
        string number, caseBefore, timelineBefore;
        try
        {
            await using (var app = AppHost.Start(dir))
            {
                number = (await app.PostOk("/api/cases", intake, HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
                await app.PostOk($"/api/cases/{number}/consent", consent);
                await app.PostOk($"/api/cases/{number}/stages/intake/complete", new { commandId = "restart-complete" });
                caseBefore = (await app.GetOk($"/api/cases/{number}")).GetRawText();
                timelineBefore = (await app.GetOk($"/api/cases/{number}/timeline")).GetRawText();
            }

            await using (var app = AppHost.Start(dir))
            {
                Assert.Equal(caseBefore, (await app.GetOk($"/api/cases/{number}")).GetRawText());
                Assert.Equal(timelineBefore, (await app.GetOk($"/api/cases/{number}/timeline")).GetRawText());
                Assert.True((await app.GetOk($"/api/cases/{number}/verify")).GetProperty("valid").GetBoolean());

                var replay = await app.PostOk($"/api/cases/{number}/consent", consent);
                Assert.True(replay.GetProperty("replayed").GetBoolean());
                Assert.Equal(2, replay.GetProperty("seq").GetInt32());

                var replayIntake = await app.PostOk("/api/cases", intake, HttpStatusCode.Created);
                Assert.Equal(number, replayIntake.GetProperty("caseNumber").GetString());

                using var dup = await app.Client.PostAsync("/api/cases", System.Net.Http.Json.JsonContent.Create(intake with { commandId = "restart-intake-2" }));
                Assert.Equal(HttpStatusCode.Conflict, dup.StatusCode);
                Assert.Equal(number, JsonDocument.Parse(await dup.Content.ReadAsStringAsync()).RootElement.GetProperty("existingCaseNumber").GetString());

                var next = await app.PostOk("/api/cases", new { commandId = "restart-next", nik = "3579031203920008", fullName = "Teguh", regionCode = "35.79.03", segment = "Umkm", consentGiven = true }, HttpStatusCode.Created);
                Assert.NotEqual(number, next.GetProperty("caseNumber").GetString());
                Assert.True(string.CompareOrdinal(number, next.GetProperty("caseNumber").GetString()) < 0);

                var list = await app.GetOk("/api/cases");
                Assert.Equal(2, list.GetProperty("total").GetInt64());
            }
        }
        finally
        {
            AppHost.DeleteData(dir);
        }
    }
}
