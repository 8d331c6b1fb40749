using Orleans.Concurrency;

namespace CaseGrains.Grains.Abstractions;

/// <summary>
/// One person in the programme, keyed by the keyed hash of their NIK: the consistency boundary of
/// "one open case per beneficiary". Holds pointers to case numbers, never the NIK.
/// </summary>
[Alias("cg.IBeneficiaryRegistryGrain")]
public interface IBeneficiaryRegistryGrain : IGrainWithStringKey
{
    /// <summary>Leave memory once idle (a bulk import opened the person's case and nobody waits on it).</summary>
    [Alias("Rest"), Orleans.Concurrency.OneWay]
    Task Rest();

    /// <summary>Every case opened for the person (the current one first): the search by NIK goes through here.</summary>
    [Alias("Cases"), Orleans.Concurrency.ReadOnly]
    Task<IReadOnlyList<string>> Cases();

    /// <summary>Opens the person's case unless they have one open. Keeps the encrypted NIK.</summary>
    [Alias("Open")]
    Task<CommandOutcome> Open(OpenCaseRequest request, string regencyCode, string protectedNik, Actor actor);

    /// <summary>
    /// Makes <paramref name="caseNumber"/> this person's open case (used by reopen). Null on success; otherwise the
    /// number of the other case that is open.
    /// </summary>
    [Alias("Claim")]
    Task<string?> Claim(string caseNumber);

    /// <summary>
    /// Gives back the person's entry if <paramref name="caseNumber"/> holds it and is no longer open (checked with the
    /// case, so a late release after a reopening changes nothing). Idempotent: a consequence of closing or graduating.
    /// </summary>
    [Alias("Release")]
    Task Release(string caseNumber);

    /// <summary>The NIK encrypted with Data Protection (only the case's audited reveal decrypts it).</summary>
    /// <summary>
    /// The person's case <paramref name="caseNumber"/> was erased: the entry forgets it (and the encrypted NIK with it
    /// unless another of the person's cases still holds it), so a look-up by NIK no longer finds it. Idempotent.
    /// </summary>
    [Alias("Forget")]
    Task Forget(string caseNumber);

    [Alias("GetProtectedNik"), AlwaysInterleave]
    Task<string?> GetProtectedNik();
}

/// <summary>
/// Registry grain keys. The prefix keeps the key from parsing as a hexadecimal integer, which Orleans' ADO.NET
/// storage would otherwise fold into a numeric key (dotnet/orleans#9706).
/// </summary>
public static class RegistryKeys
{
    public static string For(string nikHash) => "nik-" + nikHash;
}

/// <summary>Hands out case numbers for one kab/kota (<c>3579-000001</c>, <c>3579-000002</c> …), never twice.</summary>
[Alias("cg.ICaseNumberGrain")]
public interface ICaseNumberGrain : IGrainWithStringKey
{
    [Alias("Next")]
    Task<string> Next();
}

/// <summary>Case numbers: the kab/kota code without its dot, a dash, six or more digits.</summary>
public static class CaseNumbers
{
    public static string Format(string regencyCode, long n) =>
        $"{regencyCode.Replace(".", "", StringComparison.Ordinal)}-{n.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>True for the shape <c>3579-000123</c> (used to answer 404 early for malformed numbers).</summary>
    public static bool IsWellFormed(string? s) =>
        s is { Length: >= 11 and <= 24 } && s[4] == '-' && s.AsSpan(0, 4).IndexOfAnyExceptInRange('0', '9') < 0
        && s.AsSpan(5).IndexOfAnyExceptInRange('0', '9') < 0;
}

/// <summary>User ids: 3–64 of a–z, 0–9, '.', '-', '_' (lower case, so one person is one id).</summary>
public static class UserIds
{
    public static bool IsValid(string? id) =>
        id is { Length: >= 3 and <= 64 } && id.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' or '_');
}
