namespace CaseGrains.Domain.Business;

/// <summary>
/// The business sectors the assessment offers besides those the catalog's offers name: the common fields of UMKM,
/// cooperatives, creative-economy actors and returning migrant workers. The assessment picks one, so a case's sector is
/// spelt the way offers and mentors spell it.
/// </summary>
public static class Sectors
{
    public static IReadOnlyList<string> Standard { get; } =
    [
        "Kuliner", "Fesyen", "Kerajinan", "Pertanian", "Perikanan", "Peternakan", "Perdagangan", "Jasa", "Jasa wisata",
        "Ekonomi digital", "Industri pengolahan", "Transportasi",
    ];
}
