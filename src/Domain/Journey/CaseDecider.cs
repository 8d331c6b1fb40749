using System.Text;
using CaseGrains.Domain.Business;
using CaseGrains.Domain.Privacy;
using CaseGrains.Domain.Regions;
using CaseGrains.Domain.Words;

namespace CaseGrains.Domain.Journey;

/// <summary>
/// Decides whether a command is accepted against a case's state. Pure: the same state, command and
/// context always give the same event or refusal. The caller appends the event and folds it with
/// <see cref="CaseState.Apply"/>.
/// </summary>
public static class CaseDecider
{
    public const int MaxNameLength = 200;
    public const int MaxShortText = 200;
    public const int MaxLongText = 2000;
    public const int MaxNeeds = 20;

    public static Result<CaseEvent> Decide(CaseState? state, CaseCommand command, DecisionContext ctx)
    {
        if (command is OpenCase open)
        {
            return state is null ? DecideOpen(open) : new Refusal("case.already_exists", "Kasus ini sudah ada.", "This case already exists.");
        }

        if (state is null)
        {
            return Refusals.CaseNotFound();
        }

        // An erased person's case is a record of what happened, no longer a case anyone works on.
        if (state.Erased)
        {
            return Refusals.CaseErased();
        }

        if (command is ReopenCase reopen)
        {
            return Transitions.Next(state.Status, CaseAction.Reopen) is null ? Refusals.CaseNotClosed()
                : Text(reopen.Reason, "reason", MaxLongText, required: true) ?? (Result<CaseEvent>)new CaseReopened(reopen.Reason.Trim());
        }

        // A note may be added whatever the case's status (a closed case's follow-up call is worth recording).
        if (command is AddNote note)
        {
            return Text(note.Text, "text", MaxLongText, required: true) ?? (Result<CaseEvent>)new NoteAdded(note.Text.Trim());
        }

        if (command is RequestReopening askReopen)
        {
            return Text(askReopen.Reason, "reason", MaxLongText, required: true)
                ?? (Transitions.Next(state.Status, CaseAction.Reopen) is null ? Refusals.CaseNotClosed() : null)
                ?? (state.PendingApproval is { } pending ? Refusals.ApprovalAlreadyPending(pending.Kind) : null)
                ?? (Result<CaseEvent>)new ReopeningRequested(askReopen.Reason.Trim(), askReopen.RequestedBy);
        }

        if (command is DecideRequest decide)
        {
            return DecideApproval(state, decide);
        }

        // Consent may be withdrawn whatever the case's status: a closed case's record still serves the purposes it names.
        if (command is WithdrawConsent withdraw)
        {
            return DecideWithdrawal(state, withdraw, ctx);
        }

        // Every other command needs an open case; Close is the case table's Open → Closed move.
        if (state.Status != CaseStatus.Open || (command is CloseCase && Transitions.Next(state.Status, CaseAction.Close) is null))
        {
            return Refusals.CaseClosed(state.Status);
        }

        // Without case management the journey stops: the record stays (for the basis that remains) and can only be closed,
        // or carried on once consent is given again.
        if (state.Withdrew(ConsentPurpose.CaseManagement) && command is not (RecordConsent or CloseCase or RequestClosure))
        {
            return Refusals.Consent(state, ConsentPurpose.CaseManagement);
        }

        if (command is AssignMentor or LogMentoringSession or CorrectMentoringSession && !state.Consents(ConsentPurpose.Mentoring))
        {
            return Refusals.Consent(state, ConsentPurpose.Mentoring);
        }

        return command switch
        {
            RecordConsent c => DecideConsent(state, c, ctx),
            RecordAssessment a => DecideAssessment(state, a),
            CorrectAssessment a => DecideAssessmentCorrection(state, a),
            CorrectMentoringSession m => DecideSessionCorrection(state, m, ctx),
            StartStage c => DecideStage(state, c.Stage, StageAction.Start, null, ctx),
            CompleteStage c => DecideStage(state, c.Stage, StageAction.Complete, null, ctx),
            SkipStage c => DecideStage(state, c.Stage, StageAction.Skip, c.Reason, ctx),
            CloseCase c => (Enum.IsDefined(c.Reason) ? null : Refusals.Required("reason"))
                ?? Text(c.Note, "note", MaxLongText, required: false)
                ?? (Result<CaseEvent>)new CaseClosed(c.Reason, Optional(c.Note), state.ActiveStage),
            RequestClosure c => (Enum.IsDefined(c.Reason) ? null : Refusals.Required("reason"))
                ?? Text(c.Note, "note", MaxLongText, required: false)
                ?? (state.PendingApproval is { } pending ? Refusals.ApprovalAlreadyPending(pending.Kind) : null)
                ?? (Result<CaseEvent>)new ClosureRequested(c.Reason, Optional(c.Note), c.RequestedBy),
            AssignMentor m => Text(m.MentorId, "mentorId", MaxShortText, required: true)
                ?? (Result<CaseEvent>)new MentorAssigned(m.MentorId.Trim(), state.MentorId),
            LogMentoringSession m => DecideSession(state, m, ctx),
            RecordOutcomes o => DecideOutcomes(state, o),
            Enrol or WithdrawEnrolment or CompleteTraining or CorrectAttendance or CompleteProgramme or PromoteFromWaitlist or RespondToReferral
                or ReportReferralOutcome or DecideFinancing or DisburseFinancing or RecordRepayment => EnrolmentDecider.Decide(state, command, ctx),
            _ => throw new InvalidOperationException($"No decision rule for {command.GetType().Name}."),
        };
    }

    private static Result<CaseEvent> DecideOpen(OpenCase c)
    {
        var bad = Name(c.FullName, "fullName", MaxNameLength, required: true) ?? Region(c.RegionCode, "regionCode");
        if (bad is not null)
        {
            return bad;
        }

        if (c.Nib is not null && (c.Nib.Length != 13 || !c.Nib.All(char.IsAsciiDigit)))
        {
            return new Refusal("nib.invalid_format", "NIB harus terdiri dari 13 digit angka.", "A NIB is 13 digits.") { Field = "nib" };
        }

        if (!Enum.IsDefined(c.Segment))
        {
            return Refusals.Required("segment");
        }

        return new CaseOpened(c.CaseNumber, c.NikHash, c.NikMasked, c.FullName.Trim(), c.Gender,
            c.RegionCode, c.Segment, c.Nib, c.ConsentGiven);
    }

    /// <summary>
    /// A supervisor's answer to the pending request. Approving turns the request into the move it asked for (closed with
    /// the requested reason and note, or reopened with the requested reason); declining needs a reason of its own.
    /// </summary>
    private static Result<CaseEvent> DecideApproval(CaseState s, DecideRequest d)
    {
        if (!Enum.IsDefined(d.Kind))
        {
            return Refusals.Required("kind");
        }

        if (!d.Approve && Text(d.Reason, "reason", MaxLongText, required: true) is { } badReason)
        {
            return badReason;
        }

        if (s.PendingApproval is not { } pending || pending.Kind != d.Kind)
        {
            return Refusals.NoApprovalPending(d.Kind);
        }

        return (d.Kind, d.Approve) switch
        {
            (ApprovalRequestKind.Closure, true) => new CaseClosed(pending.CloseReason!.Value, pending.Reason, s.ActiveStage),
            (ApprovalRequestKind.Reopening, true) => new CaseReopened(pending.Reason!),
            (ApprovalRequestKind.Closure, false) => new ClosureRequestDeclined(d.Reason!.Trim()),
            _ => new ReopeningRequestDeclined(d.Reason!.Trim()),
        };
    }

    private static Result<CaseEvent> DecideStage(CaseState s, Stage stage, StageAction action, string? reason, DecisionContext ctx)
    {
        if (!Enum.IsDefined(stage))
        {
            return Refusals.Required("stage");
        }

        // Input first: a skip without a reason is bad input whatever the case's state.
        if (action == StageAction.Skip && Text(reason, "reason", MaxLongText, required: true) is { } badReason)
        {
            return badReason;
        }

        var from = s[stage].State;
        if (Transitions.Next(from, action) is null)
        {
            return Refusals.StageTransition(stage, from, action);
        }

        if (action is StageAction.Start or StageAction.Skip)
        {
            // Stages run in order, one at a time: everything before must be done, and nothing else active.
            var blocking = Enum.GetValues<Stage>().Where(x => x < stage && !s[x].IsDone).Select(x => (Stage?)x).FirstOrDefault()
                ?? (action == StageAction.Start ? s.ActiveStage : null);
            if (blocking is { } b)
            {
                return Refusals.StageOutOfOrder(stage, b);
            }
        }

        switch (action)
        {
            case StageAction.Skip when !Transitions.Skippable.Contains(stage):
                return Refusals.StageNotSkippable(stage);
            case StageAction.Skip:
                return new StageSkipped(stage, reason!.Trim());
            case StageAction.Complete:
                return Gates.Check(s, stage, ctx.Policy) ?? (Result<CaseEvent>)new StageCompleted(stage);
            default:
                return new StageStarted(stage);
        }
    }

    private static Result<CaseEvent> DecideAssessment(CaseState s, RecordAssessment a)
    {
        if (s[Stage.Assessment].State != StageState.Active)
        {
            return Refusals.StageNotActive(Stage.Assessment);
        }

        return ProfileProblem(a.Sector, a.AnnualTurnoverIdr, a.BusinessCapitalIdr, a.Workers, a.Needs)
            ?? (Result<CaseEvent>)new AssessmentRecorded(a.Sector.Trim(), a.AnnualTurnoverIdr, a.BusinessCapitalIdr, a.Workers,
                [.. a.Needs.Select(n => n.Trim())], UmkmClassifier.Derive(a.AnnualTurnoverIdr, a.BusinessCapitalIdr));
    }

    private static Refusal? ProfileProblem(string? sector, long turnover, long capital, int workers, IReadOnlyList<string>? needs)
    {
        var bad = Text(sector, "sector", MaxShortText, required: true)
            ?? NonNegative(turnover, "annualTurnoverIdr")
            ?? NonNegative(capital, "businessCapitalIdr")
            ?? Range(workers, "workers", 0, 1_000_000);
        if (bad is not null)
        {
            return bad;
        }

        if (needs is null || needs.Count == 0)
        {
            return Refusals.Required("needs");
        }

        if (needs.Count > MaxNeeds)
        {
            return Refusals.OutOfRange("needs", $"1..{MaxNeeds}");
        }

        return needs.Select(need => Text(need, "needs", MaxShortText, required: true)).FirstOrDefault(r => r is not null);
    }

    /// <summary>An assessment on record corrected at any point of an open case, naming what changed; a correction that changes nothing is refused.</summary>
    private static Result<CaseEvent> DecideAssessmentCorrection(CaseState s, CorrectAssessment a)
    {
        if (s.Profile is not { } before)
        {
            return new Refusal("correction.nothing_recorded", "Belum ada asesmen yang dicatat untuk dikoreksi.",
                "No assessment has been recorded yet to correct.") { Field = "sector" };
        }

        var bad = ProfileProblem(a.Sector, a.AnnualTurnoverIdr, a.BusinessCapitalIdr, a.Workers, a.Needs)
            ?? Text(a.Reason, "reason", MaxLongText, required: true);
        if (bad is not null)
        {
            return bad;
        }

        var needs = a.Needs.Select(n => n.Trim()).ToList();
        List<string> changed =
        [
            .. string.Equals(before.Sector, a.Sector.Trim(), StringComparison.Ordinal) ? [] : new[] { "sector" },
            .. before.AnnualTurnoverIdr == a.AnnualTurnoverIdr ? [] : new[] { "annualTurnoverIdr" },
            .. before.BusinessCapitalIdr == a.BusinessCapitalIdr ? [] : new[] { "businessCapitalIdr" },
            .. before.Workers == a.Workers ? [] : new[] { "workers" },
            .. before.Needs.SequenceEqual(needs, StringComparer.Ordinal) ? [] : new[] { "needs" },
        ];
        return changed.Count == 0 ? NoChange()
            : new AssessmentCorrected(a.Sector.Trim(), a.AnnualTurnoverIdr, a.BusinessCapitalIdr, a.Workers, needs,
                UmkmClassifier.Derive(a.AnnualTurnoverIdr, a.BusinessCapitalIdr), changed, a.Reason.Trim());
    }

    public static Refusal NoChange() => new("correction.no_change", "Koreksi ini sama dengan yang sudah tercatat.",
        "This correction is the same as what is on record.");

    private static Result<CaseEvent> DecideSessionCorrection(CaseState s, CorrectMentoringSession m, DecisionContext ctx)
    {
        if (!s.MentoringSessionSeqs.Contains(m.SessionSeq))
        {
            return new Refusal("correction.session_not_found", "Tidak ada sesi pendampingan pada nomor riwayat ini.",
                "No mentoring session was logged at this timeline position.") { Field = "sessionSeq" };
        }

        return SessionProblem(s, m.Date, m.Topic, m.Notes, m.NextStep, ctx) ?? Text(m.Reason, "reason", MaxLongText, required: true)
            ?? (Result<CaseEvent>)new MentoringSessionCorrected(m.SessionSeq, m.Date, m.Topic.Trim(), Optional(m.Notes), Optional(m.NextStep), m.Reason.Trim());
    }

    private static Refusal? SessionProblem(CaseState s, DateOnly date, string? topic, string? notes, string? nextStep, DecisionContext ctx) =>
        Text(topic, "topic", MaxShortText, required: true)
            ?? Text(notes, "notes", MaxLongText, required: false)
            ?? Text(nextStep, "nextStep", MaxLongText, required: false)
            ?? (date > DateOnly.FromDateTime(ctx.Now.UtcDateTime.AddDays(1)) || date < DateOnly.FromDateTime(s.OpenedAt.UtcDateTime.AddDays(-1))
                ? Refusals.OutOfRange("date", "antara tanggal kasus dibuka dan hari ini", "between the case's opening and today")
                : null);

    /// <summary>The longest a consent form's version label may be ("Formulir PBC v2 (Jan 2026)").</summary>
    public const int MaxFormVersion = 50;

    private static Result<CaseEvent> DecideConsent(CaseState s, RecordConsent c, DecisionContext ctx)
    {
        var bad = Text(c.Method, "method", MaxShortText, required: true)
            ?? Text(c.FormVersion, "formVersion", MaxFormVersion, required: false)
            ?? Name(c.Witness, "witness", MaxNameLength, required: false);
        if (bad is not null)
        {
            return bad;
        }

        // A form may be signed at an outreach day before the intake is typed in, never after today (in the easternmost zone).
        if (c.GivenOn is { } given && (given > Today(ctx) || given < DateOnly.FromDateTime(s.OpenedAt.UtcDateTime.AddDays(-MaxConsentAgeDays))))
        {
            return Refusals.OutOfRange("givenOn",
                $"paling lama {MaxConsentAgeDays} hari sebelum kasus dibuka dan tidak sesudah hari ini",
                $"at most {MaxConsentAgeDays} days before the case was opened and not after today");
        }

        if (c.Purposes is { } purposes && Purposes(purposes) is { } badPurposes)
        {
            return badPurposes;
        }

        // Mentoring and sharing are parts of the journey: they cannot be consented to without it.
        if (c.Purposes is { } some && !some.Contains(ConsentPurpose.CaseManagement) && !s.Consents(ConsentPurpose.CaseManagement))
        {
            return new Refusal("consent.case_management_required",
                "Persetujuan untuk pendampingan usaha atau berbagi dengan mitra memerlukan persetujuan untuk pengelolaan kasus.",
                "Consent to mentoring or to sharing with partners needs consent to case management.") { Field = "purposes" };
        }

        return new ConsentRecorded(c.Method.Trim(), Optional(c.FormVersion), c.GivenOn, Optional(c.Witness),
            c.Purposes is null ? null : [.. c.Purposes.Order()]);
    }

    private static Result<CaseEvent> DecideWithdrawal(CaseState s, WithdrawConsent c, DecisionContext ctx)
    {
        var bad = Purposes(c.Purposes)
            ?? Text(c.Method, "method", MaxShortText, required: true)
            ?? Name(c.Witness, "witness", MaxNameLength, required: false)
            ?? Text(c.Note, "note", MaxLongText, required: false);
        if (bad is not null)
        {
            return bad;
        }

        if (c.WithdrawnOn is { } on && (on > Today(ctx) || on < DateOnly.FromDateTime(s.OpenedAt.UtcDateTime)))
        {
            return Refusals.OutOfRange("withdrawnOn", "tidak sebelum kasus dibuka dan tidak sesudah hari ini", "not before the case was opened and not after today");
        }

        if (c.Purposes.Where(p => !s.Consents(p)).Select(p => (ConsentPurpose?)p).FirstOrDefault() is { } notHeld)
        {
            return new Refusal("consent.not_held",
                $"Tidak ada persetujuan untuk {EnumWords.InSentence(EnumWords.Id(notHeld))} yang dapat ditarik.",
                $"There is no consent to {EnumWords.InSentence(EnumWords.En(notHeld))} to withdraw.") { Field = "purposes" };
        }

        return new ConsentWithdrawn([.. c.Purposes.Order()], c.Method.Trim(), c.WithdrawnOn, Optional(c.Witness), Optional(c.Note));
    }

    /// <summary>A list of purposes: at least one, each known, none twice.</summary>
    private static Refusal? Purposes(IReadOnlyList<ConsentPurpose> purposes) =>
        purposes.Count == 0 ? Refusals.Required("purposes")
        : purposes.Any(p => !Enum.IsDefined(p)) || purposes.Distinct().Count() != purposes.Count
            ? Refusals.OutOfRange("purposes", "tujuan yang dikenal, masing-masing sekali", "known purposes, each once")
            : null;

    /// <summary>How long before the intake a consent form may have been signed.</summary>
    public const int MaxConsentAgeDays = 90;

    /// <summary>Today's date where it is latest in Indonesia (WIT, UTC+9): a date typed on any Indonesian desk is never "in the future".</summary>
    private static DateOnly Today(DecisionContext ctx) => DateOnly.FromDateTime(ctx.Now.UtcDateTime.AddHours(9));

    private static Result<CaseEvent> DecideSession(CaseState s, LogMentoringSession m, DecisionContext ctx)
    {
        if (s.MentorId is null)
        {
            return Refusals.MentorRequired();
        }

        return SessionProblem(s, m.Date, m.Topic, m.Notes, m.NextStep, ctx)
            ?? (Result<CaseEvent>)new MentoringSessionLogged(m.Date, m.Topic.Trim(), Optional(m.Notes), Optional(m.NextStep));
    }

    private static Result<CaseEvent> DecideOutcomes(CaseState s, RecordOutcomes o)
    {
        if (s[Stage.Graduated].State != StageState.Active)
        {
            return Refusals.StageNotActive(Stage.Graduated);
        }

        var bad = NonNegative(o.AnnualTurnoverAfterIdr, "annualTurnoverAfterIdr")
            ?? NonNegative(o.BusinessCapitalAfterIdr, "businessCapitalAfterIdr")
            ?? Range(o.WorkersAfter, "workersAfter", 0, 1_000_000);
        return bad ?? (Result<CaseEvent>)new OutcomesRecorded(o.AnnualTurnoverAfterIdr, o.BusinessCapitalAfterIdr, o.WorkersAfter,
            UmkmClassifier.Derive(o.AnnualTurnoverAfterIdr, o.BusinessCapitalAfterIdr));
    }

    /// <summary>
    /// Null when the text is acceptable: present and not blank if required (an optional blank counts as absent),
    /// within the length, no control characters.
    /// </summary>
    public static Refusal? Text(string? value, string field, int max, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return required ? Refusals.Required(field) : null;
        }

        if (value.Length > max)
        {
            return Refusals.TooLong(field, max);
        }

        return value.Any(ch => char.IsControl(ch) && ch is not '\n' and not '\r' and not '\t')
            ? new Refusal("input.control_characters", $"Kolom '{field}' berisi karakter kontrol.", $"'{field}' contains control characters.") { Field = field }
            : null;
    }

    /// <summary>
    /// Null when the text is an acceptable name (a person's, an account's, an offer's or a provider's): <see cref="Text"/>'s
    /// rules, no control character at all (no line breaks or tabs either), no invisible or text-direction character
    /// (zero-width spaces and joiners, the byte-order mark, direction marks, embeddings, overrides and isolates, soft
    /// hyphens, fillers that pass for letters), and at least one letter a reader can see. Such characters are refused, not
    /// stripped (docs/decisions.md, "Names").
    /// </summary>
    public static Refusal? Name(string? value, string field, int max, bool required)
    {
        if (Text(value, field, max, required) is { } bad)
        {
            return bad;
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var letter = false;
        foreach (var rune in value.EnumerateRunes())
        {
            if (Rune.IsControl(rune))
            {
                return new Refusal("input.control_characters", $"Kolom '{field}' berisi karakter kontrol.", $"'{field}' contains control characters.") { Field = field };
            }

            if (IsInvisible(rune))
            {
                return new Refusal("input.invisible_characters",
                    $"Kolom '{field}' berisi karakter tak terlihat atau pengatur arah tulisan; ketik ulang tanpa menyalin.",
                    $"'{field}' contains invisible or text-direction characters; type it again rather than pasting it.") { Field = field };
            }

            letter |= Rune.IsLetter(rune);
        }

        return letter ? null : new Refusal("input.no_letters", $"Kolom '{field}' harus berisi huruf.", $"'{field}' must contain letters.") { Field = field };
    }

    // Format characters (zero-width space, non-joiner and joiner, word joiner, byte-order mark, soft hyphen, direction marks,
    // embeddings, overrides and isolates, invisible operators), line and paragraph separators, the combining grapheme
    // joiner, and the blank "letters" (Hangul fillers, the blank Braille pattern) that show nothing.
    private static bool IsInvisible(Rune rune) =>
        Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.LineSeparator
            or System.Globalization.UnicodeCategory.ParagraphSeparator
        || rune.Value is 0x034F or 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x2800;

    /// <summary>An optional text as stored: trimmed, and null when blank.</summary>
    private static string? Optional(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public static Refusal? Region(string? code, string field)
    {
        var level = RegionTable.LevelOf(code);
        if (level is null || !RegionTable.Kemendagri.IsKnown(code!))
        {
            return Refusals.UnknownRegion(field);
        }

        return level is RegionLevel.District or RegionLevel.Village ? null : Refusals.RegionTooCoarse(field);
    }

    private static Refusal? NonNegative(long value, string field) =>
        value < 0 ? Refusals.OutOfRange(field, ">= 0") : null;

    private static Refusal? Range(int value, string field, int min, int max) =>
        value < min || value > max ? Refusals.OutOfRange(field, $"{min}..{max}") : null;
}
