using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// Corrections over HTTP: each is its own event with the corrector as actor and the reason, the original stays, the gate
/// follows the corrected figure and says its threshold, and all of it reads back after a restart on the same file.
/// </summary>
[Trait("Category", "Quick")]
public sealed class CorrectionApiTests
{
    [Fact]
    public async Task AttendanceAssessmentAndSessionCorrections_LeaveATrace_MoveTheGate_AndSurviveARestart()
    {
        var dir = Path.Combine(Path.GetTempPath(), "casegrains-correct-" + Guid.NewGuid().ToString("N"));
        string n;
        int sessionSeq;
        try
        {
            await using (var app = AppHost.Start(dir))
            {
                await app.Services.GetRequiredService<Demo.DemoSeeder>().SeedCatalogAsync();
                var flow = new ServicesFlow(app, app.Client);
                n = await flow.AssessedAsync(region: "35.79.01.1001");
                Assert.Null((await flow.Enrol(n, "dm-batu-2026")).Code);
                await flow.Command(n, "/enrolments/dm-batu-2026/attendance", new { attendancePercent = 60 });
                var refused = await flow.Try(n, "/stages/training/complete", new { });

                await flow.Command(n, "/enrolments/dm-batu-2026/attendance/correct", new { attendancePercent = 85, reason = "Daftar hadir pertemuan 4 terlewat" });
                await flow.Stage(n, "training", "complete");
                await flow.Command(n, "/assessment/correct", new
                {
                    sector = "Kuliner", annualTurnoverIdr = 3_000_000_000L, businessCapitalIdr = 50_000_000L, workers = 3, needs = new[] { "Pemasaran Digital" },
                    reason = "Omzet tercatat per bulan",
                });
                await flow.Command(n, "/mentor", new { mentorId = AppHost.Mentor });
                sessionSeq = (await flow.Command(n, "/mentoring-sessions", new { date = DateOnly.FromDateTime(DateTime.UtcNow), topic = "Kas" })).GetProperty("seq").GetInt32();
                using var mentor = await app.ClientFor(AppHost.Mentor);
                var byMentor = await new ServicesFlow(app, mentor).Try(n, $"/mentoring-sessions/{sessionSeq}/correct",
                    new { date = DateOnly.FromDateTime(DateTime.UtcNow), topic = "Arus kas harian", reason = "Topik kurang lengkap" });
                var notASession = await flow.Try(n, $"/mentoring-sessions/{sessionSeq - 1}/correct", new { date = DateOnly.FromDateTime(DateTime.UtcNow), topic = "Kas", reason = "x" });
                var badSeq = await flow.Try(n, "/mentoring-sessions/abc/correct", new { date = DateOnly.FromDateTime(DateTime.UtcNow), topic = "Kas", reason = "x" });

                Assert.Equal((HttpStatusCode.UnprocessableEntity, "gate.training.no_completed_enrolment"), (refused.Status, refused.Code));
                var detail = refused.Body.GetProperty("detail").GetString()!;
                Assert.Contains("60%", detail, StringComparison.Ordinal);
                Assert.Contains("80%", detail, StringComparison.Ordinal);
                Assert.Equal((HttpStatusCode.OK, (string?)null), (byMentor.Status, byMentor.Code));
                Assert.Equal((HttpStatusCode.UnprocessableEntity, "correction.session_not_found"), (notASession.Status, notASession.Code));
                Assert.Equal((HttpStatusCode.BadRequest, "input.out_of_range"), (badSeq.Status, badSeq.Code));
            }

            await using (var app = AppHost.Start(dir))
            {
                var view = await app.GetOk($"/api/cases/{n}");
                var timeline = (await app.GetOk($"/api/cases/{n}/timeline")).EnumerateArray().ToList();
                JsonElement Single(string type) => timeline.Single(e => e.GetProperty("type").GetString() == type);

                var course = view.GetProperty("enrolments").EnumerateArray().Single(e => e.GetProperty("offerId").GetString() == "dm-batu-2026");
                Assert.Equal(85, course.GetProperty("attendancePercent").GetInt32());
                Assert.True(course.GetProperty("passed").GetBoolean());
                Assert.Equal("Small", view.GetProperty("profile").GetProperty("umkmClass").GetString());
                Assert.Equal(60, Single("TrainingCompletionRecorded").GetProperty("payload").GetProperty("attendancePercent").GetInt32());
                var attendance = Single("AttendanceCorrected");
                Assert.Equal(AppHost.Caseworker, attendance.GetProperty("actorId").GetString());
                Assert.Equal(60, attendance.GetProperty("payload").GetProperty("previousPercent").GetInt32());
                Assert.Equal("Daftar hadir pertemuan 4 terlewat", attendance.GetProperty("payload").GetProperty("reason").GetString());
                Assert.Equal(["annualTurnoverIdr"], Single("AssessmentCorrected").GetProperty("payload").GetProperty("changed").EnumerateArray().Select(c => c.GetString()));
                var session = Single("MentoringSessionCorrected");
                Assert.Equal(AppHost.Mentor, session.GetProperty("actorId").GetString());
                Assert.Equal(sessionSeq, session.GetProperty("payload").GetProperty("sessionSeq").GetInt32());
                Assert.Equal("Kas", Single("MentoringSessionLogged").GetProperty("payload").GetProperty("topic").GetString());
                Assert.True((await app.GetOk($"/api/cases/{n}/verify")).GetProperty("valid").GetBoolean());
            }
        }
        finally
        {
            AppHost.DeleteData(dir);
        }
    }

    [Fact]
    public async Task TheAssessmentPicksFromTheCatalogsSectorsAndNeeds_ForTheCasesRegion()
    {
        var dir = Path.Combine(Path.GetTempPath(), "casegrains-terms-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var app = AppHost.Start(dir);
            await app.Services.GetRequiredService<Demo.DemoSeeder>().SeedCatalogAsync();

            var batu = await app.GetOk("/api/catalog/terms?region=35.79.02");
            using var unknown = await app.Client.GetAsync("/api/catalog/terms?region=99.99");

            var needs = batu.GetProperty("needs").EnumerateArray().Select(x => x.GetString()!).ToList();
            var sectors = batu.GetProperty("sectors").EnumerateArray().Select(x => x.GetString()!).ToList();
            Assert.Contains("Pemasaran Digital", needs);
            Assert.Equal(needs.Count, needs.Distinct(StringComparer.OrdinalIgnoreCase).Count());
            Assert.Contains("Kuliner", sectors);
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        }
        finally
        {
            AppHost.DeleteData(dir);
        }
    }
}
