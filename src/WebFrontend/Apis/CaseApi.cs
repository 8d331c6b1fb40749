using CaseGrains.Domain.Journey;
using CaseGrains.Grains;
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
        var cases = app.MapGroup("/api/cases").WithTags("Cases");

        cases.MapPost("/", Intake).WithName("Intake").WithSummary("Register a beneficiary and open their case (intake).");
        cases.MapGet("/", Search).WithName("SearchCases").WithSummary("List and search cases (paged).");
        cases.MapGet("/{caseNumber}", Get).WithName("GetCase");
        cases.MapGet("/{caseNumber}/timeline", Timeline).WithName("GetTimeline").WithSummary("Timeline events after seq N.");
        cases.MapGet("/{caseNumber}/verify", Verify).WithName("VerifyChain").WithSummary("Recompute the timeline's hash chain.");

        var commands = cases.MapGroup("/{caseNumber}").WithTags("Journey commands");
        commands.MapPost("/consent", (HttpContext http, string caseNumber, RecordConsentRequest body) => Send(http, caseNumber, body)).WithName("RecordConsent");
        commands.MapPost("/assessment", (HttpContext http, string caseNumber, RecordAssessmentRequest body) => Send(http, caseNumber, body)).WithName("RecordAssessment");
        commands.MapPost("/stages/{stage}/start", (HttpContext http, string caseNumber, string stage, StageCommandRequest body) =>
            StageCommand(http, caseNumber, stage, StageAction.Start, body)).WithName("StartStage");
        commands.MapPost("/stages/{stage}/complete", (HttpContext http, string caseNumber, string stage, StageCommandRequest body) =>
            StageCommand(http, caseNumber, stage, StageAction.Complete, body)).WithName("CompleteStage");
        commands.MapPost("/stages/{stage}/skip", (HttpContext http, string caseNumber, string stage, StageCommandRequest body) =>
            StageCommand(http, caseNumber, stage, StageAction.Skip, body)).WithName("SkipStage");
        commands.MapPost("/close", (HttpContext http, string caseNumber, CloseCaseRequest body) => Send(http, caseNumber, body)).WithName("CloseCase");
        commands.MapPost("/reopen", (HttpContext http, string caseNumber, ReopenCaseRequest body) => Send(http, caseNumber, body)).WithName("ReopenCase");
        commands.MapPost("/trainings", (HttpContext http, string caseNumber, RecordTrainingCompletionRequest body) => Send(http, caseNumber, body)).WithName("RecordTrainingCompletion");
        commands.MapPost("/mentor", (HttpContext http, string caseNumber, AssignMentorRequest body) => Send(http, caseNumber, body)).WithName("AssignMentor");
        commands.MapPost("/mentoring-sessions", (HttpContext http, string caseNumber, LogMentoringSessionRequest body) => Send(http, caseNumber, body)).WithName("LogMentoringSession");
        commands.MapPost("/matches", (HttpContext http, string caseNumber, RecordMatchOutcomeRequest body) => Send(http, caseNumber, body)).WithName("RecordMatchOutcome");
        commands.MapPost("/financing-decisions", (HttpContext http, string caseNumber, RecordFinancingDecisionRequest body) => Send(http, caseNumber, body)).WithName("RecordFinancingDecision");
        commands.MapPost("/outcomes", (HttpContext http, string caseNumber, RecordOutcomesRequest body) => Send(http, caseNumber, body)).WithName("RecordOutcomes");
        return cases;
    }

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
        IGrainFactory grains, string? region, Stage? stage, Segment? segment, CaseStatus? status, string? q, int? page, int? pageSize)
    {
        var query = new CaseQuery(region?.Trim(), stage, segment, status, q, page ?? 1, pageSize ?? 50);
        return Results.Ok(await grains.GetGrain<ICaseSearchGrain>(0).Search(query));
    }

    private static async Task<IResult> Get(HttpContext http, string caseNumber, IGrainFactory grains)
    {
        if (!CaseNumbers.IsWellFormed(caseNumber) || await grains.GetGrain<ICaseGrain>(caseNumber).GetView() is not { } view)
        {
            return ProblemResults.NotFound(http);
        }

        http.Response.Headers.ETag = $"\"{view.Version}\"";
        return Results.Ok(view);
    }

    private static async Task<IResult> Timeline(HttpContext http, string caseNumber, IGrainFactory grains, long? after, int? limit)
    {
        if (after is < 0 || limit is < 1 or > MaxTimelinePage)
        {
            return ProblemResults.Bad(http, "input.out_of_range",
                $"'after' harus ≥ 0 dan 'limit' 1..{MaxTimelinePage}.", $"'after' must be ≥ 0 and 'limit' 1..{MaxTimelinePage}.");
        }

        var grain = grains.GetGrain<ICaseGrain>(caseNumber);
        if (!CaseNumbers.IsWellFormed(caseNumber) || await grain.GetStatus() is null)
        {
            return ProblemResults.NotFound(http);
        }

        var entries = await grain.GetTimeline(after ?? 0, limit ?? 100);
        return Results.Ok(entries.Select(TimelineEvent.From));
    }

    private static async Task<IResult> Verify(HttpContext http, string caseNumber, IGrainFactory grains)
    {
        if (!CaseNumbers.IsWellFormed(caseNumber) || await grains.GetGrain<ICaseGrain>(caseNumber).VerifyChain() is not { } result)
        {
            return ProblemResults.NotFound(http);
        }

        return Results.Ok(result);
    }

    private static Task<IResult> StageCommand(HttpContext http, string caseNumber, string stage, StageAction action, StageCommandRequest body)
    {
        if (!Enum.TryParse<Stage>(stage, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(stage, out _))
        {
            return Task.FromResult(ProblemResults.Bad(http, "request.unknown_stage",
                $"Tahap '{stage}' tidak dikenal.", $"Unknown stage '{stage}'.", "stage"));
        }

        return Send(http, caseNumber, body with { Stage = parsed, Action = action });
    }

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
        using var doc = System.Text.Json.JsonDocument.Parse(e.PayloadJson);
        return new(e.CaseNumber, e.Seq, e.Type, e.ActorId, e.ActorRole, e.OccurredAt, e.CommandId, doc.RootElement.Clone(), e.PrevHash, e.Hash);
    }
}
