import type { TokenUsage } from '../../adapters/openai.js';

/**
 * The tokens of a run, added up over every answer the model began: each attempt at a row or page counts, a retried
 * one included, because the model server spent (and bills) those tokens whether or not the text was written.
 * An answer whose server reported no usage (it ignores `stream_options`, or the stream broke before its usage
 * chunk, or the run stopped it) is counted in `unreported`: the sum then covers only part of the run.
 */
export interface TokenTally {
  prompt: number;
  completion: number;
  /** Answers whose usage the server reported. */
  reported: number;
  /** Answers the model began whose usage the server did not report. */
  unreported: number;
}

export function emptyTally(): TokenTally {
  return { prompt: 0, completion: 0, reported: 0, unreported: 0 };
}

/** Adds one answer's usage (undefined: the server did not report it). */
export function addUsage(tally: TokenTally, usage: TokenUsage | undefined): void {
  if (usage === undefined) {
    tally.unreported += 1;
    return;
  }
  tally.prompt += usage.prompt;
  tally.completion += usage.completion;
  tally.reported += 1;
}

/** The total for the connection row: undefined (left empty) when answers were made and none was reported. */
export function reportedTotal(tally: TokenTally): number | undefined {
  if (tally.reported === 0 && tally.unreported > 0) return undefined;
  return tally.prompt + tally.completion;
}

/**
 * A run record saved before token counts existed: its rows done so far were generated uncounted, so they count as
 * not reported (the total is then partial, never a guess).
 */
export function tallyOfOldRecord(done: number): TokenTally {
  return { ...emptyTally(), unreported: done };
}
