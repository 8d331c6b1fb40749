namespace CaseGrains.Domain;

/// <summary>
/// An expected refusal: a stable machine code, a message a caseworker understands in Bahasa Indonesia and in
/// English, the input field at fault (when one is), and details such as an existing case number.
/// </summary>
public sealed record Refusal(string Code, string Indonesian, string English)
{
    public string? Field { get; init; }

    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>();

    public string Message(bool english) => english ? English : Indonesian;
}

/// <summary>A value or a refusal. Refusals are values, not exceptions.</summary>
public readonly struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, Refusal? refusal)
    {
        _value = value;
        Refusal = refusal;
    }

    public Refusal? Refusal { get; }

    public bool IsRefused => Refusal is not null;

    public T Value => Refusal is null ? _value! : throw new InvalidOperationException($"Refused: {Refusal.Code}");

    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(Refusal refusal) => new(default, refusal);
}
