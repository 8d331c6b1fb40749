using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseGrains.Domain.Access;
using CaseGrains.Grains.Abstractions;
using Xunit.Abstractions;

namespace CaseGrains.Silo.Tests;

/// <summary>
/// Cluster backup and restore (docs/operations.md): <c>backup</c> (pg_dump) under write load, <c>restore</c>
/// (pg_restore) into a new database, silos started on it: every command acknowledged before the backup began is there
/// exactly once, every chain verifies, and the cases open through the grains.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BackupRestoreTests(PostgresServer server, ITestOutputHelper output)
{
    [Fact]
    public async Task ABackupTakenUnderWriteLoad_RestoresIntoANewDatabase_WithEveryAcknowledgedCommand_AndEveryChainSound()
    {
        var folder = Path.Combine(Path.GetTempPath(), "casegrains-backup-" + Guid.NewGuid().ToString("N"));
        try
        {
            ClusterSpec spec;
            var acknowledged = new ConcurrentQueue<(string Case, long Seq, string CommandId)>();
            (string Case, long Seq, string CommandId)[] beforeBackup;
            await using (var cluster = await TestCluster.StartAsync(server, silos: 1))
            {
                spec = cluster.Spec;
                using var stop = new CancellationTokenSource();
                var writers = Enumerable.Range(0, 4).Select(_ => WriteAsync(cluster, acknowledged, stop.Token)).ToList();
                while (acknowledged.Count < 100)
                {
                    await Task.Delay(50);
                }

                beforeBackup = [.. acknowledged];
                var (code, said) = await Node.RunCommandAsync("Silo", "backup", "--to", folder, "--CaseGrains:Mode=Cluster", $"--ConnectionStrings:CaseGrains={spec.ConnectionString}", $"--CaseGrains:ServiceId={spec.ServiceId}");
                output.WriteLine(said);
                Assert.True(code == 0, said);
                var duringBackup = acknowledged.Count - beforeBackup.Length;
                await stop.CancelAsync();
                await Task.WhenAll(writers);
                output.WriteLine($"{beforeBackup.Length} commands acknowledged before the backup, {duringBackup} while it ran");
                Assert.True(duringBackup > 0, "no write went on during the backup: the test proves nothing about an online backup");
            }

            var restored = spec with { ConnectionString = await server.CreateDatabaseAsync("cgrestore") };
            var (restoreCode, restoreSaid) = await Node.RunCommandAsync("Silo", "restore", "--from", folder, "--CaseGrains:Mode=Cluster", $"--ConnectionStrings:CaseGrains={restored.ConnectionString}", $"--CaseGrains:ServiceId={spec.ServiceId}");
            output.WriteLine(restoreSaid);
            Assert.True(restoreCode == 0, restoreSaid);

            // A second restore into the same (now full) database is refused and changes nothing.
            var (againCode, againSaid) = await Node.RunCommandAsync("Silo", "restore", "--from", folder, "--CaseGrains:Mode=Cluster", $"--ConnectionStrings:CaseGrains={restored.ConnectionString}", $"--CaseGrains:ServiceId={spec.ServiceId}");
            Assert.Equal(1, againCode);
            Assert.Contains("not empty", againSaid, StringComparison.Ordinal);

            await using var after = await TestCluster.StartOnAsync(restored, silos: 1);
            Assert.Empty(await after.VerifyTimelinesAsync());
            var timelines = await after.ReadTimelinesAsync();
            foreach (var (caseNumber, seq, commandId) in beforeBackup)
            {
                Assert.True(timelines.TryGetValue(caseNumber, out var events), $"{caseNumber} is missing after the restore");
                Assert.Single(events, e => e.CommandId == commandId);
                Assert.Contains(events, e => e.Seq == seq && e.CommandId == commandId);
            }

            // The restored cluster serves: the cases activate, their chains verify through the grain, and a new command appends.
            foreach (var caseNumber in beforeBackup.Select(a => a.Case).Distinct().Take(20))
            {
                var verified = await after.Grains.GetGrain<ICaseGrain>(caseNumber).VerifyChain(TestCluster.Caseworker);
                Assert.NotNull(verified);
                Assert.True(verified.Valid && verified.Anchored, $"{caseNumber}: {verified}");
            }

            var next = await after.Grains.GetGrain<ICaseGrain>(beforeBackup[0].Case).Execute(new RecordConsentRequest { CommandId = Guid.NewGuid().ToString(), Method = "after restore" }, TestCluster.Caseworker);
            Assert.True(next.Accepted, next.Refusal?.Code);
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>Opens a case, then records consent on it twice; each acknowledged command is remembered with its seq.</summary>
    private static async Task WriteAsync(TestCluster cluster, ConcurrentQueue<(string, long, string)> acknowledged, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var intake = cluster.NewIntake();
            var opened = await cluster.Grains.GetGrain<IIntakeGrain>(0).Open(intake, TestCluster.Caseworker);
            Assert.True(opened.Accepted, opened.Refusal?.Code);
            acknowledged.Enqueue((opened.CaseNumber, opened.Seq!.Value, intake.CommandId!));
            for (var i = 0; i < 2 && !stop.IsCancellationRequested; i++)
            {
                var command = new RecordConsentRequest { CommandId = Guid.NewGuid().ToString(), Method = "backup load" };
                var outcome = await cluster.Grains.GetGrain<ICaseGrain>(opened.CaseNumber).Execute(command, TestCluster.Caseworker);
                Assert.True(outcome.Accepted, outcome.Refusal?.Code);
                acknowledged.Enqueue((opened.CaseNumber, outcome.Seq!.Value, command.CommandId!));
            }
        }
    }
}

/// <summary>
/// Embedded backup and restore: <c>backup</c> copies the SQLite file online (<c>VACUUM INTO</c>) and the keys beside it
/// while the app runs and takes commands; <c>restore</c> into a new folder; the app started there has every command
/// acknowledged before the backup began, once, every chain verifies, and the NIK still decrypts (the keys came along).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class EmbeddedBackupRestoreTests(ITestOutputHelper output)
{
    private const string Password = "correct horse battery staple";

    [Fact]
    public async Task AnOnlineBackupOfTheSqliteFile_RestoresIntoANewFolder_WithEveryAcknowledgedCommand_AndItsKeys()
    {
        var data = Path.Combine(Path.GetTempPath(), "casegrains-bk-data-" + Guid.NewGuid().ToString("N"));
        var folder = Path.Combine(Path.GetTempPath(), "casegrains-bk-" + Guid.NewGuid().ToString("N"));
        var restoredData = Path.Combine(Path.GetTempPath(), "casegrains-bk-restored-" + Guid.NewGuid().ToString("N"));
        try
        {
            var acknowledged = new ConcurrentQueue<(string Case, long Seq, string CommandId)>();
            (string Case, long Seq, string CommandId)[] beforeBackup;
            await using (var app = await Node.StartEmbeddedAppAsync(data, "app", "--create-admin", "admin.backup", "--CaseGrains:Auth:RequestsPerMinute=100000"))
            {
                using (var admin = await app.ClientForAsync("admin.backup", await app.AdminPasswordAsync()))
                {
                    (await admin.PutAsJsonAsync("/api/users/petugas.backup", new { displayName = "Petugas", role = "Caseworker", regions = new[] { "35.79" }, password = Password })).EnsureSuccessStatusCode();
                }

                using var caseworker = await app.ClientForAsync("petugas.backup", Password);
                using var stop = new CancellationTokenSource();
                var nik = 0;
                var writers = Enumerable.Range(0, 3).Select(_ => WriteAsync(caseworker, () => Interlocked.Increment(ref nik), acknowledged, stop.Token)).ToList();
                while (acknowledged.Count < 60)
                {
                    await Task.Delay(50);
                }

                beforeBackup = [.. acknowledged];
                var (code, said) = await Node.RunCommandAsync("WebFrontend", "backup", "--to", folder, $"--CaseGrains:DataDirectory={data}", $"--CaseGrains:ServiceId=cg-app-{Path.GetFileName(data)}");
                output.WriteLine(said);
                Assert.True(code == 0, said);
                var duringBackup = acknowledged.Count - beforeBackup.Length;
                await stop.CancelAsync();
                await Task.WhenAll(writers);
                output.WriteLine($"{beforeBackup.Length} commands acknowledged before the backup, {duringBackup} while it ran");
            }

            Assert.True(File.Exists(Path.Combine(folder, "nik-hmac.key")) && File.Exists(Path.Combine(folder, "chain-anchor.key")) && Directory.Exists(Path.Combine(folder, "keys")),
                "the keys were not backed up");
            // The installation's service id keys its grain state (accounts among them): a restore under another is refused.
            var serviceId = $"--CaseGrains:ServiceId=cg-app-{Path.GetFileName(data)}";
            var (otherCode, otherSaid) = await Node.RunCommandAsync("WebFrontend", "restore", "--from", folder, $"--CaseGrains:DataDirectory={restoredData}");
            Assert.Equal(1, otherCode);
            Assert.Contains("CaseGrains:ServiceId=cg-app-", otherSaid, StringComparison.Ordinal);
            Assert.False(Directory.Exists(restoredData) && Directory.EnumerateFileSystemEntries(restoredData).Any(), "a refused restore wrote files");

            var (restoreCode, restoreSaid) = await Node.RunCommandAsync("WebFrontend", "restore", "--from", folder, $"--CaseGrains:DataDirectory={restoredData}", serviceId);
            output.WriteLine(restoreSaid);
            Assert.True(restoreCode == 0, restoreSaid);
            var (againCode, againSaid) = await Node.RunCommandAsync("WebFrontend", "restore", "--from", folder, $"--CaseGrains:DataDirectory={restoredData}", serviceId);
            Assert.Equal(1, againCode);
            Assert.Contains("not empty", againSaid, StringComparison.Ordinal);

            await using var restored = await Node.StartEmbeddedAppAsync(restoredData, "restored app", serviceId);
            using var reader = await restored.ClientForAsync("petugas.backup", Password);
            foreach (var group in beforeBackup.GroupBy(a => a.Case))
            {
                var timeline = await reader.GetFromJsonAsync<JsonElement>($"/api/cases/{group.Key}/timeline");
                var events = timeline.EnumerateArray().Select(e => (Seq: e.GetProperty("seq").GetInt64(), CommandId: e.GetProperty("commandId").GetString())).ToList();
                foreach (var (_, seq, commandId) in group)
                {
                    Assert.Single(events, e => e.CommandId == commandId);
                    Assert.Contains((seq, commandId), events);
                }

                // Anchored: the chain anchor key came along, so the restored checkpoints' MACs still verify.
                var verified = await reader.GetFromJsonAsync<JsonElement>($"/api/cases/{group.Key}/verify");
                Assert.True(verified.GetProperty("valid").GetBoolean() && verified.GetProperty("anchored").GetBoolean(), $"{group.Key}: {verified}");
            }

            // The NIK is encrypted under the Data Protection keys: it decrypts only because they were restored too.
            using var reveal = await reader.PostAsJsonAsync($"/api/cases/{beforeBackup[0].Case}/nik/reveal", new { purpose = "pemeriksaan pemulihan" });
            var revealed = await reveal.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(reveal.StatusCode == HttpStatusCode.OK, revealed.ToString());
            Assert.Equal(16, revealed.GetProperty("nik").GetString()!.Length);
        }
        finally
        {
            foreach (var dir in (string[])[data, folder, restoredData])
            {
                Node.DeleteData(dir);
            }
        }
    }

    private static async Task WriteAsync(HttpClient http, Func<int> nextNik, ConcurrentQueue<(string, long, string)> acknowledged, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var n = nextNik();
            var commandId = Guid.NewGuid().ToString();
            using var opened = await http.PostAsJsonAsync("/api/cases", new
            {
                commandId, nik = $"357901{1 + (n % 28):D2}{1 + (n / 28 % 12):D2}90{n % 10000:D4}", fullName = "Warga Cadangan", regionCode = "35.79.01", segment = "Umkm", consentGiven = true,
            }, CancellationToken.None); // a command sent is seen to its answer: only then is it known acknowledged or not
            var body = await opened.Content.ReadFromJsonAsync<JsonElement>(CancellationToken.None);
            Assert.True(opened.StatusCode == HttpStatusCode.Created, body.ToString());
            var number = body.GetProperty("caseNumber").GetString()!;
            acknowledged.Enqueue((number, body.GetProperty("seq").GetInt64(), commandId));
            for (var i = 0; i < 2 && !stop.IsCancellationRequested; i++)
            {
                var consentId = Guid.NewGuid().ToString();
                using var consent = await http.PostAsJsonAsync($"/api/cases/{number}/consent", new { commandId = consentId, method = "backup load" }, CancellationToken.None);
                var answer = await consent.Content.ReadFromJsonAsync<JsonElement>(CancellationToken.None);
                Assert.True(consent.IsSuccessStatusCode, answer.ToString());
                acknowledged.Enqueue((number, answer.GetProperty("seq").GetInt64(), consentId));
            }
        }
    }
}
