using System.Net;
using CaseGrains.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>One app for the API tests that do not restart it.</summary>
public sealed class AppFixture : IAsyncLifetime
{
    private int _nik;

    public AppHost App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = AppHost.Start();
        // The sample Kota Batu catalog (samples/catalog-kota-batu.csv), so enrolment endpoints have offers to work with.
        await App.Services.GetRequiredService<Demo.DemoSeeder>().SeedCatalogAsync();
    }

    public async Task DisposeAsync()
    {
        var dir = App.DataDirectory;
        await App.DisposeAsync();
        AppHost.DeleteData(dir);
    }

    /// <summary>A valid unused Kota Batu NIK (kecamatan Bumiaji, born 15 Aug 1985).</summary>
    public string NextNik() => $"357902150885{Interlocked.Increment(ref _nik):D4}";

    public async Task<string> OpenCaseAsync(bool consent = true, string region = "35.79.02.2004")
    {
        var body = await App.PostOk("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(),
            nik = NextNik(),
            fullName = "Bambang Irawan",
            regionCode = region,
            segment = "EkonomiKreatif",
            consentGiven = consent,
        }, HttpStatusCode.Created);
        return body.GetProperty("caseNumber").GetString()!;
    }
}

[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "app";
}
