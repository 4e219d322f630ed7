import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PostgreSQL server started for a test run, and how to stop it. */
export interface ThrowawayPostgres {
  /** Connection URL of the server's `postgres` database, as the superuser. */
  readonly url: string;
  stop(): void;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

const onPath = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).status === 0;

/** Where initdb and pg_ctl are: `''` when both are on PATH, a Debian bin directory, or null. */
function findBinDir(): string | null {
  if (onPath('initdb') && onPath('pg_ctl')) return '';
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], 'bin') : null;
}

/**
 * Locates Debian's PostgreSQL binaries; returns a function that maps a tool name to its path. It
 * installs nothing: `npm test` installs the `postgresql` package before vitest starts.
 */
function postgresTools(): (tool: string) => string {
  const dir = findBinDir();
  if (dir === null) {
    throw new Error(
      'PostgreSQL is not installed (no initdb and pg_ctl on PATH or under /usr/lib/postgresql/*/bin): install Debian\'s "postgresql" package (`npm test` installs it when run as root with apt-get), or set CALMA_TEST_DATABASE_URL to a server the tests may create databases on.',
    );
  }
  return (tool) => (dir === '' ? tool : join(dir, tool));
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a throwaway PostgreSQL: `initdb --auth=trust` into a temporary directory and `pg_ctl -w
 * start` on a free loopback port (about a second). PostgreSQL refuses to run as root, so as root it
 * runs as the `postgres` user the Debian package creates. `stop()` ends it and removes the files.
 */
export async function startThrowawayPostgres(log: (line: string) => void = () => {}): Promise<ThrowawayPostgres> {
  const tool = postgresTools();
  const dir = mkdtempSync(join(tmpdir(), 'calma-pg-'));
  const dataDir = join(dir, 'data');
  const asOwner = (argv: string[]) => (isRoot() ? ['runuser', '-u', 'postgres', '--', ...argv] : argv);
  const exec = (argv: string[]) => {
    const [cmd, ...args] = asOwner(argv);
    const result = spawnSync(cmd as string, args, { encoding: 'utf8' });
    if (result.status !== 0) {
      throw new Error(`${argv.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
    }
  };
  if (isRoot()) {
    chmodSync(dir, 0o777);
  }
  const port = await freePort();
  const started = Date.now();
  exec([tool('initdb'), '-D', dataDir, '--auth=trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  exec([
    tool('pg_ctl'),
    '-w',
    '-D',
    dataDir,
    '-l',
    join(dir, 'server.log'),
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
    'start',
  ]);
  log(`throwaway PostgreSQL on 127.0.0.1:${port} (started in ${Date.now() - started} ms)`);
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        exec([tool('pg_ctl'), '-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
