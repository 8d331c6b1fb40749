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
    public const string Columns = "case_number, enrolment_seq, offer_id, offer_type, offer_name, provider, region_code, segment, status, counts, amount_idr, plafond_idr, disbursed_idr, repayment, updated_at, person_key, partner_org";

    /// <summary>
    /// The person an enrolment row belongs to: the NIK's keyed hash (as on the case's first event), so the catalog counts
    /// people across their cases. Rows written before the column existed have none and count by their case.
    /// </summary>
    public const string PersonMigration = "ALTER TABLE case_enrolments ADD COLUMN person_key TEXT NULL;";

    /// <summary>
    /// The partner organisation that answers for each enrolment (the offer's, as it was at enrolment), so a partner's queue
    /// is one indexed look-up, and an offer moved to another organisation leaves the enrolments made before with the first.
    /// </summary>
    public const string PartnerMigration = "ALTER TABLE case_enrolments ADD COLUMN partner_org TEXT NULL; CREATE INDEX case_enrolments_partner ON case_enrolments (partner_org, updated_at) WHERE partner_org IS NOT NULL;";

    private const string Person = "COALESCE(person_key, case_number)";

    public const string UpdateOnConflict = """
        ON CONFLICT (case_number, enrolment_seq) DO UPDATE SET
            status = excluded.status, counts = excluded.counts, amount_idr = excluded.amount_idr, plafond_idr = excluded.plafond_idr,
            disbursed_idr = excluded.disbursed_idr, repayment = excluded.repayment, updated_at = excluded.updated_at, region_code = excluded.region_code,
            person_key = excluded.person_key, partner_org = excluded.partner_org
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
    internal static (string Sql, (string, object)[] Parameters) Region(string regionCode) => regionCode == Offer.National
        ? ("1 = 1", [])
        : (CaseListFilter.InRegion("@region"), [("@region", regionCode)]);

    public static (string Sql, IReadOnlyList<(string Name, object Value)> Parameters) BeneficiariesQuery(string regionCode, IReadOnlyCollection<string> offerIds)
    {
        var (region, parameters) = Region(regionCode);
        var ids = offerIds.Select((id, i) => ($"@o{i}", (object)id)).ToList();
        return ($"""
            SELECT offer_id, COUNT(DISTINCT {Person}) FROM case_enrolments
            WHERE counts = 1 AND status <> 'Waitlisted' AND offer_id IN ({string.Join(", ", ids.Select(p => p.Item1))}) AND {region}
            GROUP BY offer_id
            """, [.. parameters, .. ids]);
    }

    /// <summary>
    /// The distinct people of the region receiving any offer of each set (a set numbered by its index): someone enrolled in
    /// two offers of a set, or in one through two of their cases, counts once.
    /// </summary>
    public static (string Sql, IReadOnlyList<(string Name, object Value)> Parameters) PeopleInSetsQuery(string regionCode, IReadOnlyList<IReadOnlyCollection<string>> sets)
    {
        var (region, parameters) = Region(regionCode);
        var rows = sets.SelectMany((set, i) => set.Select((id, j) => (Set: i, Name: $"@s{i}o{j}", Id: id))).ToList();
        var values = string.Join(", ", rows.Select(r => $"({r.Set.ToString(System.Globalization.CultureInfo.InvariantCulture)}, {r.Name})"));
        return ($"""
            WITH m(set_index, offer_id) AS (VALUES {values})
            SELECT m.set_index, COUNT(DISTINCT {Person}) FROM case_enrolments e
            JOIN m ON m.offer_id = e.offer_id
            WHERE e.counts = 1 AND e.status <> 'Waitlisted' AND {region}
            GROUP BY m.set_index
            """, [.. parameters, .. rows.Select(r => (r.Name, (object)r.Id))]);
    }

    public static async Task<IReadOnlyDictionary<int, long>> ReadSetCountsAsync(DbDataReader r, CancellationToken ct)
    {
        var counts = new Dictionary<int, long>();
        while (await r.ReadAsync(ct))
        {
            counts[Convert.ToInt32(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)] = Convert.ToInt64(r.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
        }

        return counts;
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

    /// <summary>
    /// The enrolments of a partner organisation on which it has something to answer (a referral, its
    /// outcome, a lender's decision, a disbursement, repayments, a course's attendance: what <c>PartnerScope.WaitingOn</c>
    /// says, the case decides), by case, the oldest change first; the (partner_org, updated_at) index serves it.
    /// </summary>
    public static (string Sql, IReadOnlyList<(string Name, object Value)> Parameters) PartnerQueueQuery(string org, int skip, int limit) => ("""
        SELECT case_number, MIN(updated_at) FROM case_enrolments
        WHERE partner_org = @org
          AND ((offer_type = 'Matchmaking' AND status IN ('ReferralOffered', 'ReferralAccepted'))
            OR (offer_type = 'FinancingProduct' AND (status IN ('Applied', 'Approved') OR (status = 'Disbursed' AND COALESCE(repayment, '') <> 'Repaid')))
            OR (offer_type = 'Training' AND status = 'Enrolled'))
        GROUP BY case_number
        ORDER BY MIN(updated_at), case_number
        LIMIT @limit OFFSET @skip
        """, [("@org", org), ("@limit", limit), ("@skip", skip)]);

    public static async Task<IReadOnlyList<string>> ReadCaseNumbersAsync(DbDataReader r, CancellationToken ct)
    {
        var cases = new List<string>();
        while (await r.ReadAsync(ct))
        {
            cases.Add(r.GetString(0));
        }

        return cases;
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

/// <summary>Reading the projections' rows.</summary>
internal static class ProjectionRows
{
    public static async Task<IReadOnlyList<T>> ReadAsync<T>(DbDataReader r, Func<DbDataReader, T> row, CancellationToken ct)
    {
        var rows = new List<T>();
        while (await r.ReadAsync(ct))
        {
            rows.Add(row(r));
        }

        return rows;
    }
}

/// <summary>The programme counters' schema and queries (both databases; <c>@name</c> parameters).</summary>
internal static class MetricsProjection
{
    public const string Table = """
        CREATE TABLE region_metrics (
            region_code TEXT   NOT NULL,
            metric      TEXT   NOT NULL,
            d1          TEXT   NOT NULL,
            d2          TEXT   NOT NULL,
            d3          TEXT   NOT NULL,
            d4          TEXT   NOT NULL,
            value       BIGINT NOT NULL,
            PRIMARY KEY (metric, region_code, d1, d2, d3, d4)
        );
        """;

    /// <summary>An upsert adding the given amounts, for <paramref name="count"/> rows named <c>@m{i}…</c>.</summary>
    public static string Upsert(int count) => $"""
        INSERT INTO region_metrics (region_code, metric, d1, d2, d3, d4, value)
        VALUES {string.Join(", ", Enumerable.Range(0, count).Select(i => $"(@m{i}r, @m{i}m, @m{i}a, @m{i}b, @m{i}c, @m{i}d, @m{i}v)"))}
        ON CONFLICT (metric, region_code, d1, d2, d3, d4) DO UPDATE SET value = region_metrics.value + excluded.value
        """;

    /// <summary>
    /// Deltas summed per counter, zeros dropped, in one fixed order: every writer locks counter rows in the same order,
    /// so concurrent transactions cannot deadlock on them.
    /// </summary>
    public static IReadOnlyList<Domain.Metrics.MetricDelta> Combine(IEnumerable<Domain.Metrics.MetricDelta> deltas) =>
        [.. deltas.GroupBy(d => d.Key).Select(g => g.First() with { Delta = g.Sum(x => x.Delta) }).Where(d => d.Delta != 0)
            .OrderBy(d => d.Metric, StringComparer.Ordinal).ThenBy(d => d.Region, StringComparer.Ordinal).ThenBy(d => d.D1, StringComparer.Ordinal)
            .ThenBy(d => d.D2, StringComparer.Ordinal).ThenBy(d => d.D3, StringComparer.Ordinal).ThenBy(d => d.D4, StringComparer.Ordinal)];

    public static IEnumerable<(string Name, object Value)> Parameters(IReadOnlyList<Domain.Metrics.MetricDelta> rows) =>
        rows.SelectMany((d, i) => new (string, object)[]
        {
            ($"@m{i}r", d.Region), ($"@m{i}m", d.Metric), ($"@m{i}a", d.D1), ($"@m{i}b", d.D2), ($"@m{i}c", d.D3), ($"@m{i}d", d.D4), ($"@m{i}v", d.Delta),
        });

    public static (string Sql, IReadOnlyList<(string Name, object Value)> Parameters) ReadQuery(string regionCode, int childLength, string metric)
    {
        var (region, parameters) = EnrolmentProjection.Region(regionCode);
        return ($"""
            SELECT substr(region_code, 1, {childLength}) AS child, d1, d2, d3, d4, SUM(value)
            FROM region_metrics
            WHERE metric = @metric AND {region}
            GROUP BY substr(region_code, 1, {childLength}), d1, d2, d3, d4
            HAVING SUM(value) <> 0
            ORDER BY 1, 2, 3, 4, 5
            """, [("@metric", metric), .. parameters]);
    }

    public const string ReadAll = "SELECT region_code, metric, d1, d2, d3, d4, value FROM region_metrics WHERE value <> 0";

    public static Task<IReadOnlyList<MetricRow>> ReadRowsAsync(DbDataReader r, CancellationToken ct) =>
        ProjectionRows.ReadAsync(r, x => new MetricRow(x.GetString(0), x.GetString(1), x.GetString(2), x.GetString(3), x.GetString(4),
            Convert.ToInt64(x.GetValue(5), System.Globalization.CultureInfo.InvariantCulture)), ct);

    public static Task<IReadOnlyList<Domain.Metrics.MetricDelta>> ReadAllAsync(DbDataReader r, CancellationToken ct) =>
        ProjectionRows.ReadAsync(r, x => new Domain.Metrics.MetricDelta(x.GetString(0), x.GetString(1), x.GetString(2), x.GetString(3), x.GetString(4),
            x.GetString(5), x.GetInt64(6)), ct);
}
