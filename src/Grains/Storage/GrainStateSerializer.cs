using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Orleans.Serialization;
using Orleans.Storage;

namespace CaseGrains.Grains.Storage;

/// <summary>
/// How grain state is written to the grain-storage table: the Orleans binary serializer, whose types are declared
/// (<c>[GenerateSerializer]</c> with <c>[Id]</c> fields and an <c>[Alias]</c>, or a registered surrogate for a domain
/// record), behind a four-byte format mark. Fields are matched by id, so a new field reads as its default from an older
/// row and an unknown one is skipped: no type name in the row has to pass an allow-list (the cause of the catalog
/// being unreadable after a restart, issue 15).
/// <para>
/// Rows written by earlier releases hold Newtonsoft JSON with <c>$type</c> names (Orleans' default storage
/// serializer). They are read here by shape into the declared state type, ignoring the type names, and written back
/// in the binary form with the grain's next write. See docs/storage.md.
/// </para>
/// </summary>
public sealed class GrainStateSerializer(Serializer serializer) : IGrainStorageSerializer
{
    /// <summary>The first bytes of every row this serializer writes ("CGS" + format version 1).</summary>
    public static ReadOnlySpan<byte> Mark => "CGS\u0001"u8;

    public BinaryData Serialize<T>(T? input)
    {
        var body = serializer.SerializeToArray(input);
        var bytes = new byte[Mark.Length + body.Length];
        Mark.CopyTo(bytes);
        body.CopyTo(bytes.AsSpan(Mark.Length));
        return new BinaryData(bytes);
    }

    public T Deserialize<T>(BinaryData input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var bytes = input.ToMemory();
        if (bytes.Span.StartsWith(Mark))
        {
            return serializer.Deserialize<T>(bytes[Mark.Length..])
                ?? throw new InvalidDataException($"A grain-state row of {typeof(T).Name} holds no value.");
        }

        return LegacyJson.IsLegacy(bytes.Span)
            ? LegacyJson.Deserialize<T>(input)
            : throw new InvalidDataException($"A grain-state row of {typeof(T).Name} is in no known format (neither this release's nor the earlier JSON).");
    }

    /// <summary>
    /// The reader of rows written before this release: Newtonsoft JSON as Orleans' default storage serializer wrote it
    /// (<c>$id</c>/<c>$ref</c> references, <c>$type</c> names, <c>$values</c> wrappers; enums as numbers; defaults left
    /// out). The metadata is taken out first (references resolved, wrappers unwrapped, type names dropped unread), then
    /// the plain JSON is read into the declared state type: nothing in the row chooses a type.
    /// </summary>
    internal static class LegacyJson
    {
        private static readonly JsonSerializer Reader = JsonSerializer.Create(new JsonSerializerSettings
        {
            TypeNameHandling = TypeNameHandling.None,
            MetadataPropertyHandling = MetadataPropertyHandling.Ignore,
            // Collections a state creates itself (an ordinal SortedSet, say) are filled, keeping their comparer.
            ObjectCreationHandling = ObjectCreationHandling.Auto,
            MissingMemberHandling = MissingMemberHandling.Ignore,
            DateParseHandling = DateParseHandling.DateTimeOffset,
            MaxDepth = 64,
        });

        public static bool IsLegacy(ReadOnlySpan<byte> bytes)
        {
            var text = bytes.TrimStart(" \t\r\n"u8);
            if (text.StartsWith("\uFEFF"u8))
            {
                text = text[3..];
            }

            return text.Length > 0 && text[0] == (byte)'{';
        }

        public static T Deserialize<T>(BinaryData input)
        {
            using var text = new JsonTextReader(new StringReader(input.ToString())) { DateParseHandling = DateParseHandling.None, MaxDepth = 64 };
            var plain = WithoutMetadata(JToken.ReadFrom(text), new Dictionary<string, JToken>(StringComparer.Ordinal));
            return plain.ToObject<T>(Reader) ?? throw new InvalidDataException($"An earlier-format row of {typeof(T).Name} holds no value.");
        }

        private static JToken WithoutMetadata(JToken token, Dictionary<string, JToken> byId)
        {
            switch (token)
            {
                case JObject o when o.TryGetValue("$ref", out var reference):
                    return byId.TryGetValue((string?)reference ?? "", out var target)
                        ? target.DeepClone()
                        : throw new InvalidDataException($"An earlier-format row refers to object {reference} that it does not hold.");
                case JObject o:
                    var plain = o.TryGetValue("$values", out var values)
                        ? WithoutMetadata(values, byId)
                        : new JObject(o.Properties().Where(p => !p.Name.StartsWith('$')).Select(p => new JProperty(p.Name, WithoutMetadata(p.Value, byId))));
                    if (o.TryGetValue("$id", out var id))
                    {
                        byId[(string?)id ?? ""] = plain;
                    }

                    return plain;
                case JArray a:
                    return new JArray(a.Select(item => WithoutMetadata(item, byId)));
                default:
                    return token.DeepClone();
            }
        }
    }
}
