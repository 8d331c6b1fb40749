import { words } from "./i18n";
import type { Api, El } from "./page";

// The kecamatan picker of the forms that place something in a region (intake, field problems), from the region table:
// the kecamatan of the regions served straight away (a kab/kota's staff, or a served kecamatan itself); a province's
// staff first pick the kab/kota, whose kecamatan are then listed.

export interface RegionRow { code: string; name: string; level: string }

async function get<T>(api: Api, path: string): Promise<T | null> {
  const result = await api<T>("GET", path);
  return result.ok ? result.data : null;
}

/** The regions one level under those served (the case list's filter): kecamatan for a kab/kota's staff, kab/kota for a province's. */
export async function regionsUnder(api: Api, regions: string[]): Promise<RegionRow[]> {
  const all: RegionRow[] = [];
  for (const served of regions) all.push(...((await get<RegionRow[]>(api, `/api/regions?parent=${encodeURIComponent(served)}`)) ?? []));
  return all;
}

export interface KecamatanPicker {
  /** The labelled fields, in order (kab/kota first when asked). */
  fields: HTMLElement[];
  kecamatan: HTMLSelectElement;
}

export async function kecamatanPicker(api: Api, el: El, regions: string[], ids: { regency: string; kecamatan: string }, preselect?: string): Promise<KecamatanPicker> {
  const direct: RegionRow[] = [];
  const kabKota: RegionRow[] = [];
  for (const served of regions) {
    const [self, children] = await Promise.all([get<RegionRow>(api, `/api/regions/${encodeURIComponent(served)}`), get<RegionRow[]>(api, `/api/regions?parent=${encodeURIComponent(served)}`)]);
    if (self?.level === "District") direct.push(self);
    direct.push(...(children ?? []).filter((r) => r.level === "District"));
    kabKota.push(...(children ?? []).filter((r) => r.level === "Regency"));
  }
  const option = (r: RegionRow) => el("option", { value: r.code, textContent: `${r.name} (${r.code})` });
  const kecamatan = el("select", { id: ids.kecamatan, required: true }, ...direct.map(option));
  const fields: HTMLElement[] = [];
  if (kabKota.length > 0) {
    const regency = el("select", { id: ids.regency }, ...kabKota.map(option));
    const wanted = preselect ? kabKota.find((r) => preselect === r.code || preselect.startsWith(r.code + ".")) : undefined;
    if (wanted) regency.value = wanted.code;
    const load = async () => kecamatan.replaceChildren(...((await get<RegionRow[]>(api, `/api/regions?parent=${encodeURIComponent(regency.value)}`)) ?? []).map(option));
    regency.addEventListener("change", () => void load());
    await load();
    fields.push(el("label", { htmlFor: ids.regency, textContent: words("Kabupaten/kota", "Regency/city") }), regency);
  }
  fields.push(el("label", { htmlFor: ids.kecamatan, textContent: words("Kecamatan", "Kecamatan") }), kecamatan);
  return { fields, kecamatan };
}
