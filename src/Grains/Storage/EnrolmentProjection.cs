using System.Data.Common;
using CaseGrains.Domain.Services;
using CaseGrains.Grains.Abstractions;

namespace CaseGrains.Grains.Storage;

/// <summary>
/// The enrolment projection's schema and queries, the same text for SQLite and PostgreSQL (<c>@name</c> parameters,
/// <c>counts</c> as 0/1). The national code selects every region.
/// </summary>
internal static class EnrolmentProjection
{
    public const string Columns = "case_number, enrolment_seq, offer_id, offer_type, offer_name, provider, region_code, segment, status, counts, amount_idr, plafond_idr, disbursed_idr, repayment, updated_at";

    public const string UpdateOnConflict = """
        ON CONFLICT (case_number, enrolment_seq) DO UPDATE SET
            status = excluded.status, counts = excluded.counts, amount_idr = excluded.amount_idr, plafond_idr = excluded.plafond_idr,
            disbursed_idr = excluded.disbursed_idr, repayment = excluded.repayment, updated_at = excluded.updated_at, region_code = excluded.region_code
        """;

    public static string Table(string timeType) => $"""
        CREATE TABLE case_enrolments (
            case_number   TEXT    NOT NULL,
            enrolment_seq BIGINT  NOT NULL,
            offer_id      TEXT    NOT NULL,
            offer_type    TEXT    NOT NULL,
            offer_name    TEXT    NOT NULL,
            provider      TEXT    NOT NULL,
            region_code   TEXT    NOT NULL,
            segment       TEXT    NOT NULL,
            status        TEXT    NOT NULL,
            counts        INTEGER NOT NULL,
            amount_idr    BIGINT  NULL,
            plafond_idr   BIGINT  NULL,
            disbursed_idr BIGINT  NULL,
            repayment     TEXT    NULL,
            updated_at    {timeType} NOT NULL,
            PRIMARY KEY (case_number, enrolment_seq)
        );
        CREATE INDEX case_enrolments_offer ON case_enrolments (offer_id, region_code);
        CREATE INDEX case_enrolments_type ON case_enrolments (offer_type, region_code);
        """;

    /// <summary>The region condition (the region and everything under it; all for the national code) and its parameter.</summary>
    private static (string Sql, (string, object)[] Parameters) Region(string regionCode) => regionCode == Offer.National
        ? ("1 = 1", [])
        : ("(region_code = @region OR (region_code >= @region || '.' AND region_code < @region || '/'))", [("@region", regionCode)]);

    public static (string Sql, IReadOnlyList<(string Name, object Value)> Parameters) BeneficiariesQuery(string regionCode, IReadOnlyCollection<string> offerIds)
    {
        var (region, parameters) = Region(regionCode);
        var ids = offerIds.Select((id, i) => ($"@o{i}", (object)id)).ToList();
        return ($"""
            SELECT offer_id, COUNT(DISTINCT case_number) FROM case_enrolments
            WHERE counts = 1 AND status <> 'Waitlisted' AND offer_id IN ({string.Join(", ", ids.Select(p => p.Item1))}) AND {region}
            GROUP BY offer_id
            """, [.. parameters, .. ids]);
    }

    public static (string Sql, IReadOnlyList<(string Name, object Value)> Parameters) FinancingQuery(string regionCode)
    {
        var (region, parameters) = Region(regionCode);
        return ($"""
            SELECT offer_id, MAX(offer_name), MAX(provider), COUNT(*),
                   COALESCE(SUM(amount_idr), 0),
                   SUM(CASE WHEN plafond_idr IS NOT NULL THEN 1 ELSE 0 END), COALESCE(SUM(plafond_idr), 0),
                   SUM(CASE WHEN status = 'Rejected' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN disbursed_idr IS NOT NULL THEN 1 ELSE 0 END), COALESCE(SUM(disbursed_idr), 0),
                   SUM(CASE WHEN repayment = 'Current' THEN 1 ELSE 0 END), SUM(CASE WHEN repayment = 'Late' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN repayment = 'Defaulted' THEN 1 ELSE 0 END), SUM(CASE WHEN repayment = 'Repaid' THEN 1 ELSE 0 END)
            FROM case_enrolments
            WHERE offer_type = 'FinancingProduct' AND status <> 'Withdrawn' AND {region}
            GROUP BY offer_id
            ORDER BY offer_id
            """, parameters);
    }

    /// <summary>Reads one row of <see cref="FinancingQuery"/> (sums are exact integers in both databases).</summary>
    public static FinancingTotal ReadTotal(DbDataReader r)
    {
        long L(int i) => Convert.ToInt64(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
        return new FinancingTotal(r.GetString(0), r.GetString(1), r.GetString(2), L(3), L(4), L(5), L(6), L(7), L(8), L(9), L(10), L(11), L(12), L(13));
    }

    public static async Task<IReadOnlyDictionary<string, long>> ReadCountsAsync(DbDataReader r, CancellationToken ct)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await r.ReadAsync(ct))
        {
            counts[r.GetString(0)] = Convert.ToInt64(r.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
        }

        return counts;
    }
}
