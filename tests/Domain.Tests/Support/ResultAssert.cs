using CaseGrains.Domain.Journey;

namespace CaseGrains.Domain.Tests.Support;

internal static class ResultAssert
{
    /// <summary>The accepted event's type name, or the refusal code: one string a table row can name.</summary>
    public static string Outcome(this Result<CaseEvent> result) => result.IsRefused ? result.Refusal!.Code : result.Value.Type;

    public static Refusal Refused<T>(Result<T> result, string code)
    {
        Assert.True(result.IsRefused, $"Expected refusal {code}, but the command was accepted.");
        Assert.Equal(code, result.Refusal!.Code);
        Assert.False(string.IsNullOrWhiteSpace(result.Refusal.Indonesian));
        Assert.False(string.IsNullOrWhiteSpace(result.Refusal.English));
        PlainWords.AssertPlain(result.Refusal);
        return result.Refusal;
    }

    public static Refusal Refused<T>(Result<T> result, string code, string field)
    {
        var refusal = Refused(result, code);
        Assert.Equal(field, refusal.Field);
        return refusal;
    }

    public static TEvent Accepted<TEvent>(Result<CaseEvent> result)
        where TEvent : CaseEvent
    {
        Assert.False(result.IsRefused, $"Expected {typeof(TEvent).Name}, but refused: {result.Refusal?.Code} ({result.Refusal?.English})");
        return Assert.IsType<TEvent>(result.Value);
    }
}
