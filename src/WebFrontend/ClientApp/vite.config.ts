import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { defineConfig, type Plugin } from "vite";
import { VitePWA } from "vite-plugin-pwa";

/**
 * Writes a brotli (.br) and a gzip (.gz) copy beside every text file of the build, at the highest levels: the server
 * sends the one the browser accepts (WebFrontend/Web/ClientFiles.cs), so a mentor's phone on a thin link downloads a
 * fraction of the bytes and the server spends no CPU compressing static files.
 */
function precompress(outDir: string): Plugin {
  const text = /\.(js|mjs|css|html|svg|json|webmanifest|txt)$/;
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
  return {
    name: "casegrains-precompress",
    apply: "build",
    closeBundle: {
      order: "post",
      sequential: true,
      handler() {
        for (const file of walk(outDir).filter((f) => text.test(f))) {
          const body = readFileSync(file);
          writeFileSync(`${file}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }));
          writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
        }
      },
    },
  };
}

const outDir = "../wwwroot";

// Built into the WebFrontend's static files; served from the same origin as the API and the hub.
export default defineConfig({
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: false,
    // The mentor's first load is budgeted (BENCHMARKS.md, "The mentor's phone"): the charts, the workbench and the
    // supervisor's screens are separate chunks loaded by the roles that use them.
    chunkSizeWarningLimit: 250,
  },
  plugins: [
    VitePWA({
      // A new version waits until the mentor chooses to load it (an open page, or a form being filled in, is never
      // swapped under them); the page offers it (main.ts).
      registerType: "prompt",
      injectRegister: false,
      // The icons are fetched by the browser when it offers to install the app, not precached on a thin link.
      includeManifestIcons: false,
      manifest: {
        name: "Perintis Berdaya Connect",
        short_name: "Perintis",
        description: "Pendampingan UMKM, koperasi, ekonomi kreatif dan pekerja migran — Kemenko PM.",
        lang: "id",
        start_url: "/",
        scope: "/",
        display: "standalone",
        orientation: "portrait",
        theme_color: "#0b5d3b",
        background_color: "#f6f7f9",
        icons: [
          { src: "/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      workbox: {
        // The mentor's shell only: a phone on a thin link does not download the charts or the staff screens to install
        // the app. Those chunks (hashed, immutable) are kept by the cache below once a caseworker's page used them.
        globPatterns: ["**/*.{js,css,html,svg,ico,webmanifest}"],
        globIgnores: ["**/dashboard-*.js", "**/staff-*.js"],
        // The page is one document (hash routes); the API, the hubs and the OpenAPI document never come from the cache.
        navigateFallback: "/index.html",
        navigateFallbackDenylist: [/^\/api\//, /^\/hubs\//, /^\/openapi\//, /^\/health/],
        cleanupOutdatedCaches: true,
        // No API response is cached here: cases live in IndexedDB (offline.ts), cleared at sign-out.
        runtimeCaching: [
          {
            urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith("/assets/"),
            handler: "CacheFirst",
            options: { cacheName: "assets", expiration: { maxEntries: 20 } },
          },
        ],
      },
    }),
    precompress(outDir),
  ],
});
