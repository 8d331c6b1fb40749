using System.Diagnostics;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Services;
using CaseGrains.Grains.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CaseGrains.Bench;

/// <summary>
/// Storage growth on PostgreSQL (issue 16, deliverable 6): cases taken through a journey by the real grains in a silo
/// hosted by this process (intake, assessment, a course with its attendance, a mentor, eight mentoring sessions and
/// eight notes, each case read once: 28 events), then the size of every project table (heap, indexes and TOAST; the
/// timeline's partitions summed) divided by the events and by the cases.
/// </summary>
internal static class StorageBench
{
    private static readonly string[] Tables =
    [
        "case_events", "case_index", "case_refusals", "case_enrolments", "case_snapshots", "case_deadlines", "offer_places",
        "access_audit", "user_notices", "case_consequences_behind", "case_consequence_failures", "region_metrics", "people",
    ];

    public static async Task<string> RunAsync(string postgres, int cases, TextWriter log)
    {
        var (host, dataDirectory) = await ActivationBench.StartSiloAsync(postgres);
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var admin = new Actor("bench-admin", Role.Admin, []);
            var caseworker = new Actor("bench-storage", Role.Caseworker, ["35"]);
            var courses = new List<string>();
            for (var i = 0; i < Math.Max(1, cases / 100); i++)
            {
                var id = $"kursus-storage-{i}";
                var saved = await grains.GetGrain<IOfferGrain>(id).Save(new Offer
                {
                    Id = id, Name = $"Pemasaran Digital {i}", Type = OfferType.Training, Category = "Pemasaran Digital", Provider = "Dinas Koperasi Jawa Timur",
                    Level = OfferLevel.Provinsi, Segments = Enum.GetValues<Segment>(), Regions = ["35"],
                    Period = new(new DateOnly(2026, 1, 1), new DateOnly(2030, 12, 31)), Capacity = 100, AttendanceThresholdPercent = 75,
                }, admin);
                courses.Add(saved.Refusal is null ? id : throw new InvalidOperationException(saved.Refusal.Code));
            }

            var mentors = new List<string>();
            for (var i = 0; i < Math.Max(1, cases / 20); i++)
            {
                var id = $"mentor-storage-{i}";
                var user = await grains.GetGrain<IUserGrain>(id).Upsert(new UpsertUserRequest { DisplayName = id, Role = Role.Mentor, Regions = [], Password = "correct horse battery" }, admin);
                _ = user.Refusal is null ? 0 : throw new InvalidOperationException(user.Refusal.Code);
                await grains.GetGrain<IMentorGrain>(id).SetProfile(new MentorProfile(["Kuliner"], ["35"], 20), admin);
                mentors.Add(id);
            }

            log.WriteLine($"taking {cases:N0} cases through a journey of 28 events");
            var running = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, cases), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
                await JourneyAsync(grains, caseworker, i, courses[i / 100 % courses.Count], mentors[i / 20 % mentors.Count]));
            log.WriteLine($"  {cases * 28 / running.Elapsed.TotalSeconds:F0} commands/s");
            await Task.Delay(TimeSpan.FromSeconds(2)); // the snapshots and cursors written in the background

            await using var source = NpgsqlDataSource.Create(postgres);
            await using (var vacuum = source.CreateCommand("VACUUM ANALYZE"))
            {
                await vacuum.ExecuteNonQueryAsync();
            }

            var events = await ScalarAsync(source, "SELECT count(*) FROM case_events");
            var sizes = new List<(string Table, long Bytes, long Rows)>();
            foreach (var table in Tables)
            {
                // A partitioned table's size is its partitions'.
                var bytes = await ScalarAsync(source, $"""
                    SELECT CASE WHEN c.relkind = 'p' THEN (SELECT coalesce(sum(pg_total_relation_size(t.relid)), 0) FROM pg_partition_tree(c.oid) t)
                                ELSE pg_total_relation_size(c.oid) END
                    FROM pg_class c WHERE c.relname = '{table}' AND c.relkind IN ('r', 'p')
                    """);
                sizes.Add((table, bytes, await ScalarAsync(source, $"SELECT count(*) FROM {table}")));
            }

            var eventsBytes = sizes[0].Bytes;
            var total = sizes.Sum(s => s.Bytes);
            var lines = sizes.Select(s => $"  {s.Table,-26} {s.Bytes / 1048576.0,8:F1} MiB  {s.Rows,9:N0} rows  {s.Bytes / (double)cases,7:F0} B per case");
            return $"""
                storage (Cluster, PostgreSQL): {cases:N0} cases, {events:N0} events ({events / (double)cases:F1} per case)
                per event         {eventsBytes / (double)events:F0} B (case_events: row, primary key, command-id key, TOAST; 16 hash partitions)
                per case          {total / (double)cases:F0} B over every project table ({eventsBytes / (double)cases:F0} B of it the timeline)
                {string.Join(Environment.NewLine, lines)}
                """;
        }
        finally
        {
            await ActivationBench.StopSiloAsync(host, dataDirectory);
        }
    }

    private static async Task JourneyAsync(IGrainFactory grains, Actor caseworker, int i, string course, string mentor)
    {
        var intake = new IntakeRequest
        {
            CommandId = Guid.NewGuid().ToString(),
            Nik = $"357801{(i % 28) + 1:D2}{(i / 28 % 12) + 1:D2}{60 + (i % 30):D2}{(i % 9999) + 1:D4}",
            FullName = $"Penerima Uji Penyimpanan {i}",
            RegionCode = "35.78.01",
            Segment = Segment.Umkm,
            ConsentGiven = true,
        };
        var opened = await AgainAfterTimeoutAsync(() => grains.GetGrain<IIntakeGrain>(0).Open(intake, caseworker));
        if (!opened.Accepted)
        {
            throw new InvalidOperationException($"intake {i}: {opened.Refusal?.Code}");
        }

        var c = grains.GetGrain<ICaseGrain>(opened.CaseNumber);
        async Task Ok(CaseCommandRequest command)
        {
            var outcome = await AgainAfterTimeoutAsync(() => c.Execute(command, caseworker));
            if (!outcome.Accepted)
            {
                throw new InvalidOperationException($"{opened.CaseNumber} {command.GetType().Name}: {outcome.Refusal?.Code}");
            }
        }

        string Id() => Guid.NewGuid().ToString();
        await Ok(new StageCommandRequest { CommandId = Id(), Stage = Stage.Intake, Action = StageAction.Complete });
        await Ok(new StageCommandRequest { CommandId = Id(), Stage = Stage.Assessment, Action = StageAction.Start });
        await Ok(new RecordAssessmentRequest { CommandId = Id(), Sector = "Kuliner", AnnualTurnoverIdr = 600_000_000, BusinessCapitalIdr = 150_000_000, Workers = 3, Needs = ["Pemasaran Digital"] });
        await Ok(new StageCommandRequest { CommandId = Id(), Stage = Stage.Assessment, Action = StageAction.Complete });
        await Ok(new StageCommandRequest { CommandId = Id(), Stage = Stage.Training, Action = StageAction.Start });
        await Ok(new EnrolRequest { CommandId = Id(), OfferId = course });
        await Ok(new CompleteTrainingRequest { CommandId = Id(), OfferId = course, AttendancePercent = 90 });
        await Ok(new StageCommandRequest { CommandId = Id(), Stage = Stage.Training, Action = StageAction.Complete });
        await Ok(new StageCommandRequest { CommandId = Id(), Stage = Stage.Mentoring, Action = StageAction.Start });
        await Ok(new AssignMentorRequest { CommandId = Id(), MentorId = mentor });
        for (var s = 0; s < 8; s++)
        {
            await Ok(new LogMentoringSessionRequest { CommandId = Id(), Date = DateOnly.FromDateTime(DateTime.UtcNow), Topic = "Pembukuan sederhana", Notes = "Mencatat kas harian dan stok bahan baku", NextStep = "Pisahkan uang usaha dan pribadi" });
            await Ok(new AddNoteRequest { CommandId = Id(), Text = $"Kunjungan lapangan ke-{s + 1}: usaha berjalan, pelanggan bertambah, perlu foto produk yang lebih baik." });
        }

        await Ok(new StageCommandRequest { CommandId = Id(), Stage = Stage.Mentoring, Action = StageAction.Complete });
        _ = await c.GetView(caseworker, "pendampingan");
    }

    /// <summary>
    /// Sends a command again (the same one, the same command id) after a timeout, up to three times: a repeat gets the
    /// first answer, never a second case or event.
    /// </summary>
    private static async Task<CommandOutcome> AgainAfterTimeoutAsync(Func<Task<CommandOutcome>> send)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await send();
            }
            catch (TimeoutException) when (attempt < 3)
            {
            }
        }
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource source, string sql)
    {
        await using var cmd = source.CreateCommand(sql);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
