// What every screen receives from main.ts: the API call (JSON, antiforgery header, page language) and the element builder.

/** Calls the API as the signed-in user; never throws for an HTTP error (see ok and status). */
export type Api = <T>(method: string, path: string, body?: unknown) => Promise<{ ok: boolean; status: number; data: T }>;

/** Builds an element with properties and children. */
export type El = <K extends keyof HTMLElementTagNameMap>(tag: K, props?: Partial<HTMLElementTagNameMap[K]>, ...children: (Node | string)[]) => HTMLElementTagNameMap[K];

/**
 * A link that downloads the file at its (current) address with the page's language, or, when the server refuses
 * (e.g. an export of more than 50,000 cases), shows the refusal's message in <paramref name="message"/>: a plain
 * download link would show nothing.
 */
export function downloadLink(el: El, id: string, className: string, text: string, href: string, message: HTMLElement, language: string): HTMLAnchorElement {
  const link = el("a", { id, className, href, download: "", textContent: text });
  link.addEventListener("click", async (e) => {
    e.preventDefault();
    message.textContent = "";
    let response: Response;
    try {
      response = await fetch(link.href, { headers: { Accept: "text/csv, application/problem+json", "Accept-Language": language }, credentials: "same-origin" });
    } catch {
      message.textContent = language === "id" ? "Tidak ada koneksi ke server; unduhan butuh koneksi." : "No connection to the server; the download needs one.";
      return;
    }
    if (!response.ok) {
      const problem = (await response.json().catch(() => null)) as { detail?: string; code?: string } | null;
      message.textContent = problem?.detail ?? problem?.code ?? String(response.status);
      return;
    }
    const name = /filename="?([^";]+)"?/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? "kasus.csv";
    const url = URL.createObjectURL(await response.blob());
    const save = el("a", { href: url, download: name });
    document.body.append(save);
    save.click();
    save.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  });
  return link;
}
