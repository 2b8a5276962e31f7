/** Starting a generation through Slack and waiting for its end, as the user sees it and as Notion records it. */
import type { Harness } from '../../e2e/harness.js';
import type { ConfiguredUser } from '../../e2e/support/configure-user.js';
import { type ConnectionRowValues, connectionRow, messagesFor, stringsOf } from '../../e2e/support/observe.js';

export interface RunResult {
  /** Everything the user was shown for the command: the ack, the progress replies, direct messages. */
  readonly shown: string;
  /** The connection row of the target once its status is final; undefined if none was made. */
  readonly row: ConnectionRowValues | undefined;
}

const FINAL = new Set(['Succeeded', 'Failed', 'Cancelled']);
/** The headline of a run's last progress message (src/slack/views/progress-message.ts), sent once the run is over. */
const FINAL_MESSAGE = /:white_check_mark: Done|:x: The run on .* failed|:warning: Finished .*, but some rows failed|:octagonal_sign: Cancelled/;

/**
 * `/visen generate <target> <prompt...>` from the user; resolves when the target's connection row has a final
 * status, the user was shown the run's last message and `expected` (or, with `noRun`, when `expected` was
 * shown: nothing started).
 */
export async function generate(
  h: Harness,
  c: ConfiguredUser,
  text: string,
  targetUrl: string,
  expected: RegExp,
  o: { timeoutMs?: number; noRun?: boolean } = {},
): Promise<RunResult> {
  const from = h.slack.messages.length;
  const runsBefore = connectionRow(h, c, targetUrl)?.runs ?? 0;
  const delivery = await h.slack.slashCommand({ userId: c.userId, teamId: c.teamId, text: `generate ${text}` });
  if (!delivery.acked) throw new Error(`generate was not acked: ${delivery.reason}`);
  const shown = () => [stringsOf(delivery.ackPayload), ...messagesFor(h, c.userId, from).map((m) => `${m.text ?? ''}\n${stringsOf(m.blocks)}`)].join('\n');
  const timeoutMs = o.timeoutMs ?? 45_000;
  try {
    await h.slack.waitFor(() => {
      if (!expected.test(shown())) return false;
      if (o.noRun) return true;
      const row = connectionRow(h, c, targetUrl);
      // Runs goes up when a run ends: this run, not an earlier one of the same target; and the user has been
      // told it ended (the service lets go of the run just before that message goes out).
      return row !== undefined && (row.runs ?? 0) > runsBefore && FINAL.has(row.status ?? '') && FINAL_MESSAGE.test(shown());
    }, timeoutMs);
  } catch (err) {
    throw new Error(`${(err as Error).message}\nshown so far:\n${shown()}\nconnection row: ${JSON.stringify(connectionRow(h, c, targetUrl))}`);
  }
  return { shown: shown(), row: connectionRow(h, c, targetUrl) };
}
