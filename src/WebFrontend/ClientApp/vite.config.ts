import { defineConfig } from "vite";

// Built into the WebFrontend's static files; served from the same origin as the API and the hub.
export default defineConfig({
  build: {
    outDir: "../wwwroot",
    emptyOutDir: true,
    sourcemap: false,
  },
});
