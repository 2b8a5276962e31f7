/**
 * Notion API 2026-12-01, end to end (https://developers.notion.com/guides/get-started/upgrade-guide-2026-12-01): a
 * query returns only each row's title unless `filter_properties` names the other properties, and a person's name
 * may be null. The Notion stand-in behaves so for that version, so a property Visen reads but does not ask for
 * comes back missing and these tests fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';
import { configureUser } from './support/configure-user.js';
import { connectionRow, eventually, propertyText, textOf } from './support/observe.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const text = (content: string) => [{ text: { content } }];
const filterPropertiesOf = (query: string | undefined) => new URLSearchParams(query ?? '').getAll('filter_properties');
const homeViews = (userId: string) => ((h.slack.views.published as Map<string, unknown[]>).get(userId) ?? []) as unknown[];
const propertyIds = (dataSourceId: string) =>
  Object.fromEntries(Object.entries(h.notion.getDataSource(dataSourceId)!.properties as Record<string, { id: string }>).map(([name, p]) => [name, p.id]));

describe('Notion API 2026-12-01, end to end', () => {
  it('a database run reads what its template names (a relation and people among them) and skips rows already filled', async () => {
    const user = 'U0NOTION1201';
    const c = await configureUser(h, user, { teamId: h.slack.teamId });
    const secret = c.notionSecret;
    const clients = h.notion.addDatabase({ title: 'Clients', sharedWith: [secret], properties: { Name: { title: {} } } });
    const acme = h.notion.addRow(clients.dataSourceId, { Name: { title: text('Acme Corp') } });
    const ada = h.notion.addPerson({ name: 'Ada Lovelace', email: 'ada@example.com' });
    const grace = h.notion.addPerson({ name: 'Grace Hopper', email: 'grace@example.com', nameless: true });
    const deals = h.notion.addDatabase({
      title: 'Deals',
      sharedWith: [secret],
      properties: {
        Deal: { title: {} },
        Client: { relation: { data_source_id: clients.dataSourceId, single_property: {} } },
        Owners: { people: {} },
        Stage: { select: { options: [{ name: 'Proposal' }] } },
        Notes: { rich_text: {} },
        Summary: { rich_text: {} },
      },
    });
    const fresh = h.notion.addRow(deals.dataSourceId, {
      Deal: { title: text('Renewal') },
      Client: { relation: [{ id: acme.id }] },
      Owners: { people: [{ id: ada.userId }, { id: grace.userId }] },
      Stage: { select: { name: 'Proposal' } },
      Notes: { rich_text: text('not read by the template') },
    });
    const filled = h.notion.addRow(deals.dataSourceId, { Deal: { title: text('Old deal') }, Summary: { rich_text: text('Written by hand.') } });
    h.openai.setResponder((req) => `Line: ${String(req.messages.at(-1)?.content ?? '')}`);
    const startedAt = Date.now();

    const d = await h.slack.slashCommand({
      userId: user,
      teamId: h.slack.teamId,
      text: `generate ${deals.url} --into "Summary" One line on {{Deal}} for {{Client}} by {{Owners}} at {{Stage}}`,
    });
    expect(d.acked).toBe(true);
    const final = await eventually(
      () =>
        h.slack.responseUrlPosts
          .filter((p) => p.url === d.responseUrl && p.ok)
          .map((p) => textOf((p.body as { blocks?: unknown }).blocks))
          .find((t) => /rows? written/.test(t)),
      'the final message',
      60_000,
    );
    expect(final).toContain('1 row written · 1 skipped · 0 failed');
    // Every property the template names reached the model: the relation by its page's title, people by name or,
    // for a person Notion gives no name (2026-12-01), by email.
    expect(propertyText(h, fresh.id, 'Summary')).toBe('Line: One line on Renewal for Acme Corp by Ada Lovelace, grace@example.com at Proposal');
    expect(propertyText(h, filled.id, 'Summary')).toBe('Written by hand.');

    const ids = propertyIds(deals.dataSourceId);
    const queries = h.notion.requests.filter((r) => r.path === `/v1/data_sources/${deals.dataSourceId}/query` && r.at >= startedAt);
    expect(queries.length).toBeGreaterThan(0);
    for (const query of queries) {
      expect(query.notionVersion).toBe('2026-12-01');
      // Exactly what the run reads: the title, the template's properties, and Summary (only empty rows are filled).
      expect(filterPropertiesOf(query.query).sort()).toEqual([ids.Deal, ids.Client, ids.Owners, ids.Stage, ids.Summary].sort());
    }
    // The related page is read for its title only.
    const related = h.notion.requests.filter((r) => r.method === 'GET' && r.path === `/v1/pages/${acme.id}` && r.at >= startedAt);
    expect(related.map((r) => filterPropertiesOf(r.query))).toEqual([['title']]);
    expect(h.notion.failures).toEqual([]);
  }, 90_000);

  it('the connections rows are read with every property of the connections schema, and the Home tab shows Status and Runs', async () => {
    const user = 'U0NOTION1201H';
    const c = await configureUser(h, user, { teamId: h.slack.teamId });
    const page = h.notion.addPage({ title: 'Plan', sharedWith: [c.notionSecret] });
    const startedAt = Date.now();
    const d = await h.slack.slashCommand({ userId: user, teamId: h.slack.teamId, text: `generate ${page.url} Write a plan` });
    expect(d.acked).toBe(true);
    await eventually(() => connectionRow(h, c, page.url)?.status === 'Succeeded', 'the run to finish', 60_000);
    const viewsBefore = homeViews(user).length;
    await h.slack.appHomeOpened({ userId: user, teamId: h.slack.teamId });
    // Status, Last run and Runs are shown only if the list query asked for them.
    const home = await eventually(
      () =>
        homeViews(user)
          .slice(viewsBefore)
          .map(textOf)
          .find((t) => t.includes('Succeeded') && t.includes('1 run') && /last run <!date/.test(t)),
      'the Home tab with the finished run',
      30_000,
    );
    expect(home).toContain('Plan');
    const ids = propertyIds(c.connections.dataSourceId);
    const queries = h.notion.requests.filter((r) => r.path === `/v1/data_sources/${c.connections.dataSourceId}/query` && r.at >= startedAt);
    expect(queries.length).toBeGreaterThan(0);
    for (const query of queries) expect(filterPropertiesOf(query.query).sort()).toEqual(Object.values(ids).sort());
    expect(h.notion.failures).toEqual([]);
  }, 90_000);
});
