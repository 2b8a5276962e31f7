// Everything the app did, as tests read it: Web API calls, response_url posts, messages, protocol violations.
import type { ApiCallRecord, MessageRecord, ResponseUrlPost } from './types.js';

export class Records {
  readonly apiCalls: ApiCallRecord[] = [];
  readonly responseUrlPosts: ResponseUrlPost[] = [];
  readonly messages: MessageRecord[] = [];
  /** Protocol and limit violations by the app. Tests assert this stays empty. */
  readonly failures: string[] = [];
  /** Within the rules but worth a look (e.g. message text over Slack's recommended 4,000 characters). */
  readonly warnings: string[] = [];
  /** Secrets tests put here must never reach Slack: any outbound content containing one is a failure. */
  readonly forbiddenStrings = new Set<string>();

  fail(what: string): void {
    this.failures.push(what);
  }

  /** Records a failure when `content` (any JSON value) contains a forbidden string. Never echoes the secret. */
  checkForbidden(content: unknown, where: string): void {
    const needles = [...this.forbiddenStrings].filter((s) => s.length > 0);
    if (needles.length === 0) return;
    const hits = new Set<number>();
    visitStrings(content, (text) => {
      needles.forEach((needle, index) => {
        if (text.includes(needle)) hits.add(index);
      });
    });
    for (const index of hits) {
      this.fail(`${where}: contains forbidden string #${index + 1} of handle.forbiddenStrings (${needles[index]!.length} characters)`);
    }
  }
}

function visitStrings(value: unknown, visit: (text: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) value.forEach((item) => visitStrings(item, visit));
  else if (value && typeof value === 'object') Object.values(value).forEach((item) => visitStrings(item, visit));
}

/** Polls `probe` until it returns something truthy; rejects after `timeoutMs` with the failures seen so far. */
export async function waitFor<T>(probe: () => T | undefined | null | false, timeoutMs: number, failures: readonly string[]): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) {
      const seen = failures.length ? ` Stand-in failures so far: ${JSON.stringify(failures)}` : '';
      throw new Error(`Slack stand-in: waitFor timed out after ${timeoutMs} ms waiting for ${probe.toString().slice(0, 200)}.${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}
