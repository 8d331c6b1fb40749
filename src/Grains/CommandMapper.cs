using System.Security.Cryptography;
using System.Text.Json;
using CaseGrains.Domain;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Services;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Storage;

namespace CaseGrains.Grains;

/// <summary>Maps wire contracts to domain commands; a missing required value is refused by name.</summary>
internal static class CommandMapper
{
    public const int MaxCommandIdLength = 100;

    /// <summary>The domain command for <paramref name="request"/>; <paramref name="actorId"/> is recorded where the command names its asker.</summary>
    public static Result<CaseCommand> ToDomain(CaseCommandRequest request, string actorId) => request switch
    {
        OpenCaseRequest o => new OpenCase(o.CaseNumber, o.NikHash, o.NikMasked, o.Gender, o.FullName,
            o.RegionCode, o.Segment, o.Nib, o.ConsentGiven),
        RecordConsentRequest c => new RecordConsent(c.Method!, c.FormVersion, c.GivenOn, c.Witness, c.Purposes),
        WithdrawConsentRequest w => new WithdrawConsent(w.Purposes ?? [], w.Method!, w.WithdrawnOn, w.Witness, w.Note),
        RecordAssessmentRequest a => Need(a.AnnualTurnoverIdr, "annualTurnoverIdr", out var turnover)
            ?? Need(a.BusinessCapitalIdr, "businessCapitalIdr", out var capital)
            ?? Need(a.Workers, "workers", out var workers)
            ?? (Result<CaseCommand>)new RecordAssessment(a.Sector!, turnover, capital, workers, a.Needs ?? []),
        CorrectAssessmentRequest a => Need(a.AnnualTurnoverIdr, "annualTurnoverIdr", out var turnover)
            ?? Need(a.BusinessCapitalIdr, "businessCapitalIdr", out var capital)
            ?? Need(a.Workers, "workers", out var workers)
            ?? (Result<CaseCommand>)new CorrectAssessment(a.Sector!, turnover, capital, workers, a.Needs ?? [], a.Reason!),
        CorrectMentoringSessionRequest m => Need(m.SessionSeq, "sessionSeq", out var seq) ?? Need(m.Date, "date", out var date)
            ?? (Result<CaseCommand>)new CorrectMentoringSession(seq, date, m.Topic!, m.Notes, m.NextStep, m.Reason!),
        CorrectAttendanceRequest t => Need(t.AttendancePercent, "attendancePercent", out var attendance)
            ?? (Result<CaseCommand>)new CorrectAttendance(t.OfferId!, attendance, t.Reason!),
        StageCommandRequest s => Need(s.Stage, "stage", out var stage) ?? Need(s.Action, "action", out var action)
            ?? (Result<CaseCommand>)(action switch
            {
                StageAction.Start => new StartStage(stage),
                StageAction.Complete => new CompleteStage(stage),
                _ => new SkipStage(stage, s.Reason!),
            }),
        CloseCaseRequest c => Need(c.Reason, "reason", out var reason) ?? (Result<CaseCommand>)new CloseCase(reason, c.Note),
        ReopenCaseRequest r => new ReopenCase(r.Reason!),
        RequestClosureRequest c => Need(c.Reason, "reason", out var reason) ?? (Result<CaseCommand>)new RequestClosure(reason, c.Note, actorId),
        RequestReopeningRequest r => new RequestReopening(r.Reason!, actorId),
        DecideApprovalRequest d => Need(d.Kind, "kind", out var kind) ?? Need(d.Approve, "approve", out var approve)
            ?? (Result<CaseCommand>)new DecideRequest(kind, approve, d.Reason),
        AddNoteRequest n => new AddNote(n.Text!),
        AssignMentorRequest m => new AssignMentor(m.MentorId!),
        LogMentoringSessionRequest m => Need(m.Date, "date", out var date)
            ?? (Result<CaseCommand>)new LogMentoringSession(date, m.Topic!, m.Notes, m.NextStep),
        RecordOutcomesRequest o => Need(o.AnnualTurnoverAfterIdr, "annualTurnoverAfterIdr", out var after)
            ?? Need(o.BusinessCapitalAfterIdr, "businessCapitalAfterIdr", out var capitalAfter)
            ?? Need(o.WorkersAfter, "workersAfter", out var workersAfter)
            ?? (Result<CaseCommand>)new RecordOutcomes(after, capitalAfter, workersAfter),
        WithdrawEnrolmentRequest w => new WithdrawEnrolment(w.OfferId!, w.Reason!),
        CompleteTrainingRequest t => Need(t.AttendancePercent, "attendancePercent", out var attendance)
            ?? (Result<CaseCommand>)new CompleteTraining(t.OfferId!, attendance),
        CompleteProgrammeRequest p => new CompleteProgramme(p.OfferId!, p.Note),
        RespondToReferralRequest r => Need(r.Accepted, "accepted", out var accepted)
            ?? (Result<CaseCommand>)new RespondToReferral(r.OfferId!, accepted, r.Reason),
        ReportReferralOutcomeRequest o => Need(o.Outcome, "outcome", out var outcome)
            ?? (Result<CaseCommand>)new ReportReferralOutcome(o.OfferId!, outcome, o.Reason),
        DecideFinancingRequest d => Need(d.Approved, "approved", out var approved)
            ?? (Result<CaseCommand>)new DecideFinancing(d.OfferId!, approved, d.PlafondIdr, d.Reason),
        DisburseFinancingRequest d => Need(d.AmountIdr, "amountIdr", out var amount) ?? Need(d.Date, "date", out var date)
            ?? (Result<CaseCommand>)new DisburseFinancing(d.OfferId!, amount, date),
        RecordRepaymentRequest r => Need(r.Status, "status", out var repayment) ?? (Result<CaseCommand>)new RecordRepayment(r.OfferId!, repayment),
        // Enrolment needs the offer and a place from its roster first: the case grain builds that command itself.
        _ => throw new InvalidOperationException($"No mapping for {request.GetType().Name}."),
    };

    /// <summary>What a request is, for access checks (known even when its fields are missing).</summary>
    public static CommandKind KindOf(CaseCommandRequest request) => request switch
    {
        OpenCaseRequest => CommandKind.Intake,
        AssignMentorRequest => CommandKind.AssignMentor,
        LogMentoringSessionRequest or CorrectMentoringSessionRequest => CommandKind.LogMentoringSession,
        CloseCaseRequest => CommandKind.Close,
        ReopenCaseRequest => CommandKind.Reopen,
        RequestClosureRequest or RequestReopeningRequest => CommandKind.RequestApproval,
        DecideApprovalRequest => CommandKind.DecideApproval,
        AddNoteRequest => CommandKind.AddNote,
        RespondToReferralRequest or ReportReferralOutcomeRequest or DecideFinancingRequest or DisburseFinancingRequest or RecordRepaymentRequest
            or CompleteTrainingRequest or CorrectAttendanceRequest => CommandKind.PartnerAnswer,
        _ => CommandKind.JourneyStep,
    };

    /// <summary>The offer a step on an enrolment is for (null for other commands): a partner answers for its own offers only.</summary>
    public static string? OfferOf(CaseCommandRequest request) => (request as EnrolmentStepRequest)?.OfferId?.Trim();

    /// <summary>The region an intake would open its case in (null for other commands).</summary>
    public static string? RegionOf(CaseCommandRequest request) => (request as OpenCaseRequest)?.RegionCode;

    /// <summary>Null when the command id is usable.</summary>
    public static Refusal? CheckCommandId(string? commandId) =>
        string.IsNullOrWhiteSpace(commandId) ? Refusals.Required("commandId")
        : commandId.Length > MaxCommandIdLength ? Refusals.TooLong("commandId", MaxCommandIdLength)
        : commandId.Any(char.IsControl) ? Refusals.OutOfRange("commandId", "printable characters") : null;

    /// <summary>Fingerprint of a command's content (without its id and expected version), to detect a reused id.</summary>
    public static string Fingerprint(CaseCommandRequest request)
    {
        var body = request with { CommandId = null, ExpectedVersion = null };
        var json = JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), EventJson.Options);
        return Convert.ToHexStringLower(SHA256.HashData([.. System.Text.Encoding.UTF8.GetBytes(body.GetType().Name), .. json]));
    }

    private static Refusal? Need<T>(T? value, string field, out T result) where T : struct
    {
        result = value.GetValueOrDefault();
        return value.HasValue ? null : Refusals.Required(field);
    }
}
