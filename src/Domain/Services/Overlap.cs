namespace CaseGrains.Domain.Services;

/// <summary>
/// No duplicated interventions (DESIGN.md "Overlap"): two offers are <b>equivalent</b> when type and category match and
/// they target a common segment; they <b>overlap</b> when equivalent, reaching a common region, in overlapping periods,
/// from different providers or levels. Enrolling a beneficiary in an offer that overlaps one they are active in is
/// refused for financing (a debtor holds one KUR at a time) and warned otherwise (the caseworker acknowledges it).
/// </summary>
public static class Overlap
{
    public static bool Equivalent(Offer a, Offer b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Type == b.Type && a.CategoryKey == b.CategoryKey && a.Segments.Intersect(b.Segments).Any();
    }

    public static bool Overlaps(Offer a, Offer b) =>
        a.Id != b.Id && Equivalent(a, b) && a.SharesRegionWith(b) && a.Period.Overlaps(b.Period)
        && (a.Provider != b.Provider || a.Level != b.Level);

    /// <summary>
    /// What enrolling in <paramref name="offer"/> meets, given the offers the beneficiary is active in: nothing, a
    /// warning to acknowledge (naming every overlapping offer, its provider and level), or a refusal for financing.
    /// </summary>
    public static EnrolmentCheck CheckEnrolment(Offer offer, IEnumerable<Offer> activeOffers)
    {
        ArgumentNullException.ThrowIfNull(offer);
        var overlapping = activeOffers.Where(active => Overlaps(offer, active)).ToList();
        if (overlapping.Count == 0)
        {
            return EnrolmentCheck.Clear;
        }

        var (named, namedEn) = (Refusals.Names.Offers(overlapping, false), Refusals.Names.Offers(overlapping, true));
        if (offer.Type == OfferType.FinancingProduct)
        {
            return new EnrolmentCheck(overlapping, new Refusal(
                "enrolment.financing_overlap",
                $"Penerima manfaat sudah aktif pada pembiayaan serupa: {named}. Satu debitur hanya boleh memiliki satu pembiayaan sejenis pada satu waktu.",
                $"The beneficiary already holds equivalent financing: {namedEn}. A debtor may hold one such product at a time.")
            {
                Field = "offerId",
                Details = new Dictionary<string, string> { ["overlappingOfferIds"] = string.Join(",", overlapping.Select(o => o.Id)) },
            });
        }

        return new EnrolmentCheck(overlapping, null);
    }

    /// <summary>
    /// The redundancy map of a region: the sets of offers reaching it that overlap one another (connected through the
    /// overlap relation), each set with two or more offers, largest first. The ministry's view of duplicated programmes.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<Offer>> RedundancyMap(IEnumerable<Offer> catalog, string regionCode)
    {
        var offers = catalog.Where(o => o.Touches(regionCode))
            .OrderBy(o => o.Id, StringComparer.Ordinal).ToList();
        var group = Enumerable.Range(0, offers.Count).ToArray();
        int Find(int i) => group[i] == i ? i : group[i] = Find(group[i]);
        for (var i = 0; i < offers.Count; i++)
        {
            for (var j = i + 1; j < offers.Count; j++)
            {
                if (Overlaps(offers[i], offers[j]))
                {
                    group[Find(j)] = Find(i);
                }
            }
        }

        return [.. offers.Select((o, i) => (o, Root: Find(i))).GroupBy(x => x.Root)
            .Where(g => g.Count() > 1)
            .Select(g => (IReadOnlyList<Offer>)[.. g.Select(x => x.o)])
            .OrderByDescending(g => g.Count).ThenBy(g => g[0].Id, StringComparer.Ordinal)];
    }
}

/// <summary>The outcome of an enrolment check: the overlapping offers, and a refusal when enrolment may not go ahead.</summary>
public sealed record EnrolmentCheck(IReadOnlyList<Offer> Overlapping, Refusal? Refusal)
{
    public static EnrolmentCheck Clear { get; } = new([], null);

    /// <summary>Overlaps that do not refuse: the caseworker must acknowledge them, and they are recorded.</summary>
    public bool NeedsAcknowledgement => Refusal is null && Overlapping.Count > 0;
}
