using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Privacy;
using CaseGrains.Domain.Services;
using CaseGrains.Domain.Tests.Support;

namespace CaseGrains.Domain.Tests.Access;

/// <summary>
/// What a partner organisation sees of a case and may answer on it (issue 20, deliverable 1): only its own offers'
/// enrolments, only while the beneficiary consents to sharing with partners, and only the partner's answers.
/// </summary>
public sealed class PartnerScopeTests
{
    private const string Bank = "bank-jatim";

    private static Caller PartnerOf(string org) => new("mitra.1", Role.Partner, []) { PartnerOrg = org };

    /// <summary>An assessed case that applied for the bank's loan and was referred to a buyer with no account.</summary>
    private static CaseScenario Applied()
    {
        var c = CaseScenario.WithStage(Stage.Training, StageState.Active);
        c.Do(new Enrol(TestOffers.Kur() with { PartnerOrgId = Bank }, SeatOutcome.Granted, 0, false, 10_000_000));
        c.Do(new Enrol(TestOffers.Buyer(), SeatOutcome.Granted, 0, false, null));
        return c;
    }

    [Fact]
    public void APartner_SeesTheCaseOfItsOffer_WhileSharingIsConsented_AndNoOtherOrganisationDoes()
    {
        var c = Applied();

        Assert.True(AccessPolicy.PartnerSees(PartnerOf(Bank), c.State));
        Assert.False(AccessPolicy.PartnerSees(PartnerOf("koperasi-apel"), c.State));
        Assert.False(AccessPolicy.PartnerSees(new Caller("mitra.1", Role.Partner, []), c.State));
        Assert.False(AccessPolicy.CanRead(PartnerOf(Bank), c.State));
        Assert.False(AccessPolicy.PartnerSees(new Caller("petugas", Role.Caseworker, ["35.79"]) { PartnerOrg = Bank }, c.State));

        c.Do(new WithdrawConsent([ConsentPurpose.PartnerSharing], "formulir", null, null, null));

        Assert.False(AccessPolicy.PartnerSees(PartnerOf(Bank), c.State));
    }

    [Fact]
    public void APartner_AnswersOnlyForItsOwnOffers_AndIssuesNothingElse()
    {
        var state = Applied().State;
        var partner = PartnerOf(Bank);

        Assert.Null(AccessPolicy.CheckCommand(partner, state, CommandKind.PartnerAnswer, offerId: "kur-1"));
        Assert.Equal("access.forbidden", AccessPolicy.CheckCommand(partner, state, CommandKind.PartnerAnswer, offerId: "buyer-1")?.Code);
        Assert.Equal("access.forbidden", AccessPolicy.CheckCommand(partner, state, CommandKind.AddNote)?.Code);
        Assert.Equal("access.forbidden", AccessPolicy.CheckCommand(partner, state, CommandKind.JourneyStep, offerId: "kur-1")?.Code);
        Assert.Equal("case.not_found", AccessPolicy.CheckCommand(PartnerOf("lain"), state, CommandKind.PartnerAnswer, offerId: "kur-1")?.Code);
        Assert.Equal("case.not_found", AccessPolicy.CheckCommand(partner, null, CommandKind.PartnerAnswer, offerId: "kur-1")?.Code);
        // Staff still record a partner's answer for it (one without an account, or on the phone).
        Assert.Null(AccessPolicy.CheckCommand(new Caller("petugas", Role.Caseworker, ["35.79"]), state, CommandKind.PartnerAnswer, offerId: "buyer-1"));
    }

    [Fact]
    public void APartner_SeesOnlyTheEventsOfItsOwnOffers_WithoutTheOtherOffersTheyMention_AndTheClosingWithoutItsNote()
    {
        var c = Applied();
        var applied = new FinancingApplied(TestOffers.Kur() with { PartnerOrgId = Bank }, 10_000_000, ["buyer-1"]);
        var next = c.State.Version + 1;

        var seen = Assert.IsType<FinancingApplied>(PartnerScope.Project(applied, next, Bank, c.State));
        Assert.Empty(seen.OverlapsAcknowledged);
        Assert.Equal(new FinancingApproved("kur-1", 9_000_000), PartnerScope.Project(new FinancingApproved("kur-1", 9_000_000), next, Bank, c.State));
        Assert.Null(PartnerScope.Project(new ReferralAccepted("buyer-1"), next, Bank, c.State));
        Assert.Null(PartnerScope.Project(new NoteAdded("utang keluarga"), next, Bank, c.State));
        Assert.Null(PartnerScope.Project(new MentorAssigned("mentor-1", null), next, Bank, c.State));
        var closed = Assert.IsType<CaseClosed>(PartnerScope.Project(new CaseClosed(CloseReason.Moved, "pindah ke Malang", Stage.Financing), next, Bank, c.State));
        Assert.Equal((CloseReason.Moved, null, null), (closed.Reason, closed.Note, closed.ActiveStage));
        Assert.Null(PartnerScope.Project(new CaseClosed(CloseReason.Moved, null, null), next, "lain", c.State));
        // A closing before the bank's first enrolment is none of its business.
        Assert.Null(PartnerScope.Project(new CaseClosed(CloseReason.Moved, null, null), 2, Bank, c.State));
    }

    [Fact]
    public void WhatWaitsForThePartner_FollowsTheEnrolmentThroughItsSteps()
    {
        var c = Applied();
        PartnerTask? Waiting() => PartnerScope.WaitingOn(c.State.Enrolments.Single(e => e.Offer.Id == "kur-1"));

        Assert.Equal(PartnerTask.FinancingDecision, Waiting());
        c.Do(new DecideFinancing("kur-1", true, 10_000_000, null));
        Assert.Equal(PartnerTask.Disbursement, Waiting());
        c.Do(new DisburseFinancing("kur-1", 10_000_000, DateOnly.FromDateTime(c.Context.Now.UtcDateTime)));
        Assert.Equal(PartnerTask.Repayment, Waiting());
        c.Do(new RecordRepayment("kur-1", RepaymentStatus.Repaid));
        Assert.Null(Waiting());
        Assert.Equal(PartnerTask.ReferralResponse, PartnerScope.WaitingOn(c.State.Enrolments.Single(e => e.Offer.Id == "buyer-1")));
    }

    [Fact]
    public void WhoseAnEnrolmentIs_ComesFromTheOfferAsItWasAtEnrolment_NotFromTheOffersIdLater()
    {
        // The loan was applied for while no organisation answered for it, then withdrawn; the bank took the product over,
        // and the case applied again.
        var c = CaseScenario.WithStage(Stage.Training, StageState.Active);
        c.Do(new Enrol(TestOffers.Kur(), SeatOutcome.Granted, 0, false, 10_000_000));
        var before = c.State.Version;
        c.Do(new WithdrawEnrolment("kur-1", "pindah bank"));
        var withdrawn = c.State.Version;
        c.Do(new Enrol(TestOffers.Kur() with { PartnerOrgId = Bank }, SeatOutcome.Granted, 0, false, 12_000_000));

        Assert.True(PartnerScope.Owns(c.State, Bank, "kur-1"));
        Assert.False(PartnerScope.Owns(c.State, "bank-lama", "kur-1"));
        // The earlier application and its withdrawal (with the caseworker's reason) stay hidden from the bank.
        Assert.Null(PartnerScope.Project(new FinancingApplied(TestOffers.Kur(), 10_000_000, []), before, Bank, c.State));
        Assert.Null(PartnerScope.Project(new EnrolmentWithdrawn("kur-1", "pindah bank"), withdrawn, Bank, c.State));
        Assert.NotNull(PartnerScope.Project(new FinancingApproved("kur-1", 12_000_000), c.State.Version + 1, Bank, c.State));

        // The product moves to another bank: the enrolment made under the first stays the first's to answer and see.
        var moved = new FinancingApplied(TestOffers.Kur() with { PartnerOrgId = "bank-baru" }, 5_000_000, []);
        Assert.Null(PartnerScope.Project(moved, c.State.Version + 1, Bank, c.State));
        Assert.False(PartnerScope.Owns(c.State, "bank-baru", "kur-1"));
    }
}
