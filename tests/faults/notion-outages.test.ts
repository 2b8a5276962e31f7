/**
 * Notion failing in every way the stand-in can fail. Faults hit the writes of the generated content (so the
 * connection row itself stays writable and can record the failure):
 * - outages that outlast Visen's retries: a clear message, the connection Failed with the reason, and
 *   nothing of the answer left in the page;
 * - passing faults (server errors, conflicts, dropped connections before and after the write was applied,
 *   slow answers): the run succeeds and the content is in the page exactly once;
 * - Notion overloaded everywhere, and a revoked secret: a clear message, nothing started or written.
 * The stand-in also reports any request sent before a Retry-After had passed (`notion.failures`).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../e2e/harness.js';
import { type ConfiguredUser, configureUser } from '../e2e/support/configure-user.js';
import { rowContents } from '../e2e/support/observe.js';
import type { FaultSpec } from '../stand-ins/notion/index.js';
import { generate } from './support/runs.js';

let h: Harness;
let c: ConfiguredUser;

const ANSWER = ['Alpha line.', 'Beta line.', 'Gamma line.'];
const ALWAYS = 1_000;

beforeAll(async () => {
  h = await startHarness({ env: { LOG_LEVEL: 'info' } });
  c = await configureUser(h, 'U0NOTIONOUT');
  h.openai.setResponder(() => ANSWER.join('\n\n'));
}, 60_000);

afterEach(() => {
  expect(h.notion.failures).toEqual([]);
  expect(h.slack.failures).toEqual([]);
});

afterAll(async () => {
  await h?.stop();
});

/** The page's content writes: appending blocks to it. */
const appendsTo = (pageId: string): FaultSpec['match'] => ({ method: 'PATCH', pathIncludes: `/v1/blocks/${pageId}/children` });

describe('Notion outages that outlast the retries', () => {
  const outages: Array<{ name: string; fault: Omit<FaultSpec, 'match'>; message: RegExp }> = [
    { name: '429 rate limited', fault: { status: 429, times: ALWAYS, retryAfterSeconds: 1 }, message: /Notion is limiting how fast Visen may work/ },
    { name: '529 overloaded', fault: { status: 529, times: ALWAYS, retryAfterSeconds: 1 }, message: /Notion is overloaded/ },
    { name: '503 unavailable', fault: { status: 503, times: ALWAYS }, message: /server error \(503\)|not answering properly/ },
  ];
  // Visen keeps retrying for about a minute before it gives up, so these run side by side, each user with
  // their own integration (a Retry-After holds every request of one secret).
  it.concurrent.for(outages)(
    '$name: a clear message, the connection Failed with the reason, nothing left in the page',
    { timeout: 160_000 },
    async ({ name, fault, message }, { expect }) => {
      const user = await configureUser(h, `U0OUT${name.slice(0, 3)}`);
      const page = h.notion.addPage({ title: `Notion ${name}`, parentPageId: user.parentPageId });
      h.notion.injectFault({ ...fault, match: appendsTo(page.id) });
      const { shown, row } = await generate(h, user, `${page.url} Three lines`, page.url, message, { timeoutMs: 150_000 });
      expect(shown).toMatch(message);
      expect(shown).not.toMatch(/Something went wrong on our side/);
      expect(row?.status).toBe('Failed');
      expect(row?.lastError).toMatch(message);
      expect(rowContents(h, page.id)).toEqual([]);
    },
  );
});

describe('Notion faults that pass', { timeout: 60_000 }, () => {
  const faults: Array<{ name: string; fault: Omit<FaultSpec, 'match'> }> = [
    { name: '500 internal error', fault: { status: 500, times: 1 } },
    { name: '502 from the edge proxy (HTML)', fault: { status: 502, times: 1 } },
    { name: '504 gateway timeout', fault: { status: 504, times: 1 } },
    { name: '409 conflict', fault: { status: 409, times: 1 } },
    { name: '429 twice', fault: { status: 429, times: 2 } },
    { name: 'connection dropped before the write', fault: { status: 'drop', times: 1 } },
    { name: 'connection dropped after the write was applied', fault: { status: 'drop', afterApplying: true, times: 2 } },
    { name: 'a slow answer', fault: { status: 'slow', delayMs: 2_000, times: 1 } },
  ];

  afterEach(() => h.notion.clearFaults());

  it.each(faults)('$name: Succeeded, the content written exactly once', async ({ name, fault }) => {
    const page = h.notion.addPage({ title: `Notion ${name}`, parentPageId: c.parentPageId });
    h.notion.injectFault({ ...fault, match: appendsTo(page.id) });
    const { row } = await generate(h, c, `${page.url} Three lines`, page.url, /.*/, { timeoutMs: 60_000 });
    expect(row?.status).toBe('Succeeded');
    expect(rowContents(h, page.id)).toEqual(ANSWER);
    expect(h.notion.requests.some((r) => r.injected !== undefined && r.path.includes(page.id))).toBe(true);
  });
});

describe('Notion out of reach for this user', { timeout: 60_000 }, () => {
  it('overloaded on every request: a clear message, nothing started, nothing written', async () => {
    const page = h.notion.addPage({ title: 'Notion down', parentPageId: c.parentPageId });
    const rowsBefore = h.notion.rows(c.connections.dataSourceId).length;
    const writesBefore = h.notion.requests.length;
    h.notion.injectFault({ status: 529, times: ALWAYS, retryAfterSeconds: 1, match: { secret: c.notionSecret } });
    const { shown } = await generate(h, c, `${page.url} Three lines`, page.url, /Notion is overloaded/, { noRun: true, timeoutMs: 60_000 });
    expect(shown).toMatch(/Notion is overloaded[\s\S]*try again/i);
    h.notion.clearFaults();
    expect(h.notion.rows(c.connections.dataSourceId)).toHaveLength(rowsBefore);
    expect(rowContents(h, page.id)).toEqual([]);
    expect(h.notion.requests.slice(writesBefore).filter((r) => r.status === 200 && r.method !== 'GET' && !r.path.endsWith('/query'))).toEqual([]);
  });

  it('a revoked integration secret: a clear message to fix the secret, nothing written', async () => {
    const other = await configureUser(h, 'U0REVOKED');
    const page = h.notion.addPage({ title: 'Revoked', parentPageId: other.parentPageId });
    h.notion.revoke(other.notionSecret);
    const writesBefore = h.notion.requests.length;
    const { shown } = await generate(h, other, `${page.url} Three lines`, page.url, /Notion rejected your integration secret/, { noRun: true });
    expect(shown).toMatch(/Notion rejected your integration secret[\s\S]*\/visen settings/);
    expect(rowContents(h, page.id)).toEqual([]);
    expect(h.notion.requests.slice(writesBefore).filter((r) => r.status === 200)).toEqual([]);
  });
});
