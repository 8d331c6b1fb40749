import { formatNumber, formatTime, lang, words } from "./i18n";
import type { Api, El } from "./page";
import { kecamatanPicker } from "./regions";

// "Belanja masalah": field problems raised by communities and partners. The region's caseworkers and supervisors record
// them; they, the ministry and admins see a region's problems and the count per child region and category set against
// the catalog's offers of that category — a need with no matching offer is marked and listed first (docs/imports.md).

interface Region { code: string; name: string; level: string }
interface FieldProblem { id: string; regionCode: string; sector: string; category: string; description: string; reporter: string; reporterKind: string; recordedAt: string }
interface Count { regionCode: string; regionName: string; category: string; problems: number; matchingOffers: number }
interface Problem { code?: string; detail?: string; field?: string }

const kinds: [string, string, string][] = [
  ["Community", "Masyarakat / kelompok warga", "Community / residents' group"],
  ["Partner", "Mitra", "Partner"],
  ["Caseworker", "Petugas lapangan", "Caseworker"],
];
const kindName = (kind: string): string => {
  const k = kinds.find(([key]) => key === kind);
  return k ? words(k[1], k[2]) : kind;
};

/** The parent of a region code (35.79.02 → 35.79 → 35 → ID), or null for the nation. */
const parentOf = (code: string): string | null => (code === "ID" ? null : code.includes(".") ? code.slice(0, code.lastIndexOf(".")) : "ID");
const within = (code: string, region: string): boolean => region === "ID" || code === region || code.startsWith(region + ".");

// The render on display: a render superseded while it waited for its data does not draw.
let shown = 0;
// Said once by the next form drawn (the page is drawn again after a save).
let notice: string | null = null;

/**
 * The screen for a region (null: the caller's first region, or the nation for the ministry). Staff (`records`) also
 * get the form; their regions limit its kecamatan picker and how far up the page goes.
 */
export async function renderProblems(region: string | null, app: HTMLElement, api: Api, el: El, records: boolean, regions: string[]): Promise<void> {
  const id = ++shown;
  const code = region ?? (records && regions.length ? regions[0] : "ID");
  const [name, list, summary] = await Promise.all([
    code === "ID" ? Promise.resolve("Indonesia") : api<Region>("GET", `/api/regions/${encodeURIComponent(code)}`).then((r) => (r.ok ? r.data.name : code)),
    api<FieldProblem[] & Problem>("GET", `/api/problems?region=${encodeURIComponent(code)}&limit=200`),
    api<{ counts: Count[] } & Problem>("GET", `/api/problems/summary?region=${encodeURIComponent(code)}`),
  ]);
  const form = records ? await problemForm(api, el, regions, code, () => void renderProblems(code, app, api, el, records, regions)) : null;
  if (id !== shown) return;

  const parent = parentOf(code);
  const mayGoUp = parent !== null && (!records || regions.some((r) => within(parent, r)));
  const back = el("a", { href: records ? "#/" : `#/dashboard/${code}`, textContent: words("← Kembali", "← Back") });
  const header = [
    back,
    el("h1", { id: "pb-title", textContent: `${words("Belanja masalah", "Field problems")} · ${name}` }),
    ...(mayGoUp ? [el("a", { href: `#/problems/${parent}`, id: "pb-up", textContent: words("↑ Naik satu tingkat", "↑ Up one level") })] : []),
    el("p", { className: "meta", textContent: words(
      "Masalah di lapangan dari masyarakat, mitra dan petugas, dibandingkan dengan katalog layanan. Kebutuhan yang belum punya layanan cocok ditandai dan tampil paling atas.",
      "Problems in the field raised by communities, partners and caseworkers, set against the services catalog. Needs with no matching offer are marked and listed first.") }),
  ];
  if (!list.ok || !summary.ok) {
    app.replaceChildren(...header, el("p", { className: "error", id: "pb-error", textContent: list.data?.detail ?? summary.data?.detail ?? words("Terjadi kesalahan.", "Something went wrong.") }));
    return;
  }

  const counts = summary.data.counts;
  const placeOf = (problemRegion: string): string => {
    const child = counts.find((c) => within(problemRegion, c.regionCode));
    return child && child.regionCode !== problemRegion ? `${child.regionName} (${problemRegion})` : child ? `${child.regionName} (${child.regionCode})` : problemRegion;
  };
  const rows = counts.map((c) => {
    const unmet = c.matchingOffers === 0;
    const tr = el("tr", { className: unmet ? "unmet" : "" },
      el("td", {}, c.regionCode.split(".").length < 4 ? el("a", { href: `#/problems/${c.regionCode}`, textContent: c.regionName }) : c.regionName),
      el("td", {}, c.category, ...(unmet ? [el("span", { className: "badge", textContent: words("Belum ada layanan", "No matching offer") })] : [])),
      el("td", { textContent: formatNumber(c.problems) }),
      el("td", { textContent: formatNumber(c.matchingOffers) }));
    tr.dataset.region = c.regionCode;
    tr.dataset.category = c.category;
    tr.dataset.offers = String(c.matchingOffers);
    return tr;
  });
  const table = el("table", { className: "text", id: "pb-counts" },
    el("thead", {}, el("tr", {}, ...[words("Wilayah", "Region"), words("Kategori", "Category"), words("Masalah", "Problems"), words("Layanan cocok", "Matching offers")]
      .map((h) => el("th", { textContent: h })))),
    el("tbody", {}, ...rows));
  const items = list.data.map((p) => {
    const li = el("li", {},
      el("strong", { textContent: p.category }), ` · ${placeOf(p.regionCode)} · ${formatTime(p.recordedAt)}`,
      el("div", { textContent: p.description }),
      el("div", { className: "meta", textContent: `${words("Sektor", "Sector")}: ${p.sector} · ${words("Pelapor", "Reported by")}: ${p.reporter} (${kindName(p.reporterKind)})` }));
    li.dataset.id = p.id;
    li.dataset.category = p.category;
    return li;
  });

  app.replaceChildren(...header,
    ...(form ? [form] : []),
    el("section", { className: "card", id: "pb-summary" },
      el("h2", { textContent: words("Per wilayah dan kategori", "By region and category") }),
      counts.length ? el("div", { className: "scroll" }, table) : el("p", { textContent: words("Belum ada data.", "No data yet.") })),
    el("section", { className: "card", id: "pb-list" },
      el("h2", { textContent: words("Masalah terbaru", "Latest problems") }),
      items.length ? el("ul", { className: "problems", id: "pb-problems" }, ...items) : el("p", { textContent: words("Belum ada masalah tercatat.", "No problems recorded yet.") })));
}

async function problemForm(api: Api, el: El, regions: string[], shownRegion: string, saved: () => void): Promise<HTMLElement> {
  // The kecamatan of the regions served (a province's staff pick the kab/kota first), then optionally a desa by its code
  // (the region table lists no desa names: the server checks the code's shape under the kecamatan).
  const picker = await kecamatanPicker(api, el, regions, { regency: "pb-regency", kecamatan: "pb-kecamatan" }, shownRegion);
  const kecamatan = picker.kecamatan;
  const desa = el("input", { id: "pb-desa", inputMode: "numeric", pattern: "[12][0-9]{3}", maxLength: 4, autocomplete: "off",
    placeholder: words("mis. 2004", "e.g. 2004") });
  const preselect = [...kecamatan.options].find((o) => within(shownRegion, o.value));
  if (preselect) kecamatan.value = preselect.value;
  if (preselect && shownRegion.split(".").length === 4) desa.value = shownRegion.slice(shownRegion.lastIndexOf(".") + 1);

  // Categories in the catalog's words, offered as suggestions (a new category is allowed: it is then an unmet need).
  const offers = regions.length ? await api<{ offer: { category: string } }[]>("GET", `/api/offers?region=${encodeURIComponent(regions[0])}`) : null;
  const categories = [...new Set((offers?.ok ? offers.data : []).map((o) => o.offer.category))].sort((a, b) => a.localeCompare(b, lang));
  const sector = el("input", { id: "pb-sector", required: true, maxLength: 100, placeholder: words("mis. Kuliner", "e.g. Kuliner") });
  const category = el("input", { id: "pb-category", required: true, maxLength: 100, autocomplete: "off" });
  category.setAttribute("list", "pb-categories");
  const description = el("textarea", { id: "pb-description", required: true, maxLength: 2000 });
  const reporter = el("input", { id: "pb-reporter", required: true, maxLength: 200, placeholder: words("mis. Kelompok Tani Apel Bumiaji", "e.g. Kelompok Tani Apel Bumiaji") });
  const kind = el("select", { id: "pb-kind" }, ...kinds.map(([value, id, en]) => el("option", { value, textContent: words(id, en) })));
  const message = el("p", { id: "pb-message", role: "status", textContent: notice ?? "" });
  notice = null;
  const fields: Record<string, () => HTMLElement> = {
    regionCode: () => (desa.value.trim() ? desa : kecamatan), sector: () => sector, category: () => category, description: () => description,
    reporter: () => reporter, reporterKind: () => kind,
  };

  const form = el("form", { className: "card", id: "pb-form" },
    el("h2", { textContent: words("Catat masalah lapangan", "Record a field problem") }),
    ...picker.fields,
    el("label", { htmlFor: "pb-desa", textContent: words("Kode desa/kelurahan, 4 digit terakhir (boleh kosong)", "Desa/kelurahan code, last 4 digits (optional)") }), desa,
    el("label", { htmlFor: "pb-sector", textContent: words("Sektor usaha", "Business sector") }), sector,
    el("label", { htmlFor: "pb-category", textContent: words("Kategori kebutuhan", "Kind of need") }), category,
    el("datalist", { id: "pb-categories" }, ...categories.map((c) => el("option", { value: c }))),
    el("p", { className: "meta", textContent: words("Pakai kategori katalog bila cocok (mis. Pemasaran Digital), agar bisa dibandingkan dengan layanan.",
      "Use a catalog category where one fits (e.g. Pemasaran Digital), so it can be set against the offers.") }),
    el("label", { htmlFor: "pb-description", textContent: words("Uraian masalah", "Description") }), description,
    el("label", { htmlFor: "pb-reporter", textContent: words("Pelapor (masyarakat atau mitra)", "Raised by (community or partner)") }), reporter,
    el("label", { htmlFor: "pb-kind", textContent: words("Jenis pelapor", "Kind of reporter") }), kind,
    el("button", { className: "primary", type: "submit", textContent: words("Simpan masalah", "Save the problem") }), message);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const result = await api<Problem>("POST", "/api/problems", {
      regionCode: desa.value.trim() ? `${kecamatan.value}.${desa.value.trim()}` : kecamatan.value, sector: sector.value, category: category.value, description: description.value,
      reporter: reporter.value, reporterKind: kind.value,
    });
    if (result.ok) {
      notice = words("Masalah tercatat.", "The problem is recorded.");
      saved();
      return;
    }
    message.className = "error";
    message.textContent = result.data?.detail ?? result.data?.code ?? words("Terjadi kesalahan.", "Something went wrong.");
    if (result.data?.field) fields[result.data.field]?.().focus();
  });
  return form;
}
