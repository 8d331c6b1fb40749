// What every screen receives from main.ts: the API call (JSON, antiforgery header, page language) and the element builder.

/** Calls the API as the signed-in user; never throws for an HTTP error (see ok and status). */
export type Api = <T>(method: string, path: string, body?: unknown) => Promise<{ ok: boolean; status: number; data: T }>;

/** Builds an element with properties and children. */
export type El = <K extends keyof HTMLElementTagNameMap>(tag: K, props?: Partial<HTMLElementTagNameMap[K]>, ...children: (Node | string)[]) => HTMLElementTagNameMap[K];
