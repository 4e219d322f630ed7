import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

// The Calma server's default address; `pnpm dev` here proxies to a server started with `pnpm start`.
const server = 'http://127.0.0.1:8080';

/**
 * Writes a Brotli (`.br`) and a gzip (`.gz`) copy beside every text file of the build, for the
 * server to send to browsers that accept them (@fastify/static's `preCompressed`): compressed
 * once here, not on every request. Files under 1 KB, and copies no smaller, are left out.
 */
function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'calma-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      const files = readdirSync(outDir, { recursive: true, encoding: 'utf8' }).filter((f) =>
        /\.(js|css|html|svg|json|txt)$/.test(f),
      );
      for (const file of files) {
        const path = join(outDir, file);
        const raw = readFileSync(path);
        if (raw.length < 1024) continue;
        const copies = [
          ['br', brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })],
          ['gz', gzipSync(raw, { level: 9 })],
        ] as const;
        for (const [ext, data] of copies) if (data.length < raw.length) writeFileSync(`${path}.${ext}`, data);
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), precompress()],
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
