using System.Security.Cryptography;
using CaseGrains.Domain.Business;
using CaseGrains.Domain.Identity;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Privacy;
using CaseGrains.Domain.Tests.Support;

namespace CaseGrains.Domain.Tests.Journey;

/// <summary>
/// A case in memory holds its NIK hash, masked NIK and kecamatan compactly (the national caseload is held in memory), and
/// gives each back exactly as it was written.
/// </summary>
public sealed class CompactStateTests
{
    [Fact]
    public void TheNikHashAndMaskedNik_ReadBackExactly_AndTheKecamatanIsOneStringForAllItsCases()
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData("3579010101900001"u8));
        var first = Opened(hash, "3579**********01", new string("35.79.01".AsSpan()));
        var second = Opened(hash, "3579**********01", new string("35.79.01".AsSpan()));

        Assert.Equal(hash, first.NikHash);
        Assert.Equal("3579**********01", first.NikMasked);
        Assert.Equal("35.79.01", first.RegionCode);
        Assert.Same(first.RegionCode, second.RegionCode);
        // Folding keeps them (a record's copy).
        var next = CaseState.Apply(first, new NoteAdded("catatan"), 2, CaseScenario.OpenedAt.AddMinutes(1));
        Assert.Equal((hash, "3579**********01"), (next.NikHash, next.NikMasked));
    }

    [Theory]
    [InlineData("")]
    [InlineData("erased")]
    [InlineData("hmac:3f1c9a")]
    [InlineData("3579*********01")]
    [InlineData("357a**********01")]
    [InlineData("3579**********0x")]
    [InlineData("3579*****X****01")]
    public void AnyOtherMaskedText_IsKeptAsItWasGiven(string text)
    {
        Assert.Equal(text, MaskedNik.From(text).ToString());
        Assert.Equal(text, Opened(text, text, "35.79.01").NikMasked);
        Assert.Equal(text, Opened(text, text, "35.79.01").NikHash);
    }

    [Fact]
    public void MaskedNiks_AreEqualWhenTheirTextIs()
    {
        Assert.Equal(MaskedNik.From("0001**********00"), MaskedNik.From("0001**********00"));
        Assert.Equal("0001**********00", MaskedNik.From("0001**********00").ToString());
        Assert.NotEqual(MaskedNik.From("3579**********01"), MaskedNik.From("3579**********02"));
        Assert.NotEqual(MaskedNik.From("0001**********00"), MaskedNik.From("erased"));
    }

    [Fact]
    public void AnUnknownRegionCode_IsKeptAsGiven()
    {
        var code = new string("99.99.99".AsSpan());
        Assert.Same(code, Opened("h", "m", code).RegionCode);
    }

    [Fact]
    public void TheRarelySetFields_ReadBackAsWritten_EachOnItsOwn_AndClearedTheyLeaveACaseEqualToOneThatNeverHadThem()
    {
        var opened = Opened("h", "3579**********01", "35.79.01");
        var at = CaseScenario.OpenedAt.AddDays(3);
        var consent = new ConsentRecord("paper", "v2", new DateOnly(2026, 1, 5), "Pak RT", at);
        var withdrawal = new ConsentWithdrawal([ConsentPurpose.PartnerSharing], "phone", null, null, "tidak mau", at);
        var approval = new PendingApproval(ApprovalRequestKind.Closure, "pindah kota", CloseReason.DroppedOut, "petugas", at);
        var outcomes = new Outcomes(120_000_000, 30_000_000, 4, UmkmClass.Small);
        var full = opened with
        {
            Consent = consent, Withdrawal = withdrawal, PendingApproval = approval, CloseReason = CloseReason.DroppedOut,
            Outcomes = outcomes, ReopenedAt = at.AddDays(1), ErasedAt = at.AddDays(2),
        };

        Assert.Equal(
            (consent, withdrawal, approval, (CloseReason?)CloseReason.DroppedOut, outcomes, (DateTimeOffset?)at.AddDays(1), (DateTimeOffset?)at.AddDays(2)),
            (full.Consent, full.Withdrawal, full.PendingApproval, full.CloseReason, full.Outcomes, full.ReopenedAt, full.ErasedAt));
        // One cleared: only that one, and the state it was copied from keeps it.
        var decided = full with { PendingApproval = null };
        Assert.Null(decided.PendingApproval);
        Assert.Equal((consent, outcomes, (DateTimeOffset?)at.AddDays(2)), (decided.Consent, decided.Outcomes, decided.ErasedAt));
        Assert.Equal(approval, full.PendingApproval);
        Assert.NotEqual(full, decided);
        // All cleared: equal to the case that never had any.
        var cleared = full with
        {
            Consent = null, Withdrawal = null, PendingApproval = null, CloseReason = null, Outcomes = null, ReopenedAt = null, ErasedAt = null,
        };
        Assert.Equal(opened, cleared);
        Assert.Null(opened.Consent);
        Assert.Null(opened.ErasedAt);
    }

    private static CaseState Opened(string nikHash, string nikMasked, string regionCode) =>
        CaseState.Apply(null, new CaseOpened("PBC-2025-000001", nikHash, nikMasked, "Siti Rahayu", Gender.Female, regionCode, Segment.Umkm, null, true),
            1, CaseScenario.OpenedAt);
}
