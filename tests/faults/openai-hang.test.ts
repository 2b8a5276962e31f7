/**
 * OpenAI accepts the request and never answers (the stand-in's `hang`). Visen's idle timeout, set here to 3 s
 * through VISEN_MODEL_IDLE_TIMEOUT_SECONDS (the default is 60 s), gives up: a clear message naming that limit,
 * the connection Failed with the reason, nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../e2e/harness.js';
import { type ConfiguredUser, configureUser } from '../e2e/support/configure-user.js';
import { rowContents } from '../e2e/support/observe.js';
import { generate } from './support/runs.js';

let h: Harness;
let c: ConfiguredUser;

beforeAll(async () => {
  h = await startHarness({ env: { LOG_LEVEL: 'info', VISEN_MODEL_IDLE_TIMEOUT_SECONDS: '3' } });
  c = await configureUser(h, 'U0OPENAIHANG');
}, 60_000);

afterAll(async () => {
  await h?.stop();
});

describe('OpenAI hangs', () => {
  it('gives up after the idle timeout with a clear message; the connection is Failed; nothing written', async () => {
    const page = h.notion.addPage({ title: 'Hanging model', parentPageId: c.parentPageId });
    h.openai.injectFault({ kind: 'hang', times: 10 });
    const message = /sent nothing for 3 s, so Visen stopped waiting/;
    const { shown, row } = await generate(h, c, `${page.url} Write a plan`, page.url, message);
    expect(shown).toMatch(message);
    expect(row?.status).toBe('Failed');
    expect(row?.lastError).toMatch(message);
    expect(rowContents(h, page.id)).toEqual([]);
    expect(h.notion.failures).toEqual([]);
    expect(h.slack.failures).toEqual([]);
  });
});
