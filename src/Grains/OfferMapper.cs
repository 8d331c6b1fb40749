using System.Globalization;
using CaseGrains.Domain;
using CaseGrains.Domain.Business;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Services;
using CaseGrains.Grains.Abstractions;

namespace CaseGrains.Grains;

/// <summary>Turns an admin's offer request (REST body or CSV row) into a domain offer; a missing value is refused by name.</summary>
public static class OfferMapper
{
    public static Result<Offer> ToOffer(string? id, OfferRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var missing = (id is null ? "id" : null) ?? (r.Type is null ? "type" : null) ?? (r.Level is null ? "level" : null)
            ?? (r.Segments is null ? "segments" : null) ?? (r.Regions is null ? "regions" : null) ?? (r.Start is null ? "start" : null)
            ?? (r.End is null ? "end" : null) ?? (r.Capacity is null ? "capacity" : null);
        if (missing is not null)
        {
            return Refusals.Required(missing);
        }

        FinancingTerms? financing = null;
        if (r.MinAmountIdr is not null || r.MaxAmountIdr is not null || r.EligibleClasses is not null)
        {
            var field = (r.MinAmountIdr is null ? "minAmountIdr" : null) ?? (r.MaxAmountIdr is null ? "maxAmountIdr" : null) ?? (r.EligibleClasses is null ? "eligibleClasses" : null);
            if (field is not null)
            {
                return Refusals.Required(field);
            }

            financing = new FinancingTerms(r.MinAmountIdr!.Value, r.MaxAmountIdr!.Value, r.EligibleClasses!);
        }

        var offer = new Offer
        {
            Id = id!.Trim(),
            Name = r.Name?.Trim() ?? "",
            Type = r.Type!.Value,
            Category = r.Category?.Trim() ?? "",
            Provider = r.Provider?.Trim() ?? "",
            Level = r.Level!.Value,
            PartnerRole = r.PartnerRole,
            Segments = [.. r.Segments!.Distinct()],
            Regions = [.. r.Regions!.Select(x => x?.Trim() ?? "").Distinct(StringComparer.Ordinal)],
            Period = new OfferPeriod(r.Start!.Value, r.End!.Value),
            Capacity = r.Capacity!.Value,
            Financing = financing,
            AttendanceThresholdPercent = r.AttendanceThresholdPercent,
            Sectors = [.. (r.Sectors ?? []).Select(x => x?.Trim() ?? "")],
            PartnerOrgId = string.IsNullOrWhiteSpace(r.PartnerOrgId) ? null : r.PartnerOrgId.Trim(),
        };
        return OfferRules.Validate(offer) is { } refusal ? refusal : offer;
    }
}

/// <summary>
/// The catalog CSV (docs/services.md has the format and samples/catalog-kota-batu.csv an example): a header row naming the
/// columns (any order, case-insensitive), then one offer per row; lists separated by ';', dates yyyy-MM-dd, amounts in
/// whole rupiah. The file is read by the frontend (docs/imports.md: separators, encodings); this takes its records.
/// </summary>
public static class CatalogCsv
{
    public const int MaxRows = 5000;

    public static readonly string[] Required = ["id", "name", "type", "category", "provider", "level", "segments", "regions", "start", "end", "capacity"];

    public static readonly string[] Optional = ["partner_role", "attendance_threshold", "min_amount_idr", "max_amount_idr", "eligible_classes", "sectors", "partner_org"];

    /// <summary>The rows as (line number, id, request), or a refusal for the file as a whole (no header, unknown or missing columns, too many rows).</summary>
    public static Result<IReadOnlyList<(int Line, string? Id, Result<OfferRequest> Request)>> Parse(IReadOnlyList<string> fileHeader, IReadOnlyList<CsvRecord> records)
    {
        ArgumentNullException.ThrowIfNull(fileHeader);
        ArgumentNullException.ThrowIfNull(records);
        if (fileHeader.Count == 0)
        {
            return new Refusal("import.empty", "Berkas CSV kosong.", "The CSV file is empty.");
        }

        var header = fileHeader.Select(h => h.Trim().ToLowerInvariant()).ToList();
        var unknown = header.Where(h => !Required.Contains(h) && !Optional.Contains(h)).ToList();
        var absent = Required.Where(h => !header.Contains(h)).ToList();
        if (unknown.Count > 0 || absent.Count > 0 || header.Distinct().Count() != header.Count)
        {
            var what = string.Join(", ", absent.Select(a => "missing " + a).Concat(unknown.Select(u => "unknown " + u)));
            return new Refusal("import.bad_header", $"Baris judul CSV tidak sesuai format ({what}).", $"The CSV header does not match the format ({what}).")
            {
                Details = new Dictionary<string, string> { ["expected"] = string.Join(",", Required.Concat(Optional)) },
            };
        }

        if (records.Count > MaxRows)
        {
            return Refusals.OutOfRange("rows", $"1..{MaxRows}");
        }

        var rows = new List<(int, string?, Result<OfferRequest>)>();
        foreach (var (line, fields) in records)
        {
            if (fields.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            var cells = header.Select((h, i) => (h, v: i < fields.Count ? fields[i].Trim() : "")).ToDictionary(x => x.h, x => x.v);
            var id = cells["id"].ToLowerInvariant();
            rows.Add((line, id.Length == 0 ? null : id, fields.Count != header.Count
                ? new Refusal("import.column_count", $"Baris berisi {fields.Count} kolom; judul berisi {header.Count}.", $"The row has {fields.Count} columns; the header has {header.Count}.")
                : Row(cells)));
        }

        return rows;
    }

    private static Result<OfferRequest> Row(Dictionary<string, string> c)
    {
        string? Text(string key) => c.TryGetValue(key, out var v) && v.Length > 0 ? v : null;
        var bad = (string?)null;
        T? Enum<T>(string key) where T : struct, System.Enum
        {
            if (Text(key) is not { } v)
            {
                return null;
            }

            var name = System.Enum.GetNames<T>().FirstOrDefault(n => string.Equals(n, v, StringComparison.OrdinalIgnoreCase));
            bad ??= name is null ? key : null;
            return name is null ? null : System.Enum.Parse<T>(name);
        }

        List<T>? Enums<T>(string key) where T : struct, System.Enum
        {
            if (Text(key) is not { } v)
            {
                return null;
            }

            var list = new List<T>();
            foreach (var part in v.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var name = System.Enum.GetNames<T>().FirstOrDefault(n => string.Equals(n, part, StringComparison.OrdinalIgnoreCase));
                if (name is null)
                {
                    bad ??= key;
                    return null;
                }

                list.Add(System.Enum.Parse<T>(name));
            }

            return list;
        }

        List<string>? List(string key) => Text(key)?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

        DateOnly? Date(string key)
        {
            if (Text(key) is not { } v)
            {
                return null;
            }

            var ok = DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d);
            bad ??= ok ? null : key;
            return ok ? d : null;
        }

        long? Long(string key)
        {
            if (Text(key) is not { } v)
            {
                return null;
            }

            // Whole rupiah: digits only (thousands dots or commas are a common spreadsheet habit; they are refused, not guessed).
            var ok = v.All(char.IsAsciiDigit) && long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n);
            bad ??= ok ? null : key;
            return ok ? long.Parse(v, NumberStyles.None, CultureInfo.InvariantCulture) : null;
        }

        int? Int(string key) => Long(key) is { } n ? (n <= int.MaxValue ? (int)n : Bad(key)) : null;

        int? Bad(string key)
        {
            bad ??= key;
            return null;
        }

        var request = new OfferRequest
        {
            Name = Text("name"),
            Type = Enum<OfferType>("type"),
            Category = Text("category"),
            Provider = Text("provider"),
            Level = Enum<OfferLevel>("level"),
            PartnerRole = Enum<HexaHelixRole>("partner_role"),
            Segments = Enums<Segment>("segments"),
            Regions = List("regions"),
            Start = Date("start"),
            End = Date("end"),
            Capacity = Int("capacity"),
            AttendanceThresholdPercent = Int("attendance_threshold"),
            MinAmountIdr = Long("min_amount_idr"),
            MaxAmountIdr = Long("max_amount_idr"),
            EligibleClasses = Enums<UmkmClass>("eligible_classes"),
            Sectors = List("sectors"),
            PartnerOrgId = Text("partner_org"),
        };
        return bad is null ? request
            : new Refusal("import.bad_value", $"Nilai kolom '{bad}' tidak valid.", $"The value in column '{bad}' is not valid.") { Field = bad };
    }
}
