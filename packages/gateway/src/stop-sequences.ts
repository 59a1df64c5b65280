/**
 * Applies OpenAI `stop` sequences to streamed text: emits only text that cannot be the start of a
 * stop sequence, and ends at the first one. Working on the text (not inside the model) holds the
 * same for every model behind the gateway, local or frontier.
 */
export class StopSequences {
  #held = '';
  #stopped = false;
  readonly #stops: readonly string[];

  constructor(stops: readonly string[]) {
    this.#stops = stops.filter((stop) => stop.length > 0);
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Feeds a delta; returns the text that is safe to send now. */
  push(delta: string): string {
    if (this.#stopped) return '';
    if (this.#stops.length === 0) return delta;
    const text = this.#held + delta;
    let cut = -1;
    for (const stop of this.#stops) {
      const at = text.indexOf(stop);
      if (at !== -1 && (cut === -1 || at < cut)) cut = at;
    }
    if (cut !== -1) {
      this.#stopped = true;
      this.#held = '';
      return text.slice(0, cut);
    }
    // Hold back the longest tail that a stop sequence could still complete.
    let keep = 0;
    for (const stop of this.#stops) {
      for (let length = Math.min(stop.length - 1, text.length); length > keep; length -= 1) {
        if (stop.startsWith(text.slice(text.length - length))) {
          keep = length;
          break;
        }
      }
    }
    this.#held = text.slice(text.length - keep);
    return text.slice(0, text.length - keep);
  }

  /** The held tail once the stream has ended without a stop sequence. */
  flush(): string {
    const rest = this.#stopped ? '' : this.#held;
    this.#held = '';
    return rest;
  }

  /** The whole text cut at the first stop sequence. */
  static apply(text: string, stops: readonly string[]): { text: string; stopped: boolean } {
    const filter = new StopSequences(stops);
    const head = filter.push(text);
    return { text: head + filter.flush(), stopped: filter.stopped };
  }
}
