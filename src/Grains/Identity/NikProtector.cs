using Microsoft.AspNetCore.DataProtection;

namespace CaseGrains.Grains.Identity;

/// <summary>
/// Encrypts the NIK at rest with ASP.NET Core Data Protection (authenticated encryption, rotating keys). Only the
/// registry stores the ciphertext; only an audited reveal decrypts it.
/// </summary>
public sealed class NikProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("CaseGrains.Nik.v1");

    public string Protect(string nik) => _protector.Protect(nik);

    public string Unprotect(string protectedNik) => _protector.Unprotect(protectedNik);
}
