using Microsoft.Extensions.Options;

namespace CaseGrains.WebFrontend.Tests;

public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("CaseGrains:Journey:MentoringSessionsRequired", "0")]
    [InlineData("CaseGrains:SiloPort", "70000")]
    [InlineData("CaseGrains:DataDirectory", " ")]
    [InlineData("CaseGrains:NikHmacKey", "not base64!")]
    [InlineData("CaseGrains:NikHmacKey", "c2hvcnQ=")]
    [InlineData("CaseGrains:SubjectKeyEncryptionKey", "c2hvcnQ=")]
    [InlineData("CaseGrains:Retention:CaseManagement", "5 years")]
    [InlineData("CaseGrains:Retention:Mentoring", "P0D")]
    [InlineData("CaseGrains:Retention:SweepEvery", "00:00:01")]
    [InlineData("CaseGrains:ChainAnchorKey", "c2hvcnQ=")]
    [InlineData("CaseGrains:Auth:Oidc:ClientId", "x", "CaseGrains:Auth:Oidc:Authority", "http://idp.example.go.id")]
    [InlineData("CaseGrains:Auth:Oidc:ClientId", "", "CaseGrains:Auth:Oidc:Authority", "https://idp.example.go.id")]
    [InlineData("CaseGrains:Auth:JwtSigningKey", "c2hvcnQ=")]
    [InlineData("CaseGrains:Auth:TokenLifetimeMinutes", "0")]
    [InlineData("CaseGrains:Live:RenewSeconds", "0")]
    [InlineData("CaseGrains:Mode", "Cloud")]
    [InlineData("CaseGrains:Frontend", "Both")]
    [InlineData("CaseGrains:HealthPort", "0")]
    [InlineData("CaseGrains:Sla:Targets:Bogus", "1.00:00:00")]
    [InlineData("CaseGrains:Sla:Targets:Training", "-1.00:00:00")]
    [InlineData("CaseGrains:Sla:CheckPeriod", "00:00:00")]
    [InlineData("CaseGrains:Sla:WarnAtPercent", "100")]
    [InlineData("CaseGrains:Journey:SessionDueAfter", "-1.00:00:00")]
    [InlineData("ConnectionStrings:CaseGrains", "", "CaseGrains:Mode", "Cluster")]
    [InlineData("ConnectionStrings:CaseGrains", "Host=127.0.0.1;NoSuchKeyword=1", "CaseGrains:Mode", "Cluster")]
    public void ABadSetting_StopsStartUp_NamingTheKey(string key, string value, string? otherKey = null, string? otherValue = null)
    {
        var settings = new Dictionary<string, string> { [key] = value };
        if (otherKey is not null)
        {
            settings[otherKey] = otherValue!;
        }

        AssertStartUpFails(settings, key);
    }

    [Fact]
    public void ClusterMode_WithoutASharedJwtKey_StopsStartUp_NamingTheKey() =>
        // Everything else a cluster frontend needs is there; no database is contacted before the check.
        AssertStartUpFails(new Dictionary<string, string>
        {
            ["CaseGrains:Mode"] = "Cluster",
            ["ConnectionStrings:CaseGrains"] = "Host=127.0.0.1;Port=1;Database=none",
            ["CaseGrains:NikHmacKey"] = Convert.ToBase64String(new byte[32]),
            ["CaseGrains:Auth:JwtSigningKey"] = "",
        }, "CaseGrains:Auth:JwtSigningKey");

    [Fact]
    public void ClusterMode_ASiloWithoutTheNikKey_StopsStartUp_NamingTheKey() =>
        // A frontend that co-hosts a silo hashes NIKs, so it needs the cluster's key (a pure Orleans client does not).
        AssertStartUpFails(new Dictionary<string, string>
        {
            ["CaseGrains:Mode"] = "Cluster",
            ["CaseGrains:Frontend"] = "Silo",
            ["ConnectionStrings:CaseGrains"] = "Host=127.0.0.1;Port=1;Database=none",
        }, "CaseGrains:NikHmacKey");

    [Fact]
    public void ClusterMode_ASiloWithoutTheChainAnchorKey_StopsStartUp_NamingTheKey() =>
        // Whoever appends to timelines MACs their checkpoints; the key must come from outside the database.
        AssertStartUpFails(new Dictionary<string, string>
        {
            ["CaseGrains:Mode"] = "Cluster",
            ["CaseGrains:Frontend"] = "Silo",
            ["ConnectionStrings:CaseGrains"] = "Host=127.0.0.1;Port=1;Database=none",
            ["CaseGrains:NikHmacKey"] = Convert.ToBase64String(new byte[32]),
            ["CaseGrains:SubjectKeyEncryptionKey"] = Convert.ToBase64String(new byte[32]),
        }, "CaseGrains:ChainAnchorKey");

    [Fact]
    public void ClusterMode_ASiloWithoutTheSubjectKeyEncryptionKey_StopsStartUp_NamingTheKey() =>
        // A co-hosted silo opens cases' data keys, so it needs the cluster's key that wraps them.
        AssertStartUpFails(new Dictionary<string, string>
        {
            ["CaseGrains:Mode"] = "Cluster",
            ["CaseGrains:Frontend"] = "Silo",
            ["ConnectionStrings:CaseGrains"] = "Host=127.0.0.1;Port=1;Database=none",
            ["CaseGrains:NikHmacKey"] = Convert.ToBase64String(new byte[32]),
            ["CaseGrains:ChainAnchorKey"] = Convert.ToBase64String(new byte[32]),
        }, "CaseGrains:SubjectKeyEncryptionKey");

    private static void AssertStartUpFails(Dictionary<string, string> settings, string key)
    {
        var dir = Path.Combine(Path.GetTempPath(), "casegrains-config-" + Guid.NewGuid().ToString("N"));
        try
        {
            var ex = Assert.ThrowsAny<Exception>(() => AppHost.Start(dir, settings));

            var validation = ex as OptionsValidationException ?? ex.InnerException as OptionsValidationException
                ?? throw new Xunit.Sdk.XunitException($"Expected an options validation failure, got {ex}");
            Assert.Contains(key, string.Join(" ", validation.Failures), StringComparison.Ordinal);
        }
        finally
        {
            AppHost.DeleteData(dir);
        }
    }
}
