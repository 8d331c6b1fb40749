using System.Collections.Immutable;

namespace CaseGrains.Domain.Privacy;

/// <summary>
/// What a beneficiary consents to, each on its own (UU 27/2022 PDP, Pasal 20–22: consent is given for a stated
/// purpose). Programme statistics are not here: the dashboards hold counts only, no personal data, under the public
/// task basis (docs/privacy.md), so they neither need nor end with a consent.
/// </summary>
public enum ConsentPurpose
{
    /// <summary>Carrying the beneficiary through the journey (intake to graduation) by the region's caseworkers and supervisors.</summary>
    CaseManagement,

    /// <summary>Being mentored: an assigned mentor reads the case, receives it live and logs sessions.</summary>
    Mentoring,

    /// <summary>Sharing with business partners, training providers outside government and lenders: referrals and financing applications.</summary>
    PartnerSharing,
}

/// <summary>The purposes as sets: every purpose, and what a purpose needs and carries with it.</summary>
public static class ConsentPurposes
{
    /// <summary>Every purpose: what the intake's consent and a consent recorded without purposes (older forms) cover.</summary>
    public static ImmutableSortedSet<ConsentPurpose> All { get; } = [.. Enum.GetValues<ConsentPurpose>()];

    /// <summary>
    /// What withdrawing <paramref name="purposes"/> ends: withdrawing case management ends every purpose, since mentoring
    /// and sharing are parts of the journey.
    /// </summary>
    public static ImmutableSortedSet<ConsentPurpose> Ending(IEnumerable<ConsentPurpose> purposes)
    {
        var set = purposes.ToImmutableSortedSet();
        return set.Contains(ConsentPurpose.CaseManagement) ? All : set;
    }
}
