import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildServer } from '../support/child-server.js';
import { root } from './support.js';

/**
 * What `docker compose up` runs, run by hand (infra/local-cluster.mjs): a throwaway PostgreSQL,
 * redis-server, two nodes of the built bundle and Debian's nginx with infra/nginx/calma.conf. Its
 * `--check` asks, through the proxy, for the app and readiness, upgrades WebSockets on /yjs/ and
 * /socket.io/, and talks socket.io over WebSocket and over long-polling (which needs the proxy's
 * stickiness); `--across` then puts one client on each node in one session: a moderator's pause
 * and a board note made through one node reach the client of the other. Then it stops everything.
 */
describe('infra/local-cluster.mjs --check', () => {
  it('starts PostgreSQL, Redis, two nodes and nginx; the proxy serves and upgrades; one session spans both nodes', async () => {
    const built = buildServer();
    expect(built.status, built.stderr).toBe(0);
    const child = spawn(process.execPath, [join(root, 'infra/local-cluster.mjs'), '--check', '--across'], {
      cwd: root,
      env: { ...process.env, CALMA_LOG_LEVEL: 'warn' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(output).toMatch(/calma-1 ready on http:\/\/127\.0\.0\.1:\d+/);
    expect(output).toMatch(/calma-2 ready on http:\/\/127\.0\.0\.1:\d+/);
    expect(output).toContain('GET /api/health/ready → 200');
    expect(output).toContain('/yjs/ upgraded through the proxy');
    expect(output).toContain('/socket.io/ upgraded through the proxy: 0{"sid":');
    expect(output).toContain('socket.io connected and answered 5 times over polling');
    expect(output).toMatch(/session:state after a pause on http:\S+: the same \d+ state\(s\) on http:/);
    expect(output).toMatch(/board: a note written on http:\S+ reached a client on http:/);
    expect(output, output).toContain('all checks passed');
    expect(code).toBe(0);
  }, 180_000);
});
