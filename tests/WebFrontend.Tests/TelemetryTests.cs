using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// The operator's view: the Prometheus scrape (behind its token) moves with what people do, and one command's trace
/// runs from the HTTP request through the grain calls and the append to the push. Serial: the platform's meters are
/// process-wide, so no other test's commands may move them meanwhile.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class TelemetryTests : IAsyncLifetime
{
    private const string Token = "scrape-token-for-the-telemetry-tests-0123456789";

    private readonly List<Activity> _spans = [];
    private AppHost _app = null!;

    public Task InitializeAsync()
    {
        _app = AppHost.Start(
            overrides: new Dictionary<string, string> { ["CaseGrains:Metrics:ScrapeToken"] = Token },
            // An exporter in the process, so spans are sampled as with OTLP (without one the platform records none).
            services: s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(_spans).SetSampler(new AlwaysOnSampler())));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        var dir = _app.DataDirectory;
        await _app.DisposeAsync();
        AppHost.DeleteData(dir);
    }

    [Fact]
    public async Task TheScrape_AnswersOnlyWithItsToken()
    {
        using var anonymous = await _app.Anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.DoesNotContain("casegrains_", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", Token + "x") } };
        using var wrongAnswer = await _app.Anonymous.SendAsync(wrong);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongAnswer.StatusCode);

        // A signed-in user (even an admin) is not the scraper: the token is the only key.
        using var admin = await _app.ClientFor(AppHost.Administrator);
        using var adminAnswer = await admin.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, adminAnswer.StatusCode);

        Assert.Contains("casegrains_", await ScrapeAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterCommands_TheScrapedCountersHaveMoved()
    {
        var before = await ScrapeAsync();
        var number = await OpenCaseAsync();
        await using var mentor = await LiveClient.ConnectAsync(_app, AppHost.Mentor);
        await _app.PostOk($"/api/cases/{number}/consent", new { commandId = Guid.NewGuid().ToString(), method = "telemetry" });
        await mentor.NextEventAsync();
        // A stale version: refused with its code.
        using var stale = await _app.Client.PostAsJsonAsync($"/api/cases/{number}/consent",
            new { commandId = Guid.NewGuid().ToString(), method = "telemetry", expectedVersion = 1 }, AppHost.Json);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);

        // A beneficiary import of one good row and one bad one: its rows are counted by result.
        using (var csv = new StringContent("nik,full_name,region_code,segment,consent,nib\n3579014301757199,Warga Impor Telemetri,35.79.01.1001,Umkm,ya,\n123,Baris Salah,35.79.01.1001,Umkm,ya,\n",
            System.Text.Encoding.UTF8, "text/csv"))
        using (var import = await _app.Client.PostAsync("/api/cases/import", csv))
        {
            Assert.Equal(HttpStatusCode.Accepted, import.StatusCode);
        }

        var deadline = DateTime.UtcNow.AddSeconds(20);
        string after;
        do
        {
            await Task.Delay(350); // the exporter answers from a cache of 300 ms
            after = await ScrapeAsync();
        }
        while ((Sum(after, "casegrains_push_lag_milliseconds_count") <= Sum(before, "casegrains_push_lag_milliseconds_count")
            || Sum(after, "casegrains_import_rows_total") < Sum(before, "casegrains_import_rows_total") + 2) && DateTime.UtcNow < deadline);

        Assert.True(Sum(after, "casegrains_commands_accepted_total", "event=\"CaseOpened\"") >= Sum(before, "casegrains_commands_accepted_total", "event=\"CaseOpened\"") + 1, after);
        Assert.True(Sum(after, "casegrains_commands_accepted_total", "event=\"ConsentRecorded\"") >= Sum(before, "casegrains_commands_accepted_total", "event=\"ConsentRecorded\"") + 1);
        Assert.True(Sum(after, "casegrains_commands_refused_total", "code=\"case.version_conflict\"") >= Sum(before, "casegrains_commands_refused_total", "code=\"case.version_conflict\"") + 1, after);
        Assert.True(Sum(after, "casegrains_append_duration_milliseconds_count") >= Sum(before, "casegrains_append_duration_milliseconds_count") + 3);
        Assert.True(Sum(after, "casegrains_store_group_size_count", "group=\"appends\"") >= Sum(before, "casegrains_store_group_size_count", "group=\"appends\"") + 3);
        Assert.True(Sum(after, "casegrains_push_lag_milliseconds_count") >= Sum(before, "casegrains_push_lag_milliseconds_count") + 1);
        Assert.True(Sum(after, "casegrains_clients_connected", "hub=\"cases\"") >= 1);
        Assert.True(Sum(after, "casegrains_import_rows_total", "result=\"Created\"") >= Sum(before, "casegrains_import_rows_total", "result=\"Created\"") + 1, after);
        Assert.True(Sum(after, "casegrains_import_rows_total", "result=\"Rejected\"") >= Sum(before, "casegrains_import_rows_total", "result=\"Rejected\"") + 1);
        // The consequences' backlog is sampled for the gauges from the start (nothing held up here).
        Assert.Contains("casegrains_consequences_cases_behind", after, StringComparison.Ordinal);
        Assert.Contains("casegrains_consequences_oldest_age_seconds", after, StringComparison.Ordinal);
        // Orleans' own meter: activations by grain type.
        Assert.True(Sum(after, "orleans_grains", "type=\"") > 0, "no orleans_grains gauge in the scrape");
        // ASP.NET Core's and the runtime's.
        Assert.Contains("http_server_request_duration_seconds", after, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_collections_total", after, StringComparison.Ordinal);
        // Nothing personal in any label.
        Assert.DoesNotContain("Warga Telemetri", after, StringComparison.Ordinal);
        Assert.DoesNotContain("Warga Impor", after, StringComparison.Ordinal);
        Assert.DoesNotContain("3579021508", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneCommandsTrace_RunsFromTheRequest_ThroughTheGrains_AndTheAppend_ToThePush()
    {
        var number = await OpenCaseAsync();
        await using var mentor = await LiveClient.ConnectAsync(_app, AppHost.Mentor);
        await _app.PostOk($"/api/cases/{number}/consent", new { commandId = Guid.NewGuid().ToString(), method = "traced" });
        await mentor.NextEventAsync();

        Activity? request = null, append = null, push = null;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            List<Activity> spans;
            lock (_spans)
            {
                spans = [.. _spans];
            }

            request = spans.LastOrDefault(a => a.Kind == ActivityKind.Server && a.GetTagItem("url.path") is string path
                && path == $"/api/cases/{number}/consent");
            append = request is null ? null : spans.FirstOrDefault(a => a.TraceId == request.TraceId && a.OperationName == "case.append");
            push = request is null ? null : spans.FirstOrDefault(a => a.TraceId == request.TraceId && a.OperationName == "case.push");
            if (push is not null)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.NotNull(request);
        Assert.NotNull(append);
        Assert.Equal(number, append.GetTagItem("casegrains.case_number"));
        Assert.Equal("ConsentRecorded", append.GetTagItem("casegrains.event_type"));
        Assert.NotNull(push);
        lock (_spans)
        {
            // The grain calls between them are Orleans' own spans, in the same trace.
            Assert.Contains(_spans, a => a.TraceId == request.TraceId && a.Source.Name == Orleans.Diagnostics.ActivitySources.ApplicationGrainActivitySourceName);
            // Spans carry case numbers and types, never a name or a NIK.
            Assert.DoesNotContain(_spans.SelectMany(a => a.TagObjects), t => t.Value is string v && (v.Contains("Warga Telemetri", StringComparison.Ordinal) || v.Contains("3579021508", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task WithTheStandardOtelVariables_TracesAndMetricsArePushedOverOtlp()
    {
        // A collector stand-in on loopback: it keeps what arrives at OTLP/HTTP's two paths.
        var received = new System.Collections.Concurrent.ConcurrentQueue<(string Path, byte[] Body)>();
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var collector = builder.Build();
        collector.MapPost("/v1/{signal}", async (Microsoft.AspNetCore.Http.HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            received.Enqueue((http.Request.Path.Value!, body.ToArray()));
            return Microsoft.AspNetCore.Http.Results.Ok();
        });
        await collector.StartAsync();
        var endpoint = collector.Urls.First();

        await using var app = AppHost.Start(overrides: new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "casegrains-otlp-test",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        });
        try
        {
            await app.PostOk("/api/cases", new
            {
                commandId = Guid.NewGuid().ToString(), nik = $"35790215088{Random.Shared.Next(10000, 99999)}",
                fullName = "Warga Telemetri", regionCode = "35.79.02", segment = "Umkm", consentGiven = true,
            }, HttpStatusCode.Created);

            bool Has(string path, string text) => received.Any(r => r.Path == path
                && System.Text.Encoding.UTF8.GetString(r.Body).Contains(text, StringComparison.Ordinal));
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!(Has("/v1/traces", "case.append") && Has("/v1/metrics", "casegrains.commands.accepted")) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }

            Assert.True(Has("/v1/traces", "case.append"), $"no trace with case.append arrived ({received.Count} posts)");
            Assert.True(Has("/v1/traces", "casegrains-otlp-test"), "the traces do not carry OTEL_SERVICE_NAME");
            Assert.True(Has("/v1/metrics", "casegrains.commands.accepted"), "no metrics with our counter arrived");
            Assert.DoesNotContain(received, r => System.Text.Encoding.UTF8.GetString(r.Body).Contains("Warga Telemetri", StringComparison.Ordinal));
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    private async Task<string> OpenCaseAsync()
    {
        var number = (await _app.PostOk("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(), nik = $"35790215088{Random.Shared.Next(10000, 99999)}",
            fullName = "Warga Telemetri", regionCode = "35.79.02", segment = "Umkm", consentGiven = true,
        }, HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
        await _app.PostOk($"/api/cases/{number}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId = AppHost.Mentor });
        return number;
    }

    private async Task<string> ScrapeAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", Token) } };
        using var response = await _app.Anonymous.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"/metrics → {(int)response.StatusCode}: {text}");
        return text;
    }

    /// <summary>The sum of a metric's samples (every label set, or those containing <paramref name="label"/>).</summary>
    private static double Sum(string scrape, string metric, string? label = null) =>
        scrape.Split('\n')
            .Where(line => line.StartsWith(metric, StringComparison.Ordinal) && line.Length > metric.Length && line[metric.Length] is '{' or ' '
                && (label is null || line.Contains(label, StringComparison.Ordinal)))
            // name{labels} value [timestamp]
            .Sum(line => double.Parse(line[(line.LastIndexOf('}') is var close and >= 0 ? close + 1 : metric.Length)..]
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture));
}
