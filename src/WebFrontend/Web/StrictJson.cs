using System.Buffers;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace CaseGrains.WebFrontend.Web;

/// <summary>
/// How the API and the live hubs read JSON from clients (docs/api.md): enum values only by their exact names, numbers
/// only as JSON numbers, each key once, no unknown field. A value read loosely would be stored as something the client
/// did not quite send ("droppedout", "DroppedOut, Moved" read as a third reason, the second of two "nik" keys winning).
/// </summary>
public static class StrictJson
{
    /// <summary>The problem code of JSON that does not read under these rules (the hubs throw it as their message).</summary>
    public const string MalformedCode = "request.malformed";

    public static void Apply(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Converters.Add(new ExactEnumConverter());
        options.NumberHandling = JsonNumberHandling.Strict;
        options.AllowDuplicateProperties = false;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
    }

    /// <summary>The field a JSON problem is about (<c>$.needs[0]</c> → <c>needs[0]</c>), or null for the document itself.</summary>
    public static string? Field(JsonException exception) =>
        exception?.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..]
        : exception?.Path is { Length: > 1 } indexed && indexed.StartsWith("$[", StringComparison.Ordinal) ? indexed[1..]
        : null;

    /// <summary>What is wrong with the JSON, in each language, naming the field but never echoing the value or a type name.</summary>
    public static (string Indonesian, string English) Describe(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var field = Field(exception);
        if (field is null)
        {
            return ("JSON tidak sah", "invalid JSON");
        }

        return exception switch
        {
            UnknownNameException => ($"{field}: nilai tidak dikenal; tulis persis seperti nama di dokumentasi API (huruf besar dan kecil dibedakan)",
                $"{field}: unknown value; write it exactly as the API documentation names it (case-sensitive)"),
            _ when exception.Message.StartsWith("Duplicate propert", StringComparison.Ordinal) =>
                ($"{field}: kolom ini muncul lebih dari sekali", $"{field}: this field appears more than once"),
            _ when exception.Message.Contains("could not be mapped", StringComparison.Ordinal) =>
                ($"{field}: kolom tidak dikenal", $"{field}: unknown field"),
            _ => ($"{field}: jenis nilai salah (angka tanpa tanda kutip, teks dan nama dengan tanda kutip)",
                $"{field}: wrong kind of value (numbers without quotes, text and names in quotes)"),
        };
    }

    /// <summary>A string that is not the exact name of one of the enum's values.</summary>
    private sealed class UnknownNameException : JsonException
    {
        public UnknownNameException()
            : base("Not the exact name of a value.")
        {
        }

        public UnknownNameException(string message)
            : base(message)
        {
        }

        public UnknownNameException(string message, Exception innerException)
            : base(message, innerException)
        {
        }
    }

    /// <summary>
    /// Enums as their names, read back only by the exact name: not another casing, not a number (in quotes or not), not a
    /// comma-separated list (which <see cref="JsonStringEnumConverter"/> accepts, combining the values).
    /// </summary>
    private sealed class ExactEnumConverter : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(ExactEnumConverter<>).MakeGenericType(typeToConvert))!;
    }

    private sealed class ExactEnumConverter<T> : JsonConverter<T>
        where T : struct, Enum
    {
        private static readonly FrozenDictionary<string, T> ByName =
            Enum.GetValues<T>().ToFrozenDictionary(v => v.ToString(), StringComparer.Ordinal);

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType == JsonTokenType.String
            ? Parse(reader.GetString())
            : throw new UnknownNameException();

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());

        public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Parse(reader.GetString());

        public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WritePropertyName(value.ToString());

        private static T Parse(string? name) => name is not null && ByName.TryGetValue(name, out var value) ? value : throw new UnknownNameException();
    }
}

/// <summary>
/// SignalR's JSON protocol, reading with <see cref="StrictJson"/>'s rules (its options), and answering an argument that does
/// not read as the hubs name every problem: a <see cref="HubException"/> whose message is the code (<c>request.malformed</c>),
/// instead of the framework's generic failure. Nothing is invoked.
/// </summary>
public sealed class StrictJsonHubProtocol(IOptions<JsonHubProtocolOptions> options) : IHubProtocol
{
    private readonly JsonHubProtocol _inner = new(options);

    public string Name => _inner.Name;

    public int Version => _inner.Version;

    public TransferFormat TransferFormat => _inner.TransferFormat;

    public bool IsVersionSupported(int version) => _inner.IsVersionSupported(version);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _inner.GetMessageBytes(message);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _inner.WriteMessage(message, output);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        if (!_inner.TryParseMessage(ref input, binder, out message))
        {
            return false;
        }

        message = message switch
        {
            InvocationBindingFailureMessage failed => new InvocationBindingFailureMessage(failed.InvocationId, failed.Target, Malformed()),
            StreamBindingFailureMessage failed => new StreamBindingFailureMessage(failed.Id, Malformed()),
            _ => message,
        };
        return true;
    }

    private static ExceptionDispatchInfo Malformed() => ExceptionDispatchInfo.Capture(new HubException(StrictJson.MalformedCode));
}
