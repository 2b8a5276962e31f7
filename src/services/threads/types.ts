/** One message of a Slack thread, as plain values (the Slack layer reads them; no Slack types here). */
export interface ThreadMessage {
  /** The author's display name (or a fallback the Slack layer chose). */
  readonly author: string;
  /** When it was posted, in milliseconds since the epoch. */
  readonly postedAt: number;
  readonly text: string;
  /** Names of the files attached to it. */
  readonly fileNames: readonly string[];
}

/** The thread as the model is given it: within the context budget, the newest messages kept when it must cut. */
export interface FormattedThread {
  readonly text: string;
  /** Messages in the thread, and how many of them are in `text`. */
  readonly total: number;
  readonly included: number;
  /** True when older messages were left out for the budget. */
  readonly cut: boolean;
}

/** What a generation is given when its source is a Slack thread (see GenerationRequest.source). */
export interface ThreadSource {
  readonly kind: 'slack-thread';
  /** The thread's permalink: recorded on the connection and linked from what is written. */
  readonly permalink: string;
  /** The formatted thread (formatThread), already within the context budget. */
  readonly text: string;
  readonly cut: boolean;
  /** Where the thread is, as the shortcut found it: kept per connection so Run again reads that thread and no other. */
  readonly origin?: ThreadOrigin;
}

/**
 * Where a thread sent to Notion is in Slack (the conversation the user ran the shortcut in), and what was included.
 * Run again on the Home tab reads this, not the connection's `Source`, which anyone editing the row could change.
 */
export interface ThreadOrigin {
  readonly permalink: string;
  readonly channelId: string;
  readonly messageTs: string;
  readonly threadTs: string;
  readonly include: 'message' | 'thread';
}
