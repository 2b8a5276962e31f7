/** What a thread connection keeps of its output between runs (see thread-replace.ts and the run store). */

/** A block a thread connection wrote, with its content's signature when written (to tell an edited one). */
export interface WrittenBlock {
  readonly id: string;
  readonly signature: string;
}

/** A run that replaced what its connection wrote last time: blocks removed, and blocks kept because the user edited them. */
export interface ReplacedNote {
  readonly removed: number;
  readonly kept: number;
  /** The start of each kept block's text (a few), so the message can say which. */
  readonly keptTexts?: readonly string[];
}
