import { HttpTransportType, HubConnection, HubConnectionBuilder, LogLevel } from "@microsoft/signalr";
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from "chart.js";
import { formatNumber, formatRupiah, segmentName, stageName, t, words, type Key } from "./i18n";
import { offerLevels } from "./events";
import type { Api, El } from "./page";

// The ministry dashboard: a region's numbers (no personal data), its children for the drill-down, charts, the
// redundancy map; numbers refetched when the server says they moved (/hubs/dashboard).

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip, LineController, LineElement, PointElement);

const stages = ["Intake", "Assessment", "Training", "Mentoring", "Matching", "Financing", "Graduated"];
const segmentKeys = ["Umkm", "Koperasi", "EkonomiKreatif", "PekerjaMigran"];
const colours = ["#0b5d3b", "#e8a317", "#2f6db5", "#a4262c"];

interface Cell { segment: string; gender: string; stage: string; status: string; cases: number }
interface Child { code: string; name: string; cases: number; open: number; graduated: number }
interface Dashboard {
  regionCode: string; regionName: string; cases: number; funnel: Cell[]; children: Child[];
  throughput: { week: string; stage: string; completions: number }[];
  medianDays: { stage: string; medianDays: number; completed: number }[];
  classChanges: { before: string; after: string; cases: number }[];
  graduations: number;
  financing: { applications: number; appliedIdr: number; approved: number; approvedPlafondIdr: number; disbursed: number; disbursedIdr: number } | null;
}
interface RedundancySet { offers: { offer: { id: string; name: string; provider: string; level: string }; beneficiaries: number }[]; beneficiaries: number }


let hub: HubConnection | null = null;
// The connection's start, awaited by every later call (a second render can come while the first is still connecting).
let started: Promise<void> | null = null;
let watched: string | null = null;
let charts: Chart[] = [];
let shown: string | null = null;

/** The parent of a region code (35.79.02 → 35.79 → 35 → ID), or null for the nation. */
const parentOf = (code: string): string | null => (code === "ID" ? null : code.includes(".") ? code.slice(0, code.lastIndexOf(".")) : "ID");

export async function renderDashboard(region: string, app: HTMLElement, api: Api, el: El): Promise<void> {
  shown = region;
  const [numbers, redundancy] = await Promise.all([
    api<Dashboard>("GET", `/api/dashboard?region=${encodeURIComponent(region)}`),
    api<{ sets: RedundancySet[] }>("GET", `/api/catalog/redundancy?region=${encodeURIComponent(region)}`),
  ]);
  if (!numbers.ok) {
    app.replaceChildren(el("p", { className: "error", textContent: t("error.generic") }));
    return;
  }
  if (shown !== region) return; // the user moved on while this loaded
  draw(numbers.data, redundancy.ok ? redundancy.data.sets : [], app, el);
  await watch(region, () => void renderDashboard(region, app, api, el));
}

function draw(d: Dashboard, sets: RedundancySet[], app: HTMLElement, el: El): void {
  charts.forEach((c) => c.destroy());
  charts = [];
  const open = d.funnel.filter((c) => c.status === "Open").reduce((n, c) => n + c.cases, 0);
  const parent = parentOf(d.regionCode);
  const kpi = (label: Key, value: string, id: string) => el("div", { className: "kpi", id }, el("span", { textContent: t(label) }), el("strong", { textContent: value }));
  const sum = (cells: Cell[]) => cells.reduce((n, c) => n + c.cases, 0);

  const funnelCanvas = el("canvas", { id: "funnel-chart", role: "img" });
  funnelCanvas.setAttribute("aria-label", t("dash.funnel"));
  const throughputCanvas = el("canvas", { id: "throughput-chart", role: "img" });
  throughputCanvas.setAttribute("aria-label", t("dash.throughput"));

  const funnelTable = el("table", { id: "funnel" },
    el("thead", {}, el("tr", {}, el("th", { textContent: t("case.stage") }), ...segmentKeys.map((s) => el("th", { textContent: segmentName(s) })),
      el("th", { textContent: t("gender.Female") }), el("th", { textContent: t("gender.Male") }), el("th", { textContent: t("dash.cases") }))),
    el("tbody", {}, ...stages.map((stage) => {
      const row = d.funnel.filter((c) => c.stage === stage && c.status !== "Closed");
      const tr = el("tr", {}, el("th", { textContent: stageName(stage) }), ...segmentKeys.map((s) => el("td", { textContent: formatNumber(sum(row.filter((c) => c.segment === s))) })),
        el("td", { textContent: formatNumber(sum(row.filter((c) => c.gender === "Female"))) }), el("td", { textContent: formatNumber(sum(row.filter((c) => c.gender === "Male"))) }),
        el("td", { textContent: formatNumber(sum(row)) }));
      tr.dataset.stage = stage;
      return tr;
    })));

  const children = el("table", { id: "children" },
    el("thead", {}, el("tr", {}, el("th", { textContent: t("dash.region") }), el("th", { textContent: t("dash.cases") }), el("th", { textContent: t("dash.open") }), el("th", { textContent: t("dash.graduated") }))),
    el("tbody", {}, ...d.children.map((c) => {
      const link = c.code === d.regionCode ? el("span", { textContent: c.name }) : el("a", { href: `#/dashboard/${c.code}`, textContent: `${c.name} (${c.code})` });
      const tr = el("tr", {}, el("td", {}, link), el("td", { textContent: formatNumber(c.cases) }), el("td", { textContent: formatNumber(c.open) }), el("td", { textContent: formatNumber(c.graduated) }));
      tr.dataset.region = c.code;
      return tr;
    })));

  const medians = el("ul", { id: "medians" }, ...d.medianDays.map((m) => el("li", { textContent: `${stageName(m.stage)}: ${formatNumber(m.medianDays)} (${formatNumber(m.completed)})` })));
  const classes = el("ul", { id: "classes" }, ...d.classChanges.map((c) => el("li", { textContent: `${c.before} → ${c.after}: ${formatNumber(c.cases)}` })));
  const f = d.financing;
  const financing = el("ul", { id: "financing" }, ...(f ? [
    el("li", { textContent: `${t("dash.applied")}: ${formatNumber(f.applications)} · ${formatRupiah(f.appliedIdr)}` }),
    el("li", { textContent: `${t("dash.approved")}: ${formatNumber(f.approved)} · ${formatRupiah(f.approvedPlafondIdr)}` }),
    el("li", { textContent: `${t("dash.disbursed")}: ${formatNumber(f.disbursed)} · ${formatRupiah(f.disbursedIdr)}` }),
  ] : [el("li", { textContent: t("dash.none") })]));
  const redundancy = el("ol", { id: "redundancy" }, ...sets.map((s) => el("li", {},
    el("strong", { textContent: `${formatNumber(s.beneficiaries)} ${t("dash.beneficiaries")}` }),
    el("ul", {}, ...s.offers.map((o) => el("li", { textContent: `${o.offer.name} — ${o.offer.provider} (${offerLevels[o.offer.level] ? words(...offerLevels[o.offer.level]) : o.offer.level}): ${formatNumber(o.beneficiaries)}` }))))));

  app.replaceChildren(
    el("h1", { id: "dash-title", textContent: `${t("dash.title")} · ${d.regionName}` }),
    ...(parent ? [el("a", { href: `#/dashboard/${parent}`, id: "up", textContent: t("dash.up") })] : []),
    el("p", { className: "meta", textContent: t("dash.live") }),
    el("nav", { className: "tools" }, el("a", { href: `#/problems/${d.regionCode}`, id: "to-problems", className: "button", textContent: t("dash.problems") })),
    el("div", { className: "kpis" },
      kpi("dash.cases", formatNumber(d.cases), "kpi-cases"), kpi("dash.open", formatNumber(open), "kpi-open"),
      kpi("dash.graduated", formatNumber(d.graduations), "kpi-graduated"), kpi("dash.disbursed", formatRupiah(f?.disbursedIdr ?? 0), "kpi-disbursed")),
    el("section", { className: "card" }, el("h2", { textContent: t("dash.funnel") }), el("div", { className: "chart" }, funnelCanvas), el("div", { className: "scroll" }, funnelTable)),
    el("section", { className: "card" }, el("h2", { textContent: t("dash.children") }), d.children.length ? children : el("p", { textContent: t("dash.none") })),
    el("section", { className: "card" }, el("h2", { textContent: t("dash.throughput") }), el("div", { className: "chart" }, throughputCanvas)),
    el("section", { className: "card" }, el("h2", { textContent: t("dash.median") }), medians, el("h2", { textContent: t("dash.classes") }), classes),
    el("section", { className: "card" }, el("h2", { textContent: t("dash.financing") }), financing),
    el("section", { className: "card" }, el("h2", { textContent: t("dash.redundancy") }), sets.length ? redundancy : el("p", { textContent: t("dash.none") })));

  charts.push(new Chart(funnelCanvas, {
    type: "bar",
    data: {
      labels: stages.map(stageName),
      datasets: segmentKeys.map((s, i) => ({
        label: segmentName(s), backgroundColor: colours[i],
        data: stages.map((stage) => sum(d.funnel.filter((c) => c.stage === stage && c.segment === s && c.status !== "Closed"))),
      })),
    },
    options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
  }));
  const weeks = [...new Set(d.throughput.map((w) => w.week))].sort();
  charts.push(new Chart(throughputCanvas, {
    type: "line",
    data: { labels: weeks, datasets: [{ label: t("dash.throughput"), borderColor: colours[0], data: weeks.map((w) => d.throughput.filter((x) => x.week === w).reduce((n, x) => n + x.completions, 0)) }] },
    options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  }));
}

/** Watches exactly the region shown: the server says when its numbers moved, and the page fetches them again. */
async function watch(region: string, refresh: () => void): Promise<void> {
  if (!hub) {
    hub = new HubConnectionBuilder()
      .withUrl("/hubs/dashboard", { transport: HttpTransportType.WebSockets, skipNegotiation: true })
      .withAutomaticReconnect()
      .configureLogging(LogLevel.Warning)
      .build();
    hub.keepAliveIntervalInMilliseconds = 5000;
    hub.serverTimeoutInMilliseconds = 15000;
    hub.onreconnected(() => { if (watched) void hub?.invoke("Watch", watched); });
    started = hub.start();
  }
  await started;
  if (shown !== region) return; // a later render took over while this one waited
  hub.off("DashboardChanged");
  hub.on("DashboardChanged", (changed: string) => { if (changed === shown) refresh(); });
  if (watched === region) return;
  if (watched) await hub.invoke("Unwatch", watched);
  watched = region;
  await hub.invoke("Watch", region);
}

/** Leaving the dashboard: stop watching. */
export async function leaveDashboard(): Promise<void> {
  shown = null;
  charts.forEach((c) => c.destroy());
  charts = [];
  if (hub && watched) {
    await started;
    await hub.invoke("Unwatch", watched);
  }
  watched = null;
}
