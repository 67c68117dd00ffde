import { defineConfig } from 'vite';

// The dev server (and `vite preview`) forwards the API and the uploaded pictures to a running Tessera, so the SPA and
// the API share one origin: the session cookie is first-party and SameSite=Lax lets it through, and the browser never
// needs a token in JavaScript.
const tessera = process.env.TESSERA_URL ?? 'http://localhost:3000';
const proxy = { '/api': tessera, '/storage': tessera };

export default defineConfig({
  root: import.meta.dirname,
  server: { port: 5173, strictPort: true, proxy },
  preview: { port: 4173, strictPort: true, proxy },
  build: { outDir: 'dist', emptyOutDir: true },
});
