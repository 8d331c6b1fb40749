using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Tests.Support;

namespace CaseGrains.Domain.Tests.Journey;

/// <summary>
/// Closure and reopening as requests a supervisor approves or declines (caseworkers ask, supervisors decide), and case
/// notes.
/// </summary>
public sealed class ApprovalTests
{
    private const string Asker = "petugas-1";

    private static CaseScenario Closed() => CaseScenario.WithStage(Stage.Training, StageState.Active).Do(new CloseCase(CloseReason.Moved, null));

    [Fact]
    public void RequestClosure_KeepsTheCaseOpen_WithTheRequestPending()
    {
        var c = CaseScenario.WithStage(Stage.Training, StageState.Active);

        var requested = ResultAssert.Accepted<ClosureRequested>(c.Decide(new RequestClosure(CloseReason.Moved, " Pindah ke Malang ", Asker)));
        c.Apply(requested);

        Assert.Equal(CloseReason.Moved, requested.Reason);
        Assert.Equal("Pindah ke Malang", requested.Note);
        Assert.Equal(CaseStatus.Open, c.State.Status);
        Assert.Equal(new PendingApproval(ApprovalRequestKind.Closure, "Pindah ke Malang", CloseReason.Moved, Asker, c.State.UpdatedAt), c.State.PendingApproval);
    }

    [Fact]
    public void ApprovingAClosure_ClosesWithTheRequestedReasonAndNote_AndClearsTheRequest()
    {
        var c = CaseScenario.WithStage(Stage.Training, StageState.Active).Do(new RequestClosure(CloseReason.DroppedOut, "Tidak bisa dihubungi", Asker));

        var closed = ResultAssert.Accepted<CaseClosed>(c.Decide(new DecideRequest(ApprovalRequestKind.Closure, true, null)));
        c.Apply(closed);

        Assert.Equal(new CaseClosed(CloseReason.DroppedOut, "Tidak bisa dihubungi", Stage.Training), closed);
        Assert.Equal(CaseStatus.Closed, c.State.Status);
        Assert.Null(c.State.PendingApproval);
    }

    [Fact]
    public void DecliningAClosure_NeedsAReason_AndLeavesTheCaseOpenWithNothingPending()
    {
        var c = CaseScenario.WithStage(Stage.Training, StageState.Active).Do(new RequestClosure(CloseReason.DroppedOut, null, Asker));

        ResultAssert.Refused(c.Decide(new DecideRequest(ApprovalRequestKind.Closure, false, " ")), "input.required", "reason");
        var declined = ResultAssert.Accepted<ClosureRequestDeclined>(c.Decide(new DecideRequest(ApprovalRequestKind.Closure, false, "Masih aktif di grup WA")));
        c.Apply(declined);

        Assert.Equal("Masih aktif di grup WA", declined.Reason);
        Assert.Equal(CaseStatus.Open, c.State.Status);
        Assert.Null(c.State.PendingApproval);
        // Asked again later, it can be.
        ResultAssert.Accepted<ClosureRequested>(c.Decide(new RequestClosure(CloseReason.DroppedOut, null, Asker)));
    }

    [Fact]
    public void ASecondRequest_WhileOneIsPending_IsRefused()
    {
        var c = CaseScenario.Open().Do(new RequestClosure(CloseReason.Duplicate, null, Asker));

        var refusal = ResultAssert.Refused(c.Decide(new RequestClosure(CloseReason.Moved, null, Asker)), "approval.already_pending");

        Assert.Contains("menunggu keputusan supervisor", refusal.Indonesian, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ApprovalRequestKind.Closure, true)]
    [InlineData(ApprovalRequestKind.Closure, false)]
    [InlineData(ApprovalRequestKind.Reopening, true)]
    [InlineData(ApprovalRequestKind.Reopening, false)]
    public void DecidingWithNothingPending_IsRefused(ApprovalRequestKind kind, bool approve)
    {
        var refusal = ResultAssert.Refused(CaseScenario.Open().Decide(new DecideRequest(kind, approve, "alasan")), "approval.none_pending");

        Assert.Contains(kind == ApprovalRequestKind.Closure ? "penutupan" : "pembukaan kembali", refusal.Indonesian, StringComparison.Ordinal);
    }

    [Fact]
    public void DecidingTheOtherKind_IsRefused_AndTheRequestStays()
    {
        var c = Closed().Do(new RequestReopening("Kembali ke Batu", Asker));

        ResultAssert.Refused(c.Decide(new DecideRequest(ApprovalRequestKind.Closure, true, null)), "approval.none_pending");
        Assert.Equal(ApprovalRequestKind.Reopening, c.State.PendingApproval!.Kind);
    }

    [Fact]
    public void RequestReopening_OnAClosedCase_ThenApproved_ReopensWithTheRequestedReason()
    {
        var c = Closed();

        c.Do(new RequestReopening("Kembali ke Batu, ingin lanjut", Asker));
        Assert.Equal(CaseStatus.Closed, c.State.Status);
        var reopened = ResultAssert.Accepted<CaseReopened>(c.Decide(new DecideRequest(ApprovalRequestKind.Reopening, true, null)));
        c.Apply(reopened);

        Assert.Equal("Kembali ke Batu, ingin lanjut", reopened.Reason);
        Assert.Equal(CaseStatus.Open, c.State.Status);
        Assert.Null(c.State.PendingApproval);
    }

    [Fact]
    public void RequestReopening_OfAnOpenCase_IsRefused_AndNeedsAReason()
    {
        ResultAssert.Refused(CaseScenario.Open().Decide(new RequestReopening("Salah klik", Asker)), "case.not_closed");
        ResultAssert.Refused(Closed().Decide(new RequestReopening("", Asker)), "input.required", "reason");
    }

    [Fact]
    public void DecliningAReopening_KeepsTheCaseClosed()
    {
        var c = Closed().Do(new RequestReopening("Ingin lanjut", Asker));

        c.Do(new DecideRequest(ApprovalRequestKind.Reopening, false, "Sudah dilayani program kabupaten"));

        Assert.Equal(CaseStatus.Closed, c.State.Status);
        Assert.Null(c.State.PendingApproval);
        Assert.IsType<ReopeningRequestDeclined>(c.LastEvent);
    }

    [Fact]
    public void ADirectCloseOrReopen_SettlesAPendingRequest()
    {
        var c = CaseScenario.Open().Do(new RequestClosure(CloseReason.Moved, null, Asker)).Do(new CloseCase(CloseReason.Duplicate, "Kasus ganda"));
        Assert.Null(c.State.PendingApproval);
        Assert.Equal(CloseReason.Duplicate, c.State.CloseReason);

        c.Do(new RequestReopening("Bukan ganda", Asker)).Do(new ReopenCase("Diperiksa ulang"));
        Assert.Null(c.State.PendingApproval);
        Assert.Equal(CaseStatus.Open, c.State.Status);
    }

    [Fact]
    public void Graduating_SettlesAPendingClosureRequest()
    {
        var c = CaseScenario.WithStage(Stage.Graduated, StageState.Active).MeetGate(Stage.Graduated).Do(new RequestClosure(CloseReason.DroppedOut, null, Asker));

        c.Do(new CompleteStage(Stage.Graduated));

        Assert.Equal(CaseStatus.Graduated, c.State.Status);
        Assert.Null(c.State.PendingApproval);
    }

    [Fact]
    public void AddNote_IsAcceptedWhateverTheStatus_AndChangesNothingButTheVersion()
    {
        var open = CaseScenario.Open();
        var before = open.State;
        var note = ResultAssert.Accepted<NoteAdded>(open.Decide(new AddNote("  Ditelepon, minta jadwal ulang  ")));
        open.Apply(note);

        Assert.Equal("Ditelepon, minta jadwal ulang", note.Text);
        Assert.Equal(before with { Version = open.State.Version, UpdatedAt = open.State.UpdatedAt }, open.State);
        ResultAssert.Accepted<NoteAdded>(Closed().Decide(new AddNote("Kunjungan setelah penutupan")));
        ResultAssert.Refused(open.Decide(new AddNote(" ")), "input.required", "text");
        ResultAssert.Refused(open.Decide(new AddNote(new string('x', CaseDecider.MaxLongText + 1))), "input.too_long", "text");
    }
}
