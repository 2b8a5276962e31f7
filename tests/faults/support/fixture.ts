/** The Notion and settings fixture of the bad-input suite (see bad-inputs.ts for what each part is for). */
import type { Harness } from '../../e2e/harness.js';
import { configureUser } from '../../e2e/support/configure-user.js';
import type { Fixture } from './bad-inputs.js';

export async function setUpFixture(h: Harness): Promise<Fixture> {
  const teamId = h.slack.teamId;
  const c = await configureUser(h, 'U0BADINPUT', { teamId });
  const page = h.notion.addPage({ title: 'Plans', parentPageId: c.parentPageId });
  const database = h.notion.addDatabase({
    title: 'Reading list',
    parentPageId: c.parentPageId,
    properties: { Name: { title: {} }, Notes: { rich_text: {} }, Count: { number: {} }, Total: { formula: { expression: 'prop("Count") * 2' } } },
  });
  h.notion.addRow(database.dataSourceId, { Name: { title: [{ text: { content: 'Dune' } }] } });
  const hidden = h.notion.addPage({ title: 'Private notes' });
  return {
    user: { teamId, userId: c.userId },
    bareUser: { teamId, userId: 'U0NOSETTINGS' },
    notionSecret: c.notionSecret,
    openaiKey: c.openaiKey,
    connectionsUrl: c.connections.url,
    connectionsDataSourceId: c.connections.dataSourceId,
    pageUrl: page.url,
    databaseUrl: database.url,
    unsharedPageUrl: hidden.url,
  };
}
