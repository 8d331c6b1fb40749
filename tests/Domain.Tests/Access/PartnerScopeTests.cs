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

        var seen = Assert.IsType<FinancingApplied>(PartnerScope.Project(applied, Bank, c.State));
        Assert.Empty(seen.OverlapsAcknowledged);
        Assert.Equal(new FinancingApproved("kur-1", 9_000_000), PartnerScope.Project(new FinancingApproved("kur-1", 9_000_000), Bank, c.State));
        Assert.Null(PartnerScope.Project(new ReferralAccepted("buyer-1"), Bank, c.State));
        Assert.Null(PartnerScope.Project(new NoteAdded("utang keluarga"), Bank, c.State));
        Assert.Null(PartnerScope.Project(new MentorAssigned("mentor-1", null), Bank, c.State));
        var closed = Assert.IsType<CaseClosed>(PartnerScope.Project(new CaseClosed(CloseReason.Moved, "pindah ke Malang", Stage.Financing), Bank, c.State));
        Assert.Equal((CloseReason.Moved, null, null), (closed.Reason, closed.Note, closed.ActiveStage));
        Assert.Null(PartnerScope.Project(new CaseClosed(CloseReason.Moved, null, null), "lain", c.State));
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
}
