/**
 * Issue 9, item 1: one user's model answer must never delay another user's acks. User A's OpenAI-compatible
 * server ignores the token limit and streams a 1 MB answer built to make the Markdown lexer slow (a list item
 * followed by thousands of unindented lines, quotes and lists nested hundreds deep, bracket and emphasis runs);
 * meanwhile user B keeps sending `/visen help`. Every one of B's commands is acked within Slack's 3 s deadline
 * (the Slack stand-in enforces it), and A's run ends with the text up to Visen's character cap in Notion and a
 * note saying where and why it was cut.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSWER_LIMITS, answerCutNotices } from '../../src/adapters/openai/answer-limits.js';
import { hostileMarkdown } from '../stand-ins/openai/hostile-answers.js';
import type { Delivery } from '../stand-ins/slack/index.js';
import { type Harness, startHarness } from './harness.js';
import { configureUser } from './support/configure-user.js';
import { bodyOf, eventually, textOf } from './support/observe.js';

const HOSTILE_PROMPT = 'Write the hostile answer';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

/** A's server: the hostile answer for A's prompt, the stand-in's usual answer for everything else. */
function hostileServer(answer: string): void {
  const usual = h.openai;
  usual.setResponder((req) => (JSON.stringify(req.messages).includes(HOSTILE_PROMPT) ? answer : `# Fine\n\nAn ordinary answer.`));
  usual.setStreamRate({ charsPerChunk: 2_000, chunkIntervalMs: 0 });
}

describe('a hostile model answer', () => {
  it("does not delay another user's acks, and lands in Notion up to the cap with a note", async () => {
    const T = h.slack.teamId;
    const a = await configureUser(h, 'U0HOSTILEA', { teamId: T });
    const page = h.notion.addPage({ title: 'Target', sharedWith: [a.notionSecret] });
    const answer = `${hostileMarkdown('list-continuation', 500_000)}\n\n${hostileMarkdown('mixed', 500_000)}`;
    hostileServer(answer);

    const run = await h.slack.slashCommand({ userId: 'U0HOSTILEA', teamId: T, text: `generate ${page.url} ${HOSTILE_PROMPT}` });
    expect(run.acked).toBe(true);

    let finished = false;
    const finalText = eventually(
      () => {
        const last = h.slack.responseUrlPosts.filter((p) => p.url === run.responseUrl && p.ok).at(-1);
        const text = last ? textOf((last.body as { blocks?: unknown }).blocks) : '';
        return /Done|failed/.test(text) ? text : undefined;
      },
      "A's final message",
      120_000,
    ).finally(() => {
      finished = true;
    });

    const helps: Delivery[] = [];
    while (!finished || helps.length < 5) {
      helps.push(await h.slack.slashCommand({ userId: 'U0HOSTILEB', teamId: T, text: 'help' }));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(helps.filter((d) => !d.acked).map((d) => d.reason)).toEqual([]);

    expect(await finalText).toContain('Done');
    const body = bodyOf(h, page.id);
    expect(body).toContain('continuation line 0 of the list item');
    expect(body).toContain(answerCutNotices.charCap);
    // Nothing past the cap was written.
    const lastLine = /continuation line (\d+) /g;
    const numbers = [...answer.slice(0, ANSWER_LIMITS.maxChars).matchAll(lastLine)].map((m) => m[1]);
    expect(body).toContain(`continuation line ${numbers.at(-1)} `);
    expect(body).not.toContain(`continuation line ${Number(numbers.at(-1)) + 1} `);
  }, 180_000);
});
