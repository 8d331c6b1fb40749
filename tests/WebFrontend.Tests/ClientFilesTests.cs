using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using CaseGrains.Domain.Journey;
using CaseGrains.WebFrontend.Web;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// The web UI over a thin link (issue 17, deliverables 1 and 4): compressed copies of the built files and compressed API
/// answers for the browsers that accept them, a year of immutable caching for hashed files and revalidation for the
/// rest, the security headers on the page too, an installable manifest whose icons exist, and every timeline event type
/// with words in both languages.
/// </summary>
public sealed partial class ClientFilesTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private readonly AppHost _app = fixture.App;

    private async Task<HttpResponseMessage> GetAsync(string path, params string[] encodings)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var encoding in encodings)
        {
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
        }

        return await _app.Anonymous.SendAsync(request);
    }

    private static async Task<string> DecodedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStreamAsync();
        Stream decoded = response.Content.Headers.ContentEncoding.SingleOrDefault() switch
        {
            "br" => new BrotliStream(body, CompressionMode.Decompress),
            "gzip" => new GZipStream(body, CompressionMode.Decompress),
            null => body,
            var other => throw new InvalidOperationException(other),
        };
        using var reader = new StreamReader(decoded);
        return await reader.ReadToEndAsync();
    }

    [GeneratedRegex("/assets/index-[A-Za-z0-9_-]+\\.js")]
    private static partial Regex MainChunk();

    [Fact]
    public async Task ThePage_ComesCompressed_RevalidatedOnEveryLoad_WithTheSecurityHeaders()
    {
        using var plain = await GetAsync("/");
        var html = await DecodedAsync(plain);
        Assert.Empty(plain.Content.Headers.ContentEncoding);

        using var brotli = await GetAsync("/", "br", "gzip");
        Assert.Equal(HttpStatusCode.OK, brotli.StatusCode);
        Assert.Equal("br", Assert.Single(brotli.Content.Headers.ContentEncoding));
        Assert.Equal("text/html", brotli.Content.Headers.ContentType?.MediaType);
        Assert.Equal(html, await DecodedAsync(brotli));
        Assert.True(brotli.Content.Headers.ContentLength < plain.Content.Headers.ContentLength);
        Assert.True(brotli.Headers.CacheControl?.NoCache);
        Assert.Contains("Accept-Encoding", brotli.Headers.Vary);
        Assert.Contains("default-src 'self'", brotli.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", brotli.Headers.GetValues("X-Content-Type-Options").Single());

        using var gzip = await GetAsync("/index.html", "gzip");
        Assert.Equal("gzip", Assert.Single(gzip.Content.Headers.ContentEncoding));
        Assert.Equal(html, await DecodedAsync(gzip));
    }

    [Fact]
    public async Task HashedFiles_AreCachedForAYearAsImmutable_TheMentorsScriptLeavesTheStaffScreensOut_AndTheServiceWorkerIsRevalidated()
    {
        using var page = await GetAsync("/");
        var script = MainChunk().Match(await DecodedAsync(page)).Value;
        Assert.NotEmpty(script);
        using var asset = await GetAsync(script, "gzip", "br");
        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        Assert.Equal("br", Assert.Single(asset.Content.Headers.ContentEncoding));
        Assert.Equal("text/javascript", asset.Content.Headers.ContentType?.MediaType);
        Assert.Equal(ClientFiles.ImmutableCaching, asset.Headers.CacheControl?.ToString());

        // The mentor's script leaves out the charts and the staff screens (each its own chunk, loaded by those roles).
        var main = await DecodedAsync(asset);
        Assert.DoesNotContain("borderSkipped", main, StringComparison.Ordinal); // chart.js
        Assert.DoesNotContain("Tutup kasus", main, StringComparison.Ordinal); // the workbench
        Assert.Contains("import(`./dashboard-", main, StringComparison.Ordinal);
        Assert.Contains("import(`./staff-", main, StringComparison.Ordinal);

        using var worker = await GetAsync("/sw.js", "br");
        Assert.Equal(HttpStatusCode.OK, worker.StatusCode);
        Assert.True(worker.Headers.CacheControl?.NoCache);
        Assert.Contains("precacheAndRoute", await DecodedAsync(worker), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheManifest_MakesTheAppInstallable_AndEveryIconItNamesExists()
    {
        using var response = await GetAsync("/manifest.webmanifest");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/manifest+json", response.Content.Headers.ContentType?.MediaType);
        using var manifest = JsonDocument.Parse(await DecodedAsync(response));
        var root = manifest.RootElement;
        Assert.Equal("/", root.GetProperty("start_url").GetString());
        Assert.Equal("standalone", root.GetProperty("display").GetString());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("name").GetString()));
        Assert.False(string.IsNullOrEmpty(root.GetProperty("theme_color").GetString()));
        var icons = root.GetProperty("icons").EnumerateArray().ToList();
        Assert.Contains(icons, i => i.GetProperty("sizes").GetString() == "192x192");
        Assert.Contains(icons, i => i.GetProperty("sizes").GetString() == "512x512" && i.GetProperty("purpose").GetString() == "maskable");
        foreach (var path in icons.Select(i => i.GetProperty("src").GetString()!).Concat(["/favicon.ico", "/favicon.svg", "/apple-touch-icon.png"]))
        {
            using var icon = await GetAsync(path);
            Assert.True(icon.StatusCode == HttpStatusCode.OK, $"{path}: {(int)icon.StatusCode}");
            Assert.StartsWith("image/", icon.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ApiAnswers_AreCompressed_ButNotTheSignInAnswersThatCarryTokens()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/regions?parent=35.79");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("br"));
        using var client = await _app.ClientFor(AppHost.Caseworker);
        using var answer = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("br", Assert.Single(answer.Content.Headers.ContentEncoding));
        using var regions = JsonDocument.Parse(await DecodedAsync(answer));
        Assert.NotEqual(0, regions.RootElement.GetArrayLength());

        using var signIn = new HttpRequestMessage(HttpMethod.Post, "/api/auth/token")
        {
            Content = JsonContent.Create(new { userId = AppHost.Caseworker, password = AppHost.Password }),
        };
        signIn.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("br"));
        using var token = await _app.Anonymous.SendAsync(signIn);
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        Assert.Empty(token.Content.Headers.ContentEncoding);
    }

    [GeneratedRegex(@"^  ([A-Za-z]+): \(", RegexOptions.Multiline)]
    private static partial Regex EventWordsKey();

    [Fact]
    public void EveryTimelineEventType_HasWordsInBothLanguages_InTheOnePlaceThePagesUse()
    {
        var source = File.ReadAllText(Path.Combine(Repo.Root(), "src", "WebFrontend", "ClientApp", "src", "events.ts"));
        var table = source[source.IndexOf("export const eventWords", StringComparison.Ordinal)..];
        table = table[..table.IndexOf("\n};", StringComparison.Ordinal)];
        var keys = EventWordsKey().Matches(table).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var missing = CaseEventTypes.ByName.Keys.Where(k => !keys.Contains(k)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "event types without words in events.ts: " + string.Join(", ", missing));
        var unknown = keys.Where(k => !CaseEventTypes.ByName.ContainsKey(k)).ToList();
        Assert.True(unknown.Count == 0, "words for event types that do not exist: " + string.Join(", ", unknown));
    }
}
