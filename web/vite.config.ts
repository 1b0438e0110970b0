import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = 'http://127.0.0.1:8081';

// The admin UI: `npm run build -w web` writes web/dist, which the server serves on its main port.
// In development (`npm run dev -w web`) the API and registry paths go to a Wharf on port 8081.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  resolve: {
    alias: { '@wharf/api-types': fileURLToPath(new URL('../libs/api-types/src/index.ts', import.meta.url)) },
  },
  server: {
    proxy: {
      '/service': { target: api, changeOrigin: false },
      '/v2': { target: api, changeOrigin: false },
      '/repository': { target: api, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
  },
});
