using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Privacy;
using CaseGrains.Grains.Storage;

namespace CaseGrains.Grains;

/// <summary>
/// A case's folded state as of one event, so an activation reads the snapshot and the events after it instead of the
/// whole timeline (issue 16, deliverable 2). A snapshot is a cache: the timeline stays the only record, chain
/// verification reads every event, and a snapshot that does not fit (another format, a head that is not the next
/// event's previous hash, consequences still owed at or before it) is passed over for a full replay, after which a
/// new one is written. See docs/decisions.md, "Snapshots".
/// </summary>
internal static class CaseSnapshots
{
    /// <summary>
    /// A snapshot is written once the case has this many events past its last one: an activation replays at most this
    /// many less one, about what a new case holds, so a case of 10,000 events opens as fast as one of 10 (bench snapshots).
    /// </summary>
    public const int Every = 10;

    /// <summary>
    /// Bumped by hand when <see cref="CaseState.Apply"/> folds an event differently with the same state shape (a new
    /// rule over old events), or when a field is written to JSON differently (2: the session positions as
    /// <see cref="PositionsConverter"/>); a change of shape changes <see cref="Format"/> by itself.
    /// </summary>
    private const int FoldVersion = 2;

    private static readonly JsonSerializerOptions Options = new(EventJson.Options)
    {
        Converters = { new StageTableConverter(), new PositionsConverter() },
        IgnoreReadOnlyProperties = true,
    };

    /// <summary>
    /// The format of the snapshots this build writes and reads: the fold version and a hash of the state's shape (every
    /// stored property's name and type, every enum's members, recursively). Snapshots of any other format are ignored
    /// and rewritten, so a release that changes <see cref="CaseState"/> rebuilds them from the timeline by itself.
    /// </summary>
    public static string Format { get; } = $"{FoldVersion}.{ShapeHash(typeof(CaseState))}";

    public static string Write(CaseState state) => JsonSerializer.Serialize(state, Options);

    public static CaseState Read(string json)
    {
        var state = JsonSerializer.Deserialize<CaseState>(json, Options) ?? throw new InvalidDataException("A case snapshot holds no state.");
        // Consent to every purpose is one shared set, as in a state folded from its events (not a set per active case).
        return state.ConsentedPurposes.SetEquals(ConsentPurposes.All) ? state with { ConsentedPurposes = ConsentPurposes.All } : state;
    }

    private static string ShapeHash(Type root)
    {
        var shape = new StringBuilder();
        var seen = new HashSet<Type>();
        Describe(root, shape, seen);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(shape.ToString())))[..16];
    }

    private static void Describe(Type type, StringBuilder shape, HashSet<Type> seen)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (!seen.Add(type) || type.IsPrimitive || type == typeof(string) || type == typeof(DateTimeOffset) || type == typeof(DateOnly) || type == typeof(decimal))
        {
            return;
        }

        if (type.IsEnum)
        {
            shape.Append(type.Name).Append('{').AppendJoin(',', Enum.GetNames(type)).Append('}');
            return;
        }

        if (type == typeof(StageTable))
        {
            shape.Append("StageTable[");
            Describe(typeof(StageProgress), shape, seen);
            shape.Append(']');
            Describe(typeof(Stage), shape, seen);
            return;
        }

        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments())
            {
                Describe(argument, shape, seen);
            }

            return;
        }

        shape.Append(type.Name).Append('(');
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetIndexParameters().Length == 0).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            shape.Append(property.Name).Append(':').Append(property.PropertyType.ToString()).Append(';');
            Describe(property.PropertyType, shape, seen);
        }

        shape.Append(')');
    }

    /// <summary>
    /// The mentoring sessions' positions in the timeline (<see cref="CaseState.MentoringSessionSeqs"/>, the state's only
    /// list of numbers): thousands on a long case, each a little above the last. Written as one base64 string of the
    /// differences, each zigzag-encoded in as few 7-bit groups as it needs: about a byte per session, not the five of a
    /// JSON number, so the snapshot of a case with 5,000 sessions is 8 KB, not 26 KB, and reads back faster
    /// (bench snapshots). Any list of ints round-trips; bytes that do not decode are a <see cref="JsonException"/>,
    /// and the activation passes the snapshot over for a replay.
    /// </summary>
    internal sealed class PositionsConverter : JsonConverter<ImmutableArray<int>>
    {
        // A difference of two ints needs 33 bits, zigzag-encoded 34: five groups of 7.
        private const int MaxGroups = 5;

        public override ImmutableArray<int> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String || !reader.TryGetBytesFromBase64(out var bytes))
            {
                throw new JsonException("The session positions are a base64 string.");
            }

            // Each position takes one byte at least.
            var values = new int[bytes.Length];
            var count = 0;
            long previous = 0;
            for (var i = 0; i < bytes.Length;)
            {
                ulong raw = 0;
                for (var group = 0; ; group++)
                {
                    if (i == bytes.Length || group == MaxGroups)
                    {
                        throw new JsonException("The session positions end inside a number, or hold one that is too long.");
                    }

                    var b = bytes[i++];
                    raw |= (ulong)(b & 0x7F) << (7 * group);
                    if ((b & 0x80) == 0)
                    {
                        break;
                    }
                }

                var value = previous + ((long)(raw >> 1) ^ -(long)(raw & 1));
                if (value is < int.MinValue or > int.MaxValue)
                {
                    throw new JsonException("A session position is out of range.");
                }

                values[count++] = (int)value;
                previous = value;
            }

            return ImmutableCollectionsMarshal.AsImmutableArray(values.AsSpan(0, count).ToArray());
        }

        public override void Write(Utf8JsonWriter writer, ImmutableArray<int> value, JsonSerializerOptions options)
        {
            var bytes = new byte[value.IsDefault ? 0 : value.Length * MaxGroups];
            var length = 0;
            long previous = 0;
            foreach (var position in value.IsDefault ? [] : value)
            {
                var delta = position - previous;
                var raw = (ulong)((delta << 1) ^ (delta >> 63));
                for (; raw >= 0x80; raw >>= 7)
                {
                    bytes[length++] = (byte)(raw | 0x80);
                }

                bytes[length++] = (byte)raw;
                previous = position;
            }

            writer.WriteBase64StringValue(bytes.AsSpan(0, length));
        }
    }

    /// <summary>The stages' progress in journey order; stages not started share the one <see cref="StageProgress.NotStarted"/>.</summary>
    private sealed class StageTableConverter : JsonConverter<StageTable>
    {
        public override StageTable Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var items = JsonSerializer.Deserialize<StageProgress[]>(ref reader, options) ?? throw new JsonException("A stage table holds no stages.");
            var stages = Enum.GetValues<Stage>();
            if (items.Length != stages.Length)
            {
                throw new JsonException($"A stage table holds {items.Length} stages, not {stages.Length}.");
            }

            var table = StageTable.Opened(default);
            for (var i = 0; i < stages.Length; i++)
            {
                table = table.SetItem(stages[i], items[i] == StageProgress.NotStarted ? StageProgress.NotStarted : items[i]);
            }

            return table;
        }

        public override void Write(Utf8JsonWriter writer, StageTable value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.Entries.Select(e => e.Value).ToArray(), options);
    }
}
