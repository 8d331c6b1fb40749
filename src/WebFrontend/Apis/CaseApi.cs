using CaseGrains.Domain.Journey;
using CaseGrains.Grains.Abstractions;
using CaseGrains.WebFrontend.Auth;
using CaseGrains.WebFrontend.Problems;

namespace CaseGrains.WebFrontend.Apis;

/// <summary>The case journey over HTTP: bind → identify → call a grain → map the outcome. No rules here.</summary>
public static class CaseApi
{
    public const int MaxTimelinePage = 1000;

    public static RouteGroupBuilder MapCaseApi(this IEndpointRouteBuilder app)
    {
        var cases = app.MapGroup("/api/cases").WithTags("Cases").RequireAuthorization(Policies.CaseWork);

        cases.MapPost("/", Intake).RequireAuthorization(Policies.Intake)
            .WithName("Intake").WithSummary("Register a beneficiary and open their case (intake).")
            .Produces<CommandOutcome>(StatusCodes.Status201Created);
        cases.MapGet("/", Search).WithName("SearchCases").WithSummary("List and search the cases in the caller's scope (paged).");
        cases.MapGet("/{caseNumber}", Get).WithName("GetCase");
        cases.MapGet("/{caseNumber}/timeline", Timeline).WithName("GetTimeline").WithSummary("Timeline events after seq N.");
        cases.MapGet("/{caseNumber}/verify", Verify).WithName("VerifyChain").WithSummary("Recompute the timeline's hash chain.");
        cases.MapPost("/{caseNumber}/nik/reveal", RevealNik).WithName("RevealNik")
            .WithSummary("The clear NIK, for a stated purpose (caseworkers and supervisors of the region; audited).");
        cases.MapPost("/{caseNumber}/subject-access", SubjectAccess).WithName("ExportSubjectAccess")
            .WithSummary("Everything held about the beneficiary, for their right of access (UU 27/2022): profile, NIK, consents, timeline, access log (caseworkers and supervisors of the region; audited).");
        cases.MapGet("/{caseNumber}/access-log", AccessLog).WithName("GetAccessLog")
            .WithSummary("Who read or changed the case, when and why (supervisors of the region).");
        // Outside the case-work group: the data protection officer erases too, without reading any case.
        app.MapPost("/api/cases/{caseNumber}/erasure", Erase).WithTags("Cases").RequireAuthorization(Policies.Erasure).WithName("EraseSubject")
            .WithSummary("Erase the beneficiary's personal data in a closed case (crypto-shredding: the case's key is destroyed; the timeline stays and verifies), with the reason and legal basis (supervisors of the region, the data protection officer; audited; idempotent).");

        var commands = cases.MapGroup("/{caseNumber}").WithTags("Journey commands");
        commands.MapPost("/consent", (HttpContext http, string caseNumber, RecordConsentRequest body) => Send(http, caseNumber, body)).WithName("RecordConsent");
        commands.MapPost("/consent/withdrawal", (HttpContext http, string caseNumber, WithdrawConsentRequest body) => Send(http, caseNumber, body))
            .WithName("WithdrawConsent").WithSummary("The beneficiary withdraws consent for some purposes; they stop at once.");
        commands.MapPost("/assessment", (HttpContext http, string caseNumber, RecordAssessmentRequest body) => Send(http, caseNumber, body)).WithName("RecordAssessment");
        commands.MapPost("/assessment/correct", (HttpContext http, string caseNumber, CorrectAssessmentRequest body) => Send(http, caseNumber, body))
            .WithName("CorrectAssessment").WithSummary("Correct the assessment on record, with the reason (the original stays in the timeline).");
        commands.MapPost("/stages/{stage}/start", (HttpContext http, string caseNumber, string stage, StageCommandRequest body) =>
            StageCommand(http, caseNumber, stage, StageAction.Start, body)).WithName("StartStage");
        commands.MapPost("/stages/{stage}/complete", (HttpContext http, string caseNumber, string stage, StageCommandRequest body) =>
            StageCommand(http, caseNumber, stage, StageAction.Complete, body)).WithName("CompleteStage");
        commands.MapPost("/stages/{stage}/skip", (HttpContext http, string caseNumber, string stage, StageCommandRequest body) =>
            StageCommand(http, caseNumber, stage, StageAction.Skip, body)).WithName("SkipStage");
        commands.MapPost("/close", (HttpContext http, string caseNumber, CloseCaseRequest body) => Send(http, caseNumber, body)).WithName("CloseCase");
        commands.MapPost("/reopen", (HttpContext http, string caseNumber, ReopenCaseRequest body) => Send(http, caseNumber, body)).WithName("ReopenCase");
        commands.MapPost("/closure-request", (HttpContext http, string caseNumber, RequestClosureRequest body) => Send(http, caseNumber, body))
            .WithName("RequestClosure").WithSummary("Ask the region's supervisors to close the case.");
        commands.MapPost("/reopening-request", (HttpContext http, string caseNumber, RequestReopeningRequest body) => Send(http, caseNumber, body))
            .WithName("RequestReopening").WithSummary("Ask the region's supervisors to reopen the closed case.");
        foreach (var kind in Enum.GetValues<ApprovalRequestKind>())
        {
            var path = kind == ApprovalRequestKind.Closure ? "/closure-request" : "/reopening-request";
            commands.MapPost(path + "/approve", (HttpContext http, string caseNumber, DecideApprovalRequest body) =>
                Send(http, caseNumber, body with { Kind = kind, Approve = true })).WithName($"Approve{kind}");
            commands.MapPost(path + "/decline", (HttpContext http, string caseNumber, DecideApprovalRequest body) =>
                Send(http, caseNumber, body with { Kind = kind, Approve = false })).WithName($"Decline{kind}");
        }

        commands.MapPost("/notes", (HttpContext http, string caseNumber, AddNoteRequest body) => Send(http, caseNumber, body)).WithName("AddNote");
        commands.MapPost("/mentor", (HttpContext http, string caseNumber, AssignMentorRequest body) => Send(http, caseNumber, body)).WithName("AssignMentor");
        commands.MapPost("/mentoring-sessions", (HttpContext http, string caseNumber, LogMentoringSessionRequest body) => Send(http, caseNumber, body)).WithName("LogMentoringSession");
        commands.MapPost("/mentoring-sessions/{seq}/correct", (HttpContext http, string caseNumber, string seq, CorrectMentoringSessionRequest body) =>
            int.TryParse(seq, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0
                ? Send(http, caseNumber, body with { SessionSeq = n })
                : Task.FromResult(ProblemResults.From(http, RefusalInfo.From(Domain.Refusals.OutOfRange("seq", "1..2147483647")))))
            .WithName("CorrectMentoringSession")
            .WithSummary("Correct the details of the session logged at timeline position seq, with the reason.");
        commands.MapPost("/outcomes", (HttpContext http, string caseNumber, RecordOutcomesRequest body) => Send(http, caseNumber, body)).WithName("RecordOutcomes");

        // Enrolment in catalog offers: the place or waiting list, overlap warnings, referrals, the financing pipeline.
        var enrolments = commands.MapGroup("/enrolments").WithTags("Enrolments");
        enrolments.MapPost("/", (HttpContext http, string caseNumber, EnrolRequest body) => Send(http, caseNumber, body)).WithName("Enrol")
            .WithSummary("Enrol in an offer: a course/programme place or its waiting list, a referral to a partner, or a financing application.");
        enrolments.MapPost("/{offerId}/withdraw", (HttpContext http, string caseNumber, string offerId, WithdrawEnrolmentRequest body) =>
            Send(http, caseNumber, body with { OfferId = offerId })).WithName("WithdrawEnrolment");
        enrolments.MapPost("/{offerId}/complete", (HttpContext http, string caseNumber, string offerId, CompleteProgrammeRequest body) =>
            Send(http, caseNumber, body with { OfferId = offerId })).WithName("CompleteProgramme");
        MapPartnerAnswers(enrolments.MapGroup("/{offerId}"), "");
        cases.MapGet("/{caseNumber}/candidates", Candidates).WithName("MatchCandidates")
            .WithSummary("Ranked candidates for the case (kind = Mentor (default), Course, Partner, Financing), each score broken into reasons.");
        return cases;
    }

    /// <summary>Header naming why personal data is read (recorded in the access log); "case-work" when absent.</summary>
    public const string PurposeHeader = "X-Purpose";

    private static string Purpose(HttpContext http) => http.Request.Headers[PurposeHeader].ToString();

    private static async Task<IResult> Intake(HttpContext http, IntakeRequest body, IGrainFactory grains, CurrentActor actor)
    {
        var outcome = await grains.GetGrain<IIntakeGrain>(0).Open(body, actor.For(http));
        if (!outcome.Accepted)
        {
            return ProblemResults.From(http, outcome.Refusal!, outcome.Replayed);
        }

        MarkReplay(http, outcome);
        return Results.Created($"/api/cases/{outcome.CaseNumber}", outcome);
    }

    private static async Task<IResult> Search(
        HttpContext http, IGrainFactory grains, CurrentActor actor, string? region, string? stage, string? segment, string? status,
        string? q, int? page, int? pageSize, string? mentor, bool? overdue, string? pending)
    {
        if (ListQuery(http, region, stage, segment, status, q, page ?? 1, pageSize ?? 50, mentor, overdue, pending, out var query) is { } bad)
        {
            return bad;
        }

        return await grains.GetGrain<ICaseSearchGrain>(0).Search(query, actor.For(http)) is { } result
            ? Results.Ok(result)
            : ProblemResults.From(http, RefusalInfo.From(Domain.Refusals.Forbidden()));
    }

    /// <summary>The case list's filters from the query string (the list and the export read the same ones); a problem for an unknown value.</summary>
    internal static IResult? ListQuery(HttpContext http, string? region, string? stage, string? segment, string? status, string? q, int page, int pageSize,
        string? mentor, bool? overdue, string? pending, out CaseQuery query)
    {
        query = null!;
        if (!StrictEnum.TryParseOptional<Stage>(stage, out var stageValue) || !StrictEnum.TryParseOptional<Segment>(segment, out var segmentValue)
            || !StrictEnum.TryParseOptional<CaseStatus>(status, out var statusValue) || !StrictEnum.TryParseOptional<ApprovalRequestKind>(pending, out var pendingValue))
        {
            return ProblemResults.Bad(http, "request.unknown_value", "Nilai filter tidak dikenal (stage, segment, status atau pending).",
                "Unknown filter value (stage, segment, status or pending).");
        }

        query = new CaseQuery(region?.Trim(), stageValue, segmentValue, statusValue, q, page, pageSize, mentor, overdue, pendingValue);
        return null;
    }

    private static async Task<IResult> Get(HttpContext http, string caseNumber, IGrainFactory grains, CurrentActor actor)
    {
        if (!CaseNumbers.IsWellFormed(caseNumber)
            || await grains.GetGrain<ICaseGrain>(caseNumber).GetView(actor.For(http), Purpose(http)) is not { } view)
        {
            return ProblemResults.NotFound(http);
        }

        http.Response.Headers.ETag = $"\"{view.Version}\"";
        return Results.Ok(view);
    }

    internal static async Task<IResult> Timeline(HttpContext http, string caseNumber, IGrainFactory grains, CurrentActor actor, long? after, int? limit)
    {
        if (after is < 0 || limit is < 1 or > MaxTimelinePage)
        {
            return ProblemResults.Bad(http, "input.out_of_range",
                $"'after' harus ≥ 0 dan 'limit' 1..{MaxTimelinePage}.", $"'after' must be ≥ 0 and 'limit' 1..{MaxTimelinePage}.");
        }

        var from = after ?? 0;
        if (!CaseNumbers.IsWellFormed(caseNumber)
            || await grains.GetGrain<ICaseGrain>(caseNumber).GetTimeline(actor.For(http), from, limit ?? 100, Purpose(http)) is not { } page)
        {
            return ProblemResults.NotFound(http);
        }

        // Paged, never cut silently: while events remain, the next page's address is in Link (rel="next").
        http.Response.Headers["X-Case-Version"] = page.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (page.More(from))
        {
            http.Response.Headers.Link = $"<{http.Request.PathBase}{http.Request.Path}?after={page.LastSeq(from)}&limit={limit ?? 100}>; rel=\"next\"";
        }

        return Results.Ok(page.Events.Select(TimelineEvent.From));
    }

    private static async Task<IResult> Candidates(HttpContext http, string caseNumber, IGrainFactory grains, CurrentActor actor, string? kind, long? amountIdr, int? limit)
    {
        if (!StrictEnum.TryParse<Domain.Services.CandidateKind>(kind ?? nameof(Domain.Services.CandidateKind.Mentor), out var parsed) || limit is < 1 or > 100)
        {
            return ProblemResults.Bad(http, "request.unknown_value", "Parameter 'kind' (Mentor, Course, Partner, Financing) atau 'limit' (1..100) tidak valid.",
                "'kind' (Mentor, Course, Partner, Financing) or 'limit' (1..100) is not valid.", "kind");
        }

        if (!CaseNumbers.IsWellFormed(caseNumber))
        {
            return ProblemResults.NotFound(http);
        }

        var result = await grains.GetGrain<ICaseGrain>(caseNumber).Match(actor.For(http), parsed, amountIdr, limit ?? 20);
        return result.Refusal is { } refusal ? ProblemResults.From(http, refusal) : Results.Ok(result.Candidates);
    }

    private static async Task<IResult> Verify(HttpContext http, string caseNumber, IGrainFactory grains, CurrentActor actor)
    {
        if (!CaseNumbers.IsWellFormed(caseNumber) || await grains.GetGrain<ICaseGrain>(caseNumber).VerifyChain(actor.For(http)) is not { } result)
        {
            return ProblemResults.NotFound(http);
        }

        return Results.Ok(result);
    }

    private static async Task<IResult> Erase(HttpContext http, string caseNumber, ErasureRequest body, IGrainFactory grains, CurrentActor actor)
    {
        if (!CaseNumbers.IsWellFormed(caseNumber))
        {
            return ProblemResults.NotFound(http);
        }

        var outcome = await grains.GetGrain<ICaseGrain>(caseNumber).Erase(actor.For(http), body.Reason, body.LegalBasis);
        return outcome.Refusal is { } refusal ? ProblemResults.From(http, refusal, outcome.Replayed)
            : Results.Ok(new { outcome.CaseNumber, outcome.ErasedAt, outcome.Seq, outcome.Replayed });
    }

    private static async Task<IResult> RevealNik(HttpContext http, string caseNumber, RevealNikRequest body, IGrainFactory grains, CurrentActor actor)
    {
        if (!CaseNumbers.IsWellFormed(caseNumber))
        {
            return ProblemResults.NotFound(http);
        }

        var reveal = await grains.GetGrain<ICaseGrain>(caseNumber).RevealNik(actor.For(http), body.Purpose ?? "");
        http.Response.Headers.CacheControl = "no-store";
        return reveal.Refusal is { } refusal ? ProblemResults.From(http, refusal) : Results.Ok(new { nik = reveal.Nik });
    }

    private static async Task<IResult> SubjectAccess(HttpContext http, string caseNumber, RevealNikRequest body, IGrainFactory grains, CurrentActor actor)
    {
        if (!CaseNumbers.IsWellFormed(caseNumber))
        {
            return ProblemResults.NotFound(http);
        }

        var answer = await grains.GetGrain<ICaseGrain>(caseNumber).ExportSubjectAccess(actor.For(http), body.Purpose ?? "");
        http.Response.Headers.CacheControl = "no-store";
        if (answer.Refusal is { } refusal)
        {
            return ProblemResults.From(http, refusal);
        }

        var e = answer.Export!;
        return Results.Ok(new
        {
            e.CaseNumber, e.ExportedAt, e.ExportedBy, e.Purpose, e.Profile, e.Nik, e.Consents,
            Timeline = e.Timeline.Select(TimelineEvent.From), e.AccessLog,
        });
    }

    private static async Task<IResult> AccessLog(HttpContext http, string caseNumber, IGrainFactory grains, CurrentActor actor, int? limit)
    {
        if (!CaseNumbers.IsWellFormed(caseNumber))
        {
            return ProblemResults.NotFound(http);
        }

        var log = await grains.GetGrain<ICaseGrain>(caseNumber).GetAccessLog(actor.For(http), limit ?? 200);
        return log.Refusal is { } refusal ? ProblemResults.From(http, refusal) : Results.Ok(log.Entries);
    }

    private static Task<IResult> StageCommand(HttpContext http, string caseNumber, string stage, StageAction action, StageCommandRequest body)
    {
        if (!StrictEnum.TryParse<Stage>(stage, out var parsed))
        {
            return Task.FromResult(ProblemResults.Bad(http, "request.unknown_stage",
                $"Tahap '{stage}' tidak dikenal.", $"Unknown stage '{stage}'.", "stage"));
        }

        return Send(http, caseNumber, body with { Stage = parsed, Action = action });
    }

    /// <summary>
    /// The steps on an enrolment that the partner behind its offer answers, under <paramref name="enrolment"/> (a group whose
    /// route holds <c>{caseNumber}</c> and <c>{offerId}</c>): staff record them under <c>/api/cases</c>, partners' users under
    /// <c>/api/partner/cases</c> (endpoint names prefixed with <paramref name="namePrefix"/>). The same commands either way.
    /// </summary>
    internal static void MapPartnerAnswers(RouteGroupBuilder enrolment, string namePrefix)
    {
        Step<CompleteTrainingRequest>(enrolment, "/attendance", namePrefix + "CompleteTraining").WithSummary("A course ended: attendance, judged by the course's threshold.");
        Step<CorrectAttendanceRequest>(enrolment, "/attendance/correct", namePrefix + "CorrectAttendance")
            .WithSummary("Correct a course's recorded final attendance, with the reason (judged again against the same threshold).");
        Step<RespondToReferralRequest>(enrolment, "/referral-response", namePrefix + "RespondToReferral").WithSummary("Accept or decline a referral (a reason when declining).");
        Step<ReportReferralOutcomeRequest>(enrolment, "/referral-outcome", namePrefix + "ReportReferralOutcome");
        Step<DecideFinancingRequest>(enrolment, "/financing-decision", namePrefix + "DecideFinancing");
        Step<DisburseFinancingRequest>(enrolment, "/disbursement", namePrefix + "DisburseFinancing");
        Step<RecordRepaymentRequest>(enrolment, "/repayment", namePrefix + "RecordRepayment");
    }

    /// <summary>One step on an enrolment: its body, with the offer id from the route.</summary>
    private static RouteHandlerBuilder Step<T>(RouteGroupBuilder enrolment, string path, string name) where T : EnrolmentStepRequest =>
        enrolment.MapPost(path, (HttpContext http, string caseNumber, string offerId, T body) =>
            Send(http, caseNumber, ((EnrolmentStepRequest)body) with { OfferId = offerId })).WithName(name);

    private static async Task<IResult> Send(HttpContext http, string caseNumber, CaseCommandRequest body)
    {
        if (!CaseNumbers.IsWellFormed(caseNumber))
        {
            return ProblemResults.NotFound(http);
        }

        var services = http.RequestServices;
        var outcome = await services.GetRequiredService<IGrainFactory>().GetGrain<ICaseGrain>(caseNumber)
            .Execute(body, services.GetRequiredService<CurrentActor>().For(http));
        if (!outcome.Accepted)
        {
            return ProblemResults.From(http, outcome.Refusal!, outcome.Replayed);
        }

        MarkReplay(http, outcome);
        return Results.Ok(outcome);
    }

    private static void MarkReplay(HttpContext http, CommandOutcome outcome)
    {
        if (outcome.Replayed)
        {
            http.Response.Headers["Idempotent-Replayed"] = "true";
        }
    }
}

/// <summary>Why the person's data is erased, and on what legal basis (both kept in the timeline; no personal data in them).</summary>
public sealed record ErasureRequest(string? Reason, string? LegalBasis);

/// <summary>Why the clear NIK is needed; recorded in the case's access log.</summary>
public sealed record RevealNikRequest(string? Purpose);

/// <summary>A timeline event over HTTP: the stored payload as a JSON object, with its chain hashes.</summary>
public sealed record TimelineEvent(
    string CaseNumber,
    long Seq,
    string Type,
    string ActorId,
    string ActorRole,
    DateTimeOffset OccurredAt,
    string CommandId,
    System.Text.Json.JsonElement Payload,
    string PrevHash,
    string Hash)
{
    public static TimelineEvent From(TimelineEntry e)
    {
        // The NIK's keyed hash is an internal link to the registry, not something a reader needs.
        var payload = System.Text.Json.Nodes.JsonNode.Parse(e.PayloadJson)!.AsObject();
        payload.Remove("nikHash");
        return new(e.CaseNumber, e.Seq, e.Type, e.ActorId, e.ActorRole, e.OccurredAt, e.CommandId,
            System.Text.Json.JsonSerializer.SerializeToElement(payload), e.PrevHash, e.Hash);
    }
}

/// <summary>Enum values from the URL: an exact name (any case), never a number or a comma list.</summary>
public static class StrictEnum
{
    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum
    {
        var name = Enum.GetNames<T>().FirstOrDefault(n => string.Equals(n, text?.Trim(), StringComparison.OrdinalIgnoreCase));
        value = name is null ? default : Enum.Parse<T>(name);
        return name is not null;
    }

    public static bool TryParseOptional<T>(string? text, out T? value) where T : struct, Enum
    {
        value = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        var ok = TryParse<T>(text, out var parsed);
        value = ok ? parsed : null;
        return ok;
    }
}
