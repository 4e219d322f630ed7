/**
 * Child process for `pnpm bench board`: a stock `@hocuspocus/server` on a free loopback port, with
 * its default in-memory behaviour (no database extension, so nothing is persisted), as the
 * reference the Calma board is compared with. Prints one JSON line `{port}` once it listens, and
 * stops on SIGTERM or when the bench that forked it goes away.
 */
import { Server } from '@hocuspocus/server';

const server = new Server({
  address: '127.0.0.1',
  port: 0,
  quiet: true,
  // The bench stops this process itself and must see it exit, not a handler's `process.exit`.
  stopOnSignals: false,
});
await server.listen();

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.destroy();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
// Forked with an IPC channel: if the bench dies, the channel closes and this server must not linger.
process.on('disconnect', () => void stop());
// Whatever happens to the bench, a benchmark server never outlives ten minutes.
setTimeout(() => void stop(), 600_000).unref();

console.log(JSON.stringify({ port: server.address.port }));
