using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Regions;
using CaseGrains.Domain.Tests.Support;

namespace CaseGrains.Domain.Tests.Access;

/// <summary>
/// Row-level access: who serves which region, who reads which case, who may issue which command, and what a
/// caller is told when they may not. Case states are built by deciding real commands (<see cref="CaseScenario"/>).
/// </summary>
public sealed class AccessPolicyTests
{
    /// <summary>Kecamatan Batu, Kota Batu: where <see cref="CaseScenario.Open"/> opens its case.</summary>
    private const string CaseRegion = "35.79.01";

    /// <summary>The mentor the tests assign with a real <see cref="AssignMentor"/> command.</summary>
    private const string AssignedMentor = "mentor-7";

    private const string NotFound = "case.not_found";
    private const string Forbidden = "access.forbidden";

    /// <summary>The columns of <see cref="MayIssueTable"/>, in order.</summary>
    private static readonly Role[] MayIssueColumns = [Role.Caseworker, Role.Mentor, Role.Supervisor, Role.MinistryAnalyst, Role.Admin, Role.DataProtectionOfficer, Role.Partner];

    /// <summary>Who may issue what: one row per command kind, one column per role (see <see cref="MayIssueColumns"/>).</summary>
    private static readonly Dictionary<CommandKind, bool[]> MayIssueTable = new()
    {
        //                                    Caseworker Mentor Supervisor MinistryAnalyst Admin  DataProtectionOfficer  Partner
        [CommandKind.Intake] =              [true,      false, true,      false,          false, false,                 false],
        [CommandKind.JourneyStep] =         [true,      false, true,      false,          false, false,                 false],
        [CommandKind.AssignMentor] =        [true,      false, true,      false,          false, false,                 false],
        [CommandKind.LogMentoringSession] = [true,      true,  true,      false,          false, false,                 false],
        [CommandKind.Close] =               [false,     false, true,      false,          false, false,                 false],
        [CommandKind.Reopen] =              [false,     false, true,      false,          false, false,                 false],
        [CommandKind.RequestApproval] =     [true,      false, true,      false,          false, false,                 false],
        [CommandKind.DecideApproval] =      [false,     false, true,      false,          false, false,                 false],
        [CommandKind.AddNote] =             [true,      false, true,      false,          false, false,                 false],
        [CommandKind.PartnerAnswer] =       [true,      false, true,      false,          false, false,                 true],
    };

    /// <summary>Who may list cases (each filtered to their own scope).</summary>
    private static readonly Dictionary<Role, bool> MayListTable = new()
    {
        [Role.Caseworker] = true,
        [Role.Mentor] = true,
        [Role.Supervisor] = true,
        [Role.MinistryAnalyst] = false,
        [Role.Admin] = false,
        [Role.DataProtectionOfficer] = false,
        [Role.Partner] = false,
    };

    public static TheoryData<Role, CommandKind> EveryRoleAndKind
    {
        get
        {
            var data = new TheoryData<Role, CommandKind>();
            foreach (var role in Enum.GetValues<Role>())
            {
                foreach (var kind in Enum.GetValues<CommandKind>())
                {
                    data.Add(role, kind);
                }
            }

            return data;
        }
    }

    public static TheoryData<Role, CommandKind> EveryRoleAndCaseKind
    {
        get
        {
            var data = new TheoryData<Role, CommandKind>();
            foreach (var role in Enum.GetValues<Role>())
            {
                foreach (var kind in Enum.GetValues<CommandKind>().Where(k => k != CommandKind.Intake))
                {
                    data.Add(role, kind);
                }
            }

            return data;
        }
    }

    public static TheoryData<Role> EveryRole => [.. Enum.GetValues<Role>()];

    /// <summary>
    /// A caller with one role and the given regions, comma-separated ("" = none). The user id is never the
    /// assigned mentor's unless a test says so.
    /// </summary>
    private static Caller As(Role role, string regions, string userId = "user-1") =>
        new(userId, role, regions.Length == 0 ? [] : regions.Split(','));

    /// <summary>A case opened in <see cref="CaseRegion"/> with no mentor.</summary>
    private static CaseState UnassignedCase()
    {
        var state = CaseScenario.Open().State;
        Assert.Equal(CaseRegion, state.RegionCode);
        Assert.Null(state.MentorId);
        return state;
    }

    /// <summary>A case opened in <see cref="CaseRegion"/> with <see cref="AssignedMentor"/> assigned through the decider.</summary>
    private static CaseState MentoredCase(string mentorId = AssignedMentor)
    {
        var state = CaseScenario.Open().Do(new AssignMentor(mentorId)).State;
        Assert.Equal(CaseRegion, state.RegionCode);
        Assert.Equal(mentorId, state.MentorId);
        return state;
    }

    /// <summary>A case opened (by a real, accepted <see cref="OpenCase"/>) in <paramref name="regionCode"/>.</summary>
    private static CaseState CaseOpenedIn(string regionCode)
    {
        var opened = ResultAssert.Accepted<CaseOpened>(
            CaseDecider.Decide(null, CaseScenario.OpenCommand(regionCode: regionCode), CaseScenario.ContextWith()));
        var state = CaseState.Apply(null, opened, 1, CaseScenario.OpenedAt);
        Assert.Equal(regionCode, state.RegionCode);
        return state;
    }

    private static IEnumerable<string> SelfAndAncestors(string code)
    {
        for (string? c = code; c is not null; c = RegionTable.ParentCode(c))
        {
            yield return c;
        }
    }

    /// <summary>Same code, same messages, same field and details: a caller cannot tell the two refusals apart.</summary>
    private static void AssertIndistinguishable(Refusal expected, Refusal? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Code, actual.Code);
        Assert.Equal(expected.Indonesian, actual.Indonesian);
        Assert.Equal(expected.English, actual.English);
        Assert.Equal(expected.Field, actual.Field);
        Assert.Equal(expected.Details.OrderBy(d => d.Key), actual.Details.OrderBy(d => d.Key));
    }

    // ---------------------------------------------------------------- Caller.Serves

    [Theory]
    // caller's region  region asked about     served
    [InlineData("35.79", "35.79", true)]
    [InlineData("35.79", "35.79.01", true)]
    [InlineData("35.79", "35.79.01.2001", true)]
    [InlineData("35.79", "35.79.03", true)]
    [InlineData("35.79", "35.7", false)]
    [InlineData("35.79", "35.790", false)]
    [InlineData("35.79", "35.07.01", false)]
    [InlineData("35.79", "35", false)]
    [InlineData("35.79", "35.73.01", false)]
    [InlineData("35.79", "", false)]
    [InlineData("35.79.01", "35.79.01.2001", true)]
    [InlineData("35.79.01", "35.79.02", false)]
    [InlineData("35.79.01", "35.79", false)]
    [InlineData("35.79.01.2001", "35.79.01", false)]
    [InlineData("35", "35.79.01.2001", true)]
    [InlineData("35", "35.07.01", true)]
    [InlineData("35", "35.73", true)]
    [InlineData("35", "36.71", false)]
    [InlineData("35", "3579", false)]
    public void Serves_ARegionServesItselfAndEverythingUnderIt(string callerRegion, string regionCode, bool expected) =>
        Assert.Equal(expected, As(Role.Caseworker, callerRegion).Serves(regionCode));

    [Fact]
    public void Serves_TheProvince_ServesEveryRegionOfJawaTimurAndNoneElsewhere()
    {
        var jawaTimur = As(Role.Supervisor, "35");
        var all = RegionTable.Kemendagri.All.Select(r => r.Code).ToList();
        Assert.Contains("35.79.01", all);
        Assert.Contains("36.71", all);

        Assert.All(all, code => Assert.Equal(SelfAndAncestors(code).Contains("35"), jawaTimur.Serves(code)));
    }

    [Theory]
    [InlineData("35")]
    [InlineData("35.79")]
    [InlineData("35.79.01")]
    [InlineData("35.79.01.2001")]
    [InlineData("")]
    public void Serves_NoRegions_ServesNothing(string regionCode) =>
        Assert.False(As(Role.Caseworker, "").Serves(regionCode));

    [Theory]
    [InlineData("35.79.01", true)]
    [InlineData("35.79.01.2001", true)]
    [InlineData("35.73", true)]
    [InlineData("35.73.01", true)]
    [InlineData("35.79", false)]
    [InlineData("35.79.02", false)]
    [InlineData("35.07.01", false)]
    [InlineData("35", false)]
    public void Serves_SeveralRegions_ServesWhatAnyOfThemServes(string regionCode, bool expected) =>
        Assert.Equal(expected, As(Role.Caseworker, "35.79.01,35.73").Serves(regionCode));

    // ---------------------------------------------------------------- CanRead

    [Theory]
    // role              caller's regions   case region       can read
    [InlineData(Role.Caseworker, "35.79.01", "35.79.01", true)]
    [InlineData(Role.Caseworker, "35.79", "35.79.01", true)]
    [InlineData(Role.Caseworker, "35", "35.79.01", true)]
    [InlineData(Role.Caseworker, "35.73,35.79", "35.79.01", true)]
    [InlineData(Role.Caseworker, "35.79.01", "35.79.01.2001", true)]
    [InlineData(Role.Caseworker, "35.73", "35.79.01", false)]
    [InlineData(Role.Caseworker, "35.79.02", "35.79.01", false)]
    [InlineData(Role.Caseworker, "35.79.01.2001", "35.79.01", false)]
    [InlineData(Role.Caseworker, "", "35.79.01", false)]
    [InlineData(Role.Supervisor, "35.79.01", "35.79.01", true)]
    [InlineData(Role.Supervisor, "35.79", "35.79.01.2001", true)]
    [InlineData(Role.Supervisor, "35", "35.07.01", true)]
    [InlineData(Role.Supervisor, "35.07,35.73", "35.73.01", true)]
    [InlineData(Role.Supervisor, "35.79", "35.07.01", false)]
    [InlineData(Role.Supervisor, "35.79.01", "35.79.02", false)]
    [InlineData(Role.Supervisor, "36", "35.79.01", false)]
    [InlineData(Role.Supervisor, "", "35.79.01", false)]
    public void CanRead_CaseworkerOrSupervisor_ReadsExactlyTheCasesOfTheRegionsTheyServe(Role role, string regions, string caseRegion, bool expected)
    {
        var caller = As(role, regions);

        Assert.Equal(expected, AccessPolicy.CanRead(caller, caseRegion, mentorId: null));
        Assert.Equal(expected, AccessPolicy.CanRead(caller, CaseOpenedIn(caseRegion)));
    }

    [Theory]
    [InlineData(Role.Caseworker)]
    [InlineData(Role.Supervisor)]
    public void CanRead_CaseworkerOrSupervisor_DoesNotDependOnTheMentor(Role role)
    {
        var inScope = As(role, "35.79", userId: AssignedMentor);
        var outOfScope = As(role, "35.73", userId: AssignedMentor);

        Assert.True(AccessPolicy.CanRead(inScope, UnassignedCase()));
        Assert.True(AccessPolicy.CanRead(inScope, MentoredCase()));
        Assert.False(AccessPolicy.CanRead(outOfScope, CaseRegion, AssignedMentor));
        Assert.False(AccessPolicy.CanRead(outOfScope, MentoredCase()));
    }

    [Theory]
    // case's mentor   can read (caller is mentor-7)
    [InlineData("mentor-7", true)]
    [InlineData("mentor-8", false)]
    [InlineData("Mentor-7", false)]
    [InlineData(null, false)]
    public void CanRead_Mentor_ReadsOnlyTheCasesAssignedToThem(string? caseMentor, bool expected) =>
        Assert.Equal(expected, AccessPolicy.CanRead(As(Role.Mentor, "", userId: AssignedMentor), CaseRegion, caseMentor));

    [Fact]
    public void CanRead_Mentor_ReadsTheCaseOnceAssignedThroughTheDecider()
    {
        var mentor = As(Role.Mentor, "", userId: AssignedMentor);

        Assert.False(AccessPolicy.CanRead(mentor, UnassignedCase()));
        Assert.True(AccessPolicy.CanRead(mentor, MentoredCase()));
        Assert.False(AccessPolicy.CanRead(As(Role.Mentor, "", userId: "mentor-8"), MentoredCase()));
    }

    [Fact]
    public void CanRead_Mentor_LosesTheCaseWhenAnotherMentorIsAssigned()
    {
        var c = CaseScenario.Open().Do(new AssignMentor(AssignedMentor)).Do(new AssignMentor("mentor-8"));

        Assert.False(AccessPolicy.CanRead(As(Role.Mentor, "", userId: AssignedMentor), c.State));
        Assert.True(AccessPolicy.CanRead(As(Role.Mentor, "", userId: "mentor-8"), c.State));
    }

    [Fact]
    public void CanRead_Mentor_RegionsGiveNoAccess()
    {
        var mentorServingTheRegion = As(Role.Mentor, "35.79", userId: "mentor-8");

        Assert.False(AccessPolicy.CanRead(mentorServingTheRegion, UnassignedCase()));
        Assert.False(AccessPolicy.CanRead(mentorServingTheRegion, MentoredCase()));
        Assert.False(AccessPolicy.CanRead(mentorServingTheRegion, CaseRegion, null));
    }

    [Theory]
    [InlineData(Role.MinistryAnalyst)]
    [InlineData(Role.Admin)]
    [InlineData(Role.DataProtectionOfficer)]
    public void CanRead_MinistryAnalystOrAdmin_NeverReadsAnIndividualCase(Role role)
    {
        // Even with the whole province and the assigned mentor's user id.
        var caller = As(role, "35", userId: AssignedMentor);

        Assert.False(AccessPolicy.CanRead(caller, UnassignedCase()));
        Assert.False(AccessPolicy.CanRead(caller, MentoredCase()));
        Assert.False(AccessPolicy.CanRead(caller, CaseRegion, null));
        Assert.False(AccessPolicy.CanRead(caller, CaseRegion, AssignedMentor));
    }

    // ---------------------------------------------------------------- MayIssue

    [Theory]
    [MemberData(nameof(EveryRoleAndKind))]
    public void MayIssue_EveryRoleAndCommandKind_MatchesTheTable(Role role, CommandKind kind)
    {
        Assert.True(MayIssueTable.TryGetValue(kind, out var row), $"The MayIssue table has no row for {kind}: add one.");
        var column = Array.IndexOf(MayIssueColumns, role);
        Assert.True(column >= 0, $"The MayIssue table has no column for {role}: add one.");
        Assert.Equal(MayIssueColumns.Length, row.Length);

        Assert.Equal(row[column], AccessPolicy.MayIssue(role, kind));
    }

    // ---------------------------------------------------------------- CheckCommand

    [Theory]
    // role                  caller's regions  intake region     refusal (null = allowed)
    [InlineData(Role.Caseworker, "35.79", "35.79.01", null)]
    [InlineData(Role.Caseworker, "35.79.01", "35.79.01.2001", null)]
    [InlineData(Role.Caseworker, "35.73,35.79.01", "35.79.01", null)]
    [InlineData(Role.Supervisor, "35", "35.79.01", null)]
    [InlineData(Role.Supervisor, "35.79.01", "35.79.01", null)]
    [InlineData(Role.Caseworker, "35.73", "35.79.01", Forbidden)]
    [InlineData(Role.Caseworker, "35.79.01.2001", "35.79.01", Forbidden)]
    [InlineData(Role.Caseworker, "", "35.79.01", Forbidden)]
    [InlineData(Role.Supervisor, "35.79.02", "35.79.01", Forbidden)]
    [InlineData(Role.Caseworker, "35.79", null, Forbidden)]
    [InlineData(Role.Supervisor, "35", null, Forbidden)]
    [InlineData(Role.Mentor, "35.79", "35.79.01", Forbidden)]
    [InlineData(Role.MinistryAnalyst, "35", "35.79.01", Forbidden)]
    [InlineData(Role.Admin, "35", "35.79.01", Forbidden)]
    public void CheckCommand_Intake_OnlyCaseworkerOrSupervisorServingTheIntakeRegion(Role role, string regions, string? intakeRegion, string? expected)
    {
        var refusal = AccessPolicy.CheckCommand(As(role, regions), state: null, CommandKind.Intake, intakeRegion);

        if (expected is null)
        {
            Assert.Null(refusal);
        }
        else
        {
            AssertIndistinguishable(Refusals.Forbidden(), refusal);
        }
    }

    [Theory]
    [MemberData(nameof(EveryRoleAndCaseKind))]
    public void CheckCommand_OnAMissingCase_IsNotFound(Role role, CommandKind kind)
    {
        var caller = As(role, "35", userId: AssignedMentor);

        AssertIndistinguishable(Refusals.CaseNotFound(), AccessPolicy.CheckCommand(caller, state: null, kind));
    }

    [Theory]
    // role                    caller's regions  kind (including kinds the role could never issue)
    [InlineData(Role.Caseworker, "35.73", CommandKind.JourneyStep)]
    [InlineData(Role.Caseworker, "35.73", CommandKind.Close)]
    [InlineData(Role.Caseworker, "35.79.02", CommandKind.LogMentoringSession)]
    [InlineData(Role.Caseworker, "", CommandKind.AssignMentor)]
    [InlineData(Role.Caseworker, "35.73", CommandKind.Reopen)]
    [InlineData(Role.Supervisor, "35.07", CommandKind.Reopen)]
    [InlineData(Role.Supervisor, "35.79.01.2001", CommandKind.Close)]
    [InlineData(Role.Mentor, "35.79", CommandKind.LogMentoringSession)]
    [InlineData(Role.Mentor, "", CommandKind.Close)]
    [InlineData(Role.MinistryAnalyst, "35", CommandKind.JourneyStep)]
    [InlineData(Role.Admin, "35", CommandKind.Reopen)]
    public void CheckCommand_OnAnOutOfScopeCase_AnswersExactlyLikeAMissingCase(Role role, string regions, CommandKind kind)
    {
        // mentor-8 is not the case's mentor.
        var caller = As(role, regions, userId: "mentor-8");
        var state = MentoredCase();
        Assert.False(AccessPolicy.CanRead(caller, state));

        var outOfScope = AccessPolicy.CheckCommand(caller, state, kind);
        var missing = AccessPolicy.CheckCommand(caller, state: null, kind);

        AssertIndistinguishable(Refusals.CaseNotFound(), outOfScope);
        AssertIndistinguishable(missing!, outOfScope);
        Assert.Equal(NotFound, outOfScope!.Code);
    }

    [Theory]
    // role                  caller's regions  user id     kind
    [InlineData(Role.Mentor, "", "mentor-7", CommandKind.Close)]
    [InlineData(Role.Mentor, "", "mentor-7", CommandKind.Reopen)]
    [InlineData(Role.Mentor, "", "mentor-7", CommandKind.JourneyStep)]
    [InlineData(Role.Mentor, "", "mentor-7", CommandKind.AssignMentor)]
    [InlineData(Role.Mentor, "35.79", "mentor-7", CommandKind.Close)]
    [InlineData(Role.Caseworker, "35.79", "user-1", CommandKind.Reopen)]
    [InlineData(Role.Caseworker, "35.79.01", "mentor-7", CommandKind.Reopen)]
    [InlineData(Role.Caseworker, "35.79.01", "user-1", CommandKind.Close)]
    [InlineData(Role.Caseworker, "35.79", "user-1", CommandKind.DecideApproval)]
    [InlineData(Role.Mentor, "", "mentor-7", CommandKind.RequestApproval)]
    public void CheckCommand_InScopeButTheRoleMayNotIssueIt_IsForbidden(Role role, string regions, string userId, CommandKind kind)
    {
        var caller = As(role, regions, userId);
        var state = MentoredCase();
        Assert.True(AccessPolicy.CanRead(caller, state));

        AssertIndistinguishable(Refusals.Forbidden(), AccessPolicy.CheckCommand(caller, state, kind));
    }

    [Theory]
    [InlineData(Role.Mentor, "", "mentor-7", CommandKind.LogMentoringSession)]
    [InlineData(Role.Caseworker, "35.79", "user-1", CommandKind.LogMentoringSession)]
    [InlineData(Role.Caseworker, "35.79.01", "user-1", CommandKind.JourneyStep)]
    [InlineData(Role.Caseworker, "35.79.01", "user-1", CommandKind.AssignMentor)]
    [InlineData(Role.Caseworker, "35", "user-1", CommandKind.RequestApproval)]
    [InlineData(Role.Caseworker, "35.79", "user-1", CommandKind.AddNote)]
    [InlineData(Role.Supervisor, "35.79", "user-1", CommandKind.Reopen)]
    [InlineData(Role.Supervisor, "35.79.01", "user-1", CommandKind.Close)]
    public void CheckCommand_InScopeAndTheRoleMayIssueIt_IsAllowed(Role role, string regions, string userId, CommandKind kind) =>
        Assert.Null(AccessPolicy.CheckCommand(As(role, regions, userId), MentoredCase(), kind));

    [Fact]
    public void CheckCommand_MentorOnACaseWithNoMentor_IsNotFound() =>
        AssertIndistinguishable(
            Refusals.CaseNotFound(),
            AccessPolicy.CheckCommand(As(Role.Mentor, "35.79", userId: AssignedMentor), UnassignedCase(), CommandKind.LogMentoringSession));

    // ---------------------------------------------------------------- MayRevealNik, MayReadAccessLog, MayListCases

    [Theory]
    // role                    caller's regions  user id     may reveal
    [InlineData(Role.Caseworker, "35.79.01", "user-1", true)]
    [InlineData(Role.Caseworker, "35.79", "user-1", true)]
    [InlineData(Role.Supervisor, "35", "user-1", true)]
    [InlineData(Role.Caseworker, "35.73", "user-1", false)]
    [InlineData(Role.Caseworker, "", "user-1", false)]
    [InlineData(Role.Supervisor, "35.79.02", "user-1", false)]
    [InlineData(Role.Mentor, "", "mentor-7", false)]
    [InlineData(Role.Mentor, "35.79", "mentor-7", false)]
    [InlineData(Role.MinistryAnalyst, "35", "mentor-7", false)]
    [InlineData(Role.Admin, "35", "mentor-7", false)]
    public void MayRevealNik_OnlyCaseworkerOrSupervisorInScope_NeverTheMentor(Role role, string regions, string userId, bool expected) =>
        Assert.Equal(expected, AccessPolicy.MayRevealNik(As(role, regions, userId), MentoredCase()));

    [Fact]
    public void MayRevealNik_AssignedMentor_CanReadTheCaseButNotRevealTheNik()
    {
        var mentor = As(Role.Mentor, "", userId: AssignedMentor);
        var state = MentoredCase();

        Assert.True(AccessPolicy.CanRead(mentor, state));
        Assert.False(AccessPolicy.MayRevealNik(mentor, state));
    }

    [Theory]
    // role                    caller's regions  user id     may read the access log
    [InlineData(Role.Supervisor, "35.79.01", "user-1", true)]
    [InlineData(Role.Supervisor, "35.79", "user-1", true)]
    [InlineData(Role.Supervisor, "35", "user-1", true)]
    [InlineData(Role.Supervisor, "35.73", "user-1", false)]
    [InlineData(Role.Supervisor, "", "user-1", false)]
    [InlineData(Role.Caseworker, "35.79", "user-1", false)]
    [InlineData(Role.Mentor, "", "mentor-7", false)]
    [InlineData(Role.MinistryAnalyst, "35", "user-1", false)]
    [InlineData(Role.Admin, "35", "user-1", false)]
    public void MayReadAccessLog_OnlySupervisorInScope(Role role, string regions, string userId, bool expected) =>
        Assert.Equal(expected, AccessPolicy.MayReadAccessLog(As(role, regions, userId), MentoredCase()));

    [Theory]
    // role                   caller's regions  caller       mentor      mentor's profile regions ("-": no such mentor)  refusal
    [InlineData(Role.Caseworker, "35.79",       "user-1",    "mentor-7", "35.79.01",       null)]                 // a kecamatan of theirs
    [InlineData(Role.Caseworker, "35.79",       "user-1",    "mentor-7", "35.79",          null)]
    [InlineData(Role.Caseworker, "35.79",       "user-1",    "mentor-7", "35",             null)]                 // province-wide
    [InlineData(Role.Caseworker, "35.79.01",    "user-1",    "mentor-7", "35.79",          null)]                 // the kab/kota around theirs
    [InlineData(Role.Caseworker, "35.79",       "user-1",    "mentor-7", "35.07,35.79.02", null)]                 // one of several
    [InlineData(Role.Caseworker, "35.07,35.79", "user-1",    "mentor-7", "35.79.03",       null)]
    [InlineData(Role.Caseworker, "35.79",       "user-1",    "mentor-7", "35.07",          "user.not_found")]     // another kab/kota
    [InlineData(Role.Caseworker, "35.79.01",    "user-1",    "mentor-7", "35.79.02",       "user.not_found")]     // a sibling kecamatan
    [InlineData(Role.Caseworker, "35.79",       "user-1",    "mentor-7", "",               "user.not_found")]     // no profile yet
    [InlineData(Role.Caseworker, "35.79",       "user-1",    "mentor-7", "-",              "user.not_found")]     // answered alike
    [InlineData(Role.Supervisor, "35.79",       "user-1",    "mentor-7", "35.07",          null)]
    [InlineData(Role.Supervisor, "35.79",       "user-1",    "mentor-7", "-",              "user.not_found")]
    [InlineData(Role.Mentor,     "",            "mentor-7",  "mentor-7", "",               null)]                 // their own
    [InlineData(Role.Mentor,     "",            "mentor-8",  "mentor-7", "35.79",          "access.forbidden")]   // whether it exists or not
    [InlineData(Role.Mentor,     "",            "mentor-8",  "mentor-7", "-",              "access.forbidden")]
    [InlineData(Role.MinistryAnalyst, "35",     "user-1",    "mentor-7", "35.79",          "access.forbidden")]
    [InlineData(Role.Admin,      "",            "user-1",    "mentor-7", "35.79",          "access.forbidden")]
    public void CheckCaseloadRead_ACaseworkerReadsOnlyMentorsServingTheirRegions_AndOthersAreAnsweredAsMissing(
        Role role, string regions, string userId, string mentorId, string mentorRegions, string? refusal)
    {
        IReadOnlyList<string>? profile = mentorRegions == "-" ? null : mentorRegions.Split(',', StringSplitOptions.RemoveEmptyEntries);

        var result = AccessPolicy.CheckCaseloadRead(As(role, regions, userId), mentorId, profile);

        Assert.Equal(refusal, result?.Code);
        if (refusal == "user.not_found")
        {
            // Out of the caseworker's regions reads exactly like a mentor that does not exist.
            var missing = AccessPolicy.CheckCaseloadRead(As(role, regions, userId), "no-such-mentor", null)!;
            Assert.Equal((missing.Code, missing.Indonesian, missing.English, missing.Field), (result!.Code, result.Indonesian, result.English, result.Field));
        }
    }

    [Theory]
    [MemberData(nameof(EveryRole))]
    public void MayListCases_CaseworkerSupervisorAndMentorOnly(Role role)
    {
        Assert.True(MayListTable.TryGetValue(role, out var expected), $"The MayListCases table has no entry for {role}: add one.");

        Assert.Equal(expected, AccessPolicy.MayListCases(role));
    }

    [Theory]
    [MemberData(nameof(EveryRole))]
    public void MaySearchAccessLogs_TheDataProtectionOfficerOnly(Role role) =>
        Assert.Equal(role == Role.DataProtectionOfficer, AccessPolicy.MaySearchAccessLogs(As(role, "35")));

    [Theory]
    [InlineData(Role.Caseworker, "35.79", true)]
    [InlineData(Role.Supervisor, "35.79", true)]
    [InlineData(Role.Caseworker, "35.07", false)]
    [InlineData(Role.Mentor, "", false)]
    [InlineData(Role.MinistryAnalyst, "35", false)]
    [InlineData(Role.Admin, "35", false)]
    [InlineData(Role.DataProtectionOfficer, "35", false)]
    public void MayExportSubjectAccess_TheRegionsCaseworkersAndSupervisorsOnly(Role role, string regions, bool expected) =>
        Assert.Equal(expected, AccessPolicy.MayExportSubjectAccess(As(role, regions, userId: AssignedMentor), MentoredCase()));

    [Theory]
    // role                          caller's regions  user id         refusal (null: may erase)
    [InlineData(Role.Supervisor,            "35.79.01", "user-1",      null)]
    [InlineData(Role.Supervisor,            "35.79",    "user-1",      null)]
    [InlineData(Role.Supervisor,            "35",       "user-1",      null)]
    [InlineData(Role.Supervisor,            "35.73",    "user-1",      "case.not_found")]   // out of scope: as if missing
    [InlineData(Role.Supervisor,            "",         "user-1",      "case.not_found")]
    [InlineData(Role.DataProtectionOfficer, "",         "user-1",      null)]               // any case, reading none
    [InlineData(Role.DataProtectionOfficer, "35.73",    "user-1",      null)]
    [InlineData(Role.Caseworker,            "35.79",    "user-1",      "access.forbidden")]
    [InlineData(Role.Caseworker,            "35.73",    "user-1",      "case.not_found")]
    [InlineData(Role.Mentor,                "",         AssignedMentor, "access.forbidden")]
    [InlineData(Role.Mentor,                "",         "mentor-8",    "case.not_found")]
    [InlineData(Role.MinistryAnalyst,       "35",       "user-1",      "case.not_found")]
    [InlineData(Role.Admin,                 "35",       "user-1",      "case.not_found")]
    public void CheckErasure_ASupervisorInScopeOrTheDataProtectionOfficer(Role role, string regions, string userId, string? refusal)
    {
        var result = AccessPolicy.CheckErasure(As(role, regions, userId), MentoredCase());

        Assert.Equal(refusal, result?.Code);
        if (refusal == "case.not_found")
        {
            AssertIndistinguishable(Refusals.CaseNotFound(), result);
        }
    }
}
