using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using CaseGrains.Grains.Hosting;
using CaseGrains.WebFrontend.Auth;
using CaseGrains.WebFrontend.Hubs;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CaseGrains.Silo.Tests;

/// <summary>
/// The Dockerfiles, the compose file and the Kubernetes manifests under deploy/, checked against the apps. Docker is
/// not available where these tests run, so nothing is started: the files are parsed and compared with the settings
/// classes, the health paths and what Orleans' Kubernetes hosting needs. Every failure names its file and container.
/// </summary>
public sealed partial class DeployManifestTests
{
    private const string SiloImage = "casegrains-silo";
    private const string FrontendImage = "casegrains-webfrontend";
    private const string MigrateArgument = "migrate";
    private const string ServiceIdLabel = "orleans/serviceId";
    private const string ClusterIdLabel = "orleans/clusterId";

    /// <summary>Kestrel's port in the ASP.NET Core images unless ASPNETCORE_HTTP_PORTS says otherwise.</summary>
    private const int ImageHttpPort = 8080;

    /// <summary>A connection that lives as long as the page must not be cut by the proxy's idle timeout sooner than this.</summary>
    private static readonly TimeSpan _minimumHubTimeout = TimeSpan.FromMinutes(5);

    private static readonly CaseGrainsOptions _defaults = new();
    private static readonly Lazy<DeploySet> _deploy = new(DeploySet.Load);

    private static DeploySet Deploy => _deploy.Value;

    [Fact]
    public void EveryManifest_Parses_AsYaml()
    {
        var deploy = Deploy;
        Require(deploy.YamlFiles.Exists(f => f.StartsWith("deploy/compose/", StringComparison.Ordinal)), "no YAML under deploy/compose");
        Require(deploy.YamlFiles.Exists(f => f.StartsWith("deploy/k8s/", StringComparison.Ordinal)), "no YAML under deploy/k8s");
        Report(deploy.ParseErrors);
    }

    [Fact]
    public void EnvironmentVariables_NameSettingsTheAppsRead()
    {
        var keys = SettingKeys.OfTheApps();
        var checkedAny = false;
        var failures = new List<string>();
        foreach (var c in Deploy.Containers)
        {
            foreach (var name in c.Env.Select(e => e.Name).Distinct(StringComparer.Ordinal).Where(IsSettingVariable))
            {
                checkedAny = true;
                var key = name.Replace("__", ":", StringComparison.Ordinal);
                if (!keys.Defines(key))
                {
                    failures.Add($"{c.Where}: {name} sets {key}, which neither CaseGrainsOptions, AuthSettings nor the extra keys (CaseGrains:Web:KnownProxies, CaseGrains:Web:KnownNetworks, ConnectionStrings:CaseGrains) define");
                }
            }
        }

        Require(checkedAny, "no CaseGrains__ or ConnectionStrings__ variable found in any container");
        Report(failures);
    }

    [Fact]
    public void EveryOtherEnvironmentVariable_IsOnTheAllowList()
    {
        Report(from c in Deploy.Containers
               from name in c.Env.Select(e => e.Name).Distinct(StringComparer.Ordinal)
               where !IsSettingVariable(name) && !IsAllowedOtherVariable(name, c)
               select $"{c.Where}: {name} is neither an app setting nor on the allow-list (ASPNETCORE_HTTP_PORTS, ASPNETCORE_URLS, POD_NAME, POD_NAMESPACE, POD_IP, Logging__*, DOTNET_*, POSTGRES_* on postgres)");
    }

    [Fact]
    public void ClusterHosts_GetTheModeConnectionStringAndKeys()
    {
        var hosts = Deploy.Containers.Where(c => c.RunsSilo || c.IsFrontend).ToList();
        Require(hosts.Exists(c => c.IsSilo) && hosts.Exists(c => c.IsFrontend) && hosts.Exists(c => c.IsMigration),
            "expected silo, frontend and migration containers");
        var failures = new List<string>();
        foreach (var c in hosts)
        {
            Expect(c, "CaseGrains__Mode", Modes.Cluster, failures);
            ExpectSet(c, "ConnectionStrings__CaseGrains", failures);
            if (c.IsSilo)
            {
                ExpectSet(c, "CaseGrains__NikHmacKey", failures);
                ExpectSet(c, "CaseGrains__ChainAnchorKey", failures);
                ExpectSet(c, "CaseGrains__SubjectKeyEncryptionKey", failures);
            }

            if (c.IsMigration)
            {
                // The migration applies the schema only: it gets the connection string and no application secret.
                failures.AddRange(from name in new[] { "CaseGrains__NikHmacKey", "CaseGrains__Auth__JwtSigningKey", "CaseGrains__ChainAnchorKey", "CaseGrains__SubjectKeyEncryptionKey" }
                                  where c.Find(name) is not null
                                  select $"{c.Where}: the migration needs no {name}");
            }

            if (c.IsFrontend)
            {
                Expect(c, "CaseGrains__Frontend", FrontendHosting.Client, failures);
                ExpectSet(c, "CaseGrains__Auth__JwtSigningKey", failures);
            }
        }

        Report(failures);
    }

    [Fact]
    public void Secrets_AreNeverWrittenIntoTheManifests()
    {
        string[] secretKeys = ["CaseGrains:NikHmacKey", "CaseGrains:ChainAnchorKey", "CaseGrains:SubjectKeyEncryptionKey", "CaseGrains:Auth:JwtSigningKey", "CaseGrains:Auth:Oidc:ClientSecret", "ConnectionStrings:CaseGrains"];
        var failures = new List<string>();
        foreach (var c in Deploy.Containers)
        {
            foreach (var e in c.Env)
            {
                var key = e.Name.Replace("__", ":", StringComparison.Ordinal);
                var secret = secretKeys.Contains(key, StringComparer.OrdinalIgnoreCase) || (c.IsPostgres && e.Name == "POSTGRES_PASSWORD");
                if (!secret)
                {
                    continue;
                }

                if (c.IsCompose && !(e.Value ?? "").Contains("${", StringComparison.Ordinal))
                {
                    failures.Add($"{c.Where}: {e.Name} must come from the .env file (${{...}}), not be written in the compose file");
                }
                else if (!c.IsCompose && e.From != EnvSource.Secret)
                {
                    failures.Add($"{c.Where}: {e.Name} must come from a Secret (secretKeyRef or envFrom secretRef), not {e.From}");
                }
            }
        }

        foreach (var secret in Deploy.Kubernetes.Where(o => o.Kind == "Secret"))
        {
            failures.AddRange(from entry in Entries(At(secret.Node, "stringData")).Concat(Entries(At(secret.Node, "data")))
                              where !(Str(entry.Value) ?? "").Contains("REPLACE-ME", StringComparison.Ordinal)
                              select $"{secret.Where}: {entry.Key} holds a value; the Secret in the repository is a template (REPLACE-ME)");
        }

        Report(failures);
    }

    [Fact]
    public void KubernetesProbes_HitTheHealthPaths_OnTheHealthPort()
    {
        var hosts = Deploy.Containers.Where(c => c.Pod is { IsLongRunning: true } && (c.IsSilo || c.IsFrontend)).ToList();
        Require(hosts.Exists(c => c.IsSilo) && hosts.Exists(c => c.IsFrontend), "expected silo and frontend Deployments under deploy/k8s");
        var failures = new List<string>();
        foreach (var c in hosts)
        {
            var port = HealthPort(c);
            if (port is null)
            {
                failures.Add($"{c.Where}: set ASPNETCORE_HTTP_PORTS explicitly, so that its probe port can be checked");
                continue;
            }

            CheckProbe(c, "readinessProbe", [HealthPaths.Ready], port.Value, required: true, failures);
            CheckProbe(c, "livenessProbe", [HealthPaths.Live], port.Value, required: true, failures);
            CheckProbe(c, "startupProbe", [HealthPaths.Live, HealthPaths.Ready], port.Value, required: false, failures);
        }

        Report(failures);
    }

    [Fact]
    public void ComposeHealthChecks_HitTheReadyPath_OnTheHealthPort()
    {
        var services = Deploy.Containers.Where(c => c.IsCompose && (c.IsSilo || c.IsFrontend || c.IsPostgres)).ToList();
        Require(services.Exists(c => c.IsSilo) && services.Exists(c => c.IsFrontend) && services.Exists(c => c.IsPostgres),
            "expected postgres, silo and frontend services in the compose file");
        var failures = new List<string>();
        foreach (var c in services)
        {
            var test = string.Join(' ', ScalarsOf(At(c.Node, "healthcheck", "test")));
            var expected = c.IsPostgres ? "pg_isready" : $":{HealthPort(c)}{HealthPaths.Ready}";
            if (!test.Contains(expected, StringComparison.Ordinal))
            {
                failures.Add($"{c.Where}: healthcheck '{test}' does not call {expected}");
            }
        }

        Report(failures);
    }

    [Fact]
    public void SiloContainers_ExposeTheSiloGatewayAndHealthPorts()
    {
        var silos = Deploy.Containers.Where(c => c.Pod is not null && c.IsSilo).ToList();
        Require(silos.Count > 0, "no silo container under deploy/k8s");
        var failures = new List<string>();
        foreach (var c in silos)
        {
            var declared = Items(At(c.Node, "ports")).Select(p => ParsePort(Str(At(p, "containerPort")))).ToHashSet();
            var expected = new[]
            {
                ("CaseGrains__SiloPort", ParsePort(c.Get("CaseGrains__SiloPort")) ?? _defaults.SiloPort),
                ("CaseGrains__GatewayPort", ParsePort(c.Get("CaseGrains__GatewayPort")) ?? _defaults.GatewayPort),
                ("CaseGrains__HealthPort", HealthPort(c) ?? -1),
            };
            failures.AddRange(from e in expected
                              where !declared.Contains(e.Item2)
                              select $"{c.Where}: ports do not include {e.Item2} ({e.Item1})");
        }

        Report(failures);
    }

    [Fact]
    public void SiloPods_CarryTheOrleansLabels_MatchingServiceAndClusterId()
    {
        var pods = Deploy.Pods;
        Require(pods.Exists(p => p.Containers.Exists(c => c.IsSilo)), "no silo pod template under deploy/k8s");
        var failures = new List<string>();
        foreach (var pod in pods)
        {
            var silo = pod.Containers.Find(c => c.IsSilo);
            if (silo is null)
            {
                // Orleans lists the pods carrying these labels as the cluster's silos.
                failures.AddRange(from label in new[] { ServiceIdLabel, ClusterIdLabel }
                                  where pod.Labels.ContainsKey(label)
                                  select $"{pod.Owner.Where}: runs no silo but carries the {label} label");
                continue;
            }

            var serviceId = silo.Get("CaseGrains__ServiceId") ?? _defaults.ServiceId;
            // CaseGrainsOptions: an empty ClusterId means the service id.
            var clusterId = silo.Get("CaseGrains__ClusterId") ?? serviceId;
            foreach (var (label, expected) in new[] { (ServiceIdLabel, serviceId), (ClusterIdLabel, clusterId) })
            {
                var actual = pod.Labels.GetValueOrDefault(label);
                if (actual != expected)
                {
                    failures.Add($"{pod.Owner.Where}: pod label {label} is '{actual}', the silo's setting is '{expected}'");
                }
            }
        }

        Report(failures);
    }

    [Fact]
    public void SiloPods_GetTheirIdentity_FromTheDownwardApi()
    {
        var silos = Deploy.Containers.Where(c => c.Pod is not null && c.IsSilo).ToList();
        Require(silos.Count > 0, "no silo container under deploy/k8s");
        var failures = new List<string>();
        foreach (var c in silos)
        {
            foreach (var (name, field) in new[] { ("POD_NAME", "metadata.name"), ("POD_NAMESPACE", "metadata.namespace"), ("POD_IP", "status.podIP") })
            {
                var from = c.Find(name)?.From;
                if (from != EnvSource.Field(field))
                {
                    failures.Add($"{c.Where}: {name} must come from fieldRef {field} (is {from?.ToString() ?? "missing"})");
                }
            }

            if (!string.Equals(c.Get("CaseGrains__Kubernetes"), "true", StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"{c.Where}: CaseGrains__Kubernetes must be \"true\"");
            }

            if (c.Find("CaseGrains__AdvertisedAddress") is not null)
            {
                failures.Add($"{c.Where}: CaseGrains__AdvertisedAddress must not be set; Kubernetes hosting advertises POD_IP");
            }
        }

        Report(failures);
    }

    [Fact]
    public void ComposeSilos_AdvertiseTheirOwnHostName()
    {
        var silos = Deploy.Containers.Where(c => c.IsCompose && c.IsSilo).ToList();
        Require(silos.Count >= 2, "expected two silo services in the compose file");
        var failures = new List<string>();
        foreach (var c in silos)
        {
            var host = Str(At(c.Node, "hostname")) ?? c.Name;
            var advertised = c.Get("CaseGrains__AdvertisedAddress");
            if (advertised != host)
            {
                failures.Add($"{c.Where}: CaseGrains__AdvertisedAddress is '{advertised}', its host name is '{host}'");
            }
        }

        failures.AddRange(from g in silos.GroupBy(c => c.Get("CaseGrains__AdvertisedAddress")) where g.Count() > 1
                          select $"{string.Join(", ", g.Select(c => c.Where))}: advertise the same address '{g.Key}'");
        Report(failures);
    }

    [Fact]
    public void Migration_RunsTheSiloWithTheMigrateArgument()
    {
        var failures = new List<string>();
        var composeMigrate = Deploy.Containers.Find(c => c.IsCompose && c.Name == "migrate");
        if (composeMigrate is null)
        {
            failures.Add("deploy/compose: no 'migrate' service");
        }
        else if (!composeMigrate.RunsSilo || !composeMigrate.Args.SequenceEqual([MigrateArgument]))
        {
            failures.Add($"{composeMigrate.Where}: must run the {SiloImage} image with the command [{MigrateArgument}] (image '{composeMigrate.Image}', command [{string.Join(", ", composeMigrate.Args)}])");
        }

        var jobs = Deploy.Pods.Where(p => p.Owner.Kind == "Job").ToList();
        if (jobs.Count == 0)
        {
            failures.Add("deploy/k8s: no migration Job");
        }

        failures.AddRange(from job in jobs
                          from c in job.Containers
                          where !c.IsMigration
                          select $"{c.Where}: must run the {SiloImage} image with the argument {MigrateArgument} (image '{c.Image}', args [{string.Join(", ", c.Args)}])");
        Report(failures);
    }

    [Fact]
    public void ComposeStartOrder_WaitsForTheDatabase_ThenTheMigration()
    {
        var compose = Deploy.Containers.Where(c => c.IsCompose).ToList();
        var postgres = compose.Where(c => c.IsPostgres).Select(c => c.Name).ToList();
        var migrations = compose.Where(c => c.IsMigration).Select(c => c.Name).ToList();
        Require(postgres.Count == 1 && migrations.Count == 1, "expected one postgres and one migration service in the compose file");
        var failures = new List<string>();
        foreach (var c in compose)
        {
            (string Service, string Condition)? waitsFor =
                c.IsMigration ? (postgres[0], "service_healthy") : c.IsSilo ? (migrations[0], "service_completed_successfully") : null;
            if (waitsFor is not { } wait)
            {
                continue;
            }

            var condition = Str(At(c.Node, "depends_on", wait.Service, "condition"));
            if (condition != wait.Condition)
            {
                failures.Add($"{c.Where}: depends_on {wait.Service} must have condition {wait.Condition} (is '{condition}')");
            }
        }

        Report(failures);
    }

    [Fact]
    public void Compose_PublishesOnlyTheProxyPort()
    {
        var compose = Deploy.Containers.Where(c => c.IsCompose).ToList();
        var proxy = compose.Find(c => c.ImageName == "nginx");
        Require(proxy is not null, "no nginx proxy service in the compose file");
        var failures = new List<string>();
        if (Items(At(proxy!.Node, "ports")).Count() != 1)
        {
            failures.Add($"{proxy.Where}: must publish exactly one port");
        }

        // The observability UIs are published on the host's loopback only (an SSH tunnel reaches them), never outside.
        failures.AddRange(from c in compose
                          where !ReferenceEquals(c, proxy)
                          from port in Items(At(c.Node, "ports")).Select(Str)
                          where port is null || !port.StartsWith("127.0.0.1:", StringComparison.Ordinal)
                          select $"{c.Where}: publishes {port} beyond the host's loopback; only the proxy should be reachable from outside");
        Report(failures);
    }

    private const string ObservabilityFolder = "deploy/compose/observability/";

    [Fact]
    public void Observability_ScrapesEverySiloAndFrontendWithTheToken_AndTheDashboardShowsEveryMeter()
    {
        var failures = new List<string>();
        var prometheus = Deploy.Observability.GetValueOrDefault(ObservabilityFolder + "prometheus.yml");
        Require(prometheus is not null, "no deploy/compose/observability/prometheus.yml");
        var compose = Deploy.Containers.Where(c => c.IsCompose).ToList();
        var targets = Items(At(prometheus!, "scrape_configs")).SelectMany(job =>
        {
            if (Str(At(job, "authorization", "credentials_file")) is not { } tokenFile || !tokenFile.StartsWith("/run/secrets/", StringComparison.Ordinal))
            {
                failures.Add($"prometheus.yml: job {Str(At(job, "job_name"))} must send the scrape token from a compose secret (authorization.credentials_file)");
            }

            return Items(At(job, "static_configs")).SelectMany(sc => Items(At(sc, "targets")).Select(Str));
        }).ToHashSet(StringComparer.Ordinal);
        foreach (var c in compose.Where(c => c.IsSilo || c.IsFrontend))
        {
            var expected = $"{c.Name}:{HealthPort(c)}";
            if (!targets.Contains(expected))
            {
                failures.Add($"prometheus.yml: {c.Name} is not scraped at {expected}");
            }

            if (c.Get("CaseGrains__Metrics__ScrapeToken") is not { } token || !token.Contains("${", StringComparison.Ordinal))
            {
                failures.Add($"{c.Where}: CaseGrains__Metrics__ScrapeToken must come from the .env file");
            }
        }

        // Every panel's query names a meter the apps publish, and every meter of ours has a panel.
        var dashboard = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Deploy.Root, ObservabilityFolder, "grafana", "dashboards", "casegrains.json")));
        var queries = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!).ToList();
        var ours = typeof(CaseGrainsTelemetry).GetFields().Select(f => f.GetValue(null)).OfType<System.Diagnostics.Metrics.Instrument>()
            .Select(i => i.Name.Replace('.', '_')).Concat(["casegrains_consequences_cases_behind", "casegrains_consequences_failing", "casegrains_consequences_parked", "casegrains_consequences_oldest_age"]).ToList();
        foreach (var name in queries.SelectMany(q => System.Text.RegularExpressions.Regex.Matches(q, "casegrains_[a-z_]+").Select(m => m.Value)).Distinct())
        {
            if (!ours.Exists(o => name.StartsWith(o, StringComparison.Ordinal)))
            {
                failures.Add($"casegrains.json: {name} is no meter of CaseGrainsTelemetry");
            }
        }

        failures.AddRange(from meter in ours
                          where !queries.Exists(q => q.Contains(meter, StringComparison.Ordinal))
                          select $"casegrains.json: no panel shows {meter}");
        if (!queries.Exists(q => q.Contains("orleans_grains", StringComparison.Ordinal)))
        {
            failures.Add("casegrains.json: no panel shows the activations by grain type (orleans_grains)");
        }

        Report(failures);
    }

    [Fact]
    public void ComposeProxy_UpgradesWebSockets_OnTheHubPath()
    {
        var (file, config) = Deploy.NginxConfig();
        var failures = new List<string>();
        var locations = Nginx.Walk(config).Where(d => d.Directive.Name == "location" && d.Directive.Args.Count == 1).ToList();
        var hub = locations.Where(l => CaseHub.Path.StartsWith(l.Directive.Args[0], StringComparison.Ordinal))
            .MaxBy(l => l.Directive.Args[0].Length);
        if (hub is null || hub.Directive.Args[0] == "/")
        {
            Assert.Fail($"{file}: no location for the hub path {CaseHub.Path} other than '/'");
        }

        var where = $"{file}: location {hub!.Directive.Args[0]}";
        var headers = Nginx.ProxyHeaders(hub.Directive);
        if (headers.GetValueOrDefault("Upgrade") != "$http_upgrade")
        {
            failures.Add($"{where}: must pass 'proxy_set_header Upgrade $http_upgrade'");
        }

        if (!(headers.GetValueOrDefault("Connection") ?? "").Contains("upgrade", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{where}: must pass 'proxy_set_header Connection' with the upgrade ($connection_upgrade or \"upgrade\")");
        }

        if (Nginx.Effective(hub, "proxy_http_version") != "1.1")
        {
            failures.Add($"{where}: WebSockets need proxy_http_version 1.1");
        }

        var timeout = Nginx.Duration(Nginx.Effective(hub, "proxy_read_timeout") ?? "60s");
        if (timeout < _minimumHubTimeout)
        {
            failures.Add($"{where}: proxy_read_timeout {timeout} cuts long-lived hub connections (want at least {_minimumHubTimeout})");
        }

        // A location that sets any header inherits none from above: each must forward the client's address and scheme.
        foreach (var location in locations.Where(l => l.Directive.Block!.Exists(d => d.Name == "proxy_pass")))
        {
            var set = Nginx.ProxyHeaders(location.Directive);
            failures.AddRange(from header in new[] { "X-Forwarded-For", "X-Forwarded-Proto" }
                              where !set.ContainsKey(header)
                              select $"{file}: location {location.Directive.Args[0]} does not set {header}");
        }

        Report(failures);
    }

    [Fact]
    public void ComposeProxy_BalancesAcrossEveryFrontend()
    {
        var (file, config) = Deploy.NginxConfig();
        var frontends = Deploy.Containers.Where(c => c.IsCompose && c.IsFrontend)
            .Select(c => $"{c.Name}:{HealthPort(c)}").Order(StringComparer.Ordinal).ToList();
        Require(frontends.Count >= 2, "expected two frontend services in the compose file");
        var upstreams = Nginx.Walk(config).Where(d => d.Directive.Name == "upstream").ToList();
        var passes = Nginx.Walk(config).Where(d => d.Directive.Name == "proxy_pass").Select(d => d.Directive.Args[0]).Distinct().ToList();
        var failures = new List<string>();
        foreach (var target in passes)
        {
            var name = target.Replace("http://", "", StringComparison.Ordinal);
            var upstream = upstreams.Find(u => u.Directive.Args[0] == name);
            var servers = upstream?.Directive.Block!.Where(d => d.Name == "server").Select(d => d.Args[0]).Order(StringComparer.Ordinal).ToList() ?? [];
            if (!servers.SequenceEqual(frontends))
            {
                failures.Add($"{file}: proxy_pass {target} reaches [{string.Join(", ", servers)}], the compose frontends are [{string.Join(", ", frontends)}]");
            }
        }

        var proxy = Deploy.Containers.Find(c => c.IsCompose && c.ImageName == "nginx");
        if (proxy is null || !ScalarsOf(At(proxy.Node, "volumes")).Any(v => v.StartsWith("./nginx.conf:", StringComparison.Ordinal)))
        {
            failures.Add($"{proxy?.Where ?? "deploy/compose"}: the nginx service must mount ./nginx.conf");
        }

        Require(passes.Count > 0, $"{file}: no proxy_pass");
        Report(failures);
    }

    [Fact]
    public void SiloServiceAccount_MayReadWatchPatchAndDeletePods()
    {
        string[] needed = ["get", "list", "watch", "patch", "delete"];
        var objects = Deploy.Kubernetes;
        var failures = new List<string>();
        var siloPods = Deploy.Pods.Where(p => p.Containers.Exists(c => c.IsSilo)).ToList();
        Require(siloPods.Count > 0, "no silo pod template under deploy/k8s");
        foreach (var pod in siloPods)
        {
            var account = Str(At(pod.Spec, "serviceAccountName"));
            if (account is null || !objects.Exists(o => o.Kind == "ServiceAccount" && o.Name == account))
            {
                failures.Add($"{pod.Owner.Where}: serviceAccountName '{account}' names no ServiceAccount in deploy/k8s");
                continue;
            }

            var granted = (from binding in objects
                           where binding.Kind is "RoleBinding" or "ClusterRoleBinding"
                           where Items(At(binding.Node, "subjects")).Any(s => Str(At(s, "kind")) == "ServiceAccount" && Str(At(s, "name")) == account)
                           let roleKind = Str(At(binding.Node, "roleRef", "kind"))
                           let roleName = Str(At(binding.Node, "roleRef", "name"))
                           from role in objects
                           where role.Kind == roleKind && role.Name == roleName
                           from rule in Items(At(role.Node, "rules"))
                           where ScalarsOf(At(rule, "apiGroups")).Contains("") && ScalarsOf(At(rule, "resources")).Contains("pods")
                           from verb in ScalarsOf(At(rule, "verbs"))
                           select verb).ToHashSet(StringComparer.Ordinal);
            var missing = needed.Where(v => !granted.Contains(v) && !granted.Contains("*")).ToList();
            if (missing.Count > 0)
            {
                failures.Add($"{pod.Owner.Where}: ServiceAccount {account} is not granted pods: {string.Join(", ", missing)}");
            }
        }

        Report(failures);
    }

    [Fact]
    public void PodDisruptionBudget_SelectsTheSiloPods()
    {
        var siloPods = Deploy.Pods.Where(p => p.Containers.Exists(c => c.IsSilo) && p.IsLongRunning).ToList();
        var budgets = Deploy.Kubernetes.Where(o => o.Kind == "PodDisruptionBudget").ToList();
        Require(siloPods.Count > 0, "no silo Deployment under deploy/k8s");
        var failures = new List<string>();
        foreach (var pod in siloPods)
        {
            var budget = budgets.Find(b => Selects(At(b.Node, "spec", "selector", "matchLabels"), pod.Labels));
            if (budget is null)
            {
                failures.Add($"{pod.Owner.Where}: no PodDisruptionBudget selects its pods");
                continue;
            }

            var replicas = ParsePort(Str(At(pod.Owner.Node, "spec", "replicas"))) ?? 1;
            var minAvailable = ParsePort(Str(At(budget.Node, "spec", "minAvailable")));
            if (minAvailable is null || minAvailable < 1 || minAvailable >= replicas)
            {
                failures.Add($"{budget.Where}: minAvailable must be a number from 1 to replicas - 1 ({replicas - 1}), so that one silo at a time can be drained");
            }
        }

        Report(failures);
    }

    [Fact]
    public void EveryKubernetesContainer_HasResourceRequestsAndLimits()
    {
        var containers = Deploy.Containers.Where(c => c.Pod is not null).ToList();
        Require(containers.Count > 0, "no containers under deploy/k8s");
        Report(from c in containers
               from part in new[] { "requests", "limits" }
               from resource in new[] { "cpu", "memory" }
               where Str(At(c.Node, "resources", part, resource)) is null
               select $"{c.Where}: resources.{part}.{resource} is missing");
    }

    [Fact]
    public void Ingress_RoutesToTheFrontendService_WithLongTimeouts()
    {
        var objects = Deploy.Kubernetes;
        var ingresses = objects.Where(o => o.Kind == "Ingress").ToList();
        Require(ingresses.Count > 0, "no Ingress under deploy/k8s");
        var failures = new List<string>();
        foreach (var ingress in ingresses)
        {
            var read = Str(At(ingress.Node, "metadata", "annotations", "nginx.ingress.kubernetes.io/proxy-read-timeout"));
            if (ParsePort(read) is not { } seconds || TimeSpan.FromSeconds(seconds) < _minimumHubTimeout)
            {
                failures.Add($"{ingress.Where}: nginx.ingress.kubernetes.io/proxy-read-timeout is '{read}'; hub connections need at least {_minimumHubTimeout.TotalSeconds} s");
            }

            var backends = (from rule in Items(At(ingress.Node, "spec", "rules"))
                            from path in Items(At(rule, "http", "paths"))
                            select At(path, "backend", "service")).ToList();
            if (backends.Count == 0)
            {
                failures.Add($"{ingress.Where}: routes nowhere");
            }

            foreach (var backend in backends)
            {
                var name = Str(At(backend, "name"));
                var service = objects.Find(o => o.Kind == "Service" && o.Name == name);
                var (byName, byNumber) = (Str(At(backend, "port", "name")), Str(At(backend, "port", "number")));
                var port = Items(At(service?.Node, "spec", "ports")).FirstOrDefault(p =>
                    (byName is not null && Str(At(p, "name")) == byName) || (byNumber is not null && Str(At(p, "port")) == byNumber));
                var frontend = Deploy.Pods.Find(p => p.IsLongRunning && service is not null && Selects(At(service.Node, "spec", "selector"), p.Labels))
                    ?.Containers.Find(c => c.IsFrontend);
                if (service is null || port is null || frontend is null)
                {
                    failures.Add($"{ingress.Where}: backend {name} is not a Service port that selects the frontend pods");
                }
                else if (ContainerPort(frontend, Str(At(port, "targetPort")) ?? Str(At(port, "port"))) != HealthPort(frontend))
                {
                    failures.Add($"{service.Where}: targetPort does not reach the frontend's ASPNETCORE_HTTP_PORTS ({HealthPort(frontend)})");
                }
            }
        }

        Report(failures);
    }

    [Fact]
    public void ConfigMapAndSecretReferences_NameKeysThatExist()
    {
        var failures = new List<string>();
        foreach (var c in Deploy.Containers.Where(c => c.Pod is not null))
        {
            foreach (var source in Items(At(c.Node, "envFrom")))
            {
                foreach (var (field, kind) in new[] { ("configMapRef", "ConfigMap"), ("secretRef", "Secret") })
                {
                    if (Str(At(source, field, "name")) is { } name && Deploy.Find(kind, name) is null)
                    {
                        failures.Add($"{c.Where}: envFrom {field} '{name}' is not defined under deploy/k8s");
                    }
                }
            }

            foreach (var entry in Items(At(c.Node, "env")))
            {
                foreach (var (field, kind) in new[] { ("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret") })
                {
                    var reference = At(entry, "valueFrom", field);
                    if (reference is null)
                    {
                        continue;
                    }

                    var (name, key) = (Str(At(reference, "name")), Str(At(reference, "key")));
                    if (key is null || !DeploySet.DataKeys(Deploy.Find(kind, name)).Contains(key))
                    {
                        failures.Add($"{c.Where}: {Str(At(entry, "name"))} refers to {kind} '{name}' key '{key}', which is not defined under deploy/k8s");
                    }
                }
            }
        }

        Report(failures);
    }

    [Fact]
    public void KubernetesStrings_AreQuoted_WhenTheyLookLikeNumbersOrBooleans()
    {
        var failures = new List<string>();
        foreach (var o in Deploy.Kubernetes)
        {
            var strings = new List<(string Path, YamlNode Node)>();
            strings.AddRange(Entries(At(o.Node, "data")).Where(_ => o.Kind == "ConfigMap").Select(e => ($"data.{e.Key}", e.Value)));
            strings.AddRange(Entries(At(o.Node, "metadata", "labels")).Select(e => ($"metadata.labels.{e.Key}", e.Value)));
            strings.AddRange(Entries(At(o.Node, "metadata", "annotations")).Select(e => ($"metadata.annotations.{e.Key}", e.Value)));
            foreach (var pod in Deploy.Pods.Where(p => ReferenceEquals(p.Owner, o)))
            {
                strings.AddRange(Entries(At(pod.Template, "metadata", "labels")).Select(e => ($"template labels.{e.Key}", e.Value)));
                strings.AddRange(from c in pod.Containers
                                 from env in Items(At(c.Node, "env"))
                                 where At(env, "value") is not null
                                 select ($"container {c.Name} env {Str(At(env, "name"))}", At(env, "value")!));
            }

            failures.AddRange(from s in strings
                              where s.Node is YamlScalarNode { Style: ScalarStyle.Plain } scalar && NotAString().IsMatch(scalar.Value ?? "")
                              select $"{o.Where}: {s.Path} must be a string; quote {((YamlScalarNode)s.Node).Value}");
        }

        Report(failures);
    }

    [Fact]
    public void Kustomization_ListsEveryManifest_ButNotTheSecretTemplate()
    {
        var k8s = Path.Combine(Deploy.Root, "deploy", "k8s");
        var kustomization = Deploy.Kubernetes.Find(o => o.Kind == "Kustomization");
        Require(kustomization is not null, "deploy/k8s/kustomization.yaml is missing or not a Kustomization");
        var listed = ScalarsOf(At(kustomization!.Node, "resources")).Order(StringComparer.Ordinal).ToList();
        var files = Directory.EnumerateFiles(k8s).Select(f => Path.GetFileName(f))
            .Where(f => (f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
                        && f != "kustomization.yaml" && !f.Contains(".template.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
        if (!listed.SequenceEqual(files))
        {
            Assert.Fail($"{kustomization.File}: resources [{string.Join(", ", listed)}] differ from the manifests in deploy/k8s [{string.Join(", ", files)}] (*.template.yaml stays out)");
        }
    }

    [Fact]
    public void SiloPorts_AreReachableOnlyFromTheClustersOwnPods()
    {
        // Grains trust the actor a call carries: any pod that could reach the silo or gateway port could act as anyone.
        var policy = Deploy.Kubernetes.Find(o => o.Kind == "NetworkPolicy");
        Require(policy is not null, "deploy/k8s has no NetworkPolicy guarding the silo pods");
        Require(Str(At(policy!.Node, "spec", "podSelector", "matchLabels", "app.kubernetes.io/component")) == "silo",
            $"{policy.File}: the policy must select the silo pods");
        var rules = Items(At(policy.Node, "spec", "ingress")).ToList();
        string[] ComponentsAllowedOn(int port) =>
        [
            .. rules.Where(r => Items(At(r, "ports")).Any(p => Str(At(p, "port")) == port.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                .SelectMany(r => At(r, "from") is { } from
                    ? Items(from).Select(f => Str(At(f, "podSelector", "matchLabels", "app.kubernetes.io/component")) ?? "any")
                    : ["any"])
                .Distinct().Order(StringComparer.Ordinal),
        ];
        var defaults = new CaseGrainsOptions();
        Assert.Equal(["silo"], ComponentsAllowedOn(defaults.SiloPort));
        Assert.Equal(["frontend", "silo"], ComponentsAllowedOn(defaults.GatewayPort));
    }

    [Fact]
    public void ComposeVariables_AreAllDocumented_InEnvExample()
    {
        var compose = Path.Combine(Deploy.Root, "deploy", "compose", "compose.yaml");
        var example = Path.Combine(Deploy.Root, "deploy", "compose", ".env.example");
        Require(File.Exists(example), "deploy/compose/.env.example is missing");
        var documented = File.ReadAllLines(example).Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#') && l.Contains('=', StringComparison.Ordinal))
            .Select(l => l[..l.IndexOf('=', StringComparison.Ordinal)]).ToHashSet(StringComparer.Ordinal);
        var used = ComposeVariable().Matches(File.ReadAllText(compose)).Select(m => m.Groups[1].Value).Distinct().ToList();
        Require(used.Count > 0, "deploy/compose/compose.yaml uses no ${...} variables");
        Report(from v in used where !documented.Contains(v) select $"deploy/compose/compose.yaml: ${{{v}}} is not in deploy/compose/.env.example");
        var ignore = Path.Combine(Deploy.Root, "deploy", "compose", ".gitignore");
        Require(File.Exists(ignore) && File.ReadAllLines(ignore).Contains(".env"), "deploy/compose/.gitignore must ignore .env");
    }

    [Fact]
    public void Dockerfiles_PublishRelease_RunAsNonRoot_AndExposeTheDefaultPorts()
    {
        var images = new Dictionary<string, int[]>(StringComparer.Ordinal)
        {
            ["Silo"] = [_defaults.SiloPort, _defaults.GatewayPort, _defaults.HealthPort],
            ["WebFrontend"] = [ImageHttpPort],
        };
        var failures = new List<string>();
        foreach (var (app, ports) in images)
        {
            var file = $"deploy/docker/{app}.Dockerfile";
            var all = Dockerfile.Read(Path.Combine(Deploy.Root, file));
            var final = all.Skip(all.FindLastIndex(i => i.Op == "FROM")).ToList();
            void Check(bool ok, string message)
            {
                if (!ok)
                {
                    failures.Add($"{file}: {message}");
                }
            }

            Check(all.Exists(i => i.Op == "FROM" && i.Args.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", StringComparison.Ordinal)), "no build stage FROM mcr.microsoft.com/dotnet/sdk:10.0");
            Check(final.Count > 0 && final[0].Args.Split(' ')[0] == "mcr.microsoft.com/dotnet/aspnet:10.0", "the final stage must be FROM mcr.microsoft.com/dotnet/aspnet:10.0");
            Check(all.Exists(i => i.Op == "RUN" && i.Args.Contains("dotnet publish", StringComparison.Ordinal) && i.Args.Contains("-c Release", StringComparison.Ordinal)), "no `dotnet publish -c Release`");
            var user = final.LastOrDefault(i => i.Op == "USER")?.Args;
            Check(user is not null && user is not ("root" or "0") && !user.StartsWith("0:", StringComparison.Ordinal), $"the final stage must switch to a non-root USER (is '{user}')");
            Check(final.Exists(i => i.Op == "ENTRYPOINT" && i.Args.Contains($"CaseGrains.{app}.dll", StringComparison.Ordinal)), $"ENTRYPOINT must run CaseGrains.{app}.dll");
            var exposed = final.Where(i => i.Op == "EXPOSE").SelectMany(i => i.Args.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToHashSet();
            Check(ports.All(p => exposed.Contains(p.ToString(CultureInfo.InvariantCulture))), $"EXPOSE [{string.Join(' ', exposed)}] must include [{string.Join(' ', ports)}]");
            if (app == "WebFrontend")
            {
                // The ClientApp build (Vite) needs Node 20 or later.
                var node = all.Select(i => NodeImage().Match(i.Op == "FROM" ? i.Args : "")).FirstOrDefault(m => m.Success);
                Check(node is not null && int.Parse(node.Groups[1].Value, CultureInfo.InvariantCulture) >= 20, "no Node 20+ stage for the ClientApp build");
            }
        }

        Report(failures);
    }

    [Fact]
    public void DockerBuildInputs_ExistInTheRepository()
    {
        var failures = new List<string>();
        var dockerfiles = Directory.EnumerateFiles(Path.Combine(Deploy.Root, "deploy", "docker"), "*.Dockerfile").ToList();
        Require(dockerfiles.Count >= 2, "expected the Silo and WebFrontend Dockerfiles under deploy/docker");
        foreach (var path in dockerfiles)
        {
            var file = Path.GetRelativePath(Deploy.Root, path).Replace('\\', '/');
            foreach (var copy in Dockerfile.Read(path).Where(i => i.Op == "COPY" && !i.Args.StartsWith("--from", StringComparison.Ordinal)))
            {
                var parts = copy.Args.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith("--", StringComparison.Ordinal)).ToList();
                failures.AddRange(from source in parts.SkipLast(1)
                                  where !File.Exists(Path.Combine(Deploy.Root, source)) && !Directory.Exists(Path.Combine(Deploy.Root, source))
                                  select $"{file}: COPY source {source} does not exist in the repository");
            }
        }

        foreach (var c in Deploy.Containers.Where(c => c.IsCompose && At(c.Node, "build") is not null))
        {
            var context = Path.GetFullPath(Path.Combine(Deploy.Root, Path.GetDirectoryName(c.File)!, Str(At(c.Node, "build", "context")) ?? "."));
            var dockerfile = Path.Combine(context, Str(At(c.Node, "build", "dockerfile")) ?? "Dockerfile");
            if (!File.Exists(dockerfile))
            {
                failures.Add($"{c.Where}: build dockerfile {dockerfile} does not exist");
            }
        }

        Report(failures);
    }

    [Fact]
    public void SettingKeyCatalog_AcceptsBoundKeys_AndRejectsOthers()
    {
        var sample = new SettingKeys();
        sample.AddOptions(typeof(SampleOptions), "Sample");
        Assert.True(sample.Defines("Sample:Name"));
        Assert.True(sample.Defines("sample:name"));
        Assert.True(sample.Defines("Sample:Child:Flag"));
        Assert.True(sample.Defines("Sample:Targets:AnyStage"));
        Assert.True(sample.Defines("Sample:Items:0"));
        Assert.False(sample.Defines("Sample:Computed"));
        Assert.False(sample.Defines("Sample:Child"));
        Assert.False(sample.Defines("Sample:Items:first"));
        Assert.False(sample.Defines("Sample:Missing"));
        Assert.False(sample.Defines("Other:Name"));

        var apps = SettingKeys.OfTheApps();
        Assert.True(apps.Defines("CaseGrains:Journey:MentoringSessionsRequired"));
        Assert.True(apps.Defines("CaseGrains:Auth:Oidc:Authority"));
        Assert.True(apps.Defines("CaseGrains:Web:KnownProxies:0"));
        Assert.True(apps.Defines("ConnectionStrings:CaseGrains"));
        Assert.False(apps.Defines("CaseGrains:DatabasePath"));
        Assert.False(apps.Defines("CaseGrains:Auth:Oidc:Enabled"));
        Assert.False(apps.Defines("ConnectionStrings:Other"));
    }

    // ---- rules shared by the tests ----

    private static bool IsSettingVariable(string name) =>
        name.StartsWith("CaseGrains__", StringComparison.OrdinalIgnoreCase) || name.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase);

    private static bool IsAllowedOtherVariable(string name, Container c) =>
        name is "ASPNETCORE_HTTP_PORTS" or "ASPNETCORE_URLS" or "POD_NAME" or "POD_NAMESPACE" or "POD_IP"
        || name.StartsWith("Logging__", StringComparison.Ordinal)
        || name.StartsWith("DOTNET_", StringComparison.Ordinal)
        || (c.IsPostgres && name.StartsWith("POSTGRES_", StringComparison.Ordinal))
        // The OpenTelemetry SDK's standard variables (OTLP endpoint, protocol, service name) on the apps.
        || ((c.RunsSilo || c.IsFrontend) && name.StartsWith("OTEL_", StringComparison.Ordinal))
        || (c.ImageName == "grafana" && name.StartsWith("GF_", StringComparison.Ordinal));

    /// <summary>The port the container serves the health paths on: the silo's HealthPort, the frontend's HTTP port.</summary>
    private static int? HealthPort(Container c) =>
        c.IsSilo ? ParsePort(c.Get("CaseGrains__HealthPort")) ?? _defaults.HealthPort
        : c.IsFrontend ? ParsePort(c.Get("ASPNETCORE_HTTP_PORTS")?.Split(';')[0])
        : null;

    /// <summary>A number, -1 when the text is not one (so that it matches no port), null when there is no text.</summary>
    private static int? ParsePort(string? text) =>
        text is null ? null : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;

    /// <summary>A probe's or Service's port: a number, or the name of one of the container's ports.</summary>
    private static int? ContainerPort(Container c, string? port) =>
        string.IsNullOrEmpty(port) ? null
        : char.IsAsciiDigit(port[0]) ? ParsePort(port)
        : ParsePort(Str(At(Items(At(c.Node, "ports")).FirstOrDefault(p => Str(At(p, "name")) == port), "containerPort")));

    private static void CheckProbe(Container c, string probe, string[] paths, int port, bool required, List<string> failures)
    {
        var get = At(c.Node, probe, "httpGet");
        if (get is null)
        {
            if (required || At(c.Node, probe) is not null)
            {
                failures.Add($"{c.Where}: {probe} must be an httpGet on {string.Join(" or ", paths)}");
            }

            return;
        }

        var path = Str(At(get, "path"));
        if (!paths.Contains(path))
        {
            failures.Add($"{c.Where}: {probe} path is '{path}', expected {string.Join(" or ", paths)}");
        }

        var actual = ContainerPort(c, Str(At(get, "port")));
        if (actual != port)
        {
            failures.Add($"{c.Where}: {probe} port resolves to {actual?.ToString(CultureInfo.InvariantCulture) ?? "nothing"}, the health port is {port}");
        }
    }

    private static void Expect(Container c, string name, string expected, List<string> failures)
    {
        var actual = c.Get(name);
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{c.Where}: {name} is '{actual}', expected '{expected}'");
        }
    }

    private static void ExpectSet(Container c, string name, List<string> failures)
    {
        if (c.Find(name) is not { } e || (e.From == EnvSource.Literal && string.IsNullOrWhiteSpace(e.Value)))
        {
            failures.Add($"{c.Where}: {name} must be set");
        }
    }

    /// <summary>Whether a label selector (matchLabels, or a Service's selector) selects pods with these labels.</summary>
    private static bool Selects(YamlNode? selector, Dictionary<string, string> labels)
    {
        var required = Entries(selector);
        return required.Count > 0 && required.All(r => labels.GetValueOrDefault(r.Key) == Str(r.Value));
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            Assert.Fail(message);
        }
    }

    private static void Report(IEnumerable<string> failures)
    {
        var list = failures.ToList();
        if (list.Count > 0)
        {
            Assert.Fail(string.Join(Environment.NewLine, list));
        }
    }

    // What Kubernetes' YAML reader would not take as a string: YAML 1.1 booleans, null, numbers.
    [GeneratedRegex(@"^((?i:true|false|yes|no|on|off|y|n|null|~)|[-+]?(\d[\d_]*|\d*\.\d+)([eE][-+]?\d+)?|0x[0-9a-fA-F]+)$")]
    private static partial Regex NotAString();

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex ComposeVariable();

    [GeneratedRegex(@"^node:(\d+)")]
    private static partial Regex NodeImage();

    // ---- YAML access (merge keys `<<` expanded, as compose does) ----

    private static YamlNode? At(YamlNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            node = Entries(node).Find(e => e.Key == key).Value;
        }

        return node;
    }

    private static string? Str(YamlNode? node) => node is YamlScalarNode scalar ? scalar.Value : null;

    private static IEnumerable<YamlNode> Items(YamlNode? node) => node is YamlSequenceNode seq ? seq.Children : [];

    /// <summary>A scalar, or the scalars of a sequence (compose accepts both for commands and tests).</summary>
    private static List<string> ScalarsOf(YamlNode? node) =>
        node is YamlScalarNode { Value: { } value } ? [.. value.Split(' ', StringSplitOptions.RemoveEmptyEntries)]
        : [.. Items(node).Select(Str).OfType<string>()];

    /// <summary>A mapping's entries; explicit keys win over merged ones, earlier merge sources over later ones.</summary>
    private static List<KeyValuePair<string, YamlNode>> Entries(YamlNode? node)
    {
        var result = new List<KeyValuePair<string, YamlNode>>();
        if (node is not YamlMappingNode map)
        {
            return result;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        YamlNode? merge = null;
        foreach (var (key, value) in map.Children)
        {
            if (key is not YamlScalarNode { Value: { } name })
            {
                continue;
            }

            if (name == "<<")
            {
                merge = value;
            }
            else if (seen.Add(name))
            {
                result.Add(new(name, value));
            }
        }

        foreach (var source in merge is YamlSequenceNode sources ? sources.Children : merge is null ? [] : [merge])
        {
            result.AddRange(Entries(source).Where(e => seen.Add(e.Key)));
        }

        return result;
    }

    // ---- the model: every container of the compose file and of the Kubernetes manifests ----

    private enum EnvKind
    {
        Literal,
        ConfigMap,
        Secret,
        Field,
        Other,
    }

    private sealed record EnvSource(EnvKind Kind, string? Detail = null)
    {
        public static readonly EnvSource Literal = new(EnvKind.Literal);
        public static readonly EnvSource ConfigMap = new(EnvKind.ConfigMap);
        public static readonly EnvSource Secret = new(EnvKind.Secret);

        public static EnvSource Field(string path) => new(EnvKind.Field, path);

        public override string ToString() => Detail is null ? Kind.ToString() : $"{Kind} {Detail}";
    }

    private sealed record EnvVar(string Name, string? Value, EnvSource From);

    private sealed record KubeObject(string File, string Kind, string Name, YamlNode Node)
    {
        public string Where => $"{File}: {Kind}/{Name}";
    }

    private sealed record Pod(KubeObject Owner, YamlNode Template, YamlNode? Spec, Dictionary<string, string> Labels, List<Container> Containers)
    {
        public bool IsLongRunning => Owner.Kind is not ("Job" or "CronJob");
    }

    private sealed record Container(string File, string Name, string Image, List<string> Args, List<EnvVar> Env, YamlNode Node, Pod? Pod)
    {
        public bool IsCompose => Pod is null;

        public string Where => Pod is null ? $"{File}: service {Name}" : $"{Pod.Owner.Where} container {Name}";

        /// <summary>The image's repository name: no registry, no tag, no digest.</summary>
        public string ImageName
        {
            get
            {
                var name = Image.Split('@')[0];
                var slash = name.LastIndexOf('/');
                var colon = name.IndexOf(':', slash + 1);
                return (colon < 0 ? name : name[..colon])[(slash + 1)..];
            }
        }

        public bool RunsSilo => ImageName == SiloImage;

        public bool IsMigration => RunsSilo && Args.Contains(MigrateArgument);

        public bool IsSilo => RunsSilo && !IsMigration;

        public bool IsFrontend => ImageName == FrontendImage;

        public bool IsPostgres => ImageName == "postgres";

        public EnvVar? Find(string name) => Env.LastOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));

        public string? Get(string name) => Find(name)?.Value;
    }

    private sealed class DeploySet
    {
        public required string Root { get; init; }

        public List<string> YamlFiles { get; } = [];

        /// <summary>The YAML of Prometheus and Grafana under <see cref="ObservabilityFolder"/>, by file.</summary>
        public Dictionary<string, YamlNode> Observability { get; } = new(StringComparer.Ordinal);

        public List<string> ParseErrors { get; } = [];

        public List<KubeObject> Kubernetes { get; } = [];

        public List<Pod> Pods { get; } = [];

        public List<Container> Containers { get; } = [];

        public KubeObject? Find(string kind, string? name) => Kubernetes.Find(o => o.Kind == kind && o.Name == name);

        public (string File, List<Nginx.Directive> Config) NginxConfig()
        {
            const string file = "deploy/compose/nginx.conf";
            var path = Path.Combine(Root, file);
            Require(File.Exists(path), $"{file} is missing");
            return (file, Nginx.Parse(File.ReadAllText(path)));
        }

        public static HashSet<string> DataKeys(KubeObject? o) =>
            Entries(At(o?.Node, "data")).Concat(Entries(At(o?.Node, "stringData"))).Select(e => e.Key).ToHashSet(StringComparer.Ordinal);

        public static DeploySet Load()
        {
            var root = Repo.Root();

            var set = new DeploySet { Root = root };
            var composeFiles = new List<(string File, YamlNode Root)>();
            var deploy = Path.Combine(root, "deploy");
            IEnumerable<string> files = Directory.Exists(deploy)
                ? Directory.EnumerateFiles(deploy, "*.*", SearchOption.AllDirectories)
                    .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
                    .Order(StringComparer.Ordinal)
                : [];
            foreach (var path in files)
            {
                var file = Path.GetRelativePath(root, path).Replace('\\', '/');
                set.YamlFiles.Add(file);
                var stream = new YamlStream();
                try
                {
                    using var reader = new StreamReader(path);
                    stream.Load(reader);
                }
                catch (Exception ex) when (ex is YamlException or ArgumentException)
                {
                    set.ParseErrors.Add($"{file}: {ex.Message}");
                    continue;
                }

                foreach (var document in stream.Documents.Where(d => d.RootNode is not YamlScalarNode { Value: null or "" }))
                {
                    var node = document.RootNode;
                    if (file.StartsWith(ObservabilityFolder, StringComparison.Ordinal))
                    {
                        set.Observability[file] = node; // Prometheus and Grafana's own files (checked by their own test)
                    }
                    else if (At(node, "services") is not null)
                    {
                        composeFiles.Add((file, node));
                    }
                    else if (Str(At(node, "apiVersion")) is null || Str(At(node, "kind")) is not { } kind)
                    {
                        set.ParseErrors.Add($"{file}: a document that is neither a compose file nor a Kubernetes object (apiVersion, kind)");
                    }
                    else if (Str(At(node, "metadata", "name")) is { } name)
                    {
                        set.Kubernetes.Add(new(file, kind, name, node));
                    }
                    else if (kind == "Kustomization")
                    {
                        set.Kubernetes.Add(new(file, kind, "", node));
                    }
                    else
                    {
                        set.ParseErrors.Add($"{file}: {kind} without metadata.name");
                    }
                }
            }

            foreach (var (file, node) in composeFiles)
            {
                foreach (var (name, service) in Entries(At(node, "services")))
                {
                    set.Containers.Add(new(file, name, Str(At(service, "image")) ?? "", ScalarsOf(At(service, "command")), ComposeEnv(service), service, null));
                }
            }

            foreach (var o in set.Kubernetes)
            {
                var template = o.Kind switch
                {
                    "Pod" => o.Node,
                    "CronJob" => At(o.Node, "spec", "jobTemplate", "spec", "template"),
                    "Deployment" or "StatefulSet" or "DaemonSet" or "ReplicaSet" or "Job" => At(o.Node, "spec", "template"),
                    _ => null,
                };
                if (template is null)
                {
                    continue;
                }

                var labels = Entries(At(template, "metadata", "labels")).ToDictionary(e => e.Key, e => Str(e.Value) ?? "", StringComparer.Ordinal);
                var spec = At(template, "spec");
                var pod = new Pod(o, template, spec, labels, []);
                foreach (var c in Items(At(spec, "initContainers")).Concat(Items(At(spec, "containers"))))
                {
                    var args = ScalarsOf(At(c, "command")).Concat(ScalarsOf(At(c, "args"))).ToList();
                    pod.Containers.Add(new(o.File, Str(At(c, "name")) ?? "?", Str(At(c, "image")) ?? "", args, set.KubernetesEnv(c), c, pod));
                }

                set.Pods.Add(pod);
                set.Containers.AddRange(pod.Containers);
            }

            return set;
        }

        private static List<EnvVar> ComposeEnv(YamlNode service)
        {
            var environment = At(service, "environment");
            if (environment is YamlSequenceNode list)
            {
                return [.. list.Children.Select(Str).OfType<string>().Select(item => item.Split('=', 2))
                    .Select(kv => new EnvVar(kv[0], kv.Length > 1 ? kv[1] : null, EnvSource.Literal))];
            }

            return [.. Entries(environment).Select(e => new EnvVar(e.Key, Str(e.Value), EnvSource.Literal))];
        }

        /// <summary>envFrom first, then env: Kubernetes lets env override envFrom.</summary>
        private List<EnvVar> KubernetesEnv(YamlNode container)
        {
            var env = new List<EnvVar>();
            foreach (var source in Items(At(container, "envFrom")))
            {
                var prefix = Str(At(source, "prefix")) ?? "";
                if (Find("ConfigMap", Str(At(source, "configMapRef", "name"))) is { } map)
                {
                    env.AddRange(Entries(At(map.Node, "data")).Select(e => new EnvVar(prefix + e.Key, Str(e.Value), EnvSource.ConfigMap)));
                }

                env.AddRange(DataKeys(Find("Secret", Str(At(source, "secretRef", "name")))).Select(k => new EnvVar(prefix + k, null, EnvSource.Secret)));
            }

            foreach (var entry in Items(At(container, "env")))
            {
                var name = Str(At(entry, "name")) ?? "";
                var from = At(entry, "valueFrom");
                if (from is null)
                {
                    env.Add(new(name, Str(At(entry, "value")), EnvSource.Literal));
                }
                else if (At(from, "secretKeyRef") is not null)
                {
                    env.Add(new(name, null, EnvSource.Secret));
                }
                else if (At(from, "configMapKeyRef") is { } reference)
                {
                    var map = Find("ConfigMap", Str(At(reference, "name")));
                    env.Add(new(name, Str(At(map?.Node, "data", Str(At(reference, "key")) ?? "")), EnvSource.ConfigMap));
                }
                else if (Str(At(from, "fieldRef", "fieldPath")) is { } field)
                {
                    env.Add(new(name, null, EnvSource.Field(field)));
                }
                else
                {
                    env.Add(new(name, null, new EnvSource(EnvKind.Other)));
                }
            }

            return env;
        }
    }

    /// <summary>
    /// The configuration keys an options class binds: its public settable properties under its section, nested
    /// option classes recursed, dictionaries taking any child key and collections an index.
    /// </summary>
    private sealed class SettingKeys
    {
        private readonly HashSet<string> _leaves = new(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _anyChild = new(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _indexed = new(StringComparer.OrdinalIgnoreCase);

        public static SettingKeys OfTheApps()
        {
            var keys = new SettingKeys();
            keys.AddOptions(typeof(CaseGrainsOptions), CaseGrainsOptions.Section);
            keys.AddOptions(typeof(AuthSettings), AuthSettings.Section);
            // Read from IConfiguration directly, not through an options class.
            keys._indexed.Add("CaseGrains:Web:KnownProxies");
            keys._indexed.Add("CaseGrains:Web:KnownNetworks");
            keys._leaves.Add("ConnectionStrings:CaseGrains");
            return keys;
        }

        public void AddOptions(Type type, string section, int depth = 0)
        {
            if (depth > 8)
            {
                throw new InvalidOperationException($"{section}: options nest deeper than 8 levels (a cycle?)");
            }

            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0)
                {
                    continue;
                }

                var key = $"{section}:{property.Name}";
                var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                if (t == typeof(string) || TypeDescriptor.GetConverter(t).CanConvertFrom(typeof(string)))
                {
                    _leaves.Add(key);
                }
                else if (t.GetInterfaces().Append(t).Any(i => i.IsGenericType && i.GetGenericTypeDefinition() is var d
                             && (d == typeof(IDictionary<,>) || d == typeof(IReadOnlyDictionary<,>))))
                {
                    _anyChild.Add(key);
                }
                else if (typeof(IEnumerable).IsAssignableFrom(t))
                {
                    _indexed.Add(key);
                }
                else
                {
                    AddOptions(t, key, depth + 1);
                }
            }
        }

        public bool Defines(string key)
        {
            if (_leaves.Contains(key))
            {
                return true;
            }

            var segments = key.Split(':');
            for (var n = 1; n < segments.Length; n++)
            {
                var parent = string.Join(':', segments[..n]);
                if (_anyChild.Contains(parent)
                    || (_indexed.Contains(parent) && n == segments.Length - 1 && int.TryParse(segments[n], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Shapes the catalog must handle: a leaf, a computed property, a nested class, a dictionary, an array.</summary>
    private sealed class SampleOptions
    {
        public string Name { get; set; } = "";

        public string Computed => Name;

        public SampleChild Child { get; set; } = new();

        public Dictionary<string, TimeSpan> Targets { get; set; } = [];

        public string[] Items { get; set; } = [];
    }

    private sealed class SampleChild
    {
        public bool Flag { get; set; }
    }

    /// <summary>Just enough of nginx's configuration syntax to find locations, headers and upstreams.</summary>
    private static partial class Nginx
    {
        public sealed record Directive(string Name, List<string> Args, List<Directive>? Block);

        public sealed record Found(Directive Directive, List<Directive> Ancestors);

        public static List<Directive> Parse(string text)
        {
            var tokens = new List<(string Text, bool Quoted)>();
            for (var i = 0; i < text.Length;)
            {
                var c = text[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                }
                else if (c == '#')
                {
                    while (i < text.Length && text[i] != '\n')
                    {
                        i++;
                    }
                }
                else if (c is '{' or '}' or ';')
                {
                    tokens.Add((c.ToString(), false));
                    i++;
                }
                else if (c is '"' or '\'')
                {
                    var end = text.IndexOf(c, i + 1);
                    tokens.Add((text[(i + 1)..end], true));
                    i = end + 1;
                }
                else
                {
                    var start = i;
                    while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('{' or '}' or ';'))
                    {
                        i++;
                    }

                    tokens.Add((text[start..i], false));
                }
            }

            var position = 0;
            return ParseBlock(tokens, ref position);
        }

        private static List<Directive> ParseBlock(List<(string Text, bool Quoted)> tokens, ref int position)
        {
            static bool Is((string Text, bool Quoted) token, string symbol) => !token.Quoted && token.Text == symbol;
            var block = new List<Directive>();
            while (position < tokens.Count)
            {
                if (Is(tokens[position], "}"))
                {
                    position++;
                    return block;
                }

                var name = tokens[position++].Text;
                var args = new List<string>();
                while (position < tokens.Count && !Is(tokens[position], ";") && !Is(tokens[position], "{"))
                {
                    args.Add(tokens[position++].Text);
                }

                if (position >= tokens.Count)
                {
                    throw new FormatException($"nginx.conf: directive '{name}' is not terminated");
                }

                var opens = Is(tokens[position++], "{");
                block.Add(new(name, args, opens ? ParseBlock(tokens, ref position) : null));
            }

            return block;
        }

        public static IEnumerable<Found> Walk(List<Directive> block, List<Directive>? ancestors = null)
        {
            ancestors ??= [];
            foreach (var directive in block)
            {
                yield return new(directive, ancestors);
                if (directive.Block is not null)
                {
                    foreach (var inner in Walk(directive.Block, [.. ancestors, directive]))
                    {
                        yield return inner;
                    }
                }
            }
        }

        /// <summary>The value of a directive in effect in this block: its own, else the nearest enclosing block's.</summary>
        public static string? Effective(Found found, string name) =>
            new[] { found.Directive }.Concat(Enumerable.Reverse(found.Ancestors))
                .Select(d => d.Block?.LastOrDefault(x => x.Name == name)?.Args.FirstOrDefault())
                .FirstOrDefault(v => v is not null);

        public static Dictionary<string, string> ProxyHeaders(Directive location) =>
            (location.Block ?? []).Where(d => d.Name == "proxy_set_header" && d.Args.Count == 2)
                .GroupBy(d => d.Args[0], StringComparer.OrdinalIgnoreCase)
                .ToDictionary(g => g.Key, g => g.Last().Args[1], StringComparer.OrdinalIgnoreCase);

        /// <summary>An nginx time ("90", "75s", "1h", "1h30m").</summary>
        public static TimeSpan Duration(string value)
        {
            var total = TimeSpan.Zero;
            foreach (Match m in TimePart().Matches(value))
            {
                var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                total += m.Groups[2].Value switch
                {
                    "ms" => TimeSpan.FromMilliseconds(n),
                    "m" => TimeSpan.FromMinutes(n),
                    "h" => TimeSpan.FromHours(n),
                    "d" => TimeSpan.FromDays(n),
                    "w" => TimeSpan.FromDays(7 * n),
                    _ => TimeSpan.FromSeconds(n),
                };
            }

            return total;
        }

        [GeneratedRegex(@"(\d+)(ms|s|m|h|d|w)?")]
        private static partial Regex TimePart();
    }

    /// <summary>A Dockerfile's instructions, continuation lines joined, comments dropped.</summary>
    private static partial class Dockerfile
    {
        public sealed record Instruction(string Op, string Args);

        public static List<Instruction> Read(string path)
        {
            var instructions = new List<Instruction>();
            var current = "";
            foreach (var raw in File.ReadAllLines(path))
            {
                var line = raw.Trim();
                if (current.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
                {
                    continue;
                }

                if (line.EndsWith('\\'))
                {
                    current += line[..^1] + " ";
                    continue;
                }

                current += line;
                var space = current.IndexOf(' ', StringComparison.Ordinal);
                instructions.Add(space < 0
                    ? new(current.ToUpperInvariant(), "")
                    : new(current[..space].ToUpperInvariant(), Whitespace().Replace(current[(space + 1)..].Trim(), " ")));
                current = "";
            }

            return instructions;
        }

        [GeneratedRegex(@"\s+")]
        private static partial Regex Whitespace();
    }
}
