using System.Text.Json;
using System.Text.Json.Serialization;
using CaseGrains.Domain.Journey;

namespace CaseGrains.Grains.Storage;

/// <summary>The one JSON form of stored payloads (camelCase, enums as strings). The stored text is what gets hashed.</summary>
public static class EventJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Serialize(CaseEvent e) => JsonSerializer.Serialize(e, e.GetType(), Options);

    public static CaseEvent Deserialize(string type, string json)
    {
        if (!CaseEventTypes.ByName.TryGetValue(type, out var clr))
        {
            throw new InvalidDataException($"Unknown stored event type '{type}'.");
        }

        return (CaseEvent)(JsonSerializer.Deserialize(json, clr, Options)
            ?? throw new InvalidDataException($"Stored event of type '{type}' has an empty payload."));
    }
}
