using System.Text.RegularExpressions;
using CaseGrains.Domain.Timeline;

namespace CaseGrains.Domain.Tests.Timeline;

public sealed partial class EventChainTests
{
    private static readonly DateTimeOffset At = new DateTimeOffset(2025, 3, 3, 9, 0, 0, TimeSpan.FromHours(7)).AddTicks(1_234_567);

    private const string PinnedHash = "9278cfc4d8448febd4aa8609d482725645f11e80a1ee316b3eb7cd23c133e2e9";

    private static readonly object[] Fields =
    [
        EventChain.Genesis, "PBC-2025-000001", 1L, "CaseOpened", "user-42", "Caseworker", At, "cmd-7f3a", """{"fullName":"Siti"}""",
    ];

    private static string Hash(object[] f) =>
        EventChain.Hash((string)f[0], (string)f[1], (long)f[2], (string)f[3], (string)f[4], (string)f[5], (DateTimeOffset)f[6], (string)f[7], (string)f[8]);

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex LowerHex64();

    [Fact]
    public void Hash_IsDeterministicSixtyFourLowercaseHex()
    {
        var first = Hash(Fields);

        Assert.Equal(first, Hash(Fields));
        Assert.Matches(LowerHex64(), first);
    }

    [Fact]
    public void Hash_IsPinned_SoStoredChainsStayVerifiable()
    {
        // Computed outside .NET (Python hashlib): SHA-256 over each field as a 4-byte big-endian length then its
        // UTF-8 bytes, time as 2025-03-03T02:00:00.1234567Z. Changing the format breaks every stored chain.
        Assert.Equal(PinnedHash, Hash(Fields));
    }

    public static TheoryData<int, object> SingleFieldChanges => new()
    {
        { 0, new string('1', 64) },
        { 1, "PBC-2025-000002" },
        { 2, 2L },
        { 3, "CaseClosed" },
        { 4, "user-43" },
        { 5, "Supervisor" },
        { 6, At.AddTicks(1) },  // 100 ns later
        { 7, "cmd-7f3b" },
        { 8, """{"fullName":"Sita"}""" },
    };

    [Theory]
    [MemberData(nameof(SingleFieldChanges))]
    public void Hash_WhenAnySingleFieldChanges_Changes(int field, object value)
    {
        var changed = (object[])Fields.Clone();
        changed[field] = value;

        Assert.NotEqual(Hash(Fields), Hash(changed));
    }

    [Fact]
    public void Hash_FieldsCannotBleedIntoEachOther()
    {
        var a = EventChain.Hash(EventChain.Genesis, "PBC-1", 1, "CaseOpened", "ab", "c", At, "cmd", "{}");
        var b = EventChain.Hash(EventChain.Genesis, "PBC-1", 1, "CaseOpened", "a", "bc", At, "cmd", "{}");

        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Hash_SameInstantInAnotherOffset_IsTheSame()
    {
        var utc = At.ToUniversalTime();

        Assert.Equal(
            EventChain.Hash(EventChain.Genesis, "PBC-1", 1, "CaseOpened", "u", "r", At, "c", "{}"),
            EventChain.Hash(EventChain.Genesis, "PBC-1", 1, "CaseOpened", "u", "r", utc, "c", "{}"));
    }

    [Fact]
    public void Genesis_IsSixtyFourZeros() =>
        Assert.Equal("0000000000000000000000000000000000000000000000000000000000000000", EventChain.Genesis);

    [Fact]
    public void FormatTime_IsUtcWithSevenFractionalDigits() =>
        Assert.Equal("2025-03-03T02:00:00.1234567Z", EventChain.FormatTime(At));

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]           // 100 ns
    [InlineData(9_999_999L)]   // 0.9999999 s
    [InlineData(638_765_432_109_876_543L)]
    public void ParseTime_OfFormatTime_RoundTripsTo100Nanoseconds(long ticks)
    {
        var t = new DateTimeOffset(ticks, TimeSpan.Zero).ToOffset(TimeSpan.FromHours(7));

        var back = EventChain.ParseTime(EventChain.FormatTime(t));

        Assert.Equal(t.UtcTicks, back.UtcTicks);
        Assert.Equal(TimeSpan.Zero, back.Offset);
    }

    [Fact]
    public void Walk_OfNoEvents_VerifiesNoneAndEndsOnGenesis() =>
        Assert.Equal(new EventChain.ChainWalk(0, EventChain.Genesis, null), EventChain.Walk([]));

    [Fact]
    public void Walk_WhenTheFirstEventSaysSeqTwo_NamesTheGapAtOne()
    {
        var hash = EventChain.Hash(EventChain.Genesis, "PBC-1", 2, "CaseOpened", "u", "r", At, "c", "{}");

        var walk = EventChain.Walk([new EventChain.Link("PBC-1", 2, "CaseOpened", "u", "r", At, "c", "{}", EventChain.Genesis, hash)]);

        Assert.Equal(new EventChain.ChainBreak(1, 2, "sequence gap: expected 1, found 2"), walk.Break);
        Assert.Equal(0, walk.Verified);
    }
}
