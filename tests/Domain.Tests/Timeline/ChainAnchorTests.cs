using System.Text;
using CaseGrains.Domain.Timeline;

namespace CaseGrains.Domain.Tests.Timeline;

/// <summary>
/// The chain checkpoint's MAC and the check of a recomputed chain against it: only the anchor key makes a checkpoint
/// that passes, any field changed fails it, and every way a chain can differ from its checkpoint is named.
/// </summary>
public sealed class ChainAnchorTests
{
    private static readonly byte[] Key = Encoding.ASCII.GetBytes("chain-anchor-test-key-of-32-bytes!!!");
    private static readonly byte[] OtherKey = Encoding.ASCII.GetBytes("another-anchor-key-of-32-bytes-long!");
    private static readonly DateTimeOffset At = new(2026, 12, 7, 3, 4, 5, TimeSpan.Zero);
    private static readonly string Head = new('a', 64);

    [Fact]
    public void ACheckpoint_IsAuthenticUnderItsKey_AndUnderNoOther()
    {
        var checkpoint = ChainAnchor.Create(Key, "3579-000001", 5, Head, At);

        Assert.True(ChainAnchor.IsAuthentic(Key, checkpoint));
        Assert.False(ChainAnchor.IsAuthentic(OtherKey, checkpoint));
        Assert.False(ChainAnchor.IsAuthentic(Key, checkpoint with { Mac = null }));
    }

    public static TheoryData<string> Fields => ["case", "seq", "head", "time", "mac"];

    [Theory]
    [MemberData(nameof(Fields))]
    public void ACheckpoint_WithAnyFieldChanged_IsNotAuthentic(string field)
    {
        var c = ChainAnchor.Create(Key, "3579-000001", 5, Head, At);
        var changed = field switch
        {
            "case" => c with { CaseNumber = "3579-000002" },
            "seq" => c with { Seq = 6 },
            "head" => c with { Head = new string('b', 64) },
            "time" => c with { RecordedAt = At.AddTicks(1) },
            _ => c with { Mac = new string('0', 64) },
        };

        Assert.False(ChainAnchor.IsAuthentic(Key, changed));
    }

    [Fact]
    public void AChainEndingOnItsCheckpointsHead_IsAnchoredWithoutProblem()
    {
        var check = ChainAnchor.Check(Key, ChainAnchor.Create(Key, "3579-000001", 5, Head, At), 5, Head);

        Assert.Equal(new ChainAnchor.AnchorCheck(true, 5, null), check);
    }

    [Fact]
    public void ARewrittenChain_DoesNotReachTheAnchoredHead()
    {
        var check = ChainAnchor.Check(Key, ChainAnchor.Create(Key, "3579-000001", 5, Head, At), 5, new string('b', 64));

        Assert.True(check.Anchored);
        Assert.StartsWith("timeline rewritten", check.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ACheckpointForgedWithoutTheKey_IsReported_AndNotAnchored()
    {
        var forged = ChainAnchor.Create(OtherKey, "3579-000001", 5, Head, At);

        var check = ChainAnchor.Check(Key, forged, 5, Head);

        Assert.False(check.Anchored);
        Assert.StartsWith("checkpoint MAC does not verify", check.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingCheckpoint_IsReported_UnlessTheCaseHasNoEvents()
    {
        Assert.StartsWith("no checkpoint", ChainAnchor.Check(Key, null, 3, Head).Problem, StringComparison.Ordinal);
        Assert.Null(ChainAnchor.Check(Key, null, 0, null).Problem);
    }

    [Fact]
    public void EventsBeyondOrShortOfTheCheckpoint_AreReported()
    {
        var checkpoint = ChainAnchor.Create(Key, "3579-000001", 5, Head, At);

        Assert.StartsWith("events after the checkpoint", ChainAnchor.Check(Key, checkpoint, 6, Head).Problem, StringComparison.Ordinal);
        Assert.StartsWith("events missing", ChainAnchor.Check(Key, checkpoint, 4, null).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TheMarkOfEventsBeforeAnchoring_PassesUnanchored_OnlyWhileTheChainEndsThere()
    {
        var mark = new ChainAnchor.Checkpoint("3579-000001", 5, Head, At, null);

        Assert.Equal(new ChainAnchor.AnchorCheck(false, null, null), ChainAnchor.Check(Key, mark, 5, Head));
        Assert.StartsWith("no checkpoint", ChainAnchor.Check(Key, mark, 6, Head).Problem, StringComparison.Ordinal);
        Assert.StartsWith("no checkpoint", ChainAnchor.Check(Key, mark, 5, new string('b', 64)).Problem, StringComparison.Ordinal);
    }
}
