using System.Text.Json;
using CaseGrains.Domain.Services;

namespace CaseGrains.Grains.Storage;

/// <summary>An offer as JSON (the event payload form): used to tell whether a re-import changes anything.</summary>
internal static class OfferJson
{
    public static string Serialize(Offer offer) => JsonSerializer.Serialize(offer, EventJson.Options);
}
