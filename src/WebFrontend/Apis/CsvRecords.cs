using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using CaseGrains.Domain;
using CaseGrains.Grains.Abstractions;
using Sylvan.Data.Csv;

namespace CaseGrains.WebFrontend.Apis;

/// <summary>
/// A CSV file read as it arrives (Sylvan.Data.Csv), for both imports (docs/imports.md). UTF-8 with or without a BOM;
/// anything else (a UTF-16 or UTF-32 BOM, bytes that are not UTF-8 such as Windows-1252 text, NUL characters) is refused
/// with <c>import.encoding</c>. The separator is a comma or a semicolon, whichever the header line holds more of (a
/// spreadsheet in the Indonesian locale writes semicolons). Quoted fields may hold separators, doubled quotes and line
/// breaks. Records come in batches with the line each starts on; blank rows are skipped. Only the reader's buffers are
/// in memory, never the whole file.
/// </summary>
public sealed class CsvRecords : IAsyncDisposable
{
    /// <summary>How far into the file the header line is looked for (to choose the separator).</summary>
    private const int HeaderWindow = 64 * 1024;

    /// <summary>The longest record read (a longer one is a broken file: an unclosed quote, most likely).</summary>
    private const int MaxRecordChars = 1024 * 1024;

    /// <summary>
    /// A comment character no text holds (U+FFFF is a noncharacter): Sylvan's comment lines would otherwise skip rows
    /// silently, so the reader's comments are turned off, and a line that starts with it is refused as not text.
    /// </summary>
    private const char NoComment = '\uFFFF';

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly CsvDataReader? _reader;
    private readonly long _maxBytes;
    private readonly Func<bool> _sawNonText;
    private int _line;

    private CsvRecords(CsvDataReader? reader, IReadOnlyList<string> header, char separator, long maxBytes, Func<bool> sawNonText)
    {
        _reader = reader;
        Header = header;
        Separator = separator;
        _maxBytes = maxBytes;
        _sawNonText = sawNonText;
        _line = 1 + 1 + LineBreaks(header);
    }

    /// <summary>The header's fields as written (empty for an empty file).</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>The separator found in the header line.</summary>
    public char Separator { get; }

    /// <summary>
    /// Reads the header of the CSV in <paramref name="body"/>, or the refusal for the file as a whole (not UTF-8,
    /// unreadable, more than <paramref name="maxBytes"/> when the body's own limit says so).
    /// </summary>
    public static async Task<Result<CsvRecords>> OpenAsync(PipeReader body, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ReadResult read;
        try
        {
            while (true)
            {
                read = await body.ReadAsync(cancellationToken);
                if (read.IsCompleted || read.Buffer.Length >= HeaderWindow || read.Buffer.PositionOf((byte)'\n') is not null)
                {
                    break;
                }

                body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(maxBytes);
        }

        var head = read.Buffer.Slice(0, Math.Min(read.Buffer.Length, HeaderWindow)).ToArray();
        if (head.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || head.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])
            || head.AsSpan().StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]))
        {
            body.AdvanceTo(read.Buffer.Start);
            return NotUtf8();
        }

        // The UTF-8 BOM is consumed here: the text reader below decodes strictly and never guesses an encoding.
        var bom = head.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
        body.AdvanceTo(read.Buffer.GetPosition(bom));
        var separator = SeparatorOf(head.AsSpan(bom));

        var sawNonText = false;
        var text = new StreamReader(body.AsStream(), StrictUtf8, detectEncodingFromByteOrderMarks: false, bufferSize: 16 * 1024);
        var options = new CsvDataReaderOptions
        {
            Delimiter = separator,
            HasHeaders = true,
            Comment = NoComment,
            CommentHandler = (Action<string>)(_ => sawNonText = true),
            MaxBufferSize = MaxRecordChars,
            OwnsReader = true,
        };
        CsvDataReader reader;
        try
        {
            reader = await CsvDataReader.CreateAsync(text, options, cancellationToken);
        }
        catch (CsvMissingHeadersException)
        {
            text.Dispose();
            return new CsvRecords(null, [], separator, maxBytes, () => false);
        }
        catch (Exception ex) when (RefusalFor(ex, 1, maxBytes) is { } refusal)
        {
            text.Dispose();
            return refusal;
        }

        var header = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        var records = new CsvRecords(reader, header, separator, maxBytes, () => sawNonText);
        if (sawNonText || header.Any(h => h.Contains('\0', StringComparison.Ordinal)))
        {
            await records.DisposeAsync();
            return NotUtf8();
        }

        return records;
    }

    /// <summary>The whole of a small CSV (the catalog's, a sample file): its header and records, or the refusal.</summary>
    public static async Task<Result<(IReadOnlyList<string> Header, IReadOnlyList<CsvRecord> Rows)>> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        var body = PipeReader.Create(stream);
        var opened = await OpenAsync(body, long.MaxValue, cancellationToken);
        if (opened.IsRefused)
        {
            await body.CompleteAsync();
            return opened.Refusal!;
        }

        await using var csv = opened.Value;
        var rows = await csv.ReadAllAsync(cancellationToken);
        return rows.IsRefused ? rows.Refusal! : (csv.Header, rows.Value);
    }

    /// <summary>The remaining records.</summary>
    public async Task<Result<IReadOnlyList<CsvRecord>>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var all = new List<CsvRecord>();
        while (true)
        {
            var batch = await ReadAsync(1_000, cancellationToken);
            if (batch.IsRefused)
            {
                return batch.Refusal!;
            }

            if (batch.Value.Count == 0)
            {
                return all;
            }

            all.AddRange(batch.Value);
        }
    }

    /// <summary>
    /// The next records (up to <paramref name="max"/>; none at the end of the file), or the refusal for the file as a
    /// whole when the rest of it cannot be read.
    /// </summary>
    public async Task<Result<IReadOnlyList<CsvRecord>>> ReadAsync(int max, CancellationToken cancellationToken)
    {
        var batch = new List<CsvRecord>();
        if (_reader is null)
        {
            return batch;
        }

        try
        {
            while (batch.Count < max && await _reader.ReadAsync(cancellationToken))
            {
                var fields = new string[_reader.RowFieldCount];
                for (var i = 0; i < fields.Length; i++)
                {
                    fields[i] = _reader.GetString(i);
                }

                var line = _line;
                _line += 1 + LineBreaks(fields);
                if (_sawNonText() || fields.Any(f => f.Contains('\0', StringComparison.Ordinal)))
                {
                    return NotUtf8();
                }

                if (!fields.All(string.IsNullOrWhiteSpace))
                {
                    batch.Add(new CsvRecord(line, fields));
                }
            }
        }
        catch (Exception ex) when (RefusalFor(ex, _line, _maxBytes) is { } refusal)
        {
            return refusal;
        }

        return _sawNonText() ? NotUtf8() : batch;
    }

    public async ValueTask DisposeAsync()
    {
        if (_reader is not null)
        {
            await _reader.DisposeAsync();
        }
    }

    /// <summary>The refusal for a file that cannot be read on (from around <paramref name="line"/>); null for any other failure.</summary>
    private static Refusal? RefusalFor(Exception ex, int line, long maxBytes) => ex switch
    {
        DecoderFallbackException => NotUtf8(),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => TooLarge(maxBytes),
        CsvFormatException or CsvRecordTooLargeException => Unreadable(line),
        _ => null,
    };

    private static Refusal NotUtf8() => new(
        "import.encoding",
        "Berkas CSV harus berenkode UTF-8 (dengan atau tanpa BOM); berkas ini tidak, sehingga tidak ada yang diimpor. Di Excel: Simpan Sebagai, pilih \"CSV UTF-8\", lalu unggah lagi.",
        "The CSV file must be UTF-8 (with or without a BOM); this one is not, so nothing was imported. In Excel: Save As, choose \"CSV UTF-8\", then upload it again.")
    {
        Details = new Dictionary<string, string> { ["expected"] = "utf-8" },
    };

    private static Refusal Unreadable(int line)
    {
        var at = line.ToString(CultureInfo.InvariantCulture);
        return new Refusal(
            "import.bad_format",
            $"Berkas CSV tidak dapat dibaca mulai sekitar baris {at} (tanda kutip yang tidak ditutup, teks setelah tanda kutip penutup, atau baris yang terlalu panjang); tidak ada yang diimpor.",
            $"The CSV file cannot be read from about line {at} (an unclosed quote, text after a closing quote, or a row that is too long); nothing was imported.")
        {
            Details = new Dictionary<string, string> { ["line"] = at },
        };
    }

    private static Refusal TooLarge(long maxBytes)
    {
        var mib = (maxBytes / (1024 * 1024)).ToString(CultureInfo.InvariantCulture);
        return new Refusal("request.too_large", $"Berkas CSV terlalu besar (maks. {mib} MiB).", $"The CSV file is too large (at most {mib} MiB).");
    }

    /// <summary>';' when the header line holds more semicolons than commas (outside quotes), else ','.</summary>
    private static char SeparatorOf(ReadOnlySpan<byte> head)
    {
        var (commas, semicolons, quoted) = (0, 0, false);
        foreach (var b in head)
        {
            if (b == (byte)'"')
            {
                quoted = !quoted;
            }
            else if (!quoted && b is (byte)'\n' or (byte)'\r')
            {
                break;
            }
            else if (!quoted)
            {
                commas += b == (byte)',' ? 1 : 0;
                semicolons += b == (byte)';' ? 1 : 0;
            }
        }

        return semicolons > commas ? ';' : ',';
    }

    /// <summary>The line breaks inside a record's fields (quoted), so the next record's line is known: CRLF, LF or CR each count once.</summary>
    private static int LineBreaks(IEnumerable<string> fields)
    {
        var breaks = 0;
        foreach (var field in fields)
        {
            for (var i = 0; i < field.Length; i++)
            {
                if (field[i] == '\n' || (field[i] == '\r' && (i + 1 == field.Length || field[i + 1] != '\n')))
                {
                    breaks++;
                }
            }
        }

        return breaks;
    }
}
