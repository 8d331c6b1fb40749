using CaseGrains.Domain;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Regions;
using CaseGrains.Domain.Services;
using CaseGrains.Grains.Abstractions;

namespace CaseGrains.Grains;

/// <summary>
/// What a case asks of the services catalog and the mentors before a decision: the offer and a place on its roster
/// for an enrolment, a mentor's account, and the ranked candidates for matching.
/// </summary>
internal sealed class CaseServices(string caseNumber, IGrainFactory grains)
{
    /// <summary>
    /// Enrolment needs the offer (as it is now) and a place on its roster before the decision: the rules are checked
    /// first so that a refused enrolment takes no place, then the place (or waiting-list position) is reserved.
    /// </summary>
    public async Task<Result<CaseCommand>> PrepareEnrolmentAsync(CaseState? state, EnrolRequest request, DateTimeOffset now)
    {
        if (CaseDecider.Text(request.OfferId, "offerId", 64, required: true) is { } badId)
        {
            return badId;
        }

        var offerId = request.OfferId!.Trim();
        var offer = OfferRules.IsValidId(offerId) ? await grains.GetGrain<IOfferGrain>(offerId).Get() : null;
        if (offer is null)
        {
            return new Refusal("offer.not_found", "Layanan tidak ditemukan di katalog.", "No such offer in the catalog.") { Field = "offerId" };
        }

        if (state is not { Status: CaseStatus.Open })
        {
            // Nothing is reserved for a case that cannot enrol.
            return state is null ? Refusals.CaseNotFound() : Refusals.CaseClosed(state.Status);
        }

        var acknowledge = request.AcknowledgeOverlap ?? false;
        var elsewhere = offer.Type == OfferType.FinancingProduct ? await FinancingElsewhereAsync(state) : null;
        var check = EnrolmentDecider.Check(state, offer, acknowledge, request.AmountIdr, now, elsewhere);
        if (check.IsRefused)
        {
            return check.Refusal!;
        }

        var grant = await grains.GetGrain<IOfferGrain>(offerId).Reserve(caseNumber);
        return grant.Refusal is { } full
            ? new Refusal(full.Code, full.Indonesian, full.English) { Field = full.Field }
            : new Enrol(offer, grant.Outcome, grant.WaitlistPosition, acknowledge, request.AmountIdr, elsewhere);
    }

    /// <summary>
    /// The person's binding financing in their other cases, found through the registry by the NIK's keyed hash. Those
    /// cases are closed or graduated (one open case per person), so what they hold cannot change while this one decides.
    /// </summary>
    private async Task<IReadOnlyList<FinancingHolding>> FinancingElsewhereAsync(CaseState state)
    {
        var others = (await grains.GetGrain<IBeneficiaryRegistryGrain>(RegistryKeys.For(state.NikHash)).Cases()).Where(n => n != caseNumber).ToList();
        var held = await Task.WhenAll(others.Select(n => grains.GetGrain<ICaseGrain>(n).GetActiveFinancing()));
        return [.. held.SelectMany(h => h).Select(h => h.ToDomain())];
    }

    public async Task<bool> IsMentorAsync(string? mentorId) =>
        UserIds.IsValid(mentorId?.Trim()) && await grains.GetGrain<IUserGrain>(mentorId!.Trim()).GetView() is { Disabled: false, Role: Role.Mentor };

    /// <summary>Mentors (sector, region, free capacity) or offers (need, region, places, amount) ranked for the case, with reasons.</summary>
    public async Task<MatchResult> MatchAsync(CaseState state, Actor caller, CandidateKind kind, long? amountIdr, int limit, DateTimeOffset now)
    {
        if (!AccessPolicy.MayIssue(caller.Role, CommandKind.JourneyStep) || !Enum.IsDefined(kind))
        {
            return new MatchResult(null, RefusalInfo.From(Refusals.Forbidden()));
        }

        if (amountIdr is < 1)
        {
            return new MatchResult(null, RefusalInfo.From(Refusals.OutOfRange("amountIdr", "> 0")));
        }

        if (Matching.ConsentRefusal(state, kind) is { } noConsent)
        {
            return new MatchResult(null, RefusalInfo.From(noConsent));
        }

        if (kind == CandidateKind.Mentor)
        {
            // Mentors working in the case's province (matching ranks those; the people index finds them without a scan).
            var people = (await grains.GetGrain<IPeopleGrain>(0).Find(Role.Mentor, RegionTable.ProvinceOf(state.RegionCode), PeopleReach.Within)).Where(p => !p.Disabled).ToList();
            var capacities = await Task.WhenAll(people.Select(p => grains.GetGrain<IMentorGrain>(p.UserId).Capacity()));
            var mentors = people.Zip(capacities, (p, c) => new MentorInfo(p.UserId, p.DisplayName, c.Profile.Sectors, c.Profile.Regions, c.Profile.Capacity, c.ActiveCases));
            return new MatchResult(Matching.Mentors(state, mentors, limit), null);
        }

        var lists = await Task.WhenAll(CatalogKeys.Reaching(state.RegionCode).Select(k => grains.GetGrain<ICatalogGrain>(k).List()));
        var offers = lists.SelectMany(l => l).DistinctBy(o => o.Id).Where(o => o.Covers(state.RegionCode)).ToList();
        var places = await Task.WhenAll(offers.Select(o => grains.GetGrain<IOfferGrain>(o.Id).GetPlaces()));
        var catalog = offers.Zip(places, (o, p) => new OfferInfo(o, p?.Free ?? 0));
        return new MatchResult(Matching.Offers(state, kind, catalog, now, amountIdr, limit), null);
    }
}
