import { lang } from "./i18n";

// Indonesia's three time zones, from the province part of a region code (Permendagri codes): a mentor in Jayapura sees
// a session at 09:00 WIT, not 07:00 WIB and never a UTC date.

/** The provinces east of WIB: WITA (UTC+8) and WIT (UTC+9); every other province is WIB (UTC+7). */
const wita = new Set(["51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"]);
const wit = new Set(["81", "82", "91", "92", "93", "94", "95", "96"]);

export interface Zone { iana: string; label: "WIB" | "WITA" | "WIT" }

export function zoneOf(regionCode: string): Zone {
  const province = regionCode.slice(0, 2);
  if (wit.has(province)) return { iana: "Asia/Jayapura", label: "WIT" };
  if (wita.has(province)) return { iana: "Asia/Makassar", label: "WITA" };
  return { iana: "Asia/Jakarta", label: "WIB" };
}

const locale = (): string => (lang === "id" ? "id-ID" : "en-GB");

/** A moment (ISO, UTC) as the date and time of the case's region, with its zone: "6 Des 2026, 09.30 WIT". */
export function formatLocalTime(iso: string, regionCode: string): string {
  const zone = zoneOf(regionCode);
  const text = new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short", timeZone: zone.iana }).format(new Date(iso));
  return `${text} ${zone.label}`;
}

/** A calendar date (yyyy-mm-dd, no time of day) as written in the page's language; no zone shifts it. */
export function formatLocalDate(date: string): string {
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(date) ? new Date(`${date}T00:00:00Z`) : null;
  return parsed ? new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeZone: "UTC" }).format(parsed) : date;
}

/** Today's date (yyyy-mm-dd) in the case's region: the default date of a session logged there. */
export function todayIn(regionCode: string): string {
  // en-CA writes dates as yyyy-mm-dd.
  return new Intl.DateTimeFormat("en-CA", { timeZone: zoneOf(regionCode).iana, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
}

/** How long ago, in words: "5 menit yang lalu" / "5 minutes ago". */
export function ago(iso: string): string {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  const format = new Intl.RelativeTimeFormat(locale(), { numeric: "auto" });
  if (seconds < 60) return format.format(-seconds, "second");
  if (seconds < 3600) return format.format(-Math.round(seconds / 60), "minute");
  if (seconds < 86400) return format.format(-Math.round(seconds / 3600), "hour");
  return format.format(-Math.round(seconds / 86400), "day");
}
