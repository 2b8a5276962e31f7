// Users as Notion shows them inside page property values (people, created_by, last_edited_by).
// https://developers.notion.com/reference/user: every user has `object` and `id`; `type`, `name` and `avatar_url`
// may follow, `person.email` for people, `bot` for integrations. From API 2026-12-01 a person's `name` may be null
// ("Handle a null person name", https://developers.notion.com/guides/get-started/upgrade-guide-2026-12-01): the
// stand-in gives people added with `nameless: true` no name under that version, so a client that needs one fails.
import type { NotionVersion } from './version-rules.js';
import type { Workspace } from './workspace.js';

export interface Person {
  name: string;
  email: string;
  /** Under 2026-12-01 this person's `name` is null. */
  nameless: boolean;
}

/** A user object for `userId`: a person of the workspace, an integration's bot, or (unknown) only its id. */
export function userObject(ws: Workspace, userId: string, version: NotionVersion): Record<string, unknown> {
  const person = ws.people.get(userId);
  if (person) {
    const name = person.nameless && version === '2026-12-01' ? null : person.name;
    return { object: 'user', id: userId, type: 'person', name, avatar_url: null, person: { email: person.email } };
  }
  const bot = [...ws.integrations.values()].find((integration) => integration.botId === userId);
  if (bot) return { object: 'user', id: userId, type: 'bot', name: bot.name, avatar_url: null, bot: {} };
  return { object: 'user', id: userId };
}
