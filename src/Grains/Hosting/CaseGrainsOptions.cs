using CaseGrains.Domain.Journey;
using Microsoft.Extensions.Options;

namespace CaseGrains.Grains.Hosting;

/// <summary>Settings under <c>CaseGrains</c>. Validated at start-up: a bad value fails fast naming its key.</summary>
public sealed class CaseGrainsOptions
{
    public const string Section = "CaseGrains";

    /// <summary>
    /// <c>CaseGrains:Mode</c>: <c>Embedded</c> (the default: one SQLite file, a localhost silo) or <c>Cluster</c> (silos
    /// form a cluster on PostgreSQL: membership, grain state, reminders and the project's tables; the connection string
    /// is <c>ConnectionStrings:CaseGrains</c>).
    /// </summary>
    public string Mode { get; set; } = Modes.Embedded;

    /// <summary>
    /// <c>CaseGrains:Frontend</c> (WebFrontend only): <c>Silo</c> co-hosts a silo in the web process, <c>Client</c> makes it
    /// an Orleans client of separately run silos (src/Silo). Empty means <c>Silo</c> in Embedded mode, <c>Client</c> in Cluster mode.
    /// </summary>
    public string? Frontend { get; set; }

    /// <summary><c>CaseGrains:ClusterId</c>: Orleans cluster id (membership rows are keyed by it). Defaults to the service id.</summary>
    public string? ClusterId { get; set; }

    /// <summary>
    /// <c>CaseGrains:AdvertisedAddress</c> (Cluster mode): the IP address or host name other silos and clients reach this
    /// silo at. Empty: Orleans picks a local address (Kubernetes hosting sets it from the pod's IP).
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary><c>CaseGrains:HealthPort</c>: the standalone silo's HTTP port for /health/live and /health/ready.</summary>
    public int HealthPort { get; set; } = 8081;

    /// <summary><c>CaseGrains:Kubernetes</c>: use Orleans' Kubernetes hosting (pod labels and downward-API variables).</summary>
    public bool Kubernetes { get; set; }

    /// <summary>
    /// <c>CaseGrains:OrleansDashboard</c>: the Orleans Dashboard on every silo and, for admins only, at
    /// <c>/admin/orleans/</c> of the frontends (without grain state or log streaming). Off by default: it profiles every
    /// grain call.
    /// </summary>
    public bool OrleansDashboard { get; set; }

    /// <summary><c>CaseGrains:LogFormat</c>: <c>Json</c> or <c>Text</c>; empty means Json in Cluster mode, Text otherwise (<see cref="CaseGrainsLogging"/>).</summary>
    public string? LogFormat { get; set; }

    /// <summary><c>CaseGrains:Metrics:*</c>: the Prometheus scrape (<see cref="CaseGrainsTelemetry"/>).</summary>
    public MetricsSettings Metrics { get; set; } = new();

    /// <summary><c>CaseGrains:Sla:*</c>: stage target durations, escalation grace period and the check period.</summary>
    public SlaSettings Sla { get; set; } = new();

    /// <summary><c>CaseGrains:DataDirectory</c>: folder of the embedded SQLite file (created if missing).</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary><c>CaseGrains:DatabaseFile</c>: file name of the embedded database inside the data folder.</summary>
    public string DatabaseFile { get; set; } = "casegrains.db";

    /// <summary>
    /// <c>CaseGrains:NikHmacKey</c>: base64 key (≥ 32 bytes) for the NIK look-up hash. When empty in embedded mode a
    /// random key is generated once and kept in the data folder (<c>nik-hmac.key</c>). Losing it orphans the registry.
    /// </summary>
    public string? NikHmacKey { get; set; }

    /// <summary>
    /// <c>CaseGrains:ChainAnchorKey</c>: base64 key (≥ 32 bytes) that MACs each case's chain checkpoint, held outside the
    /// database. When empty in embedded mode a random key is generated once in the data folder (<c>chain-anchor.key</c>);
    /// required on Cluster silos. See docs/storage.md, "Anchored chain".
    /// </summary>
    public string? ChainAnchorKey { get; set; }

    /// <summary>
    /// <c>CaseGrains:SubjectKeyEncryptionKey</c>: base64 key (≥ 32 bytes) that wraps each case's own data key (issue 19:
    /// erasure by destroying that key). When empty in embedded mode a random key is generated once and kept in the data
    /// folder (<c>subject-kek.key</c>); required in cluster mode. Losing it makes every case's personal fields unreadable.
    /// </summary>
    public string? SubjectKeyEncryptionKey { get; set; }

    /// <summary><c>CaseGrains:ServiceId</c>: Orleans service id; rows in the grain-storage table are keyed by it.</summary>
    public string ServiceId { get; set; } = "casegrains";

    /// <summary><c>CaseGrains:SiloPort</c> and <c>CaseGrains:GatewayPort</c> for the localhost (embedded) silo.</summary>
    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary><c>CaseGrains:Journey:MentoringSessionsRequired</c>, <c>…:DefaultAttendanceThresholdPercent</c>, <c>…:ReferralResponseTime</c>, <c>…:SessionDueAfter</c>.</summary>
    public JourneySettings Journey { get; set; } = new();

    /// <summary>
    /// <c>CaseGrains:CallTimeout</c>: how long a grain call may take before it fails (frontends, silos; default 3 s). A
    /// call in flight to a silo that died fails within it, and the API answers 503 <c>server.unavailable</c>; long
    /// operations (imports, the rebuild, the reconciliation) carry their own, longer limits.
    /// </summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// <c>CaseGrains:DirectoryCacheSize</c>: how many grain addresses a silo keeps in its directory cache (default
    /// 100,000; Orleans' own default is 1,000,000). Every activation's address is cached where it registers, about
    /// 255 bytes each: at a national caseload the cache, not the cases, would grow with the cluster. A call to a grain
    /// whose address has left the cache asks the directory first (a dictionary read, or one call to the silo that owns
    /// the grain's directory entry).
    /// </summary>
    public int DirectoryCacheSize { get; set; } = 100_000;

    /// <summary><c>CaseGrains:Consequences:*</c>: how held-up consequences are retried and when they are parked.</summary>
    public ConsequenceSettings Consequences { get; set; } = new();

    /// <summary>
    /// <paramref name="first"/> doubled after each of <paramref name="attempts"/> − 1 failures, at most <paramref name="max"/>
    /// (without overflowing however many attempts there were).
    /// </summary>
    public static TimeSpan Doubling(TimeSpan first, TimeSpan max, int attempts)
    {
        var shift = Math.Clamp(attempts - 1, 0, 62);
        return first.Ticks > max.Ticks >> shift ? max : TimeSpan.FromTicks(Math.Min(max.Ticks, first.Ticks << shift));
    }

    /// <summary><c>CaseGrains:Notifications</c>: e-mail through SMTP and the WhatsApp/SMS gateway's webhook (docs/notifications.md).</summary>
    public DeliverySettings Notifications { get; set; } = new();

    /// <summary><c>CaseGrains:Retention:*</c>: how long a case's personal data is kept after it ends, per purpose (issue 19).</summary>
    public RetentionSettings Retention { get; set; } = new();

    /// <summary><c>CaseGrains:Faults:*</c>: fault injection for tests and the fault benchmark only (off unless <c>Enabled</c>).</summary>
    public FaultSettings Faults { get; set; } = new();

    public string DatabasePath => Path.GetFullPath(Path.Combine(DataDirectory, DatabaseFile));

    public string SqliteConnectionString => $"Data Source={DatabasePath};Default Timeout=30;Pooling=True";

    public bool IsCluster => Mode == Modes.Cluster;

    public string EffectiveClusterId => string.IsNullOrWhiteSpace(ClusterId) ? ServiceId : ClusterId;

    /// <summary>How the WebFrontend reaches grains, after the mode's default is applied.</summary>
    public string EffectiveFrontend => string.IsNullOrWhiteSpace(Frontend) ? (IsCluster ? FrontendHosting.Client : FrontendHosting.Silo) : Frontend;

    /// <summary>Stage SLAs. Targets default to <see cref="SlaPolicy.Default"/>; a stage's key overrides its target.</summary>
    public sealed class SlaSettings
    {
        /// <summary><c>CaseGrains:Sla:Targets:&lt;Stage&gt;</c>, e.g. <c>CaseGrains:Sla:Targets:Assessment = 14.00:00:00</c>.</summary>
        public Dictionary<string, TimeSpan> Targets { get; set; } = [];

        /// <summary><c>CaseGrains:Sla:EscalationGrace</c>: how long a breached stage may stay overdue before escalation.</summary>
        public TimeSpan EscalationGrace { get; set; } = SlaPolicy.Default.EscalationGrace;

        /// <summary>
        /// <c>CaseGrains:Sla:WarnAtPercent</c>: the share of a stage's target after which its caseworkers (and, in
        /// Mentoring, its mentor) are told the target is near (0..99; 0: no warning). Default 80.
        /// </summary>
        public int WarnAtPercent { get; set; } = SlaPolicy.Default.WarnAtPercent;

        /// <summary>
        /// <c>CaseGrains:Sla:CheckPeriod</c>: how often the deadline index is swept, at most every 5 s (a deadline is acted
        /// on within this of being due, and a case that failed to act is told again at the next sweep). Default one hour,
        /// so 5 s; at least one second.
        /// </summary>
        public TimeSpan CheckPeriod { get; set; } = TimeSpan.FromHours(1);

        public SlaPolicy ToPolicy() => SlaPolicy.Default with
        {
            Targets = SlaPolicy.Default.Targets.SetItems(Targets.Select(t => KeyValuePair.Create(Enum.Parse<Stage>(t.Key, ignoreCase: true), t.Value))),
            EscalationGrace = EscalationGrace,
            WarnAtPercent = WarnAtPercent,
        };

        internal IEnumerable<string> Validate(string prefix)
        {
            foreach (var (stage, target) in Targets)
            {
                if (!Enum.TryParse<Stage>(stage, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(stage, out _))
                {
                    yield return $"{prefix}:Targets:{stage} is not a stage ({string.Join(", ", Enum.GetNames<Stage>())}).";
                }
                else if (target <= TimeSpan.Zero)
                {
                    yield return $"{prefix}:Targets:{stage} must be a positive duration.";
                }
            }

            if (EscalationGrace < TimeSpan.Zero)
            {
                yield return $"{prefix}:EscalationGrace must not be negative.";
            }

            if (WarnAtPercent is < 0 or > 99)
            {
                yield return $"{prefix}:WarnAtPercent must be 0..99 (0: no warning).";
            }

            if (CheckPeriod < TimeSpan.FromSeconds(1) || CheckPeriod > TimeSpan.FromDays(1))
            {
                yield return $"{prefix}:CheckPeriod must be between 00:00:01 and 1.00:00:00.";
            }
        }
    }

    /// <summary>
    /// How notices leave the app (docs/notifications.md): e-mail when <c>Smtp:Host</c> is set, messages when
    /// <c>Webhook:Url</c> is set; each delivery retried with a doubling wait, up to <see cref="MaxAttempts"/>.
    /// </summary>
    public sealed class DeliverySettings
    {
        public SmtpSettings Smtp { get; set; } = new();

        public WebhookSettings Webhook { get; set; } = new();

        /// <summary><c>CaseGrains:Notifications:AppUrl</c>: the address staff open the app at, for the link in each message.</summary>
        public string? AppUrl { get; set; }

        /// <summary><c>CaseGrains:Notifications:PollEvery</c>: how often each silo looks for deliveries due.</summary>
        public TimeSpan PollEvery { get; set; } = TimeSpan.FromSeconds(2);

        /// <summary><c>CaseGrains:Notifications:FirstRetry</c>: the wait after the first failure, doubled after each (at most an hour).</summary>
        public TimeSpan FirstRetry { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary><c>CaseGrains:Notifications:MaxAttempts</c>: after this many failures a delivery is marked failed for admins.</summary>
        public int MaxAttempts { get; set; } = 8;

        /// <summary>
        /// <c>CaseGrains:Notifications:Lease</c>: how long a silo holds a delivery it is sending; a silo that died sending
        /// leaves it to be sent again after this.
        /// </summary>
        public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

        public bool EmailEnabled => !string.IsNullOrWhiteSpace(Smtp.Host);

        public bool MessageEnabled => !string.IsNullOrWhiteSpace(Webhook.Url);

        /// <summary>The wait before attempt <paramref name="attempts"/> + 1.</summary>
        public TimeSpan Backoff(int attempts) => Doubling(FirstRetry, TimeSpan.FromHours(1), attempts);

        internal IEnumerable<string> Validate(string prefix)
        {
            if (EmailEnabled)
            {
                if (Smtp.Port is < 1 or > 65535)
                {
                    yield return $"{prefix}:Smtp:Port must be 1..65535.";
                }

                if (!Enum.TryParse<SmtpSecurity>(Smtp.Security, ignoreCase: false, out _))
                {
                    yield return $"{prefix}:Smtp:Security must be one of {string.Join(", ", Enum.GetNames<SmtpSecurity>())}.";
                }

                if (!System.Net.Mail.MailAddress.TryCreate(Smtp.From, out _))
                {
                    yield return $"{prefix}:Smtp:From must be an e-mail address.";
                }
            }

            if (MessageEnabled)
            {
                if (!Uri.TryCreate(Webhook.Url, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
                {
                    yield return $"{prefix}:Webhook:Url must be an absolute http(s) address.";
                }

                if ((Webhook.Secret?.Length ?? 0) < 32)
                {
                    yield return $"{prefix}:Webhook:Secret must be at least 32 characters (the gateway checks each request's signature with it).";
                }
            }

            if (FirstRetry < TimeSpan.FromMilliseconds(10) || FirstRetry > TimeSpan.FromHours(1))
            {
                yield return $"{prefix}:FirstRetry must be 00:00:00.01..01:00:00.";
            }

            if (MaxAttempts is < 1 or > 50)
            {
                yield return $"{prefix}:MaxAttempts must be 1..50.";
            }

            if (PollEvery < TimeSpan.FromMilliseconds(50) || PollEvery > TimeSpan.FromMinutes(10) || Lease < TimeSpan.FromSeconds(1))
            {
                yield return $"{prefix}:PollEvery must be 00:00:00.05..00:10:00 and Lease at least 00:00:01.";
            }
        }
    }

    /// <summary>How the SMTP connection is secured.</summary>
    public enum SmtpSecurity
    {
        None,
        StartTls,
        SslOnConnect,
    }

    /// <summary><c>CaseGrains:Notifications:Smtp</c>: the mail relay.</summary>
    public sealed class SmtpSettings
    {
        public string? Host { get; set; }

        public int Port { get; set; } = 587;

        /// <summary><c>None</c>, <c>StartTls</c> (the default) or <c>SslOnConnect</c>.</summary>
        public string Security { get; set; } = nameof(SmtpSecurity.StartTls);

        public string? UserName { get; set; }

        public string? Password { get; set; }

        /// <summary>The sender address, e.g. <c>notifikasi@perintis.kemenkopm.go.id</c>.</summary>
        public string? From { get; set; }
    }

    /// <summary><c>CaseGrains:Notifications:Webhook</c>: the WhatsApp/SMS gateway's endpoint and the secret its requests are signed with.</summary>
    public sealed class WebhookSettings
    {
        public string? Url { get; set; }

        public string? Secret { get; set; }
    }

    /// <summary>Retries of consequences that failed (docs/decisions.md, "Durable consequences").</summary>
    /// <summary>
    /// Retention periods per purpose of processing (ISO 8601, e.g. <c>P5Y</c>), counted from a case's last change after it
    /// ended (closed or graduated). The case's one key covers every personal field, so the first personal purpose's
    /// period to end erases the whole subject; <c>Statistics</c> are aggregates, kept without personal data.
    /// </summary>
    public sealed class RetentionSettings
    {
        /// <summary><c>CaseGrains:Retention:CaseManagement</c>: the case record itself (identity, journey, notes).</summary>
        public string CaseManagement { get; set; } = Domain.Privacy.RetentionPolicy.Defaults[Domain.Privacy.RetentionPolicy.CaseManagement];

        /// <summary><c>CaseGrains:Retention:Mentoring</c>: mentoring sessions' topics, notes and next steps.</summary>
        public string Mentoring { get; set; } = Domain.Privacy.RetentionPolicy.Defaults[Domain.Privacy.RetentionPolicy.Mentoring];

        /// <summary><c>CaseGrains:Retention:PartnerSharing</c>: referrals and enrolments with partners, and their reasons.</summary>
        public string PartnerSharing { get; set; } = Domain.Privacy.RetentionPolicy.Defaults[Domain.Privacy.RetentionPolicy.PartnerSharing];

        /// <summary><c>CaseGrains:Retention:Statistics</c>: the programme's aggregates (no personal data; not swept).</summary>
        public string Statistics { get; set; } = Domain.Privacy.RetentionPolicy.Defaults[Domain.Privacy.RetentionPolicy.Statistics];

        /// <summary>
        /// <c>CaseGrains:Retention:AutoErase</c>: when true a sweeper erases what is past its period every
        /// <see cref="SweepEvery"/>; when false (the default) only the data protection officer's run does, after the dry run.
        /// </summary>
        public bool AutoErase { get; set; }

        /// <summary><c>CaseGrains:Retention:SweepEvery</c>: how often the automatic sweep runs.</summary>
        public TimeSpan SweepEvery { get; set; } = TimeSpan.FromHours(24);

        /// <summary><c>CaseGrains:Retention:MaxPerRun</c>: the most cases one run (or dry run) lists and erases.</summary>
        public int MaxPerRun { get; set; } = 1000;

        /// <summary>The periods as a policy (valid once the options validated).</summary>
        public Domain.Privacy.RetentionPolicy Policy() => new(new Dictionary<string, Domain.Privacy.RetentionPeriod>(StringComparer.Ordinal)
        {
            [Domain.Privacy.RetentionPolicy.CaseManagement] = Parse(CaseManagement),
            [Domain.Privacy.RetentionPolicy.Mentoring] = Parse(Mentoring),
            [Domain.Privacy.RetentionPolicy.PartnerSharing] = Parse(PartnerSharing),
            [Domain.Privacy.RetentionPolicy.Statistics] = Parse(Statistics),
        });

        public IEnumerable<string> Validate(string section)
        {
            foreach (var (name, value) in new[] { (nameof(CaseManagement), CaseManagement), (nameof(Mentoring), Mentoring), (nameof(PartnerSharing), PartnerSharing), (nameof(Statistics), Statistics) })
            {
                if (!Domain.Privacy.RetentionPeriod.TryParse(value, out _))
                {
                    yield return $"{section}:{name} must be an ISO 8601 period of years, months and days, e.g. P5Y or P18M.";
                }
            }

            if (SweepEvery < TimeSpan.FromMinutes(1) || SweepEvery > TimeSpan.FromDays(31))
            {
                yield return $"{section}:SweepEvery must be 00:01:00..31.00:00:00.";
            }

            if (MaxPerRun is < 1 or > 100_000)
            {
                yield return $"{section}:MaxPerRun must be 1..100000.";
            }
        }

        private static Domain.Privacy.RetentionPeriod Parse(string value) =>
            Domain.Privacy.RetentionPeriod.TryParse(value, out var period) ? period : throw new InvalidOperationException($"Not a retention period: {value}");
    }

    public sealed class ConsequenceSettings
    {
        /// <summary><c>CaseGrains:Consequences:FirstRetry</c>: the wait before the first retry; each next one waits twice as long.</summary>
        public TimeSpan FirstRetry { get; set; } = TimeSpan.FromMilliseconds(500);

        /// <summary><c>CaseGrains:Consequences:MaxRetry</c>: the longest wait between two retries.</summary>
        public TimeSpan MaxRetry { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary><c>CaseGrains:Consequences:MaxAttempts</c>: after this many failed attempts a consequence is parked for an admin.</summary>
        public int MaxAttempts { get; set; } = 12;

        /// <summary><c>CaseGrains:Consequences:CallTimeout</c>: how long one consequence may take before it counts as failed.</summary>
        public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary><c>CaseGrains:Consequences:SweepEvery</c>: how often the sweeper looks for cases behind (a silo died mid-way) or due.</summary>
        public TimeSpan SweepEvery { get; set; } = TimeSpan.FromSeconds(2);

        /// <summary>
        /// <c>CaseGrains:Consequences:ReservationLease</c>: how long a mentor's or an offer's place reserved for an event waits
        /// for that event before the case is asked whether it holds it (a process that died between the two).
        /// </summary>
        public TimeSpan ReservationLease { get; set; } = TimeSpan.FromMinutes(2);

        /// <summary>The wait before attempt <paramref name="attempts"/> + 1.</summary>
        public TimeSpan Backoff(int attempts) => Doubling(FirstRetry, MaxRetry, attempts);

        internal IEnumerable<string> Validate(string prefix)
        {
            if (FirstRetry < TimeSpan.FromMilliseconds(10) || FirstRetry > MaxRetry)
            {
                yield return $"{prefix}:FirstRetry must be at least 00:00:00.01 and at most MaxRetry.";
            }

            if (MaxRetry > TimeSpan.FromDays(1))
            {
                yield return $"{prefix}:MaxRetry must be at most 1.00:00:00.";
            }

            if (MaxAttempts is < 1 or > 100)
            {
                yield return $"{prefix}:MaxAttempts must be 1..100.";
            }

            if (CallTimeout < TimeSpan.FromMilliseconds(100) || CallTimeout > TimeSpan.FromMinutes(5))
            {
                yield return $"{prefix}:CallTimeout must be 00:00:00.1..00:05:00.";
            }

            if (SweepEvery < TimeSpan.FromMilliseconds(100) || SweepEvery > TimeSpan.FromMinutes(10))
            {
                yield return $"{prefix}:SweepEvery must be 00:00:00.1..00:10:00.";
            }

            if (ReservationLease < TimeSpan.FromSeconds(1) || ReservationLease > TimeSpan.FromHours(1))
            {
                yield return $"{prefix}:ReservationLease must be 00:00:01..01:00:00.";
            }
        }
    }

    /// <summary>Faults injected on purpose (tests, the fault benchmark); never set on a real installation.</summary>
    public sealed class FaultSettings
    {
        /// <summary><c>CaseGrains:Faults:Enabled</c>: the other fault settings are read only when this is true.</summary>
        public bool Enabled { get; set; }

        /// <summary>
        /// <c>CaseGrains:Faults:Consequences</c>: kinds that fail, e.g. <c>Feed=once,Caseload=always,all=0.1</c> (once per
        /// event, every time, or with a probability per attempt).
        /// </summary>
        public string? Consequences { get; set; }

        /// <summary><c>CaseGrains:Faults:ExitAfterCommits</c>: the process exits at once after this many appends committed, before their consequences run.</summary>
        public int ExitAfterCommits { get; set; }

        /// <summary><c>CaseGrains:Faults:ExitBeforeAppends</c>: the process exits at once when its this-many-th append is about to be written.</summary>
        public int ExitBeforeAppends { get; set; }

        /// <summary><c>CaseGrains:Faults:FailAppends</c>: this many appends fail (the store is not reached) before appends work again.</summary>
        public int FailAppends { get; set; }
    }

    public sealed class JourneySettings
    {
        public int MentoringSessionsRequired { get; set; } = 3;

        public int DefaultAttendanceThresholdPercent { get; set; } = 80;

        /// <summary>How long a partner has to answer a referral before the case records it as overdue.</summary>
        public TimeSpan ReferralResponseTime { get; set; } = TimeSpan.FromDays(7);

        /// <summary>
        /// <c>CaseGrains:Journey:SessionDueAfter</c>: how long a case in Mentoring may go without a logged session before its
        /// mentor is reminded that one is due (again after each further such period); 00:00:00 reminds never. Default 30 days.
        /// </summary>
        public TimeSpan SessionDueAfter { get; set; } = SessionCadence.Default.Period;
    }
}

/// <summary>Start-up validation that names the exact configuration key at fault.</summary>
public sealed class CaseGrainsOptionsValidator : IValidateOptions<CaseGrainsOptions>
{
    public ValidateOptionsResult Validate(string? name, CaseGrainsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string s = CaseGrainsOptions.Section;
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add($"{s}:DataDirectory must name a folder.");
        }

        if (string.IsNullOrWhiteSpace(options.DatabaseFile))
        {
            errors.Add($"{s}:DatabaseFile must name a file.");
        }

        if (options.Mode is not (Modes.Embedded or Modes.Cluster))
        {
            errors.Add($"{s}:Mode must be {Modes.Embedded} or {Modes.Cluster}.");
        }

        if (!string.IsNullOrWhiteSpace(options.Frontend) && options.Frontend is not (FrontendHosting.Silo or FrontendHosting.Client))
        {
            errors.Add($"{s}:Frontend must be {FrontendHosting.Silo} or {FrontendHosting.Client}.");
        }

        if (options.HealthPort is < 1 or > 65535)
        {
            errors.Add($"{s}:HealthPort must be 1..65535.");
        }

        errors.AddRange(options.Sla.Validate($"{s}:Sla"));

        if (string.IsNullOrWhiteSpace(options.ServiceId))
        {
            errors.Add($"{s}:ServiceId must not be empty.");
        }

        if (options.SiloPort is < 1 or > 65535)
        {
            errors.Add($"{s}:SiloPort must be 1..65535.");
        }

        if (options.GatewayPort is < 1 or > 65535)
        {
            errors.Add($"{s}:GatewayPort must be 1..65535.");
        }

        if (!string.IsNullOrWhiteSpace(options.NikHmacKey) && NikKeyBytes(options.NikHmacKey) is not { Length: >= 32 })
        {
            errors.Add($"{s}:NikHmacKey must be base64 of at least 32 bytes.");
        }

        if (!string.IsNullOrWhiteSpace(options.ChainAnchorKey) && NikKeyBytes(options.ChainAnchorKey) is not { Length: >= 32 })
        {
            errors.Add($"{s}:ChainAnchorKey must be base64 of at least 32 bytes.");
        }

        if (!string.IsNullOrWhiteSpace(options.SubjectKeyEncryptionKey) && NikKeyBytes(options.SubjectKeyEncryptionKey) is not { Length: >= 32 })
        {
            errors.Add($"{s}:SubjectKeyEncryptionKey must be base64 of at least 32 bytes.");
        }

        if (options.Journey.MentoringSessionsRequired is < 1 or > 100)
        {
            errors.Add($"{s}:Journey:MentoringSessionsRequired must be 1..100.");
        }

        if (options.Journey.ReferralResponseTime < TimeSpan.FromSeconds(1) || options.Journey.ReferralResponseTime > TimeSpan.FromDays(365))
        {
            errors.Add($"{s}:Journey:ReferralResponseTime must be 00:00:01..365.00:00:00.");
        }

        if (options.Journey.SessionDueAfter < TimeSpan.Zero || options.Journey.SessionDueAfter > TimeSpan.FromDays(365))
        {
            errors.Add($"{s}:Journey:SessionDueAfter must be 00:00:00..365.00:00:00 (00:00:00: no reminders).");
        }

        if (options.CallTimeout < TimeSpan.FromMilliseconds(500) || options.CallTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{s}:CallTimeout must be 00:00:00.5..00:05:00.");
        }

        errors.AddRange(options.Consequences.Validate($"{s}:Consequences"));
        errors.AddRange(options.Retention.Validate($"{s}:Retention"));
        errors.AddRange(options.Notifications.Validate($"{s}:Notifications"));
        if (options.Faults.Enabled && ConsequenceFaults.Parse(options.Faults.Consequences) is { Error: { } faultError })
        {
            errors.Add($"{s}:Faults:Consequences: {faultError}");
        }

        if (options.Journey.DefaultAttendanceThresholdPercent is < 1 or > 100)
        {
            errors.Add($"{s}:Journey:DefaultAttendanceThresholdPercent must be 1..100.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>The decoded key, or null when it is not base64.</summary>
    public static byte[]? NikKeyBytes(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value.Trim(), buffer, out var written) ? buffer[..written] : null;
    }
}

/// <summary>Where state lives and how silos find each other.</summary>
public static class Modes
{
    public const string Embedded = "Embedded";
    public const string Cluster = "Cluster";
}

/// <summary>How the WebFrontend reaches its grains.</summary>
public static class FrontendHosting
{
    public const string Silo = "Silo";
    public const string Client = "Client";
}

/// <summary><c>CaseGrains:Metrics:*</c>.</summary>
public sealed class MetricsSettings
{
    /// <summary>
    /// <c>CaseGrains:Metrics:ScrapeToken</c>: the bearer token Prometheus must send to <c>/metrics</c> (at least 32
    /// characters). Empty: no <c>/metrics</c> endpoint at all.
    /// </summary>
    public string? ScrapeToken { get; set; }
}
