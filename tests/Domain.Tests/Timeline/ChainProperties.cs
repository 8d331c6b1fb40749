using System.Globalization;
using System.Text;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Tests.Support;
using CaseGrains.Domain.Timeline;
using CsCheck;
using Link = CaseGrains.Domain.Timeline.EventChain.Link;

namespace CaseGrains.Domain.Tests.Timeline;

/// <summary>
/// Property-based tests (CsCheck) of the hash chain over real timelines: the events of random journeys
/// (<see cref="Journeys"/>), chained as the case grain appends them (actor, role, time to 100 ns, command id, stored JSON
/// payload). An untouched chain walks cleanly to its head; any single tampering — one field of one event changed,
/// two events swapped, one dropped, one inserted — is found exactly where it happened, or, at the very end of the
/// timeline, by the head the case knows it appended.
/// </summary>
public sealed class ChainProperties
{
    /// <summary>Timelines per property; <c>CsCheck_Iter</c> or <c>CsCheck_Time</c> run more.</summary>
    private const long TimelinesPerProperty = 500;

    /// <summary>A timeline as stored: its links, and the head the case keeps (the last hash it appended).</summary>
    internal sealed record Chain(Link[] Links)
    {
        public string Head => Links.Length == 0 ? EventChain.Genesis : Links[^1].Hash;

        public override string ToString()
        {
            var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{Links.Length} event(s), head {Short(Head)}");
            foreach (var l in Links)
            {
                var payload = l.PayloadJson.Length > 70 ? l.PayloadJson[..70] + "…" : l.PayloadJson;
                text.Append(CultureInfo.InvariantCulture,
                    $"\n  {l.Seq,3} {l.Type,-26} {l.ActorId,-13} {l.ActorRole,-11} {EventChain.FormatTime(l.OccurredAt)} {l.CommandId} prev {Short(l.PrevHash)} hash {Short(l.Hash)} {payload}");
            }

            return text.ToString();
        }

        private static string Short(string hash) => hash[..Math.Min(8, hash.Length)];
    }

    private static readonly (string Id, Role Role)[] Actors =
    [
        ("caseworker-3", Role.Caseworker), ("supervisor-1", Role.Supervisor), ("mentor-7", Role.Mentor), ("admin-1", Role.Admin),
    ];

    /// <summary>Builds the chain of a journey's timeline; <paramref name="dice"/> picks each event's actor, its command id and the sub-second part of its time.</summary>
    private static Chain Build(JourneyRun run, int dice)
    {
        var caseNumber = run.Final?.CaseNumber ?? "PBC-2025-000001";
        var prev = EventChain.Genesis;
        var links = new List<Link>();
        foreach (var (e, seq, at) in run.Timeline)
        {
            var (actor, role) = Actors[(dice + seq * 7) % Actors.Length];
            var occurredAt = at.AddTicks((dice * 7919L + seq * 104_729L) % TimeSpan.TicksPerSecond);
            var commandId = $"cmd-{dice:x5}-{seq.ToString(CultureInfo.InvariantCulture)}";
            var payload = Properties.Payload(e);
            var hash = EventChain.Hash(prev, caseNumber, seq, e.Type, actor, role.ToString(), occurredAt, commandId, payload);
            links.Add(new Link(caseNumber, seq, e.Type, actor, role.ToString(), occurredAt, commandId, payload, prev, hash));
            prev = hash;
        }

        return new Chain([.. links]);
    }

    /// <summary>Chains of at least <paramref name="minEvents"/> events.</summary>
    private static Gen<Chain> Chains(int minEvents) =>
        Gen.Select(Journeys.Any, Gen.Int[0, 99_999], (j, dice) => Build(Journeys.Run(j), dice)).Where(c => c.Links.Length >= minEvents);

    private static void ForAll<T>(Gen<T> gen, Action<T> property) => gen.Sample(property, iter: Properties.Iter(TimelinesPerProperty));

    [Fact]
    public void AChainOfAnyTimeline_WalksCleanlyToTheHeadTheCaseKeeps() => ForAll(Chains(0), chain =>
    {
        var walk = EventChain.Walk(chain.Links);

        Assert.Equal(new EventChain.ChainWalk(chain.Links.Length, chain.Head, null), walk);
        Assert.All(chain.Links, l => Assert.Matches("^[0-9a-f]{64}$", l.Hash));
        Assert.Equal(chain.Links.Length, chain.Links.Select(l => l.Hash).Distinct().Count());
    });

    /// <summary>The fields an edit can touch: the eight hashed ones and the two stored hashes.</summary>
    internal enum Field
    {
        CaseNumber,
        Seq,
        Type,
        ActorId,
        ActorRole,
        OccurredAt,
        CommandId,
        PayloadJson,
        PrevHash,
        Hash,
    }

    /// <summary>One field of one event changed, the smallest change each field can take (one character, one tick, one more).</summary>
    private static Link Edit(Link l, Field field, int dice) => field switch
    {
        Field.CaseNumber => l with { CaseNumber = l.CaseNumber + "0" },
        Field.Seq => l with { Seq = l.Seq + 1 + dice % 3 },
        Field.Type => l with { Type = l.Type == nameof(NoteAdded) ? nameof(StageCompleted) : nameof(NoteAdded) },
        Field.ActorId => l with { ActorId = Actors.Select(a => a.Id).First(id => id != l.ActorId) },
        Field.ActorRole => l with { ActorRole = Enum.GetNames<Role>().First(r => r != l.ActorRole) },
        Field.OccurredAt => l with { OccurredAt = l.OccurredAt.AddTicks(dice % 2 == 0 ? 1 : -1) },
        Field.CommandId => l with { CommandId = l.CommandId + "x" },
        Field.PayloadJson => l with { PayloadJson = Flip(l.PayloadJson, dice) },
        Field.PrevHash => l with { PrevHash = Flip(l.PrevHash, dice) },
        _ => l with { Hash = Flip(l.Hash, dice) },
    };

    /// <summary>The text with one character changed (a hex digit stays a hex digit, a letter a letter).</summary>
    private static string Flip(string s, int dice)
    {
        var i = dice % s.Length;
        var c = s[i] switch { '0' => '1', 'a' => 'b', 'z' => 'y', '"' => '\'', var x when char.IsAsciiDigit(x) => '0', var x => char.IsAsciiLetterLower(x) ? 'a' : 'z' };
        return string.Concat(s.AsSpan(0, i), c.ToString(), s.AsSpan(i + 1));
    }

    private static string ProblemOf(Field field) => field switch
    {
        Field.Seq => "sequence gap",
        Field.PrevHash => "previous-hash link",
        _ => "stored hash does not match",
    };

    [Fact]
    public void ChangingOneFieldOfOneEvent_BreaksTheChainAtThatEvent() => ForAll(
        Gen.Select(Chains(1), Gen.Enum<Field>(), Gen.Int[0, 999_999], Gen.Int[0, 999_999]), t =>
        {
            var (chain, field, at, dice) = t;
            var i = at % chain.Links.Length;
            var tampered = (Link[])chain.Links.Clone();
            tampered[i] = Edit(tampered[i], field, dice);
            Assert.NotEqual(chain.Links[i], tampered[i]);

            var broken = EventChain.Walk(tampered).Break;

            Assert.NotNull(broken);
            Assert.Equal(i + 1, broken.ExpectedSeq);
            Assert.StartsWith(ProblemOf(field), broken.Problem, StringComparison.Ordinal);
        });

    /// <summary>
    /// An editor who also recomputes the edited event's hash moves the break to the next event (its previous-hash link);
    /// an edit of the last event then walks cleanly but ends on another head than the case's.
    /// </summary>
    [Fact]
    public void AnEditWithItsHashRecomputed_BreaksTheNextEvent_OrTheHeadWhenItWasTheLast() => ForAll(
        Gen.Select(Chains(1), Gen.Int[0, 999_999], Gen.Int[0, 999_999]), t =>
        {
            var (chain, at, dice) = t;
            var i = at % chain.Links.Length;
            var tampered = (Link[])chain.Links.Clone();
            var l = Edit(tampered[i], Field.PayloadJson, dice);
            tampered[i] = l with { Hash = EventChain.Hash(l.PrevHash, l.CaseNumber, l.Seq, l.Type, l.ActorId, l.ActorRole, l.OccurredAt, l.CommandId, l.PayloadJson) };

            var walk = EventChain.Walk(tampered);

            if (i < chain.Links.Length - 1)
            {
                Assert.Equal(new EventChain.ChainBreak(i + 2, i + 2, "previous-hash link does not match the event before"), walk.Break);
            }
            else
            {
                Assert.Null(walk.Break);
                Assert.NotEqual(chain.Head, walk.Head);
            }
        });

    [Fact]
    public void SwappingTwoEvents_BreaksTheChainAtTheFirstOfThem() => ForAll(
        Gen.Select(Chains(2), Gen.Int[0, 999_999], Gen.Int[1, 999_999]), t =>
        {
            var (chain, at, gap) = t;
            var n = chain.Links.Length;
            var i = at % (n - 1);
            var j = i + 1 + gap % (n - 1 - i);
            var swapped = (Link[])chain.Links.Clone();
            (swapped[i], swapped[j]) = (swapped[j], swapped[i]);

            var broken = EventChain.Walk(swapped).Break;

            Assert.Equal(new EventChain.ChainBreak(i + 1, j + 1, $"sequence gap: expected {i + 1}, found {j + 1}"), broken);
        });

    /// <summary>A dropped event breaks the chain where it was; dropping the last one leaves a clean walk that falls short of the case's version and head.</summary>
    [Fact]
    public void DroppingOneEvent_BreaksTheChainWhereItWas_OrFallsShortOfTheHead() => ForAll(
        Gen.Select(Chains(1), Gen.Int[0, 999_999]), t =>
        {
            var (chain, at) = t;
            var n = chain.Links.Length;
            var i = at % n;
            var dropped = chain.Links.Where((_, k) => k != i).ToArray();

            var walk = EventChain.Walk(dropped);

            if (i < n - 1)
            {
                Assert.Equal(new EventChain.ChainBreak(i + 1, i + 2, $"sequence gap: expected {i + 1}, found {i + 2}"), walk.Break);
            }
            else
            {
                Assert.Null(walk.Break);
                Assert.Equal(n - 1, walk.Verified);
                Assert.NotEqual(chain.Head, walk.Head);
            }
        });

    /// <summary>
    /// An inserted event breaks the chain at itself when it does not chain on (a copy of another event), and right after
    /// itself when it was forged to chain on (its own seq and a hash over the event before): the event it pushed along
    /// no longer has its seq. Forged at the end, it walks cleanly past the case's version and head.
    /// </summary>
    [Fact]
    public void InsertingOneEvent_BreaksTheChainAtItOrRightAfterIt() => ForAll(
        Gen.Select(Chains(1), Gen.Int[0, 999_999], Gen.Int[0, 999_999], Gen.Bool), t =>
        {
            var (chain, at, copyOf, forged) = t;
            var n = chain.Links.Length;
            var i = at % (n + 1);
            var prev = i == 0 ? EventChain.Genesis : chain.Links[i - 1].Hash;
            var source = chain.Links[copyOf % n];
            var inserted = forged
                ? Rehash(source with { Seq = i + 1, PrevHash = prev, CommandId = "cmd-forged", Type = nameof(NoteAdded), PayloadJson = """{"text":"Catatan sisipan"}""" })
                : source;
            var tampered = chain.Links.Take(i).Append(inserted).Concat(chain.Links.Skip(i)).ToArray();

            var walk = EventChain.Walk(tampered);

            if (forged && i == n)
            {
                Assert.Null(walk.Break);
                Assert.Equal(n + 1, walk.Verified);
                Assert.NotEqual(chain.Head, walk.Head);
            }
            else
            {
                // A copy of the very event it is put before chains on too (a duplicated row): the original then breaks.
                var chainsOn = forged || (i < n && copyOf % n == i);
                Assert.NotNull(walk.Break);
                Assert.Equal(chainsOn ? i + 2 : i + 1, walk.Break.ExpectedSeq);
            }
        });

    private static Link Rehash(Link l) =>
        l with { Hash = EventChain.Hash(l.PrevHash, l.CaseNumber, l.Seq, l.Type, l.ActorId, l.ActorRole, l.OccurredAt, l.CommandId, l.PayloadJson) };
}
