using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Regions;
using CaseGrains.TestSupport;
using Microsoft.AspNetCore.SignalR.Client;

namespace CaseGrains.Bench;

/// <summary>
/// `bench import` (issue 21, deliverable 5; BENCHMARKS.md "Bulk import"): a beneficiary file of <c>--rows</c> rows
/// (200,000 by default; semicolons and a BOM, as Excel writes it in the Indonesian locale) imported through
/// <c>POST /api/cases/import</c> of the real app on the embedded default (SQLite, co-hosted silo), hosted in this process
/// on Kestrel so its managed heap can be read. A caseworker of Jawa Timur uploads it from a file (streamed, never in the
/// client's memory) while connected to <c>/hubs/cases</c> as the web page is. Measured: the upload until the 202, the
/// processing until the last <c>ImportProgress</c> says done (rows/s), the progress pushes received while it runs, and
/// the managed heap and working set sampled every 100 ms in each phase against the file's size.
/// </summary>
internal static class ImportBench
{
    private const string Caseworker = "petugas.jatim";

    private static readonly string[] Given = ["Siti", "Budi", "Dewi", "Agus", "Rina", "Eko", "Sri", "Ahmad", "Nur", "Wahyu", "Putri", "Joko", "Ani", "Bambang", "Lestari", "Yusuf"];
    private static readonly string[] Family = ["Aminah", "Santoso", "Lestari", "Prasetyo", "Wati", "Saputra", "Rahayu", "Hidayat", "Kusuma", "Setiawan", "Purnomo", "Handayani"];
    private static readonly string[] Segments = ["Umkm", "Koperasi", "EkonomiKreatif", "PekerjaMigran"];

    public static async Task<int> RunAsync(int rows, TimeSpan timeout, TextWriter output)
    {
        var data = Directory.CreateTempSubdirectory("casegrains-bench-import-").FullName;
        var file = Path.Combine(data, "penerima-jatim.csv");
        try
        {
            var kecamatan = WriteFile(file, rows);
            var fileBytes = new FileInfo(file).Length;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"import: {rows:N0} rows over {kecamatan} kecamatan of Jawa Timur, {fileBytes / 1048576.0:F1} MiB (semicolons, BOM, CRLF; every 10th name quoted)"));

            // The app's content root for WebApplicationFactory outside a test project (whose build would record it).
            Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_CASEGRAINS_WEBFRONTEND", Path.Combine(Repo.Root(), "src", "WebFrontend"));
            await using var app = AppHost.Start(Path.Combine(data, "app"));
            await app.CreateUser(Caseworker, Role.Caseworker, "35");
            var token = await app.TokenFor(Caseworker);
            using var http = new HttpClient { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromMinutes(30) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

            // The page's live connection: progress as the web page receives it.
            var clock = Stopwatch.StartNew();
            var progress = new ProgressLog(clock);
            await using var hub = BenchClient.MentorHub(app.BaseAddress, token);
            hub.On<JsonElement>("ImportProgress", p => progress.Add(p));
            await hub.StartAsync();
            await hub.InvokeAsync<JsonElement>("Resume", new Dictionary<string, long>());

            using var memory = new MemorySampler();
            var baseline = MemorySampler.Settle();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"baseline (app started, full GC): heap {Mib(baseline.Heap)}, working set {Mib(baseline.WorkingSet)}"));

            memory.Phase();
            var start = clock.Elapsed;
            string importId;
            int total;
            await using (var stream = File.OpenRead(file))
            {
                using var content = new StreamContent(stream, 64 * 1024);
                content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
                using var response = await http.PostAsync(new Uri("/api/cases/import", UriKind.Relative), content);
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    throw new InvalidOperationException($"the import was refused: {(int)response.StatusCode} {body}");
                }

                importId = body.GetProperty("importId").GetString()!;
                total = body.GetProperty("total").GetInt32();
            }

            var accepted = clock.Elapsed;
            var uploaded = accepted - start;
            var upload = memory.Phase();
            // What the 202 leaves held (the rows, packed in the import grain), before the first rows' cases add theirs.
            var held = MemorySampler.Settle();
            var done = await progress.UntilDoneAsync(importId, timeout);
            var processing = clock.Elapsed - accepted;
            var processed = memory.Phase();
            var after = MemorySampler.Settle();

            var last = progress.Last(importId);
            var rate = (last?.Processed ?? 0) / processing.TotalSeconds;
            var lines = new List<string>
            {
                string.Create(CultureInfo.InvariantCulture, $"upload → 202: {uploaded.TotalSeconds:F1} s for {total:N0} rows ({fileBytes / 1048576.0 / uploaded.TotalSeconds:F1} MiB/s read, parsed and handed to the import grain)"),
                string.Create(CultureInfo.InvariantCulture, $"  managed heap peak {Mib(upload.PeakHeap)} (+{Mib(upload.PeakHeap - baseline.Heap)} = {(upload.PeakHeap - baseline.Heap) / (double)fileBytes:F2}× the file, garbage included), working set peak {Mib(upload.PeakWorkingSet)} (+{Mib(upload.PeakWorkingSet - baseline.WorkingSet)} = {(upload.PeakWorkingSet - baseline.WorkingSet) / (double)fileBytes:F2}× the file)"),
                string.Create(CultureInfo.InvariantCulture, $"  held at the 202 (full GC): heap {Mib(held.Heap)} (+{Mib(held.Heap - baseline.Heap)} = {(held.Heap - baseline.Heap) / (double)fileBytes:F2}× the file: the rows waiting in the import grain)"),
                done
                    ? string.Create(CultureInfo.InvariantCulture, $"processing → done: {processing.TotalSeconds:F1} s, {rate:F0} rows/s ({last!.Created:N0} created, {last.Unchanged:N0} unchanged, {last.Updated:N0} updated, {last.Rejected:N0} rejected)")
                    : string.Create(CultureInfo.InvariantCulture, $"processing NOT DONE after {timeout.TotalSeconds:F0} s: {last?.Processed ?? 0:N0} of {total:N0} rows, {rate:F0} rows/s"),
                string.Create(CultureInfo.InvariantCulture, $"  managed heap peak {Mib(processed.PeakHeap)} (+{Mib(processed.PeakHeap - baseline.Heap)}), working set peak {Mib(processed.PeakWorkingSet)} (+{Mib(processed.PeakWorkingSet - baseline.WorkingSet)})"),
                string.Create(CultureInfo.InvariantCulture, $"  live progress: {progress.Count(importId):N0} ImportProgress pushes, the first {progress.First(importId)?.At.Subtract(accepted).TotalSeconds:F2} s after the 202, the longest silence {progress.LongestGap(importId).TotalSeconds:F2} s, processed never going back: {progress.Monotonic(importId)}"),
                string.Create(CultureInfo.InvariantCulture, $"after (full GC): heap {Mib(after.Heap)} (+{Mib(after.Heap - baseline.Heap)}, {(after.Heap - baseline.Heap) / (double)Math.Max(1, last?.Processed ?? 1):F0} bytes per row processed: what stays after the import's cases and registry entries left memory), working set {Mib(after.WorkingSet)}"),
            };

            var cases = (await http.GetFromJsonAsync<JsonElement>(new Uri("/api/cases?pageSize=1", UriKind.Relative))).GetProperty("total").GetInt64();
            var reading = Stopwatch.StartNew();
            using (var report = await http.GetAsync(new Uri($"/api/imports/{importId}", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead))
            {
                var reportRows = 0;
                using var json = await JsonDocument.ParseAsync(await report.Content.ReadAsStreamAsync());
                reportRows = json.RootElement.GetProperty("rows").GetArrayLength();
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"check: {cases:N0} cases in the caseworker's list; the report has {reportRows:N0} rows, read in {reading.Elapsed.TotalSeconds:F1} s"));
            }

            foreach (var line in lines)
            {
                output.WriteLine(line);
            }

            return done ? 0 : 1;
        }
        finally
        {
            AppHost.DeleteData(data);
        }
    }

    /// <summary>Writes the file (a NIK that parses for every row: a Jawa Timur kecamatan, a birth date, a sequence); returns the kecamatan count.</summary>
    private static int WriteFile(string path, int rows)
    {
        var kecamatan = RegionTable.Kemendagri.All.Where(r => r.Level == RegionLevel.District && r.Code.StartsWith("35.", StringComparison.Ordinal))
            .Select(r => r.Code).Order(StringComparer.Ordinal).ToArray();
        using var writer = new StreamWriter(path, false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 1 << 16);
        writer.Write("nik;full_name;region_code;segment;consent;nib\r\n");
        for (var i = 0; i < rows; i++)
        {
            var region = kecamatan[i % kecamatan.Length];
            var n = i / kecamatan.Length;
            var female = n % 2 == 1;
            var nik = string.Create(CultureInfo.InvariantCulture,
                $"{region.Replace(".", "", StringComparison.Ordinal)}{1 + (n / 2 / 9999) % 28 + (female ? 40 : 0):D2}{1 + i % 12:D2}{60 + i % 40:D2}{1 + (n / 2) % 9999:D4}");
            var name = $"{Given[i % Given.Length]} {Family[i / Given.Length % Family.Length]}";
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"{nik};{(i % 10 == 0 ? $"\"{name}; S.E.\"" : name)};{region};{Segments[i % Segments.Length]};{(i % 9 == 0 ? "tidak" : "ya")};\r\n"));
        }

        return kecamatan.Length;
    }

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:F1} MiB");

    /// <summary>The ImportProgress pushes received, with when each arrived.</summary>
    private sealed class ProgressLog(Stopwatch clock)
    {
        private readonly List<Received> _items = [];
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Add(JsonElement p)
        {
            var item = new Received(p.GetProperty("importId").GetString()!, p.GetProperty("processed").GetInt32(), p.GetProperty("created").GetInt32(),
                p.GetProperty("unchanged").GetInt32(), p.GetProperty("updated").GetInt32(), p.GetProperty("rejected").GetInt32(), p.GetProperty("done").GetBoolean(), clock.Elapsed);
            lock (_items)
            {
                _items.Add(item);
            }

            if (item.Done)
            {
                _done.TrySetResult();
            }
        }

        public async Task<bool> UntilDoneAsync(string importId, TimeSpan timeout)
        {
            try
            {
                await _done.Task.WaitAsync(timeout);
                return Last(importId)?.Done == true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }

        public Received? First(string importId) => Of(importId).FirstOrDefault();

        public Received? Last(string importId) => Of(importId).LastOrDefault();

        public int Count(string importId) => Of(importId).Count;

        public bool Monotonic(string importId) => Of(importId).Zip(Of(importId).Skip(1)).All(p => p.Second.Processed >= p.First.Processed);

        public TimeSpan LongestGap(string importId)
        {
            var items = Of(importId);
            return items.Count < 2 ? TimeSpan.Zero : items.Zip(items.Skip(1)).Max(p => p.Second.At - p.First.At);
        }

        /// <summary>The pushes of one import, in the order received.</summary>
        private List<Received> Of(string importId)
        {
            lock (_items)
            {
                return [.. _items.Where(i => i.ImportId == importId)];
            }
        }
    }

    private sealed record Received(string ImportId, int Processed, int Created, int Unchanged, int Updated, int Rejected, bool Done, TimeSpan At);

    /// <summary>This process's managed heap (allocated, garbage included) and working set, every 100 ms, the peaks per phase.</summary>
    private sealed class MemorySampler : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _sampling;
        private long _peakHeap;
        private long _peakWorkingSet;

        public MemorySampler() => _sampling = SampleAsync();

        /// <summary>Ends the current phase: its peaks; the next phase starts from now.</summary>
        public (long PeakHeap, long PeakWorkingSet) Phase()
        {
            Sample();
            return (Interlocked.Exchange(ref _peakHeap, 0), Interlocked.Exchange(ref _peakWorkingSet, 0));
        }

        /// <summary>A full, compacting collection, then what is left.</summary>
        public static (long Heap, long WorkingSet) Settle()
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            return (GC.GetTotalMemory(false), Environment.WorkingSet);
        }

        public void Dispose()
        {
            _stop.Cancel();
            try
            {
                _sampling.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                // stopped
            }

            _stop.Dispose();
        }

        private async Task SampleAsync()
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                Sample();
            }
        }

        private void Sample()
        {
            Max(ref _peakHeap, GC.GetTotalMemory(false));
            Max(ref _peakWorkingSet, Environment.WorkingSet);
        }

        private static void Max(ref long peak, long value)
        {
            var seen = Interlocked.Read(ref peak);
            while (value > seen && Interlocked.CompareExchange(ref peak, value, seen) != seen)
            {
                seen = Interlocked.Read(ref peak);
            }
        }
    }
}
