using System.Net;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>The Orleans Dashboard, when enabled, opens for admins only, and never shows a grain's state.</summary>
public sealed class OrleansDashboardTests : IAsyncLifetime
{
    private AppHost _app = null!;

    public Task InitializeAsync()
    {
        _app = AppHost.Start(overrides: new Dictionary<string, string> { ["CaseGrains:OrleansDashboard"] = "true" });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        var dir = _app.DataDirectory;
        await _app.DisposeAsync();
        AppHost.DeleteData(dir);
    }

    [Fact]
    public async Task TheDashboard_IsForAdminsOnly_AndRefusesGrainState()
    {
        using (var anonymous = await _app.Anonymous.GetAsync("/admin/orleans/ClusterStats"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using (var caseworker = await _app.Client.GetAsync("/admin/orleans/ClusterStats"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, caseworker.StatusCode);
        }

        using var admin = await _app.ClientFor(AppHost.Administrator);
        using (var page = await admin.GetAsync("/admin/orleans/"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("index.min.js", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal); // the dashboard's, not our UI
        }

        using (var stats = await admin.GetAsync("/admin/orleans/DashboardCounters"))
        {
            Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
            Assert.Contains("totalActiveHostCount", await stats.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }

        using (var state = await admin.GetAsync("/admin/orleans/GrainState?grainId=35.79.02-000001&grainType=CaseGrains.Grains.Cases.CaseGrain"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, state.StatusCode);
        }

        using (var trace = await admin.GetAsync("/admin/orleans/Trace"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, trace.StatusCode);
        }
    }

    [Fact]
    public async Task Disabled_ThereIsNoDashboard()
    {
        await using var plain = AppHost.Start();
        try
        {
            using var admin = await plain.ClientFor(AppHost.Administrator);
            using var page = await admin.GetAsync("/admin/orleans/ClusterStats");
            Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        }
        finally
        {
            AppHost.DeleteData(plain.DataDirectory);
        }
    }
}
