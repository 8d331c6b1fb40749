using CaseGrains.Domain.Journey;

namespace CaseGrains.Domain.Privacy;

/// <summary>The decision to erase a person's data in a case (UU 27/2022 PDP: deletion, "penghapusan").</summary>
public static class Erasure
{
    /// <summary>
    /// The event that records an erasure, or why not: the case must have ended (closed or graduated) and the reason and
    /// legal basis must be stated. An already erased case is the caller's to answer (the same result again).
    /// </summary>
    public static Result<SubjectErased> Decide(CaseState state, string? reason, string? legalBasis)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Status == CaseStatus.Open)
        {
            return Refusals.ErasureCaseOpen();
        }

        return CaseDecider.Text(reason, "reason", CaseDecider.MaxShortText, required: true)
            ?? CaseDecider.Text(legalBasis, "legalBasis", CaseDecider.MaxShortText, required: true)
            ?? (Result<SubjectErased>)new SubjectErased(reason!.Trim(), legalBasis!.Trim());
    }
}
