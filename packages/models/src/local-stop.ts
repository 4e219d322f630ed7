/**
 * Cuts streamed text at the first stop string, without ever showing part of one: text that could
 * still turn out to be the start of a stop string is held back until it is decided. A base model
 * given the plain "User:/Assistant:" prompt goes on to write the next "User:" turn itself; this is
 * where its answer ends.
 */
export class StopStrings {
  #held = '';
  #stopped = false;

  constructor(private readonly stops: readonly string[]) {}

  /** Whether a stop string has appeared: nothing more will be shown. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Takes the next piece of text; returns what may be shown now. */
  push(piece: string): string {
    if (this.#stopped) return '';
    const text = this.#held + piece;
    let cut = -1;
    for (const stop of this.stops) {
      const at = text.indexOf(stop);
      if (at !== -1 && (cut === -1 || at < cut)) cut = at;
    }
    if (cut !== -1) {
      this.#stopped = true;
      this.#held = '';
      return text.slice(0, cut);
    }
    const keep = this.#undecided(text);
    this.#held = text.slice(text.length - keep);
    return text.slice(0, text.length - keep);
  }

  /** At the end of generation: what was held back was not a stop string after all. */
  end(): string {
    const rest = this.#stopped ? '' : this.#held;
    this.#held = '';
    return rest;
  }

  /** Length of the longest end of `text` that begins some stop string. */
  #undecided(text: string): number {
    let longest = 0;
    for (const stop of this.stops) {
      for (let n = Math.min(stop.length - 1, text.length); n > longest; n -= 1) {
        if (text.endsWith(stop.slice(0, n))) {
          longest = n;
          break;
        }
      }
    }
    return longest;
  }
}
