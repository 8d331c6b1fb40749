using System.Net;
using Xunit.Abstractions;

namespace CaseGrains.Silo.Tests;

/// <summary>
/// What an orchestrator reads: while PostgreSQL is down, readiness of the silo and of the frontend answers 503 (so no
/// traffic is sent there) and liveness stays 200 (so nothing is restarted for an outage it cannot mend); when the
/// database is back, both are ready again on their own and commands are taken. On a server of the test's own.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReadinessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ReadinessFollowsTheDatabase_DownAndBackUp_WhileLivenessNeverDependsOnIt()
    {
        await using var server = await PostgresServer.StartPrivateAsync();
        await using var cluster = await TestCluster.StartAsync(server, silos: 1);
        await using var frontend = await Node.StartFrontendAsync(cluster.Spec, "frontend");
        Node[] nodes = [cluster.Nodes[0], frontend];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var node in nodes)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, node, "/health/ready"));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, node, "/health/live"));
        }

        await server.StopAsync();
        var stopped = DateTime.UtcNow;
        foreach (var node in nodes)
        {
            await UntilAsync(http, node, "/health/ready", HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30));
            output.WriteLine($"{node.Name} not ready {(DateTime.UtcNow - stopped).TotalSeconds:0.0} s after the database stopped");
        }

        // A while down: liveness stays 200 on both, every time it is asked.
        for (var i = 0; i < 10; i++)
        {
            foreach (var node in nodes)
            {
                Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, node, "/health/live"));
            }

            await Task.Delay(300);
        }

        await server.StartAgainAsync();
        var started = DateTime.UtcNow;
        foreach (var node in nodes)
        {
            await UntilAsync(http, node, "/health/ready", HttpStatusCode.OK, TimeSpan.FromSeconds(60));
            output.WriteLine($"{node.Name} ready again {(DateTime.UtcNow - started).TotalSeconds:0.0} s after the database started");
        }

        Assert.False(nodes.Any(n => n.HasExited), "a process exited during the outage");
        Assert.Single(await cluster.OpenCasesAsync(1));
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, Node node, string path)
    {
        using var response = await http.GetAsync(new Uri(node.BaseAddress, path));
        return response.StatusCode;
    }

    private static async Task UntilAsync(HttpClient http, Node node, string path, HttpStatusCode expected, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var last = (HttpStatusCode)0;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((last = await StatusAsync(http, node, path)) == expected)
                {
                    return;
                }
            }
            catch (TaskCanceledException)
            {
                // A probe that hangs is as bad as a wrong answer: keep asking until the deadline.
            }

            await Task.Delay(250);
        }

        Assert.Fail($"{node.Name} {path} answered {(int)last}, not {(int)expected}, for {within.TotalSeconds:0} s");
    }
}
