using CaseGrains.Domain.Journey;

namespace CaseGrains.Domain.Access;

/// <summary>The roles of the programme. A user has exactly one.</summary>
public enum Role
{
    Caseworker,
    Mentor,
    Supervisor,
    MinistryAnalyst,
    Admin,

    /// <summary>
    /// The data protection officer (UU 27/2022 PDP, pejabat pelindungan data pribadi): reads who read or exported which
    /// case, when and from where, and the record of processing activities; sees no case content.
    /// </summary>
    DataProtectionOfficer,

    /// <summary>
    /// A user of a hexa-helix partner organisation (a bank, a business, a university incubator, a training provider):
    /// sees only the enrolments, referrals and applications addressed to its organisation's offers, of beneficiaries who
    /// consented to sharing with partners, and answers them.
    /// </summary>
    Partner,
}

/// <summary>Who is asking: user id, role and (for region-scoped roles) the regions they serve.</summary>
public sealed record Caller(string UserId, Role Role, IReadOnlyList<string> Regions)
{
    /// <summary>The partner organisation a <see cref="Role.Partner"/> user belongs to (null for every other role).</summary>
    public string? PartnerOrg { get; init; }

    /// <summary>True when <paramref name="regionCode"/> is one of the caller's regions or lies under one.</summary>
    public bool Serves(string regionCode) =>
        Regions.Any(r => regionCode == r || regionCode.StartsWith(r + ".", StringComparison.Ordinal));
}

/// <summary>What a command is, for access purposes.</summary>
public enum CommandKind
{
    Intake,
    JourneyStep,
    AssignMentor,
    LogMentoringSession,
    /// <summary>Close or reopen directly: a supervisor's act.</summary>
    Close,
    Reopen,

    /// <summary>Ask the supervisors to close or reopen (caseworkers' way; supervisors may too).</summary>
    RequestApproval,

    /// <summary>Approve or decline a pending closure or reopening request.</summary>
    DecideApproval,
    AddNote,

    /// <summary>
    /// What the partner behind an offer answers: a referral's response and outcome, a lender's decision, disbursement and
    /// repayments, a course's attendance. The partner's own users may, for their organisation's offers; staff may record
    /// it for them.
    /// </summary>
    PartnerAnswer,
}

/// <summary>
/// Row-level access, decided in one place (docs/access.md has the same table). Region-scoped roles see the
/// cases of their regions (and everything under them); a mentor sees the cases assigned to them; the ministry and
/// admins see no individual case. A case outside the caller's scope answers exactly like a case that does not exist.
/// </summary>
public static class AccessPolicy
{
    public static bool CanRead(Caller caller, string regionCode, string? mentorId) => caller.Role switch
    {
        Role.Caseworker or Role.Supervisor => caller.Serves(regionCode),
        Role.Mentor => mentorId is not null && mentorId == caller.UserId,
        _ => false,
    };

    /// <summary>
    /// Whether the caller may read the whole case (its staff, its mentor). A partner never does: what a partner sees is
    /// <see cref="PartnerSees"/>, through its own view of the case.
    /// </summary>
    public static bool CanRead(Caller caller, CaseState state) => CanRead(caller, state.RegionCode, state.MentorId);

    /// <summary>
    /// Whether a partner user sees the case: the beneficiary consents to sharing with partners (and was not erased), and
    /// one of the case's enrolments is with an offer of the user's organisation. What it then sees is that enrolment's part
    /// only (<see cref="PartnerScope"/>).
    /// </summary>
    public static bool PartnerSees(Caller caller, CaseState state) =>
        caller is { Role: Role.Partner, PartnerOrg: { } org } && PartnerScope.Sees(state, org);

    /// <summary>Whether a partner user answers the next step on the offer: its organisation's enrolment, on a case it sees.</summary>
    public static bool PartnerOwns(Caller caller, CaseState state, string offerId) =>
        PartnerSees(caller, state) && PartnerScope.Owns(state, caller.PartnerOrg!, offerId);

    /// <summary>Whether the role may issue this kind of command on a case it can read (intake: in its region).</summary>
    public static bool MayIssue(Role role, CommandKind kind) => kind switch
    {
        CommandKind.LogMentoringSession => role is Role.Mentor or Role.Caseworker or Role.Supervisor,
        CommandKind.Close or CommandKind.Reopen or CommandKind.DecideApproval => role is Role.Supervisor,
        CommandKind.Intake or CommandKind.JourneyStep or CommandKind.AssignMentor or CommandKind.RequestApproval or CommandKind.AddNote =>
            role is Role.Caseworker or Role.Supervisor,
        CommandKind.PartnerAnswer => role is Role.Caseworker or Role.Supervisor or Role.Partner,
        _ => false,
    };

    /// <summary>
    /// Null when allowed; otherwise the refusal to give. Out of scope is "not found", never "forbidden".
    /// <paramref name="intakeRegion"/> is the region of the case an intake would open; <paramref name="offerId"/> the offer a
    /// partner's answer is for. A partner may answer for its organisation's offers only; on a case it does not see, it is
    /// answered as for a missing case.
    /// </summary>
    public static Refusal? CheckCommand(Caller caller, CaseState? state, CommandKind kind, string? intakeRegion = null, string? offerId = null)
    {
        if (caller.Role == Role.Partner)
        {
            return state is null || !PartnerSees(caller, state) ? Refusals.CaseNotFound()
                : kind == CommandKind.PartnerAnswer && offerId is not null && PartnerScope.Owns(state, caller.PartnerOrg!, offerId) ? null
                : Refusals.Forbidden();
        }

        if (kind == CommandKind.Intake)
        {
            return MayIssue(caller.Role, kind) && intakeRegion is not null && caller.Serves(intakeRegion) ? null : Refusals.Forbidden();
        }

        if (state is null || !CanRead(caller, state))
        {
            return Refusals.CaseNotFound();
        }

        return MayIssue(caller.Role, kind) ? null : Refusals.Forbidden();
    }

    /// <summary>Who may see the clear NIK (with a stated purpose, audited): the region's caseworkers and supervisors.</summary>
    public static bool MayRevealNik(Caller caller, CaseState state) =>
        caller.Role is Role.Caseworker or Role.Supervisor && CanRead(caller, state);

    /// <summary>
    /// Who may export everything held about the case's beneficiary (UU 27/2022 PDP, the data subject's right of access):
    /// the caseworkers and supervisors serving its region, who meet the person. Audited.
    /// </summary>
    public static bool MayExportSubjectAccess(Caller caller, CaseState state) =>
        caller.Role is Role.Caseworker or Role.Supervisor && CanRead(caller, state);

    /// <summary>
    /// Who may erase the person's data in a case: a supervisor of its region, or the data protection officer (any case;
    /// the answer names no content). Null when allowed; out of scope answers as a missing case, in scope but not the
    /// role's is forbidden.
    /// </summary>
    public static Refusal? CheckErasure(Caller caller, CaseState state) =>
        caller.Role is Role.DataProtectionOfficer || (caller.Role is Role.Supervisor && CanRead(caller, state)) ? null
        : CanRead(caller, state) ? Refusals.Forbidden()
        : Refusals.CaseNotFound();

    /// <summary>Who may search the access log across cases: the data protection officer only (who sees no case content).</summary>
    public static bool MaySearchAccessLogs(Caller caller) => caller.Role is Role.DataProtectionOfficer;

    /// <summary>Who may read a case's access log.</summary>
    public static bool MayReadAccessLog(Caller caller, CaseState state) =>
        caller.Role is Role.Supervisor && CanRead(caller, state);

    /// <summary>
    /// Null when the caller may read a mentor's caseload; otherwise the refusal to give. A mentor reads their own (another
    /// mentor's is forbidden, whether it exists or not); a supervisor reads any mentor's; a caseworker reads those of the
    /// mentors serving their regions — a profile region equal to, under or above one of theirs — and any other mentor is
    /// answered exactly like one that does not exist. <paramref name="mentorRegions"/> is the mentor's profile regions,
    /// null when there is no such mentor.
    /// </summary>
    public static Refusal? CheckCaseloadRead(Caller caller, string mentorId, IReadOnlyList<string>? mentorRegions) => caller.Role switch
    {
        Role.Mentor when caller.UserId != mentorId => Refusals.Forbidden(),
        Role.Mentor or Role.Supervisor => mentorRegions is null ? Refusals.MentorNotFound() : null,
        Role.Caseworker => mentorRegions is not null && mentorRegions.Any(r => caller.Serves(r) || caller.Regions.Any(own => own.StartsWith(r + ".", StringComparison.Ordinal)))
            ? null
            : Refusals.MentorNotFound(),
        _ => Refusals.Forbidden(),
    };

    /// <summary>Who may set a mentor's profile (sectors, regions, capacity).</summary>
    public static bool MayManageMentors(Role role) => role is Role.Admin or Role.Supervisor;

    /// <summary>
    /// Who may read a region's programme figures (redundancy map counts, financing totals; aggregates, no personal data):
    /// the ministry and admins anywhere, supervisors and caseworkers for the regions they serve.
    /// </summary>
    public static bool MayReadProgrammeFigures(Caller caller, string regionCode) => caller.Role switch
    {
        Role.MinistryAnalyst or Role.Admin => true,
        Role.Supervisor or Role.Caseworker => caller.Serves(regionCode),
        _ => false,
    };

    /// <summary>Who may list cases (filtered to their scope).</summary>
    public static bool MayListCases(Role role) => role is Role.Caseworker or Role.Supervisor or Role.Mentor;
}
