/**
 * The start-up's phases and how long each took, for the one line `main.ts` prints once it
 * listens: where a slow start spends its seconds (loading code, opening the database, …) is
 * then visible in every log without a profiler.
 */
export class StartupClock {
  private readonly laps: { phase: string; ms: number }[] = [];
  private last: number;

  /**
   * `now` is milliseconds since the process started (`performance.now()`), for tests a fake.
   * `launchedAt`, when the start script ran in the same process first (`npm start` checks the
   * install and build, and builds when sources changed), is when it handed over to the server:
   * its time is told apart from loading the server's code.
   */
  constructor(
    private readonly now: () => number = () => performance.now(),
    launchedAt: number | null = launchedAtFromEnv(),
  ) {
    this.last = 0;
    if (launchedAt !== null) {
      this.laps.push({ phase: 'start script', ms: launchedAt });
      this.last = launchedAt;
    }
    // Everything up to here is Node starting and the server's modules loading.
    this.lap('loading code');
  }

  /** Ends the phase running since the previous lap, under `phase`. */
  lap(phase: string): void {
    const at = this.now();
    this.laps.push({ phase, ms: at - this.last });
    this.last = at;
  }

  /** `Started in 1.2 s (loading code 0.4 s, database 0.3 s, …)`, phases in order. */
  summary(): string {
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const phases = this.laps.map((l) => `${l.phase} ${seconds(l.ms)}`).join(', ');
    return `Started in ${seconds(this.last)} (${phases})`;
  }
}

/** `CALMA_LAUNCHED_AT_MS`, which scripts/calma.mjs sets just before it loads the server. */
function launchedAtFromEnv(): number | null {
  const value = Number(process.env.CALMA_LAUNCHED_AT_MS);
  return Number.isFinite(value) && value > 0 ? value : null;
}
