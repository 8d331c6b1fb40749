namespace CaseGrains.Domain.Identity;

/// <summary>
/// A masked NIK as <see cref="Nik.Mask"/> writes it (<c>3579**********01</c>), held as its six visible digits instead of
/// the sixteen characters; any other text (an erased field, test data) is held as it was given. Equal when the text is.
/// </summary>
public readonly record struct MaskedNik
{
    private const string Stars = "**********";
    private readonly int _digits;
    private readonly string? _text;

    private MaskedNik(int digits, string? text) => (_digits, _text) = (digits, text);

    public static MaskedNik From(string masked)
    {
        ArgumentNullException.ThrowIfNull(masked);
        return masked.Length == 16 && masked.AsSpan(4, 10).SequenceEqual(Stars)
            && masked.AsSpan(0, 4).IndexOfAnyExceptInRange('0', '9') < 0 && masked.AsSpan(14, 2).IndexOfAnyExceptInRange('0', '9') < 0
            ? new(Digits(masked.AsSpan(0, 4)) * 100 + Digits(masked.AsSpan(14, 2)), null)
            : new(0, masked);
    }

    private static int Digits(ReadOnlySpan<char> digits)
    {
        var value = 0;
        foreach (var c in digits)
        {
            value = value * 10 + (c - '0');
        }

        return value;
    }

    /// <summary>The masked NIK exactly as it was given.</summary>
    public override string ToString()
    {
        if (_text is not null)
        {
            return _text;
        }

        Span<char> visible = stackalloc char[6];
        _digits.TryFormat(visible, out _, "D6", System.Globalization.CultureInfo.InvariantCulture);
        return string.Concat(visible[..4], Stars, visible[4..]);
    }
}
