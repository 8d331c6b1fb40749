using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CaseGrains.Domain.Timeline;

/// <summary>
/// Anchors a case's hash chain under a key the database does not hold: a checkpoint names the case's head (the hash of
/// its event <see cref="Checkpoint.Seq"/>) and carries an HMAC-SHA256 over it. Whoever can write the database can recompute
/// every plain SHA-256 hash of a rewritten timeline, but not the MAC of a checkpoint naming the new head.
/// </summary>
public static class ChainAnchor
{
    /// <summary>Names the MAC's purpose and format, so a MAC made for anything else with the same key never passes.</summary>
    private const string Purpose = "casegrains/chain-checkpoint/v1";

    /// <summary>
    /// A case's chain head as checkpointed at <see cref="RecordedAt"/> (the time of the event it anchors). <see cref="Mac"/>
    /// is lower-case hex; null marks the head of the events written before anchoring began (migration 17), which no key covers.
    /// </summary>
    public sealed record Checkpoint(string CaseNumber, long Seq, string Head, DateTimeOffset RecordedAt, string? Mac);

    /// <summary>What a chain is, measured against its checkpoint: whether a checkpoint with a valid MAC was checked, and the problem found (null when none).</summary>
    public readonly record struct AnchorCheck(bool Anchored, long? CheckpointSeq, string? Problem);

    /// <summary>The checkpoint of <paramref name="head"/>, the hash of event <paramref name="seq"/>, MAC'd with <paramref name="key"/>.</summary>
    public static Checkpoint Create(ReadOnlySpan<byte> key, string caseNumber, long seq, string head, DateTimeOffset recordedAt) =>
        new(caseNumber, seq, head, recordedAt, Mac(key, caseNumber, seq, head, recordedAt));

    /// <summary>HMAC-SHA256 over the checkpoint's fields (length-prefixed UTF-8 as in <see cref="EventChain"/>), lower-case hex.</summary>
    public static string Mac(ReadOnlySpan<byte> key, string caseNumber, long seq, string head, DateTimeOffset recordedAt)
    {
        ArgumentNullException.ThrowIfNull(caseNumber);
        ArgumentNullException.ThrowIfNull(head);
        using var stream = new MemoryStream();
        Span<byte> len = stackalloc byte[4];
        foreach (var field in new[] { Purpose, caseNumber, seq.ToString(CultureInfo.InvariantCulture), head, EventChain.FormatTime(recordedAt) })
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            BinaryPrimitives.WriteInt32BigEndian(len, bytes.Length);
            stream.Write(len);
            stream.Write(bytes);
        }

        return Convert.ToHexStringLower(HMACSHA256.HashData(key, stream.ToArray()));
    }

    /// <summary>True when the checkpoint carries a MAC and <paramref name="key"/> gives that MAC for its fields (compared in constant time).</summary>
    public static bool IsAuthentic(ReadOnlySpan<byte> key, Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (checkpoint.Mac is null)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Mac(key, checkpoint.CaseNumber, checkpoint.Seq, checkpoint.Head, checkpoint.RecordedAt));
        var found = Encoding.ASCII.GetBytes(checkpoint.Mac);
        return CryptographicOperations.FixedTimeEquals(expected, found);
    }

    /// <summary>
    /// Measures a recomputed chain against the case's checkpoint: <paramref name="events"/> events chain on from genesis,
    /// and <paramref name="hashAtCheckpoint"/> is the recomputed hash of the event at the checkpoint's seq (null when the
    /// chain does not reach it). The chain must reach the checkpoint, give its head there, and end there (every append
    /// writes its checkpoint in the same transaction).
    /// </summary>
    public static AnchorCheck Check(ReadOnlySpan<byte> key, Checkpoint? checkpoint, long events, string? hashAtCheckpoint)
    {
        var seq = checkpoint?.Seq ?? 0;
        var inv = CultureInfo.InvariantCulture;
        if (checkpoint is null)
        {
            return new AnchorCheck(false, null, events == 0 ? null
                : "no checkpoint: the case's chain head is not anchored (its checkpoint was deleted, or its events were not written by the case)");
        }

        if (checkpoint.Mac is null)
        {
            // The head of the events written before anchoring began: every later append replaces it with a MAC'd checkpoint.
            return new AnchorCheck(false, null, checkpoint.Seq == events && hashAtCheckpoint == checkpoint.Head ? null
                : string.Create(inv, $"no checkpoint: the events before anchoring began end at seq {seq}, the chain does not (events after it were not written by the case, or the timeline was rewritten)"));
        }

        if (!IsAuthentic(key, checkpoint))
        {
            return new AnchorCheck(false, checkpoint.Seq,
                "checkpoint MAC does not verify: the checkpoint was altered or not written with this installation's chain anchor key");
        }

        var problem = events < checkpoint.Seq ? string.Create(inv, $"events missing: the checkpoint anchors seq {seq}, the chain holds {events}")
            : hashAtCheckpoint != checkpoint.Head ? string.Create(inv, $"timeline rewritten: the recomputed hash of seq {seq} is not the anchored head")
            : events > checkpoint.Seq ? string.Create(inv, $"events after the checkpoint (seq {seq}) were not appended by the case: the chain holds {events}")
            : null;
        return new AnchorCheck(true, checkpoint.Seq, problem);
    }
}
