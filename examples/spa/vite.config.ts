import { defineConfig } from 'vite';

// The dev server (and `vite preview`) forwards the API and the uploaded pictures to a running Tessera, so the SPA and
// the API share one origin: the session cookie is first-party and SameSite=Lax lets it through, and the browser never
// needs a token in JavaScript.
const tessera = process.env.TESSERA_URL ?? 'http://localhost:3000';
const proxy = { '/api': tessera, '/storage': tessera };
// Vite answers CORS for any localhost origin by default, which would let a page on another local port read the
// API's answers through this proxy with the user's cookie. The SPA is same-origin and needs no CORS: only Tessera's
// own CORS (its allowed origins) applies.
const cors = false;

export default defineConfig({
  root: import.meta.dirname,
  server: { port: 5173, strictPort: true, proxy, cors },
  preview: { port: 4173, strictPort: true, proxy, cors },
  build: { outDir: 'dist', emptyOutDir: true },
});
