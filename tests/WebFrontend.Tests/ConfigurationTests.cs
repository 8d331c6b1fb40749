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
    public void ABadSetting_StopsStartUp_NamingTheKey(string key, string value)
    {
        var dir = Path.Combine(Path.GetTempPath(), "casegrains-config-" + Guid.NewGuid().ToString("N"));
        try
        {
            var ex = Assert.ThrowsAny<Exception>(() => AppHost.Start(dir, new Dictionary<string, string> { [key] = value }));

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
