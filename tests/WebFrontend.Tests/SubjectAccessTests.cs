using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseGrains.Domain.Access;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// The beneficiary's right of access (UU 27/2022 PDP): a caseworker of the region exports everything held about the
/// person — profile, NIK, consents, every event, every access — and the export is itself in the access log, read back
/// by a new process on the same file. Nobody else gets it.
/// </summary>
[Trait("Category", "Quick")]
public sealed class SubjectAccessTests : IAsyncLifetime
{
    private AppHost _app = null!;

    public async Task InitializeAsync()
    {
        _app = AppHost.Start();
        await _app.CreateUser("petugas-malang", Role.Caseworker, "35.73");
    }

    public async Task DisposeAsync()
    {
        var dir = _app.DataDirectory;
        await _app.DisposeAsync();
        AppHost.DeleteData(dir);
    }

    [Fact]
    public async Task ACaseworkerOfTheRegion_ExportsEverythingHeld_AndTheExportIsAudited_AlsoAfterARestart()
    {
        var nik = $"35790215088{Random.Shared.Next(10000, 99999)}";
        var number = (await _app.PostOk("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(), nik, fullName = "Dewi Subjek Akses", regionCode = "35.79.02", segment = "Umkm", consentGiven = true,
        }, HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
        await _app.PostOk($"/api/cases/{number}/consent", new
        {
            commandId = Guid.NewGuid().ToString(), method = "formulir bertanda tangan", formVersion = "PDP-2026.1",
            givenOn = DateTime.UtcNow.AddHours(7).AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), witness = "Bu RT",
        });
        await _app.PostOk($"/api/cases/{number}/notes", new { commandId = Guid.NewGuid().ToString(), text = "Datang ke kantor kecamatan." });
        using var supervisor = await _app.ClientFor(AppHost.Supervisor);
        (await supervisor.GetAsync($"/api/cases/{number}")).Dispose();

        var export = await _app.PostOk($"/api/cases/{number}/subject-access", new { purpose = "permintaan akses Bu Dewi" });

        Assert.Equal(number, export.GetProperty("caseNumber").GetString());
        Assert.Equal(AppHost.Caseworker, export.GetProperty("exportedBy").GetString());
        Assert.Equal(nik, export.GetProperty("nik").GetString());
        Assert.Equal("Dewi Subjek Akses", export.GetProperty("profile").GetProperty("fullName").GetString());
        var timeline = export.GetProperty("timeline").EnumerateArray().ToList();
        Assert.Equal(["CaseOpened", "ConsentRecorded", "NoteAdded"], timeline.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal([1L, 2L, 3L], timeline.Select(e => e.GetProperty("seq").GetInt64()));
        var consents = export.GetProperty("consents").EnumerateArray().ToList();
        Assert.Equal(2, consents.Count);
        Assert.Equal("intake", consents[0].GetProperty("method").GetString());
        Assert.Equal("PDP-2026.1", consents[1].GetProperty("formVersion").GetString());
        Assert.Equal("Bu RT", consents[1].GetProperty("witness").GetString());
        var log = export.GetProperty("accessLog").EnumerateArray().ToList();
        Assert.Contains(log, e => e.GetProperty("userId").GetString() == AppHost.Supervisor && e.GetProperty("action").GetString() == "read-case");
        Assert.Equal("subject-access-export", log[^1].GetProperty("action").GetString());
        Assert.Equal("permintaan akses Bu Dewi", log[^1].GetProperty("purpose").GetString());
        Assert.True(log.Zip(log.Skip(1)).All(p => p.First.GetProperty("at").GetDateTimeOffset() <= p.Second.GetProperty("at").GetDateTimeOffset()), "not oldest first");

        // The export is in the case's access log for its supervisors, also as a new process reads the same file.
        var dir = _app.DataDirectory;
        await _app.DisposeAsync();
        _app = AppHost.Start(dir);
        using var again = await _app.ClientFor(AppHost.Supervisor);
        var accessLog = await again.GetFromJsonAsync<JsonElement>($"/api/cases/{number}/access-log");
        Assert.Contains(accessLog.EnumerateArray(), e => e.GetProperty("action").GetString() == "subject-access-export"
            && e.GetProperty("userId").GetString() == AppHost.Caseworker && e.GetProperty("purpose").GetString() == "permintaan akses Bu Dewi");
    }

    [Fact]
    public async Task NobodyElse_GetsIt_AndAPurposeIsRequired()
    {
        var number = (await _app.PostOk("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(), nik = $"35790215088{Random.Shared.Next(10000, 99999)}", fullName = "Warga Lain",
            regionCode = "35.79.02", segment = "Umkm", consentGiven = true,
        }, HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
        await _app.PostOk($"/api/cases/{number}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId = AppHost.Mentor });

        using var noPurpose = await _app.Client.PostAsJsonAsync($"/api/cases/{number}/subject-access", new { purpose = " " });
        Assert.Equal(HttpStatusCode.BadRequest, noPurpose.StatusCode);

        // The case's own mentor reads the case but may not export the person's data; another region's caseworker is told "not found".
        using var mentor = await _app.ClientFor(AppHost.Mentor);
        using var byMentor = await mentor.PostAsJsonAsync($"/api/cases/{number}/subject-access", new { purpose = "ingin tahu" });
        Assert.Equal(HttpStatusCode.Forbidden, byMentor.StatusCode);
        using var other = await _app.ClientFor("petugas-malang");
        using var byOther = await other.PostAsJsonAsync($"/api/cases/{number}/subject-access", new { purpose = "ingin tahu" });
        Assert.Equal(HttpStatusCode.NotFound, byOther.StatusCode);
        Assert.Equal("case.not_found", (await byOther.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        using var supervisor = await _app.ClientFor(AppHost.Supervisor);
        var log = await supervisor.GetFromJsonAsync<JsonElement>($"/api/cases/{number}/access-log");
        Assert.Contains(log.EnumerateArray(), e => e.GetProperty("action").GetString() == "subject-access-denied" && e.GetProperty("userId").GetString() == AppHost.Mentor);
        Assert.DoesNotContain(log.EnumerateArray(), e => e.GetProperty("action").GetString() == "subject-access-export");
    }
}
