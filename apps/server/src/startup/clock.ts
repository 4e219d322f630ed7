/**
 * The start-up's phases and how long each took, for the one line `main.ts` prints once it
 * listens: where a slow start spends its seconds (loading code, opening the database, …) is
 * then visible in every log without a profiler.
 */
export class StartupClock {
  private readonly laps: { phase: string; ms: number }[] = [];
  private last: number;

  /** `now` is milliseconds since the process started (`performance.now()`), for tests a fake. */
  constructor(private readonly now: () => number = () => performance.now()) {
    // Everything before the first lap is Node starting and the server's modules loading.
    this.last = 0;
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
