import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The Calma server's default address; `pnpm dev` here proxies to a server started with `pnpm start`.
const server = 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api': { target: server },
      // socket.io starts with HTTP long-polling and then upgrades, so it needs both.
      '/socket.io': { target: server, ws: true },
      '/yjs': { target: server, ws: true },
    },
  },
  build: { outDir: 'dist', emptyOutDir: true },
});
