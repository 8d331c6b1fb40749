using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Timeline;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace CaseGrains.TestSupport;

/// <summary>
/// A cluster under test: a fresh database on the shared PostgreSQL server, migrated by the Silo's own command, real silo
/// processes, and an Orleans client in the test process configured exactly as a Cluster-mode frontend is.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    public static readonly Actor Caseworker = new("cw-cluster", Role.Caseworker, ["35.79"]);

    private readonly List<Node> _nodes = [];
    private IHost? _client;
    private int _nik;

    private TestCluster(ClusterSpec spec) => Spec = spec;

    public ClusterSpec Spec { get; }

    public IReadOnlyList<Node> Nodes => _nodes;

    public IGrainFactory Grains => _client!.Services.GetRequiredService<IClusterClient>();

    /// <summary>The services of this test's cluster client, built as a frontend builds its own.</summary>
    public IServiceProvider ClientServices => _client!.Services;

    /// <summary>Calls this test's client sent once more after an interrupted attempt (the product's client filter).</summary>
    public long ResentCalls => _client!.Services.GetServices<IOutgoingGrainCallFilter>().OfType<ResendInterruptedCallFilter>().Sum(f => f.Resent);

    public static async Task<TestCluster> StartAsync(PostgresServer server, int silos, params string[] siloArguments)
    {
        var connectionString = await server.CreateDatabaseAsync();
        var cluster = new TestCluster(new ClusterSpec(connectionString, "cg-" + Guid.NewGuid().ToString("N")[..8]));
        await Node.MigrateAsync(cluster.Spec);
        // Silos start one after another (two cores: starting together only slows both).
        for (var i = 0; i < silos; i++)
        {
            await cluster.AddSiloAsync(siloArguments);
        }

        await cluster.ConnectClientAsync();
        return cluster;
    }

    /// <summary>Silos (and a client) on a database that already holds a cluster's data (a restore, for one).</summary>
    public static async Task<TestCluster> StartOnAsync(ClusterSpec spec, int silos, params string[] siloArguments)
    {
        var cluster = new TestCluster(spec);
        for (var i = 0; i < silos; i++)
        {
            await cluster.AddSiloAsync(siloArguments);
        }

        await cluster.ConnectClientAsync();
        return cluster;
    }

    public async Task<Node> AddSiloAsync(params string[] siloArguments)
    {
        var node = await Node.StartSiloAsync(Spec, $"silo{_nodes.Count + 1}", siloArguments);
        _nodes.Add(node);
        return node;
    }

    private async Task ConnectClientAsync()
    {
        var config = new ConfigurationBuilder().AddCommandLine([.. Spec.CommonArguments()]).Build();
        var settings = CaseGrainsSilo.ReadSettings(config);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(c => c.UseCaseGrainsCluster(settings, config));
        _client = builder.Build();
        await _client.StartAsync();
    }

    /// <summary>Opens <paramref name="count"/> Kota Batu cases through intake (each a distinct, valid NIK).</summary>
    public async Task<IReadOnlyList<string>> OpenCasesAsync(int count)
    {
        var numbers = new List<string>();
        foreach (var chunk in Enumerable.Range(0, count).Chunk(16))
        {
            var opened = await Task.WhenAll(chunk.Select(_ => Grains.GetGrain<IIntakeGrain>(0).Open(NewIntake(), Caseworker)));
            foreach (var o in opened)
            {
                Assert.True(o.Accepted, o.Refusal?.Code);
                numbers.Add(o.CaseNumber);
            }
        }

        return numbers;
    }

    /// <summary>An intake of a new Kota Batu beneficiary (a distinct, valid NIK each time).</summary>
    public IntakeRequest NewIntake()
    {
        var n = Interlocked.Increment(ref _nik);
        return new IntakeRequest
        {
            CommandId = Guid.NewGuid().ToString(),
            Nik = $"357901{1 + (n % 28):D2}{1 + (n / 28 % 12):D2}90{n % 10000:D4}",
            FullName = "Penerima Klaster",
            RegionCode = "35.79.01",
            Segment = Segment.Umkm,
            ConsentGiven = true,
        };
    }

    /// <summary>Reads every stored event of the database, grouped by case, straight from PostgreSQL.</summary>
    public async Task<Dictionary<string, List<(long Seq, string Type, string ActorId, string ActorRole, string At, string Payload, string CommandId, string Prev, string Hash)>>> ReadTimelinesAsync()
    {
        await using var conn = new NpgsqlConnection(Spec.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT case_number, seq, type, actor_id, actor_role, occurred_at, payload, command_id, prev_hash, hash FROM case_events ORDER BY case_number, seq", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var all = new Dictionary<string, List<(long, string, string, string, string, string, string, string, string)>>();
        while (await r.ReadAsync())
        {
            if (!all.TryGetValue(r.GetString(0), out var list))
            {
                all[r.GetString(0)] = list = [];
            }

            list.Add((r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7), r.GetString(8), r.GetString(9)));
        }

        return all;
    }

    /// <summary>
    /// Checks every case's timeline from the rows themselves: sequence numbers 1..n without gaps, each event's hash
    /// recomputed from its content and linked to the one before. Returns the problems found (empty when sound).
    /// </summary>
    public async Task<IReadOnlyList<string>> VerifyTimelinesAsync()
    {
        var problems = new List<string>();
        foreach (var (caseNumber, events) in await ReadTimelinesAsync())
        {
            var prev = EventChain.Genesis;
            for (var i = 0; i < events.Count; i++)
            {
                var e = events[i];
                if (e.Seq != i + 1)
                {
                    problems.Add($"{caseNumber}: expected seq {i + 1}, found {e.Seq}");
                    break;
                }

                var hash = EventChain.Hash(prev, caseNumber, e.Seq, e.Type, e.ActorId, e.ActorRole, EventChain.ParseTime(e.At), e.CommandId, e.Payload);
                if (e.Prev != prev || e.Hash != hash)
                {
                    problems.Add($"{caseNumber}: hash chain broken at seq {e.Seq}");
                    break;
                }

                prev = e.Hash;
            }
        }

        return problems;
    }

    /// <summary>Grain identities with more than one storage row (the unique index should make this impossible).</summary>
    public async Task<long> DuplicateStorageRowsAsync()
    {
        await using var conn = new NpgsqlConnection(Spec.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT count(*) FROM (
                SELECT 1 FROM orleansstorage
                GROUP BY grainidhash, grainidn0, grainidn1, graintypehash, graintypestring, grainidextensionstring, serviceid
                HAVING count(*) > 1) AS d
            """, conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            try
            {
                await _client.StopAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or Orleans.Runtime.OrleansException)
            {
                // The silos may already be gone.
            }

            _client.Dispose();
        }

        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }
}
