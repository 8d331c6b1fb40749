using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using CaseGrains.TestSupport;
using Microsoft.Playwright;

namespace CaseGrains.Bench;

/// <summary>
/// `bench mentor-link` (issue 17, deliverable 4; BENCHMARKS.md "The mentor's phone"): the mentor's page in Debian's
/// headless Chromium on a simulated rural link — DevTools network throttling, 300 ms round trip and 400 kbit/s each way by
/// default — against the app on the embedded default with a mentor of <c>--cases</c> assigned cases. It measures the
/// sign-in page cold, the first visit of a signed-in mentor on a new phone (nothing cached), and a later visit (the
/// service worker's shell and the cases on the phone): time to usable (the caseload drawn with every case, from
/// navigation start) and bytes transferred. Bytes are counted twice: by the browser (DevTools, the page's own
/// requests), and on the wire by a relay in front of the app (every byte the browser received, headers, the live
/// connection and the service worker's own fetches included). The exit code is the size budget (<c>--budget-kb</c>,
/// 120): deterministic, unlike times on a shared machine, which are reported against their goals (4 s cold, 1 s warm).
/// </summary>
internal static class MentorLinkBench
{
    private const string Admin = "admin.link";
    private const string Caseworker = "petugas.link";
    private const string Mentor = "pendamping.link";

    public static async Task<int> RunAsync(int caseCount, int rttMs, int kbps, int budgetKb, TextWriter output)
    {
        var data = Directory.CreateTempSubdirectory("casegrains-bench-link-").FullName;
        try
        {
            await using var app = await Node.StartEmbeddedAppAsync(data, "app", "--create-admin", Admin,
                "--contentRoot", Path.Combine(Repo.Root(), "src", "WebFrontend"));
            await SeedAsync(app, caseCount);
            await using var relay = new CountingRelay(app.BaseAddress);
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = "/usr/bin/chromium",
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
            });

            output.WriteLine($"mentor-link: {caseCount} assigned cases, link {rttMs} ms round trip, {kbps} kbit/s each way (DevTools throttling)");
            output.WriteLine($"{"load",-34} {"usable",9} {"page bytes",11} {"wire bytes",11} {"wire, idle",11}");

            // 1. A phone that never opened the app, not signed in: the sign-in form.
            await using (var signInContext = await NewContextAsync(browser, relay))
            {
                var signIn = await MeasureAsync(signInContext, relay, rttMs, kbps, "() => document.getElementById('login') !== null");
                Report(output, "cold, sign-in page", signIn);
            }

            // 2. A signed-in mentor on a new phone: nothing cached, the caseload from the server.
            await using var context = await NewContextAsync(browser, relay);
            await using (var login = await context.APIRequest.PostAsync("/api/auth/login", new() { DataObject = new { userId = Mentor, password = BenchClient.Password } }))
            {
                if (!login.Ok)
                {
                    throw new InvalidOperationException($"sign-in of {Mentor}: {login.Status}");
                }
            }

            var usableCaseload = $"() => document.body.dataset.usable === 'caseload' && document.querySelectorAll('#cases li').length === {caseCount}";
            var cold = await MeasureAsync(context, relay, rttMs, kbps, usableCaseload);
            Report(output, "cold, signed in (first visit)", cold);

            // 3. The same phone later: the shell from the service worker, the cases from the phone, then the server's news.
            var page = context.Pages[0];
            await page.WaitForFunctionAsync("async () => (await navigator.serviceWorker.ready).active?.state === 'activated'", null, new() { Timeout = 60_000 });
            await page.CloseAsync();
            var warm = await MeasureAsync(context, relay, rttMs, kbps, usableCaseload);
            Report(output, "warm (installed, cases on the phone)", warm);

            var firstLoadKb = cold.WireBytesIdle / 1024.0;
            output.WriteLine();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"goals: first load ≤ {budgetKb} KB transferred: {firstLoadKb:F1} KB ({Verdict(firstLoadKb <= budgetKb)}); cold usable ≤ 4 s: {cold.Usable.TotalSeconds:F2} s ({Verdict(cold.Usable.TotalSeconds <= 4)}); warm usable ≤ 1 s: {warm.Usable.TotalSeconds:F2} s ({Verdict(warm.Usable.TotalSeconds <= 1)})"));
            output.WriteLine("exit code: the size budget only (times on a shared two-core machine are reported, not gated)");
            return firstLoadKb <= budgetKb ? 0 : 1;
        }
        finally
        {
            Node.DeleteData(data);
        }
    }

    private static string Verdict(bool met) => met ? "met" : "MISSED";

    private static void Report(TextWriter output, string name, Measure m) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-34} {m.Usable.TotalSeconds,8:F2}s {m.PageBytes / 1024.0,9:F1}KB {m.WireBytes / 1024.0,9:F1}KB {m.WireBytesIdle / 1024.0,9:F1}KB"));

    private static Task<IBrowserContext> NewContextAsync(IBrowser browser, CountingRelay relay) =>
        browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 360, Height = 740 },
            BaseURL = relay.BaseAddress.ToString(),
        });

    /// <summary>Time to usable, the page's own bytes (DevTools) and the wire's, at usable and once the network is idle.</summary>
    private sealed record Measure(TimeSpan Usable, long PageBytes, long WireBytes, long WireBytesIdle);

    private static async Task<Measure> MeasureAsync(IBrowserContext context, CountingRelay relay, int rttMs, int kbps, string usable)
    {
        var page = await context.NewPageAsync();
        var cdp = await context.NewCDPSessionAsync(page);
        await cdp.SendAsync("Network.enable");
        var bytesPerSecond = kbps * 1000 / 8;
        await cdp.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object>
        {
            ["offline"] = false, ["latency"] = rttMs, ["downloadThroughput"] = bytesPerSecond, ["uploadThroughput"] = bytesPerSecond,
        });
        long pageBytes = 0;
        cdp.Event("Network.loadingFinished").OnEvent += (_, e) =>
        {
            if (e is { } value && value.TryGetProperty("encodedDataLength", out var length))
            {
                Interlocked.Add(ref pageBytes, (long)length.GetDouble());
            }
        };
        relay.Reset();
        await page.GotoAsync("/", new() { WaitUntil = WaitUntilState.Commit, Timeout = 120_000 });
        await page.WaitForFunctionAsync(usable, null, new() { Timeout = 120_000, PollingInterval = 20 });
        // From navigation start: the page's own mark when it drew the caseload (or now, for the sign-in form).
        var ms = await page.EvaluateAsync<double>("() => (performance.getEntriesByName('usable')[0] ?? { startTime: performance.now() }).startTime");
        var wire = relay.Received;
        // Then what the first visit still downloads (the service worker's install, the live connection's start).
        await relay.WaitIdleAsync(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60));
        return new Measure(TimeSpan.FromMilliseconds(ms), Interlocked.Read(ref pageBytes), wire, relay.Received);
    }

    /// <summary>An admin, a Kota Batu caseworker and a mentor with <paramref name="caseCount"/> cases, each with a session and a note.</summary>
    private static async Task SeedAsync(Node app, int caseCount)
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var adminToken = await BenchClient.TokenAsync(http, Admin, await app.AdminPasswordAsync());
        await BenchClient.PutUserAsync(http, adminToken, Caseworker, "Caseworker", ["35.79"]);
        await BenchClient.PutUserAsync(http, adminToken, Mentor, "Mentor", []);
        using var caseworker = await app.ClientForAsync(Caseworker, BenchClient.Password);
        var today = DateTime.UtcNow.AddHours(7).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        for (var i = 0; i < caseCount; i++)
        {
            var opened = await PostAsync(caseworker, "/api/cases", new
            {
                commandId = Guid.NewGuid().ToString(), nik = LoadTest.Nik(900_000 + i), fullName = $"Penerima Manfaat {i + 1}",
                regionCode = "35.79.02", segment = "Umkm", consentGiven = true,
            });
            var number = opened.GetProperty("caseNumber").GetString()!;
            await PostAsync(caseworker, $"/api/cases/{number}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId = Mentor });
            await PostAsync(caseworker, $"/api/cases/{number}/mentoring-sessions", new
            {
                commandId = Guid.NewGuid().ToString(), date = today, topic = "Pembukuan sederhana", notes = "Belum memisahkan uang usaha dan rumah tangga.",
                nextStep = "Rekap kas mingguan",
            });
            await PostAsync(caseworker, $"/api/cases/{number}/notes", new { commandId = Guid.NewGuid().ToString(), text = "Ditelepon, jadwal kunjungan Kamis." });
        }
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? JsonDocument.Parse(text).RootElement.Clone() : throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
    }

    /// <summary>A loopback relay in front of the app that counts the bytes the browser receives.</summary>
    private sealed class CountingRelay : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly IPEndPoint _target;
        private long _received;
        private long _lastActivity = Environment.TickCount64;

        public CountingRelay(Uri target)
        {
            _target = new IPEndPoint(IPAddress.Loopback, target.Port);
            _listener.Start();
            _ = AcceptAsync();
        }

        public Uri BaseAddress => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

        public long Received => Interlocked.Read(ref _received);

        public void Reset() => Interlocked.Exchange(ref _received, 0);

        /// <summary>Until nothing was received for <paramref name="quiet"/> (or <paramref name="limit"/> passed).</summary>
        public async Task WaitIdleAsync(TimeSpan quiet, TimeSpan limit)
        {
            var until = Environment.TickCount64 + (long)limit.TotalMilliseconds;
            while (Environment.TickCount64 < until && Environment.TickCount64 - Interlocked.Read(ref _lastActivity) < quiet.TotalMilliseconds)
            {
                await Task.Delay(100);
            }
        }

        private async Task AcceptAsync()
        {
            while (true)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = RelayAsync(client);
            }
        }

        private async Task RelayAsync(TcpClient client)
        {
            using (client)
            using (var server = new TcpClient())
            {
                try
                {
                    await server.ConnectAsync(_target);
                    var up = client.GetStream().CopyToAsync(server.GetStream());
                    var down = CountAsync(server.GetStream(), client.GetStream());
                    await Task.WhenAny(up, down);
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
                {
                    // A side closed.
                }
            }
        }

        private async Task CountAsync(Stream from, Stream to)
        {
            var buffer = new byte[16 * 1024];
            for (var read = await from.ReadAsync(buffer); read > 0; read = await from.ReadAsync(buffer))
            {
                Interlocked.Add(ref _received, read);
                Interlocked.Exchange(ref _lastActivity, Environment.TickCount64);
                await to.WriteAsync(buffer.AsMemory(0, read));
            }
        }

        public ValueTask DisposeAsync()
        {
            _listener.Stop();
            return ValueTask.CompletedTask;
        }
    }
}
