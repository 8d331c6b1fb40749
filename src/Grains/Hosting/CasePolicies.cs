using CaseGrains.Domain.Journey;
using Microsoft.Extensions.Options;

namespace CaseGrains.Grains.Hosting;

/// <summary>
/// The journey, SLA and session policies built once from the settings and shared by every case grain (a per-activation copy
/// would cost every active case hundreds of bytes).
/// </summary>
public sealed class CasePolicies(IOptions<CaseGrainsOptions> options)
{
    public JourneyPolicy Journey { get; } = new()
    {
        MentoringSessionsRequired = options.Value.Journey.MentoringSessionsRequired,
        DefaultAttendanceThresholdPercent = options.Value.Journey.DefaultAttendanceThresholdPercent,
        ReferralResponseTime = options.Value.Journey.ReferralResponseTime,
    };

    public SlaPolicy Sla { get; } = options.Value.Sla.ToPolicy();

    /// <summary>When a mentoring session is due (<c>CaseGrains:Journey:SessionDueAfter</c>).</summary>
    public SessionCadence Sessions { get; } = new(options.Value.Journey.SessionDueAfter);
}
