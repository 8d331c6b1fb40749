using System.Diagnostics;
using System.Globalization;
using CaseGrains.Domain.Regions;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Storage;
using CaseGrains.Grains.Storage.Postgres;
using HdrHistogram;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace CaseGrains.Bench;

/// <summary>
/// The case list's search at the national shape (issue 16, deliverable 5: p99 ≤ 100 ms at 1,000,000 cases on PostgreSQL
/// and 100,000 on SQLite): case-list rows bulk-loaded (PostgreSQL COPY, SQLite batched inserts; the trigram indexes kept
/// as in production), over every kab/kota with a skew, then the search box's queries through the production store, one
/// at a time, each within a kab/kota's scope.
/// </summary>
internal static class SearchBench
{
    private static readonly string[] First = ["Eko", "Siti", "Dédé", "Agus", "Budi", "Sri", "Dewi", "Made", "Putu", "Nyoman", "Ketut", "Wayan", "Ahmad",
        "Muhammad", "Nur", "Rina", "Yusuf", "Andi", "Rahmat", "Fitri", "Intan", "Bambang", "Joko", "Slamet", "Wahyu", "Ayu", "Ratna", "Hendra", "Indah", "Taufik",
        "Yohanes", "Maria", "Fransiska", "Stefanus", "La Ode", "Wa Ode", "Teuku", "Cut", "Ida Bagus", "Anak Agung", "Tuti", "Heru", "Yanti", "Asep", "Ujang",
        "Nengsih", "Rudi", "Hadi", "Lestari", "Kurniawan"];

    private static readonly string[] Last = ["Saputra", "Setiawan", "Kurniawati", "Wijaya", "Santoso", "Hidayat", "Pratama", "Lestari", "Susanto", "Nugroho",
        "Siregar", "Nasution", "Simanjuntak", "Harahap", "Lubis", "Sitompul", "Manurung", "Tanjung", "Rangkuti", "Pohan", "Sembiring", "Ginting", "Tarigan",
        "Purba", "Saragih", "Damanik", "Sinaga", "Panjaitan", "Hutapea", "Tambunan", "Mahendra", "Permana", "Gunawan", "Kusuma", "Halim", "Syahputra",
        "Ramadhan", "Firmansyah", "Hakim", "Maulana", "Rahayu", "Wulandari", "Anggraini", "Puspita", "Fauzi", "Iskandar", "Sulistyo", "Prasetyo", "Utomo", "Wibowo"];

    /// <summary>An Indonesian name as people write them: two or three parts, now and then a diacritic or a title.</summary>
    internal static string Name(Random random, int i) =>
        $"{First[random.Next(First.Length)]} {Last[random.Next(Last.Length)]}" + (i % 3 == 0 ? $" {Last[random.Next(Last.Length)]}" : "") + (i % 10 == 0 ? ", S.E." : "");

    public static async Task<string> RunAsync(string? postgres, int caseCount, int lookups, TextWriter log)
    {
        var random = new Random(5);
        var shape = new NationalShape(random);
        var names = new string[caseCount];
        var numbers = new string[caseCount];
        var regions = new string[caseCount];
        var sequence = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < caseCount; i++)
        {
            var regency = shape.Regency();
            regions[i] = shape.Village(regency);
            var n = sequence[regency] = sequence.GetValueOrDefault(regency) + 1;
            numbers[i] = $"{regency.Replace(".", "", StringComparison.Ordinal)}-{n:D6}";
            names[i] = Name(random, i);
        }

        await using var bench = await BenchStore.OpenAsync(postgres);
        var store = bench.Projections;
        var where = bench.Where;
        var clock = Stopwatch.StartNew();
        if (bench.Source is { } source)
        {
            await LoadPostgresAsync(source, names, numbers, regions);
        }
        else
        {
            await LoadSqliteAsync(bench.SqliteConnectionString!, names, numbers, regions);
        }

        var loaded = clock.Elapsed.TotalSeconds;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loaded {caseCount} case-list rows in {loaded:F1} s"));
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"-- case search on {where}: {caseCount} cases over {sequence.Count} kab/kota (skewed) --"),
            string.Create(CultureInfo.InvariantCulture, $"load              {caseCount} rows in {loaded:F1} s ({caseCount / loaded:F0}/s)"),
        };
        var picks = Enumerable.Range(0, lookups).Select(_ => random.Next(caseCount)).ToArray();
        ListScope ScopeOf(int i) => new([RegionTable.RegencyOf(regions[i])!], null);
        static string Start(string word, int length) => word.Length <= length ? word : word[..length];
        (string Name, Func<int, string> Query)[] kinds =
        [
            ("two parts of words (\"eko sap\")", i => string.Join(' ', Domain.SearchText.Words(names[i]).Take(2).Select(w => Start(w, 3)))),
            ("a whole surname", i => Domain.SearchText.Words(names[i])[^1]),
            ("the full name, with its diacritics and title", i => names[i]),
            ("a case number", i => numbers[i]),
        ];
        foreach (var (name, query) in kinds)
        {
            for (var w = 0; w < Math.Min(50, lookups); w++)
            {
                await store.SearchAsync(new CaseQuery(null, null, null, null, query(picks[w]), 1, 50), ScopeOf(picks[w]), CancellationToken.None);
            }

            var histogram = new LongHistogram(60_000_000, 3);
            long found = 0;
            long total = 0;
            foreach (var i in picks)
            {
                var start = Stopwatch.GetTimestamp();
                var page = await store.SearchAsync(new CaseQuery(null, null, null, null, query(i), 1, 50), ScopeOf(i), CancellationToken.None);
                histogram.RecordValue(Math.Max(1, (Stopwatch.GetTimestamp() - start) * 1_000_000 / Stopwatch.Frequency));
                found += page.Items.Any(x => x.CaseNumber == numbers[i]) || page.Total > page.Items.Count ? 1 : 0;
                total += page.Total;
            }

            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{name}: p50 {histogram.GetValueAtPercentile(50) / 1000.0:F1} ms · p99 {histogram.GetValueAtPercentile(99) / 1000.0:F1} ms · max {histogram.GetMaxValue() / 1000.0:F1} ms · {total / (double)picks.Length:F0} matches per query, the case sought on the page or beyond it {found}/{picks.Length}"));
            log.WriteLine(lines[^1]);
        }

        return string.Join('\n', lines);
    }

    private static async Task LoadPostgresAsync(NpgsqlDataSource source, string[] names, string[] numbers, string[] regions)
    {
        await using var conn = await source.OpenConnectionAsync();
        var now = DateTimeOffset.UtcNow;
        await using (var import = await conn.BeginBinaryImportAsync("""
            COPY case_index (case_number, full_name, nik_masked, region_code, segment, gender, status, current_stage, current_stage_state,
                             version, opened_at, updated_at, name_key) FROM STDIN (FORMAT BINARY)
            """))
        {
            for (var i = 0; i < names.Length; i++)
            {
                await import.StartRowAsync();
                await import.WriteAsync(numbers[i], NpgsqlDbType.Text);
                await import.WriteAsync(names[i], NpgsqlDbType.Text);
                await import.WriteAsync("3579**********01", NpgsqlDbType.Text);
                await import.WriteAsync(regions[i], NpgsqlDbType.Text);
                await import.WriteAsync("Umkm", NpgsqlDbType.Text);
                await import.WriteAsync(i % 2 == 0 ? "Female" : "Male", NpgsqlDbType.Text);
                await import.WriteAsync("Open", NpgsqlDbType.Text);
                await import.WriteAsync("Training", NpgsqlDbType.Text);
                await import.WriteAsync("Active", NpgsqlDbType.Text);
                await import.WriteAsync(5, NpgsqlDbType.Integer);
                await import.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await import.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await import.WriteAsync(Domain.SearchText.StoredKey(names[i]), NpgsqlDbType.Text);
            }

            await import.CompleteAsync();
        }

        await using var analyze = new NpgsqlCommand("ANALYZE case_index", conn);
        await analyze.ExecuteNonQueryAsync();
    }

    private static async Task LoadSqliteAsync(string connectionString, string[] names, string[] numbers, string[] regions)
    {
        await using var conn = new SqliteConnection(connectionString);
        await conn.OpenAsync();
        var now = Domain.Timeline.EventChain.FormatTime(DateTimeOffset.UtcNow);
        for (var chunk = 0; chunk < names.Length; chunk += 10_000)
        {
            await using var tx = conn.BeginTransaction();
            await using var insert = conn.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = """
                INSERT INTO case_index (case_number, full_name, nik_masked, region_code, segment, gender, status, current_stage, current_stage_state,
                                        version, opened_at, updated_at, name_key)
                VALUES ($n, $name, '3579**********01', $region, 'Umkm', 'Female', 'Open', 'Training', 'Active', 5, $at, $at, $key)
                """;
            var (n, name, region, at, key) = (insert.Parameters.Add("$n", SqliteType.Text), insert.Parameters.Add("$name", SqliteType.Text),
                insert.Parameters.Add("$region", SqliteType.Text), insert.Parameters.Add("$at", SqliteType.Text), insert.Parameters.Add("$key", SqliteType.Text));
            for (var i = chunk; i < Math.Min(names.Length, chunk + 10_000); i++)
            {
                (n.Value, name.Value, region.Value, at.Value, key.Value) = (numbers[i], names[i], regions[i], now, Domain.SearchText.StoredKey(names[i]));
                await insert.ExecuteNonQueryAsync();
            }

            await tx.CommitAsync();
        }

        await using var analyze = conn.CreateCommand();
        analyze.CommandText = "ANALYZE";
        await analyze.ExecuteNonQueryAsync();
    }
}

/// <summary>Kab/kota drawn with a skew (random order, weights 1/rank^0.8), and places in them, for the national benchmarks.</summary>
internal sealed class NationalShape
{
    private readonly Random _random;
    private readonly string[] _ranked;
    private readonly double[] _cumulative;
    private readonly Dictionary<string, string[]> _districts;
    private readonly Dictionary<string, string[]> _villages;

    public NationalShape(Random random)
    {
        _random = random;
        var table = RegionTable.Kemendagri;
        var regencies = table.All.Where(r => r.Level == RegionLevel.Regency).Select(r => r.Code).Order(StringComparer.Ordinal).ToArray();
        _districts = table.All.Where(r => r.Level == RegionLevel.District).GroupBy(r => RegionTable.RegencyOf(r.Code)!)
            .ToDictionary(g => g.Key, g => g.Select(r => r.Code).Order(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        _villages = table.All.Where(r => r.Level == RegionLevel.Village).GroupBy(r => RegionTable.RegencyOf(r.Code)!)
            .ToDictionary(g => g.Key, g => g.Select(r => r.Code).Order(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        _ranked = [.. regencies.OrderBy(_ => random.Next())];
        var weights = _ranked.Select((_, i) => 1 / Math.Pow(i + 1, 0.8)).ToArray();
        var total = weights.Sum();
        var running = 0.0;
        _cumulative = [.. weights.Select(w => (running += w) / total)];
    }

    public int RegencyCount => _ranked.Length;

    public string Regency()
    {
        var at = Array.BinarySearch(_cumulative, _random.NextDouble());
        return _ranked[Math.Min(_ranked.Length - 1, at < 0 ? ~at : at)];
    }

    /// <summary>A kecamatan of the kab/kota (the kab/kota itself when the table has none).</summary>
    public string District(string regency) => _districts.TryGetValue(regency, out var list) && list.Length > 0 ? list[_random.Next(list.Length)] : regency;

    /// <summary>A desa/kelurahan of the kab/kota (else a kecamatan).</summary>
    public string Village(string regency) => _villages.TryGetValue(regency, out var list) && list.Length > 0 ? list[_random.Next(list.Length)] : District(regency);
}
