/**
 * Child process for the board benches: a stock `@hocuspocus/server` 4 on a free loopback port,
 * in memory (no database extension), as the reference Calma is compared with. Plain JavaScript run
 * by plain `node`, so that no TypeScript loader weighs on its CPU, memory or start time. Prints one
 * JSON line `{"port":…}` once it listens; stops on SIGTERM or when the bench that forked it goes.
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
async function stop() {
  if (stopping) return;
  stopping = true;
  await server.destroy();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());
// Whatever happens to the bench, a benchmark server never outlives an hour.
setTimeout(() => void stop(), 3_600_000).unref();

console.log(JSON.stringify({ port: server.address.port }));
