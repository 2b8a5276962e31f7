/**
 * The bad-input table: what a user might type or paste, and the message that must come back. Each expected
 * message is matched by its key words: what went wrong and what to do.
 */
import type { UserRef } from '../../../src/users.js';
import type { FieldValues } from './observe.js';

/** What the suite sets up once: a configured user with a page and a database, and a user with no settings. */
export interface Fixture {
  readonly user: UserRef;
  readonly bareUser: UserRef;
  readonly notionSecret: string;
  readonly openaiKey: string;
  /** The user's connections database (its URL as saved, and its data source). */
  readonly connectionsUrl: string;
  readonly connectionsDataSourceId: string;
  /** A page shared with the integration. */
  readonly pageUrl: string;
  /** A database shared with the integration: Name (title), Notes (text), Count (number), Total (formula). */
  readonly databaseUrl: string;
  /** A page the integration cannot see. */
  readonly unsharedPageUrl: string;
}

export type BadInput =
  | {
      readonly name: string;
      readonly via: 'command';
      readonly input: string | ((f: Fixture) => string);
      readonly expect: RegExp;
      /** false: sent by the user without settings. */
      readonly configured?: boolean;
    }
  | {
      readonly name: string;
      readonly via: 'settings modal' | 'generate modal';
      readonly fields: (f: Fixture) => FieldValues;
      readonly expect: RegExp;
      readonly configured?: boolean;
    };

const HEX = '0123456789abcdef0123456789abcdef';
const HELP = /Here is what I can do|Visen writes AI content/;
const unknownSub = (word: string) => new RegExp(`I don't know \`/visen ${word}`);

const s = {
  secret: 'settings_notion_secret',
  key: 'settings_openai_key',
  base: 'settings_openai_base_url',
  model: 'settings_model',
  db: 'settings_connections_url',
  parent: 'settings_parent_page_url',
};

/** A settings form filled with the fixture's good values, with `change` applied over them. */
function settings(f: Fixture, change: Partial<Record<keyof typeof s, string>>): FieldValues {
  const value = (k: keyof typeof s, fallback: string) => ({ [`${s[k]}_input`]: change[k] ?? fallback });
  return {
    [s.secret]: value('secret', ''),
    [s.key]: value('key', ''),
    [s.base]: value('base', ''),
    [s.model]: value('model', ''),
    [s.db]: value('db', f.connectionsUrl),
    [s.parent]: value('parent', ''),
  };
}

/** A blank settings form (the user without settings leaves everything empty but `change`). */
function blankSettings(change: Partial<Record<keyof typeof s, string>>): FieldValues {
  return Object.fromEntries(Object.entries(s).map(([k, block]) => [block, { [`${block}_input`]: change[k as keyof typeof s] ?? '' }]));
}

function generateForm(change: { target?: string; prompt?: string; name?: string }): FieldValues {
  return {
    gen_target: { gen_target_entered: change.target ?? '' },
    gen_prompt: { gen_prompt_input: change.prompt ?? '' },
    gen_connection_name: { gen_connection_name_input: change.name ?? '' },
  };
}

export function badInputs(): BadInput[] {
  const cmd = (name: string, input: string | ((f: Fixture) => string), expect: RegExp, configured?: boolean): BadInput => ({
    name: `command: ${name}`,
    via: 'command',
    input,
    expect,
    ...(configured === false ? { configured } : {}),
  });
  const sm = (name: string, fields: (f: Fixture) => FieldValues, expect: RegExp, configured?: boolean): BadInput => ({
    name: `settings modal: ${name}`,
    via: 'settings modal',
    fields,
    expect,
    ...(configured === false ? { configured } : {}),
  });
  const gm = (name: string, fields: (f: Fixture) => FieldValues, expect: RegExp): BadInput => ({
    name: `generate modal: ${name}`,
    via: 'generate modal',
    fields,
    expect,
  });

  return [
    // ---- the slash command: what the app can tell from the text alone (answered in the ack) ----
    cmd('empty', '', HELP),
    cmd('whitespace only', '  \t  ', HELP),
    cmd('unknown subcommand', 'frobnicate', unknownSub('frobnicate')),
    cmd('emoji as subcommand', '🚀🔥', unknownSub('🚀🔥')),
    cmd('right-to-left subcommand', 'إعدادات', unknownSub('إعدادات')),
    cmd('control characters as subcommand', '\u0007beep\u0000', /I don't know `\/visen /),
    cmd('10,000-character subcommand', 'x'.repeat(10_000), /I don't know `\/visen x+…`/),
    cmd('generate: a link and no prompt', (f) => `generate ${f.pageUrl}`, /Add a prompt after the link/),
    cmd('generate: a prompt and no link', 'generate write a haiku about the sea', /Give the link of a Notion page or database first/),
    cmd('generate: the prompt before the link', (f) => `generate write a haiku ${f.pageUrl}`, /Put the Notion link first/),
    cmd('generate: a link to another site', 'generate https://example.com/some-page write a haiku', /goes to example\.com, not to Notion/),
    cmd('generate: a Slack-formatted link to another site', `generate <https://evil.example/notion.so/${HEX}> write`, /goes to evil\.example, not to Notion/),
    cmd(
      'generate: a Slack-formatted link with a misleading label',
      `generate <https://evil.example/x|https://www.notion.so/${HEX}> write`,
      /goes to evil\.example, not to Notion/,
    ),
    cmd('generate: a Notion link with no page id', 'generate https://www.notion.so/my-workspace write a haiku', /does not point to a page or database/),
    cmd('generate: a Notion Mail link', `generate https://mail.notion.so/inbox/${HEX} write`, /Notion Mail link, not a page or database/),
    cmd('generate: an ftp link', `generate ftp://www.notion.so/${HEX} write`, /is not a web link/),
    cmd('generate: a 2,500-character link', `generate https://www.notion.so/${'a'.repeat(2_460)}-${HEX} write`, /characters long, which is not a Notion link/),
    cmd(
      'generate: a 10,000-character prompt',
      (f) => `generate ${f.pageUrl} ${'lorem ipsum '.repeat(834).slice(0, 10_000)}`,
      /The prompt is 10,000 characters long; the most Visen takes is 8,000/,
    ),
    cmd('generate: a prompt of control characters only', (f) => `generate ${f.pageUrl} \u0001\u0002\u0003\u007f`, /Add a prompt after the link/),
    cmd('generate: a prompt of zero-width characters only', (f) => `generate ${f.pageUrl} \u200b\u200b\u2060`, /The prompt is empty/),
    cmd('generate: --limit 0', (f) => `generate ${f.databaseUrl} --limit 0 Summarise {{Name}}`, /--limit must be at least 1/),
    cmd('generate: --limit that is not a number', (f) => `generate ${f.databaseUrl} --limit ten Summarise {{Name}}`, /--limit must be a whole number of rows/),
    cmd('generate: --limit too large', (f) => `generate ${f.databaseUrl} --limit 99999 Summarise {{Name}}`, /at most 10,000 rows/),
    cmd('generate: --limit with no number at the end', (f) => `generate ${f.databaseUrl} Summarise {{Name}} --limit`, /--limit needs a number of rows/),
    cmd('generate: --into with an unclosed quote', (f) => `generate ${f.databaseUrl} --into "Notes Summarise {{Name}}`, /no closing quote/),
    cmd('generate: --into with an empty name', (f) => `generate ${f.databaseUrl} --into "" Summarise {{Name}}`, /--into needs the name of a text property/),
    cmd('generate: --new-page together with --all', (f) => `generate ${f.pageUrl} --new-page --all Write a plan`, /Use one kind or the other/),
    cmd('generate: an unknown option', (f) => `generate ${f.pageUrl} --frobnicate Write a plan`, /Unknown option `--frobnicate`/),
    cmd('generate: an option with one dash', (f) => `generate ${f.databaseUrl} -limit 5 Summarise {{Name}}`, /two dashes/),
    cmd('generate: an option given twice', (f) => `generate ${f.databaseUrl} --all --all Summarise {{Name}}`, /given twice/),

    // ---- the slash command: what only the services can tell (the command's reply) ----
    cmd('generate without settings', (f) => `generate ${f.pageUrl} Write a plan`, /not set up for you yet[\s\S]*\/visen settings/, false),
    cmd(
      'generate: a page the integration cannot see',
      (f) => `generate ${f.unsharedPageUrl} Write a plan`,
      /cannot see that page or database[\s\S]*click ••• at the top right, choose Connections/,
    ),
    cmd(
      'generate: a database link with --new-page',
      (f) => `generate ${f.databaseUrl} --new-page Write a plan`,
      /That link is a database[\s\S]*`--new-page` works only with a page link/,
    ),
    cmd(
      'generate: a page link with --into',
      (f) => `generate ${f.pageUrl} --into "Notes" Write a plan`,
      /`--into` works only with a database: the link you gave is a page/,
    ),
    cmd(
      'generate: a placeholder that names no property',
      (f) => `generate ${f.databaseUrl} Summarise {{Nmae}}`,
      /no property of the database: `\{\{Nmae\}\}`[\s\S]*`Name`/,
    ),
    cmd('generate: an empty placeholder', (f) => `generate ${f.databaseUrl} Summarise {{}} and {{Name}}`, /empty placeholder/),
    cmd(
      'generate: a Slack-formatted link (with a label) to a page it cannot see',
      (f) => `generate <${f.unsharedPageUrl}|Private notes> Write a plan`,
      /cannot see that page or database/,
    ),
    cmd('generate: a Notion link to an id that does not exist', `generate https://www.notion.so/Gone-${HEX} Write a plan`, /cannot see that page or database/),
    cmd(
      'generate: an unknown placeholder with odd spacing',
      (f) => `generate ${f.databaseUrl} Summarise {{   Titel   }}`,
      /no property of the database: `\{\{Titel\}\}`/,
    ),
    cmd(
      'generate: --into a property that does not exist',
      (f) => `generate ${f.databaseUrl} --into "Summary" Summarise {{Name}}`,
      /has no property `Summary`\. It can write into `Name` \(title\), `Notes` \(text\), `Count` \(number\), and each row’s page body/,
    ),
    cmd(
      'generate: --into a formula property (read-only)',
      (f) => `generate ${f.databaseUrl} --into "Total" Summarise {{Name}}`,
      /Visen cannot write into `Total` \(formula\)[\s\S]*It can write into `Name` \(title\), `Notes` \(text\), `Count` \(number\)/,
    ),

    // ---- the settings modal: each field ----
    sm('everything left blank by a new user', () => blankSettings({}), /Enter your Notion integration secret/, false),
    sm('secrets of whitespace only', () => blankSettings({ secret: '   ', key: '\t ' }), /Enter your Notion integration secret/, false),
    sm('a Notion secret with a space inside', (f) => settings(f, { secret: 'ntn_abc def123456' }), /has spaces in it/),
    sm('an OpenAI key in the Notion secret field', (f) => settings(f, { secret: 'sk-proj-abcdefghijklmnop' }), /looks like an OpenAI key/),
    sm('a Notion secret in the OpenAI key field', (f) => settings(f, { key: f.notionSecret }), /looks like a Notion integration secret/),
    sm('a base URL that is not a URL', (f) => settings(f, { base: 'not a url' }), /not an http\(s\) URL/),
    sm('a javascript: base URL', (f) => settings(f, { base: 'javascript:alert(1)' }), /not an http\(s\) URL/),
    sm('a model name with a space', (f) => settings(f, { model: 'gpt 5' }), /A model name has only letters, digits/),
    sm('an emoji model name', (f) => settings(f, { model: '🤖' }), /A model name has only letters, digits/),
    sm('a 10,000-character model name', (f) => settings(f, { model: 'm'.repeat(10_000) }), /A model name has only letters, digits/),
    sm('a connections URL of another site', (f) => settings(f, { db: 'https://example.com/my-database' }), /This is not a link to a Notion database/),
    sm(
      'a Slack-formatted link to another site',
      (f) => settings(f, { db: `<https://evil.example/${HEX}|Visen connections>` }),
      /This is not a link to a Notion database/,
    ),
    sm('right-to-left text as the connections URL', (f) => settings(f, { db: 'قاعدة البيانات' }), /This is not a link to a Notion database/),
    sm('control characters inside the connections URL', (f) => settings(f, { db: `https://www.notion.so/\u0007${HEX}` }), /invisible control characters/),
    sm('a page URL where the database goes', (f) => settings(f, { db: f.pageUrl }), /is a Notion page, not a database/),
    sm('a database URL where the parent page goes', (f) => settings(f, { db: '', parent: f.databaseUrl }), /is a database, not a page/),
    sm('both a database and a parent page', (f) => settings(f, { parent: f.pageUrl }), /either a connections database URL or a parent page, not both/),
    sm('neither a database nor a parent page', (f) => settings(f, { db: '' }), /Paste the URL of your connections database/),
    sm('a Notion secret Notion rejects', (f) => settings(f, { secret: 'ntn_thisSecretIsNotKnownToNotion000000000000' }), /Notion rejected this secret/),

    // ---- the generate modal ----
    gm('target and prompt left blank', () => generateForm({}), /Give the link of a Notion page or database first[\s\S]*Write a prompt/),
    gm('a prompt of whitespace only', (f) => generateForm({ target: f.pageUrl, prompt: '   \n\t ' }), /Write a prompt/),
    gm('a link to another site', () => generateForm({ target: 'https://example.com/page', prompt: 'Write a plan' }), /goes to example\.com, not to Notion/),
    gm(
      'a Slack-formatted link with a label',
      () => generateForm({ target: `<https://example.com/${HEX}|my page>`, prompt: 'Write a plan' }),
      /goes to example\.com, not to Notion/,
    ),
    gm(
      'a 300-character connection name',
      (f) => generateForm({ target: f.pageUrl, prompt: 'Write a plan', name: 'n'.repeat(300) }),
      /connection name can be at most 200 characters/,
    ),
  ];
}
