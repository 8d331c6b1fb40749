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
    [InlineData("CaseGrains:Auth:Oidc:ClientId", "x", "CaseGrains:Auth:Oidc:Authority", "http://idp.example.go.id")]
    [InlineData("CaseGrains:Auth:Oidc:ClientId", "", "CaseGrains:Auth:Oidc:Authority", "https://idp.example.go.id")]
    [InlineData("CaseGrains:Auth:JwtSigningKey", "c2hvcnQ=")]
    [InlineData("CaseGrains:Auth:TokenLifetimeMinutes", "0")]
    [InlineData("CaseGrains:Live:RenewSeconds", "0")]
    [InlineData("CaseGrains:Mode", "Cloud")]
    public void ABadSetting_StopsStartUp_NamingTheKey(string key, string value, string? otherKey = null, string? otherValue = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "casegrains-config-" + Guid.NewGuid().ToString("N"));
        try
        {
            var settings = new Dictionary<string, string> { [key] = value };
            if (otherKey is not null)
            {
                settings[otherKey] = otherValue!;
            }

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
