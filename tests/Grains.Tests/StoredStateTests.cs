using System.Text.Json;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Problems;
using CaseGrains.Domain.Services;
using CaseGrains.Grains.Abstractions;

namespace CaseGrains.Grains.Tests;

/// <summary>
/// Every kind of grain state reads back from the SQLite file after its grains were deactivated (issue 15, deliverable
/// 0b): an idle deactivation is a restart in small, and once lost the catalog to the storage serializer's type allow-list.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class StoredStateTests(ClusterFixture fx)
{
    [Fact]
    public async Task EveryKindOfState_ReadsBackTheSame_AfterItsGrainsAreDeactivated()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var mentorId = "mentor-state-" + suffix;
        await fx.UserAsync(mentorId, Role.Mentor);
        var supervisor = await fx.UserAsync("sv-state-" + suffix, Role.Supervisor, "35.79");
        Assert.Null((await fx.Grains.GetGrain<IMentorGrain>(mentorId).SetProfile(new MentorProfile(["Kuliner"], ["35.79.01"], 2), ClusterFixture.Admin)).Refusal);
        var course = await fx.OfferAsync(OfferType.Training, capacity: 1);
        var first = await fx.OpenCaseAsync();
        var second = await fx.OpenCaseAsync();
        var firstNumber = first.GetPrimaryKeyString();
        Assert.True((await first.Execute(new AssignMentorRequest { CommandId = Cmd.NewId(), MentorId = mentorId }, ClusterFixture.Caseworker)).Accepted);
        Assert.NotNull((await fx.Grains.GetGrain<IFieldProblemsGrain>("35").Report(new FieldProblemRequest
        {
            RegionCode = "35.79.01", Sector = "Kuliner", Category = "Sertifikasi Halal", Description = "Belum ada pendamping halal",
            Reporter = "Kelompok " + suffix, ReporterKind = ReporterKind.Community,
        }, ClusterFixture.Caseworker)).Problem);
        // One place on the course: the first case sits, the second waits.
        Assert.Equal(SeatOutcome.Granted, (await fx.Grains.GetGrain<IOfferGrain>(course).Reserve(firstNumber)).Outcome);
        Assert.Equal(SeatOutcome.Waitlisted, (await fx.Grains.GetGrain<IOfferGrain>(course).Reserve(second.GetPrimaryKeyString())).Outcome);

        var before = await ReadEverythingAsync(mentorId, supervisor, course, firstNumber, suffix);
        await fx.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var after = await ReadEverythingAsync(mentorId, supervisor, course, firstNumber, suffix);

        Assert.Equal(before, after);
        // And what each reads is what was written (not an empty state read twice).
        Assert.Contains("\"Capacity\":2", before["mentor"], StringComparison.Ordinal);
        Assert.Contains(firstNumber, before["mentor"], StringComparison.Ordinal);
        Assert.Contains("\"Taken\":1", before["places"], StringComparison.Ordinal);
        Assert.Contains("\"Waiting\":1", before["places"], StringComparison.Ordinal);
        Assert.Contains(course, before["catalog"], StringComparison.Ordinal);
        Assert.Contains("Kelompok " + suffix, before["problems"], StringComparison.Ordinal);
        Assert.NotEqual("0", before["directory"]);
        Assert.Matches("^\"3579\\d{12}\"$", before["registry"]);
    }

    private async Task<Dictionary<string, string>> ReadEverythingAsync(string mentorId, Actor supervisor, string course, string caseNumber, string suffix)
    {
        var caseScope = await fx.Grains.GetGrain<ICaseGrain>(caseNumber).GetScope();
        return new Dictionary<string, string>
        {
            ["account"] = Json(await fx.Grains.GetGrain<IUserGrain>(mentorId).GetView()),
            // The directory's ids, counted by indexing every account (the only call that visits them all).
            ["directory"] = Json(await fx.Grains.GetGrain<IUserDirectoryGrain>(0).IndexAll()),
            ["mentor"] = Json(await fx.Grains.GetGrain<IMentorGrain>(mentorId).GetCaseload(supervisor)),
            ["offer"] = Json(await fx.Grains.GetGrain<IOfferGrain>(course).Get()),
            ["places"] = Json(await fx.Grains.GetGrain<IOfferGrain>(course).GetPlaces()),
            ["catalog"] = Json((await fx.Grains.GetGrain<ICatalogGrain>("35").List()).Select(o => o.Id)),
            ["problems"] = Json((await fx.Grains.GetGrain<IFieldProblemsGrain>("35").List("35.79", null, 500)).Where(p => p.Reporter.EndsWith(suffix, StringComparison.Ordinal))),
            // The person's registry entry keeps the encrypted NIK: the case's audited reveal reads it from there.
            ["registry"] = Json((await fx.Grains.GetGrain<ICaseGrain>(caseNumber).RevealNik(ClusterFixture.Caseworker, "state test")).Nik),
            ["case"] = Json(caseScope),
        };
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);
}
