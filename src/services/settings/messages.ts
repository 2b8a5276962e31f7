/**
 * Every text the settings feature shows a user: each says what is wrong and how to fix it. The checks
 * decide which one applies; the Slack layer shows them next to their field.
 */
import { NotionError, UserInputError, VisenError } from '../../errors.js';
import { CONNECTIONS_SCHEMA, describeDefinition, describeType, propertyTypeLabel, type SchemaCheck } from '../connections/schema.js';

// ---- saving, loading and clearing ----

export function notSetUp(): UserInputError {
  return new UserInputError('Visen is not set up for you yet: run `/visen settings` to link your Notion integration, OpenAI key and connections database.');
}

export const UNREADABLE_SECRETS =
  'Your saved secrets can no longer be read (the key Visen encrypts them with has changed). Run `/visen settings` and enter your Notion secret and OpenAI key again.';

export function unreadableSecrets(): VisenError {
  return new VisenError('settings_unreadable', UNREADABLE_SECRETS);
}

export function checksTookTooLong(): VisenError {
  return new VisenError('aborted', 'The checks took too long, so nothing was saved. Please submit again.');
}

export function createdButNotSaved(databaseTitle: string, err: unknown): string {
  return `Visen created “${databaseTitle}” (its URL is filled in now) but could not save your settings: ${err instanceof VisenError ? err.userMessage : 'the local store failed.'} Submit again to save.`;
}

export function clearIncomplete(firstFailure: unknown): VisenError {
  return new VisenError(
    'clear_incomplete',
    `Your settings are deleted, but some of Visen's local records of you could not be${firstFailure instanceof VisenError ? ` (${firstFailure.userMessage})` : ''}. Please run \`/visen clear\` again.`,
    { cause: firstFailure },
  );
}

// ---- the form, before anything is asked of Notion or OpenAI ----

export const ENTER_NOTION_SECRET = 'Enter your Notion integration secret: notion.so/profile/integrations → your integration → Internal Integration Secret.';
export const REENTER_UNREADABLE_NOTION_SECRET = 'Your saved secret can no longer be read; please enter it again.';
export const NOTION_SECRET_HAS_SPACES = 'The secret has spaces in it. Copy it again from Notion and paste it exactly as shown.';
export const NOTION_SECRET_LOOKS_LIKE_OPENAI_KEY = 'This looks like an OpenAI key. The Notion integration secret starts with ntn_ (older ones with secret_).';

export const ENTER_OPENAI_KEY = 'Enter your OpenAI API key (platform.openai.com/api-keys), or the key of your OpenAI-compatible server.';
export const REENTER_UNREADABLE_OPENAI_KEY = 'Your saved key can no longer be read; please enter it again.';
export const OPENAI_KEY_HAS_SPACES = 'The key has spaces in it. Copy it again and paste it exactly as shown.';
export const OPENAI_KEY_LOOKS_LIKE_NOTION_SECRET = 'This looks like a Notion integration secret; it belongs in the field above. Put your OpenAI API key here.';

export const BASE_URL_NOT_HTTP =
  'This is not an http(s) URL. Give the base URL of an OpenAI-compatible API, for example https://api.openai.com/v1, or leave it blank for the default.';
export const BASE_URL_HAS_QUERY =
  'The base URL cannot have a query (?…) or a fragment (#…): Visen adds the API paths (/models, /chat/completions) to its end. Remove everything from the ? or # on, for example https://api.example.com/v1.';
export const MODEL_NAME_INVALID = 'A model name has only letters, digits and . : / @ - _ (for example gpt-5-mini).';

export const BOTH_DATABASE_AND_PARENT_PAGE =
  'Give either a connections database URL or a parent page, not both. To have Visen create a new database here, clear the connections database URL; to use that database, clear this field.';
export const NEITHER_DATABASE_NOR_PARENT_PAGE =
  'Paste the URL of your connections database, or leave this blank and give a parent page below, where Visen creates one for you.';

/** The URL parser's reason already says what is wrong and how to copy a link from Notion. */
export function notNotionUrl(kind: 'database' | 'page', reason: string): string {
  return `This is not a link to a Notion ${kind}. ${reason}`;
}

// ---- Notion ----

/** The Connections instructions, exactly as users need them, with the integration's name. */
export function connectInstructions(kind: 'database' | 'page', integrationName: string | undefined): string {
  const name = integrationName ? `“${integrationName}”` : 'your integration';
  return (
    `Your integration ${name} cannot see this ${kind}. Connect it: open the ${kind} in Notion, click ••• at the top right, choose Connections, ` +
    `find ${name} by name, and confirm. Then save again. (If you did, check that this is the right ${kind} and that the secret is from the same Notion workspace.)`
  );
}

export function notionSecretRejected(err: unknown): string {
  if (isNotion(err, 'unauthorized')) {
    return 'Notion rejected this secret. Copy it again from notion.so/profile/integrations → your integration → Internal Integration Secret (it starts with ntn_); if you regenerated it, use the new one.';
  }
  return errorText(err);
}

/** Notion would not give the database or page the user named. */
export function notionObjectProblem(err: unknown, kind: 'database' | 'page', integrationName: string | undefined): string {
  if (isNotion(err, 'object_not_found')) return connectInstructions(kind, integrationName);
  if (isNotion(err, 'restricted_resource')) {
    return `Your integration can see this ${kind} but may not read it. In notion.so/profile/integrations, give it the Read content, Update content and Insert content capabilities, then save again.`;
  }
  return errorText(err);
}

export const PAGE_GIVEN_AS_DATABASE =
  'This URL is a Notion page, not a database. Open your connections database as a full page and copy its link (••• → Copy link). ' +
  'Or, to have Visen create a connections database inside this page, move this URL to “Parent page URL” and leave this field blank.';

export const DATABASE_GIVEN_AS_PAGE =
  'This URL is a database, not a page. To use it as your connections database, put it in “Connections database URL” and leave this field blank.';

export function noUsableDataSource(databaseTitle: string): string {
  return `“${databaseTitle || 'This database'}” has no data source Visen can use (it may be a linked view of another database). Open the original database and copy its link.`;
}

export function dataSourcesUnreadable(databaseTitle: string): string {
  return `Visen could not read the data sources of “${databaseTitle || 'this database'}”. Please try again in a moment.`;
}

export function schemaProblem(title: string, check: SchemaCheck, options: { addMissingTicked: boolean; dataSourceName: string | undefined }): string {
  const name = `“${title || 'This database'}”${options.dataSourceName ? ` (data source “${options.dataSourceName}”, the closest of its data sources)` : ''}`;
  const parts: string[] = [];
  if (check.missing.length > 0) {
    const missing = check.missing.map((def) =>
      def.type === 'title' && check.titlePropertyToRename ? `${describeDefinition(def)}, now called “${check.titlePropertyToRename}”` : describeDefinition(def),
    );
    parts.push(`${name} lacks ${check.missing.length === 1 ? 'a property' : 'properties'} Visen needs: ${missing.join('; ')}.`);
  }
  if (check.mistyped.length > 0) {
    const mistyped = check.mistyped.map((m) => {
      const def = CONNECTIONS_SCHEMA.find((d) => d.name === m.name);
      return `${m.name} is ${propertyTypeLabel(m.actual)} but must be ${def ? describeType(def) : propertyTypeLabel(m.expected)}`;
    });
    parts.push(
      `${check.missing.length > 0 ? 'And' : name} ${check.mistyped.length === 1 ? 'has a property of the wrong type' : 'has properties of the wrong type'}: ${mistyped.join('; ')}. ` +
        'Change the type in Notion (click the property name → Edit property → Type) or rename the property, then save again.',
    );
  }
  if (check.missing.length > 0) {
    parts.push(
      check.mistyped.length > 0
        ? options.addMissingTicked
          ? 'Visen adds missing properties only once no property has the wrong type.'
          : 'Once the types are right, tick “Add the missing properties for me” below and save again, or add them in Notion.'
        : 'Tick “Add the missing properties for me” below and save again, or add them in Notion yourself.',
    );
  }
  return parts.join(' ');
}

export function createDatabaseFailed(err: unknown): string {
  return isNotion(err, 'restricted_resource')
    ? 'Your integration may read this page but not add to it. In Notion, open notion.so/profile/integrations, choose your integration and give it the Insert content capability (and Read and Update content), then save again.'
    : `Visen could not create the connections database in this page: ${errorText(err)}`;
}

export function addPropertiesFailed(err: unknown): string {
  return isNotion(err, 'restricted_resource')
    ? 'Your integration may read this database but not change it. In notion.so/profile/integrations give it the Update content capability, or add the missing properties yourself, then save again.'
    : `Visen could not add the missing properties: ${errorText(err)}`;
}

// ---- OpenAI ----

export function openAiKeyRejected(baseUrl: string | undefined): string {
  const where = baseUrl ? `the server at ${baseUrl}` : 'OpenAI';
  return `${capitalise(where)} rejected this key. Copy it again (from platform.openai.com/api-keys for OpenAI) and check that it belongs to this endpoint.`;
}

export function noOpenAiApiAt(baseUrl: string): string {
  return `No OpenAI-compatible API answered at ${baseUrl}. Check the URL (it usually ends in /v1), or leave it blank for the default.`;
}

export function endpointUnreachable(baseUrl: string): string {
  return `Visen could not reach ${baseUrl}. Check the URL, or leave it blank for the default.`;
}

export const OPENAI_UNREACHABLE = 'Visen could not reach OpenAI to check this key. Please try again in a moment.';

export function modelNotListed(model: string, models: readonly string[], baseUrl: string | undefined): string {
  const where = baseUrl ? `the server at ${baseUrl}` : 'this OpenAI key';
  if (models.length === 0) return `${capitalise(where)} lists no models, so “${model}” cannot be used. Check the endpoint and the key's permissions.`;
  const stem = model.split(/[-:]/)[0] ?? model;
  const similar = models.filter((m) => m.startsWith(stem));
  const shown = [...new Set([...similar, ...models])].slice(0, 8);
  return `“${model}” is not a model ${where} can use. Some it lists: ${shown.join(', ')}${models.length > shown.length ? ', …' : ''}.`;
}

// ---- helpers ----

function errorText(err: unknown): string {
  if (err instanceof VisenError) return err.userMessage;
  return 'Something went wrong while checking. Please try again in a moment.';
}

function isNotion(err: unknown, code: NotionError['code']): boolean {
  return err instanceof NotionError && err.code === code;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
