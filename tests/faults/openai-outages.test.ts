/**
 * OpenAI failing in every way the stand-in can fail (injected on every chat completion, so Visen's own
 * retries cannot get past it): the user gets a clear message, the connection row says Failed with the
 * reason, and the target holds nothing half-written. A slow answer is only slow. (`hang` is in
 * openai-hang.test.ts: it waits out the 60-second idle timeout.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../e2e/harness.js';
import { type ConfiguredUser, configureUser } from '../e2e/support/configure-user.js';
import { rowContents } from '../e2e/support/observe.js';
import type { FaultSpec } from '../stand-ins/openai/index.js';
import { generate } from './support/runs.js';

let h: Harness;
let c: ConfiguredUser;

/** A long answer, so a stream cut half way comes after the first batches were written to the page. */
const LONG_ANSWER = Array.from({ length: 40 }, (_, i) => `Paragraph ${i + 1}: ${'words '.repeat(30).trim()}.`).join('\n\n');

beforeAll(async () => {
  h = await startHarness({ env: { LOG_LEVEL: 'info' } });
  c = await configureUser(h, 'U0OPENAIOUT');
}, 60_000);

afterEach(() => {
  h.openai.clearFaults();
  h.openai.setResponder(undefined);
  h.openai.setStreamRate({ charsPerChunk: 24, chunkIntervalMs: 0 });
});

afterAll(async () => {
  await h?.stop();
});

const ALWAYS = 1_000;

const outages: Array<{ name: string; fault: FaultSpec; message: RegExp }> = [
  { name: '429 rate limit', fault: { kind: 429, times: ALWAYS, retryAfterMs: 200 }, message: /rate-limiting your API key right now/ },
  { name: 'quota exhausted', fault: { kind: 'quota', times: ALWAYS }, message: /run out of credit \(insufficient_quota\)/ },
  { name: '500 server error', fault: { kind: 500, times: ALWAYS }, message: /had a server error \(HTTP 500\) and still failed after Visen retried/ },
  { name: 'stream cut half way', fault: { kind: 'cut_stream', times: ALWAYS, afterChars: 4_000 }, message: /broke off half way/ },
];

describe('OpenAI outages', { timeout: 90_000 }, () => {
  it.each(outages)('$name: a clear message, the connection Failed with the reason, nothing half-written', async ({ name, fault, message }) => {
    const page = h.notion.addPage({ title: `OpenAI ${name}`, parentPageId: c.parentPageId });
    h.openai.setResponder(() => LONG_ANSWER);
    // A steady stream, so batches reach Notion before a cut.
    h.openai.setStreamRate({ charsPerChunk: 400, chunkIntervalMs: 50 });
    h.openai.injectFault(fault);

    const { shown, row } = await generate(h, c, `${page.url} Write forty paragraphs`, page.url, message);
    expect(shown).toMatch(message);
    expect(shown).not.toMatch(/Something went wrong on our side/);
    expect(row?.status).toBe('Failed');
    expect(row?.lastError).toMatch(message);
    // Nothing of the answer stays in the page (a cut stream's first batches are taken out again).
    expect(rowContents(h, page.id)).toEqual([]);
    expect(h.notion.failures).toEqual([]);
    expect(h.slack.failures).toEqual([]);
  });

  it('a stream cut after the first batches were written leaves the page as it was, and a retry writes it once', async () => {
    const page = h.notion.addPage({
      title: 'Cut then retried',
      parentPageId: c.parentPageId,
      children: [{ paragraph: { rich_text: [{ text: { content: 'Existing line.' } }] } }],
    });
    h.openai.setResponder(() => LONG_ANSWER);
    h.openai.setStreamRate({ charsPerChunk: 400, chunkIntervalMs: 50 });
    h.openai.injectFault({ kind: 'cut_stream', afterChars: 6_000 });
    const writesBefore = h.notion.requests.length;

    const failed = await generate(h, c, `${page.url} Write forty paragraphs`, page.url, /broke off half way/);
    expect(failed.row?.status).toBe('Failed');
    // Batches did reach the page before the cut, and were taken out again.
    expect(h.notion.requests.slice(writesBefore).some((r) => r.method === 'PATCH' && r.path.includes('/children') && r.status === 200)).toBe(true);
    expect(rowContents(h, page.id)).toEqual(['Existing line.']);

    const retried = await generate(h, c, `${page.url} Write forty paragraphs`, page.url, /Done|finished|written/i);
    expect(retried.row?.status).toBe('Succeeded');
    const contents = rowContents(h, page.id);
    expect(contents[0]).toBe('Existing line.');
    expect(contents.filter((t) => t.startsWith('Paragraph 1:'))).toHaveLength(1);
    expect(contents.filter((t) => t.startsWith('Paragraph 40:'))).toHaveLength(1);
    expect(contents).toHaveLength(41);
  });

  it('a slow answer (every request delayed) is only slow: written once, Succeeded', async () => {
    const page = h.notion.addPage({ title: 'Slow model', parentPageId: c.parentPageId });
    h.openai.setResponder(() => 'First line.\n\nSecond line.');
    h.openai.injectFault({ kind: 'slow', times: ALWAYS, delayMs: 1_500 });
    const { row } = await generate(h, c, `${page.url} Two lines`, page.url, /.*/);
    expect(row?.status).toBe('Succeeded');
    expect(rowContents(h, page.id)).toEqual(['First line.', 'Second line.']);
  });

  it('a database run with OpenAI failing writes no row twice and none half', async () => {
    const database = h.notion.addDatabase({ title: 'Topics', parentPageId: c.parentPageId, properties: { Name: { title: {} } } });
    const rows = Array.from({ length: 6 }, (_, i) => h.notion.addRow(database.dataSourceId, { Name: { title: [{ text: { content: `Topic ${i + 1}` } }] } }));
    h.openai.setResponder((req) => `About ${/Explain (.+)$/.exec(req.messages.at(-1)?.content ?? '')?.[1] ?? '?'}.`);
    h.openai.injectFault({ kind: 500, times: ALWAYS });

    const { shown, row } = await generate(h, c, `${database.url} Explain {{Name}}`, database.url, /server error \(HTTP 500\)/);
    expect(shown).toMatch(/server error \(HTTP 500\)/);
    expect(row?.status).toBe('Failed');
    expect(row?.lastError).toMatch(/server error \(HTTP 500\)/);
    for (const r of rows) expect(rowContents(h, r.id)).toEqual([]);

    // OpenAI is back: the same command fills every row exactly once.
    h.openai.clearFaults();
    const again = await generate(h, c, `${database.url} Explain {{Name}}`, database.url, /.*/);
    expect(again.row?.status).toBe('Succeeded');
    rows.forEach((r, i) => expect(rowContents(h, r.id)).toEqual([`About Topic ${i + 1}.`]));
  });
});
