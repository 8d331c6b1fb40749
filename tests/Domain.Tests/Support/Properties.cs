using System.Text.Json;
using System.Text.Json.Serialization;
using CaseGrains.Domain.Journey;
using CsCheck;

namespace CaseGrains.Domain.Tests.Support;

/// <summary>Settings and helpers shared by the property tests (CsCheck).</summary>
internal static class Properties
{
    /// <summary>
    /// How many samples a property draws: <paramref name="ours"/> (sized so the whole project's run stays in seconds), or
    /// CsCheck's <c>CsCheck_Iter</c> when it is set. <c>CsCheck_Time</c> (seconds per property) overrides both.
    /// </summary>
    public static long Iter(long ours) => Environment.GetEnvironmentVariable("CsCheck_Iter") is null ? ours : Check.Iter;

    private static readonly JsonSerializerOptions StateOptions = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>A value's whole public content as text: two states are the same when their texts are.</summary>
    public static string Json(object? value) => JsonSerializer.Serialize(value, StateOptions);

    /// <summary>
    /// The stored form of event payloads: the same options as the store's <c>EventJson</c> (src/Grains/Storage), which this
    /// project cannot reference (camelCase, enums as strings, nulls written).
    /// </summary>
    private static readonly JsonSerializerOptions PayloadOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Payload(CaseEvent e) => JsonSerializer.Serialize(e, e.GetType(), PayloadOptions);

    public static CaseEvent FromPayload(string type, string json) =>
        (CaseEvent)JsonSerializer.Deserialize(json, CaseEventTypes.ByName[type], PayloadOptions)!;
}
