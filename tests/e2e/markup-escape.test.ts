/**
 * Markup written into Notion by someone else reaches Slack escaped (issue 9, item 7): a page titled
 * `<!channel> <@U123> <https://evil.example|Notion>`, a database property named with markup (listed in the
 * unknown-placeholder error), and a forged Cancel button value whose owner id carries markup. Every message's
 * top-level `text` (notifications, previews) and every mrkdwn text Slack receives is checked, not only blocks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerateIds } from '../../src/slack/listeners/generate/ids.js';
import { unescapedMarkup } from '../support/slack-markup.js';
import { type Harness, startHarness } from './harness.js';
import { configureUser } from './support/configure-user.js';
import { eventually, messagesFor, textOf } from './support/observe.js';

const HOSTILE = ['<!channel>', '<@U123>', '<https://evil.example|Notion>', '<!here>'];
const HOSTILE_TITLE = '<!channel> <@U123> <https://evil.example|Notion>';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

/** Everything the app sent Slack: messages and updates, response_url posts, acks, Web API calls (Home, modals). */
function everythingSent(): unknown[] {
  return [h.slack.messages, h.slack.responseUrlPosts, h.slack.apiCalls];
}

describe('markup from Notion reaches Slack escaped', () => {
  it('a hostile page title, in progress messages, the final message, Home and their top-level text', async () => {
    const user = 'U0MARKUPPAGE';
    const c = await configureUser(h, user);
    const page = h.notion.addPage({ title: HOSTILE_TITLE, sharedWith: [c.notionSecret] });
    const d = await h.slack.slashCommand({ userId: user, teamId: c.teamId, text: `generate ${page.url} Write a short note` });
    expect(d.acked).toBe(true);
    const final = await eventually(() => messagesFor(h, user).find((m) => textOf(m.blocks).includes(':white_check_mark: Done')), 'the Done message', 60_000);
    await h.slack.appHomeOpened({ userId: user });
    await eventually(
      () => (h.slack.views.published.get(user) ?? []).some((v) => JSON.stringify(v.blocks).includes('&lt;!channel&gt;')),
      'the Home tab listing the run',
    );

    expect(final.text).toContain('&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil.example|Notion&gt;');
    expect(unescapedMarkup(everythingSent(), { hostile: HOSTILE })).toEqual([]);
  }, 90_000);

  it('a property named with markup, listed in the unknown-placeholder error', async () => {
    const user = 'U0MARKUPPROP';
    const c = await configureUser(h, user);
    const db = h.notion.addDatabase({
      title: HOSTILE_TITLE,
      sharedWith: [c.notionSecret],
      properties: { Name: { title: {} }, '<!here> & co': { rich_text: {} } },
    });
    h.notion.addRow(db.dataSourceId, { Name: { title: [{ text: { content: 'Row 1' } }] } });
    const d = await h.slack.slashCommand({ userId: user, teamId: c.teamId, text: `generate ${db.url} Summarise {{Nope}}` });
    expect(d.acked).toBe(true);
    const error = await eventually(() => messagesFor(h, user).find((m) => m.text?.startsWith('Visen could not start')), 'the start error', 30_000);

    expect(error.text).toContain('&lt;!here&gt; &amp; co');
    expect(unescapedMarkup(everythingSent(), { hostile: HOSTILE })).toEqual([]);
  }, 60_000);

  it('a forged Cancel button value: its owner id is not echoed, and the run goes on', async () => {
    const owner = 'U0MARKUPOWNER';
    const c = await configureUser(h, owner);
    const page = h.notion.addPage({ title: 'Plain title', sharedWith: [c.notionSecret] });
    h.openai.setResponder(() => Array.from({ length: 400 }, (_, i) => `Line ${i + 1}.`).join('\n\n'));
    h.openai.setStreamRate({ charsPerChunk: 10, chunkIntervalMs: 30 });
    try {
      await h.slack.slashCommand({ userId: owner, teamId: c.teamId, text: `generate ${page.url} Write many lines` });
      await eventually(() => messagesFor(h, owner).some((m) => JSON.stringify(m.blocks ?? null).includes(GenerateIds.cancelAction)), 'a Cancel button');
      const runId = /"r":"([^"]+)"/.exec(JSON.stringify(messagesFor(h, owner).map((m) => m.blocks)).replace(/\\"/g, '"'))?.[1];
      expect(runId).toBeDefined();
      const forged = JSON.stringify({ r: runId, t: c.teamId, u: 'U1> <!channel> <https://evil.example|Notion' });
      const delivery = await h.slack.blockAction({ userId: 'U0MALLORY', actionId: GenerateIds.cancelAction, container: 'message', value: forged });
      expect(delivery.acked).toBe(true);
      const refusal = await eventually(() => h.slack.responseUrlPosts.find((p) => String(p.body?.text ?? '').startsWith('Only ')), 'the refusal');

      expect(refusal.body.text).toBe('Only the person who started this run can cancel it.');
      expect(unescapedMarkup(everythingSent(), { hostile: HOSTILE })).toEqual([]);
      await eventually(() => messagesFor(h, owner).some((m) => textOf(m.blocks).includes(':white_check_mark: Done')), 'the run finishing', 90_000);
    } finally {
      h.openai.setStreamRate({ charsPerChunk: 24, chunkIntervalMs: 0 });
      h.openai.setResponder(undefined);
    }
  }, 120_000);
});
