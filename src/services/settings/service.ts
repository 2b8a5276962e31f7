import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { SecretBox } from '../../adapters/secret-box.js';
import type { LocalStore } from '../../adapters/store.js';
import { describeForLog, NotionError, OpenAiError, UserInputError, VisenError } from '../../errors.js';
import { userKey, type UserRef } from '../../users.js';
import {
  checkConnectionsSchema,
  CONNECTIONS_DATABASE_TITLE,
  connectionsPropertiesConfig,
  describeDefinition,
  describeType,
  missingPropertiesUpdate,
  propertyTypeLabel,
  schemaMatches,
  CONNECTIONS_SCHEMA,
  type SchemaCheck,
} from '../connections/schema.js';
import type { DataSourceSchema, DatabaseInfo } from '../../adapters/notion/index.js';
import type { SettingsNotion, SettingsPorts } from './ports.js';
import type {
  ClearOutcome,
  ConnectionsDatabaseRef,
  HeldSecrets,
  SettingsChange,
  SettingsChangeListener,
  SettingsErrors,
  SettingsService,
  SettingsSubmission,
  SettingsSummary,
  SubmitOptions,
  SubmitOutcome,
  UserSettings,
} from './types.js';

/**
 * Local store layout (exact keys only: `clear` deletes these keys, never a LIKE pattern):
 * - namespace `settings`,      key `<team>:<user>`: the saved settings, secrets sealed;
 * - namespace `settings-held`, key `<team>:<user>`: secrets typed into a form whose checks failed after the
 *   ack, sealed, for a short while, so the user need not type them again.
 * Secrets are sealed with associated data `<team>:<user>:<field>`, so a value moved to another user's row
 * (or from the held record to the saved one) fails to open.
 */
export const SETTINGS_NAMESPACE = 'settings';
export const HELD_NAMESPACE = 'settings-held';

const HELD_TTL_MS = 15 * 60_000;
/** More data sources than this in one database are not searched for the schema (each costs a request). */
const MAX_DATA_SOURCES_CHECKED = 10;
const MODEL_PATTERN = /^[\w.:/@-]{1,200}$/;

interface StoredSettings {
  readonly version: 1;
  readonly notionSecret: string;
  readonly openaiKey: string;
  readonly openaiBaseUrl?: string;
  readonly model: string;
  readonly connections: ConnectionsDatabaseRef;
  readonly integrationName?: string;
  readonly savedAt: string;
}

interface StoredHeldSecrets {
  readonly version: 1;
  readonly token: string;
  readonly expiresAt: number;
  readonly notionSecret?: string;
  readonly openaiKey?: string;
}

type SecretField = 'notionSecret' | 'openaiKey';
type ForgetUserHook = (user: UserRef) => Promise<void>;

export interface SettingsServiceOptions extends SettingsPorts {
  readonly store: LocalStore;
  readonly secretBox: SecretBox;
  readonly logger: Logger;
  readonly defaultModel: string;
  /**
   * Deletes other features' local data of a user (run records, Home preferences and cache). Read when
   * `clear` runs, so the composition root may add hooks after constructing this service.
   */
  readonly forgetUser: ReadonlyArray<ForgetUserHook>;
  readonly now?: () => number;
  readonly heldSecretsTtlMs?: number;
}

export function createSettingsService(options: SettingsServiceOptions): SettingsService {
  return new LocalSettingsService(options);
}

/** What the Notion half of the checks found, ready to commit. */
type NotionPlan =
  | { readonly kind: 'existing'; readonly ref: ConnectionsDatabaseRef; readonly add?: { readonly update: Record<string, Record<string, unknown>>; readonly names: string[] } }
  | { readonly kind: 'create'; readonly parentPageId: string };

class LocalSettingsService implements SettingsService {
  readonly #o: SettingsServiceOptions;
  readonly #log: Logger;
  readonly #listeners = new Set<SettingsChangeListener>();
  readonly #now: () => number;

  constructor(options: SettingsServiceOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'settings' });
    this.#now = options.now ?? Date.now;
  }

  async load(user: UserRef): Promise<UserSettings | undefined> {
    const stored = await this.#o.store.get<StoredSettings>(SETTINGS_NAMESPACE, userKey(user));
    if (!stored) return undefined;
    const notionSecret = this.#open(user, 'notionSecret', stored.notionSecret);
    const openaiKey = this.#open(user, 'openaiKey', stored.openaiKey);
    if (notionSecret === undefined || openaiKey === undefined) throw unreadableSecrets();
    return {
      notionSecret,
      openaiKey,
      openaiBaseUrl: stored.openaiBaseUrl,
      model: stored.model,
      connections: stored.connections,
      integrationName: stored.integrationName,
      savedAt: stored.savedAt,
    };
  }

  async require(user: UserRef): Promise<UserSettings> {
    const settings = await this.load(user);
    if (!settings) {
      throw new UserInputError(
        'Visen is not set up for you yet: run `/visen settings` to link your Notion integration, OpenAI key and connections database.',
      );
    }
    return settings;
  }

  async summary(user: UserRef): Promise<SettingsSummary> {
    const stored = await this.#o.store.get<StoredSettings>(SETTINGS_NAMESPACE, userKey(user));
    if (!stored) return this.#emptySummary();
    const notionSecret = this.#open(user, 'notionSecret', stored.notionSecret);
    const openaiKey = this.#open(user, 'openaiKey', stored.openaiKey);
    if (notionSecret === undefined || openaiKey === undefined) {
      return { ...this.#emptySummary(), problem: unreadableSecrets().userMessage };
    }
    return {
      configured: true,
      notionSecretLast4: last4(notionSecret),
      integrationName: stored.integrationName,
      openaiKeyLast4: last4(openaiKey),
      openaiBaseUrl: stored.openaiBaseUrl,
      model: stored.model,
      connections: stored.connections,
    };
  }

  async submit(user: UserRef, submission: SettingsSubmission, options: SubmitOptions = {}): Promise<SubmitOutcome> {
    const started = this.#now();
    const errors: SettingsErrors = {};
    const saved = await this.#loadForSubmit(user);
    const held = await this.#readHeld(user, submission.heldSecretsToken);

    // 1. What can be checked without asking anyone.
    const notionSecret = submission.notionSecret || held?.notionSecret || saved.settings?.notionSecret;
    const openaiKey = submission.openaiKey || held?.openaiKey || saved.settings?.openaiKey;
    const notionSecretProblem = checkNotionSecretForm(notionSecret, saved.unreadable);
    if (notionSecretProblem) errors.notionSecret = notionSecretProblem;
    const openaiKeyProblem = checkOpenAiKeyForm(openaiKey, saved.unreadable);
    if (openaiKeyProblem) errors.openaiKey = openaiKeyProblem;

    let openaiBaseUrl: string | undefined;
    if (submission.openaiBaseUrl) {
      openaiBaseUrl = normaliseHttpUrl(submission.openaiBaseUrl);
      if (!openaiBaseUrl) {
        errors.openaiBaseUrl = 'This is not an http(s) URL. Give the base URL of an OpenAI-compatible API, for example https://api.openai.com/v1, or leave it blank for the default.';
      }
    }
    const model = submission.model || this.#o.defaultModel;
    if (!MODEL_PATTERN.test(model)) {
      errors.model = 'A model name has only letters, digits and . : / @ - _ (for example gpt-5-mini).';
    }

    let databaseId: string | undefined;
    let parentPageId: string | undefined;
    if (submission.connectionsUrl && submission.parentPageUrl) {
      errors.parentPageUrl =
        'Give either a connections database URL or a parent page, not both. To have Visen create a new database here, clear the connections database URL; to use that database, clear this field.';
    } else if (!submission.connectionsUrl && !submission.parentPageUrl) {
      errors.connectionsUrl =
        'Paste the URL of your connections database, or leave this blank and give a parent page below, where Visen creates one for you.';
    } else if (submission.connectionsUrl) {
      const parsed = this.#o.parseNotionUrl(submission.connectionsUrl);
      if (parsed.kind === 'invalid') errors.connectionsUrl = notNotionUrl('database', parsed.reason);
      else databaseId = parsed.id;
    } else {
      const parsed = this.#o.parseNotionUrl(submission.parentPageUrl);
      if (parsed.kind === 'invalid') errors.parentPageUrl = notNotionUrl('page', parsed.reason);
      else parentPageId = parsed.id;
    }

    // 2. Live checks: Notion and OpenAI in parallel, each stopping at its first problem.
    const notion = notionSecret && !errors.notionSecret ? this.#o.notionFor(notionSecret) : undefined;
    const [notionResult, openaiOk] = await Promise.all([
      notion ? this.#checkNotion(notion, { databaseId, parentPageId, addMissing: submission.addMissingProperties }, errors) : undefined,
      openaiKey && !errors.openaiKey && !errors.openaiBaseUrl && !errors.model
        ? this.#checkOpenAi(openaiKey, openaiBaseUrl, model, errors)
        : false,
    ]);

    const fields = Object.keys(errors);
    if (fields.length > 0 || !notion || !notionResult || !openaiOk || !notionSecret || !openaiKey) {
      this.#log.info({ user: userKey(user), fields, ms: this.#now() - started }, 'settings checks found problems');
      return { ok: false, errors, corrected: {} };
    }
    if (options.signal?.aborted) {
      this.#log.info({ user: userKey(user) }, 'settings checks finished after the caller gave up: nothing saved');
      throw new VisenError('aborted', 'The checks took too long, so nothing was saved. Please submit again.');
    }

    // 3. Commit: create the database or add the missing properties, then save.
    const committed = await this.#commitNotion(notion, notionResult.plan, errors);
    if (!committed) return { ok: false, errors, corrected: {} };
    const stored: StoredSettings = {
      version: 1,
      notionSecret: this.#seal(user, 'notionSecret', notionSecret),
      openaiKey: this.#seal(user, 'openaiKey', openaiKey),
      ...(openaiBaseUrl ? { openaiBaseUrl } : {}),
      model,
      connections: committed.ref,
      ...(notionResult.integrationName ? { integrationName: notionResult.integrationName } : {}),
      savedAt: new Date(this.#now()).toISOString(),
    };
    try {
      await this.#o.store.set(SETTINGS_NAMESPACE, userKey(user), stored);
    } catch (err) {
      if (notionResult.plan.kind !== 'create') throw err;
      // The database exists now: show its URL instead of the parent page, so a retry creates no second one.
      this.#log.warn({ user: userKey(user), err: describeForLog(err) }, 'created the connections database but could not save the settings');
      return {
        ok: false,
        errors: {
          connectionsUrl: `Visen created “${committed.ref.title}” (its URL is filled in now) but could not save your settings: ${err instanceof VisenError ? err.userMessage : 'the local store failed.'} Submit again to save.`,
        },
        corrected: { connectionsUrl: committed.ref.url, parentPageUrl: '' },
      };
    }
    await this.#o.store.delete(HELD_NAMESPACE, userKey(user)).catch((err: unknown) => {
      this.#log.warn({ user: userKey(user), err: describeForLog(err) }, 'could not delete held secrets (they expire anyway)');
    });
    this.#log.info(
      { user: userKey(user), created: committed.created, added: committed.added, ms: this.#now() - started },
      'settings checked and saved',
    );
    this.#emit(user, 'saved');
    return {
      ok: true,
      summary: {
        configured: true,
        notionSecretLast4: last4(notionSecret),
        integrationName: notionResult.integrationName,
        openaiKeyLast4: last4(openaiKey),
        openaiBaseUrl,
        model,
        connections: committed.ref,
      },
      createdDatabase: committed.created,
      addedProperties: committed.added,
    };
  }

  async holdSecrets(user: UserRef, submission: SettingsSubmission): Promise<HeldSecrets | undefined> {
    const held = await this.#readHeld(user, submission.heldSecretsToken);
    const notionSecret = submission.notionSecret || held?.notionSecret;
    const openaiKey = submission.openaiKey || held?.openaiKey;
    if (!notionSecret && !openaiKey) return undefined;
    const token = randomBytes(18).toString('base64url');
    const record: StoredHeldSecrets = {
      version: 1,
      token,
      expiresAt: this.#now() + (this.#o.heldSecretsTtlMs ?? HELD_TTL_MS),
      ...(notionSecret ? { notionSecret: this.#seal(user, 'held.notionSecret', notionSecret) } : {}),
      ...(openaiKey ? { openaiKey: this.#seal(user, 'held.openaiKey', openaiKey) } : {}),
    };
    await this.#o.store.set(HELD_NAMESPACE, userKey(user), record);
    return { token, notionSecretLast4: notionSecret ? last4(notionSecret) : undefined, openaiKeyLast4: openaiKey ? last4(openaiKey) : undefined };
  }

  async clear(user: UserRef): Promise<ClearOutcome> {
    const key = userKey(user);
    const hadSettings = (await this.#o.store.get<StoredSettings>(SETTINGS_NAMESPACE, key)) !== undefined;
    const failures: unknown[] = [];
    // Snapshot: hooks may be added after construction, but not while a clear runs.
    for (const forget of [...this.#o.forgetUser]) {
      try {
        await forget(user);
      } catch (err) {
        failures.push(err);
        this.#log.error({ user: key, err: describeForLog(err) }, 'a feature could not delete its local data of a user');
      }
    }
    await this.#o.store.delete(SETTINGS_NAMESPACE, key);
    await this.#o.store.delete(HELD_NAMESPACE, key);
    this.#log.info({ user: key, hadSettings, failures: failures.length }, 'cleared a user\'s local data');
    this.#emit(user, 'cleared');
    if (failures.length > 0) {
      const first = failures[0];
      throw new VisenError(
        'clear_incomplete',
        `Your settings are deleted, but some of Visen's local records of you could not be${first instanceof VisenError ? ` (${first.userMessage})` : ''}. Please run \`/visen clear\` again.`,
        { cause: first },
      );
    }
    return { hadSettings };
  }

  onChange(listener: SettingsChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ---- Notion ----

  async #checkNotion(
    notion: SettingsNotion,
    target: { databaseId: string | undefined; parentPageId: string | undefined; addMissing: boolean },
    errors: SettingsErrors,
  ): Promise<{ integrationName: string | undefined; plan: NotionPlan } | undefined> {
    let integrationName: string | undefined;
    try {
      integrationName = (await notion.whoAmI()).name?.trim() || undefined;
    } catch (err) {
      errors.notionSecret = notionSecretRejected(err);
      this.#logCheck('notion secret', err);
      return undefined;
    }
    if (target.databaseId) {
      const checked = await this.#checkDatabase(notion, target.databaseId, integrationName, target.addMissing, errors);
      return checked ? { integrationName, plan: checked } : undefined;
    }
    if (target.parentPageId) {
      const ok = await this.#checkParentPage(notion, target.parentPageId, integrationName, errors);
      return ok ? { integrationName, plan: { kind: 'create', parentPageId: target.parentPageId } } : undefined;
    }
    return undefined;
  }

  async #checkDatabase(
    notion: SettingsNotion,
    databaseId: string,
    integrationName: string | undefined,
    addMissing: boolean,
    errors: SettingsErrors,
  ): Promise<NotionPlan | undefined> {
    let database: DatabaseInfo;
    try {
      // A database, a page, or a data source (resolved to its database): Notion has one id space.
      const resolved = await notion.resolveObject(databaseId);
      if (resolved.kind === 'page') {
        errors.connectionsUrl =
          'This URL is a Notion page, not a database. Open your connections database as a full page and copy its link (••• → Copy link). ' +
          'Or, to have Visen create a connections database inside this page, move this URL to “Parent page URL” and leave this field blank.';
        return undefined;
      }
      database = resolved.database;
    } catch (err) {
      this.#logCheck('connections database', err);
      errors.connectionsUrl = notionProblem(err, 'database', integrationName);
      return undefined;
    }

    if (database.dataSources.length === 0) {
      errors.connectionsUrl =
        `“${database.title || 'This database'}” has no data source Visen can use (it may be a linked view of another database). Open the original database and copy its link.`;
      return undefined;
    }
    // Databases hold data sources (Notion API 2025-09-03); with several, the one with the schema wins.
    let best: { source: DataSourceSchema; check: SchemaCheck } | undefined;
    for (const { id } of database.dataSources.slice(0, MAX_DATA_SOURCES_CHECKED)) {
      let source;
      try {
        source = await notion.retrieveDataSource(id);
      } catch (err) {
        this.#logCheck('connections data source', err);
        if (database.dataSources.length === 1) {
          errors.connectionsUrl = notionProblem(err, 'database', integrationName);
          return undefined;
        }
        continue;
      }
      const check = checkConnectionsSchema(source.propertyTypes);
      if (schemaMatches(check)) {
        best = { source, check };
        break;
      }
      if (!best || problemCount(check) < problemCount(best.check)) best = { source, check };
    }
    if (!best) {
      errors.connectionsUrl = `Visen could not read the data sources of “${database.title || 'this database'}”. Please try again in a moment.`;
      return undefined;
    }

    const ref: ConnectionsDatabaseRef = { databaseId: database.id, dataSourceId: best.source.id, url: database.url, title: database.title };
    if (schemaMatches(best.check)) return { kind: 'existing', ref };

    const canAdd = best.check.mistyped.length === 0 && best.check.missing.every((d) => d.type !== 'title' || best.check.titlePropertyToRename !== undefined);
    if (addMissing && canAdd) {
      return { kind: 'existing', ref, add: { update: missingPropertiesUpdate(best.check), names: best.check.missing.map((d) => d.name) } };
    }
    errors.connectionsUrl = schemaProblemMessage(database.title, best.check, {
      addMissingTicked: addMissing,
      dataSourceName: database.dataSources.length > 1 ? best.source.name : undefined,
    });
    return undefined;
  }

  async #checkParentPage(notion: SettingsNotion, pageId: string, integrationName: string | undefined, errors: SettingsErrors): Promise<boolean> {
    try {
      const resolved = await notion.resolveObject(pageId);
      if (resolved.kind === 'page') return true;
      errors.parentPageUrl =
        'This URL is a database, not a page. To use it as your connections database, put it in “Connections database URL” and leave this field blank.';
      return false;
    } catch (err) {
      this.#logCheck('parent page', err);
      errors.parentPageUrl = notionProblem(err, 'page', integrationName);
      return false;
    }
  }

  async #commitNotion(
    notion: SettingsNotion,
    plan: NotionPlan,
    errors: SettingsErrors,
  ): Promise<{ ref: ConnectionsDatabaseRef; created: boolean; added: string[] } | undefined> {
    if (plan.kind === 'create') {
      try {
        const database = await notion.createDatabase({
          parentPageId: plan.parentPageId,
          title: CONNECTIONS_DATABASE_TITLE,
          properties: connectionsPropertiesConfig(),
        });
        return {
          ref: { databaseId: database.id, dataSourceId: database.dataSourceId, url: database.url, title: database.title || CONNECTIONS_DATABASE_TITLE },
          created: true,
          added: [],
        };
      } catch (err) {
        this.#logCheck('create connections database', err);
        errors.parentPageUrl = isNotion(err, 'restricted_resource')
          ? 'Your integration may read this page but not add to it. In Notion, open notion.so/profile/integrations, choose your integration and give it the Insert content capability (and Read and Update content), then save again.'
          : `Visen could not create the connections database in this page: ${errorText(err)}`;
        return undefined;
      }
    }
    if (!plan.add) return { ref: plan.ref, created: false, added: [] };
    try {
      const updated = await notion.updateDataSourceProperties(plan.ref.dataSourceId, plan.add.update);
      const after = checkConnectionsSchema(updated.propertyTypes);
      if (!schemaMatches(after)) {
        errors.connectionsUrl = schemaProblemMessage(plan.ref.title, after, { addMissingTicked: true, dataSourceName: undefined });
        return undefined;
      }
      return { ref: plan.ref, created: false, added: plan.add.names };
    } catch (err) {
      this.#logCheck('add missing properties', err);
      errors.connectionsUrl = isNotion(err, 'restricted_resource')
        ? 'Your integration may read this database but not change it. In notion.so/profile/integrations give it the Update content capability, or add the missing properties yourself, then save again.'
        : `Visen could not add the missing properties: ${errorText(err)}`;
      return undefined;
    }
  }

  // ---- OpenAI ----

  async #checkOpenAi(apiKey: string, baseUrl: string | undefined, model: string, errors: SettingsErrors): Promise<boolean> {
    let models: readonly string[];
    try {
      models = await this.#o.openAiFor({ apiKey, baseUrl }).listModels();
    } catch (err) {
      this.#logCheck('openai', err);
      const where = baseUrl ? `the server at ${baseUrl}` : 'OpenAI';
      if (err instanceof OpenAiError) {
        switch (err.code) {
          case 'unauthorized':
            errors.openaiKey = `${capitalise(where)} rejected this key. Copy it again (from platform.openai.com/api-keys for OpenAI) and check that it belongs to this endpoint.`;
            return false;
          case 'quota_exceeded':
            errors.openaiKey = err.userMessage;
            return false;
          case 'bad_endpoint':
            errors.openaiBaseUrl = baseUrl
              ? `No OpenAI-compatible API answered at ${baseUrl}. Check the URL (it usually ends in /v1), or leave it blank for the default.`
              : err.userMessage;
            if (!baseUrl) errors.openaiKey = err.userMessage;
            return false;
          default:
            if (baseUrl) errors.openaiBaseUrl = err.userMessage;
            else errors.openaiKey = err.userMessage;
            return false;
        }
      }
      if (baseUrl) errors.openaiBaseUrl = `Visen could not reach ${baseUrl}. Check the URL, or leave it blank for the default.`;
      else errors.openaiKey = 'Visen could not reach OpenAI to check this key. Please try again in a moment.';
      return false;
    }
    if (!models.includes(model)) {
      errors.model = modelNotListed(model, models, baseUrl);
      return false;
    }
    return true;
  }

  // ---- store and secrets ----

  async #loadForSubmit(user: UserRef): Promise<{ settings: UserSettings | undefined; unreadable: boolean }> {
    try {
      return { settings: await this.load(user), unreadable: false };
    } catch (err) {
      if (err instanceof VisenError && err.code === 'settings_unreadable') return { settings: undefined, unreadable: true };
      throw err;
    }
  }

  async #readHeld(user: UserRef, token: string | undefined): Promise<{ notionSecret?: string; openaiKey?: string } | undefined> {
    if (!token) return undefined;
    const record = await this.#o.store.get<StoredHeldSecrets>(HELD_NAMESPACE, userKey(user));
    if (!record || record.token !== token) return undefined;
    if (record.expiresAt <= this.#now()) {
      await this.#o.store.delete(HELD_NAMESPACE, userKey(user)).catch(() => undefined);
      return undefined;
    }
    const notionSecret = record.notionSecret ? this.#open(user, 'held.notionSecret', record.notionSecret) : undefined;
    const openaiKey = record.openaiKey ? this.#open(user, 'held.openaiKey', record.openaiKey) : undefined;
    return { ...(notionSecret ? { notionSecret } : {}), ...(openaiKey ? { openaiKey } : {}) };
  }

  #seal(user: UserRef, field: SecretField | `held.${SecretField}`, plain: string): string {
    return this.#o.secretBox.seal(plain, `${userKey(user)}:${field}`);
  }

  #open(user: UserRef, field: SecretField | `held.${SecretField}`, sealed: string): string | undefined {
    try {
      return this.#o.secretBox.open(sealed, `${userKey(user)}:${field}`);
    } catch (err) {
      this.#log.warn({ user: userKey(user), field, err: { type: (err as Error).name } }, 'a saved secret could not be opened');
      return undefined;
    }
  }

  #emptySummary(): SettingsSummary {
    return {
      configured: false,
      notionSecretLast4: undefined,
      integrationName: undefined,
      openaiKeyLast4: undefined,
      openaiBaseUrl: undefined,
      model: this.#o.defaultModel,
      connections: undefined,
    };
  }

  #emit(user: UserRef, change: SettingsChange): void {
    for (const listener of this.#listeners) {
      Promise.resolve()
        .then(() => listener(user, change))
        .catch((err: unknown) => this.#log.warn({ user: userKey(user), change, err: describeForLog(err) }, 'a settings listener failed'));
    }
  }

  #logCheck(check: string, err: unknown): void {
    this.#log.info({ check, err: describeForLog(err) }, 'a settings check failed');
  }
}

// ---- messages (each says what is wrong and how to fix it) ----

function unreadableSecrets(): VisenError {
  return new VisenError(
    'settings_unreadable',
    'Your saved secrets can no longer be read (the key Visen encrypts them with has changed). Run `/visen settings` and enter your Notion secret and OpenAI key again.',
  );
}

function checkNotionSecretForm(secret: string | undefined, unreadable: boolean): string | undefined {
  if (!secret) {
    return unreadable
      ? 'Your saved secret can no longer be read; please enter it again.'
      : 'Enter your Notion integration secret: notion.so/profile/integrations → your integration → Internal Integration Secret.';
  }
  if (/\s/.test(secret)) return 'The secret has spaces in it. Copy it again from Notion and paste it exactly as shown.';
  if (secret.startsWith('sk-')) return 'This looks like an OpenAI key. The Notion integration secret starts with ntn_ (older ones with secret_).';
  return undefined;
}

function checkOpenAiKeyForm(key: string | undefined, unreadable: boolean): string | undefined {
  if (!key) {
    return unreadable
      ? 'Your saved key can no longer be read; please enter it again.'
      : 'Enter your OpenAI API key (platform.openai.com/api-keys), or the key of your OpenAI-compatible server.';
  }
  if (/\s/.test(key)) return 'The key has spaces in it. Copy it again and paste it exactly as shown.';
  if (/^(ntn_|secret_)/.test(key)) return 'This looks like a Notion integration secret; it belongs in the field above. Put your OpenAI API key here.';
  return undefined;
}

/** The URL parser's reason already says what is wrong and how to copy a link from Notion. */
function notNotionUrl(kind: 'database' | 'page', reason: string): string {
  return `This is not a link to a Notion ${kind}. ${reason}`;
}

/** The Connections instructions, exactly as users need them, with the integration's name. */
export function connectInstructions(kind: 'database' | 'page', integrationName: string | undefined): string {
  const name = integrationName ? `“${integrationName}”` : 'your integration';
  return (
    `Your integration ${name} cannot see this ${kind}. Connect it: open the ${kind} in Notion, click ••• at the top right, choose Connections, ` +
    `find ${name} by name, and confirm. Then save again. (If you did, check that this is the right ${kind} and that the secret is from the same Notion workspace.)`
  );
}

function notionSecretRejected(err: unknown): string {
  if (isNotion(err, 'unauthorized')) {
    return 'Notion rejected this secret. Copy it again from notion.so/profile/integrations → your integration → Internal Integration Secret (it starts with ntn_); if you regenerated it, use the new one.';
  }
  return errorText(err);
}

function notionProblem(err: unknown, kind: 'database' | 'page', integrationName: string | undefined): string {
  if (isNotion(err, 'object_not_found')) return connectInstructions(kind, integrationName);
  if (isNotion(err, 'restricted_resource')) {
    return `Your integration can see this ${kind} but may not read it. In notion.so/profile/integrations, give it the Read content, Update content and Insert content capabilities, then save again.`;
  }
  return errorText(err);
}

function schemaProblemMessage(
  title: string,
  check: SchemaCheck,
  options: { addMissingTicked: boolean; dataSourceName: string | undefined },
): string {
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

function modelNotListed(model: string, models: readonly string[], baseUrl: string | undefined): string {
  const where = baseUrl ? `the server at ${baseUrl}` : 'this OpenAI key';
  if (models.length === 0) return `${capitalise(where)} lists no models, so “${model}” cannot be used. Check the endpoint and the key's permissions.`;
  const stem = model.split(/[-:]/)[0] ?? model;
  const similar = models.filter((m) => m.startsWith(stem));
  const shown = [...new Set([...similar, ...models])].slice(0, 8);
  return `“${model}” is not a model ${where} can use. Some it lists: ${shown.join(', ')}${models.length > shown.length ? ', …' : ''}.`;
}

function errorText(err: unknown): string {
  if (err instanceof VisenError) return err.userMessage;
  return 'Something went wrong while checking. Please try again in a moment.';
}

function isNotion(err: unknown, code: NotionError['code']): boolean {
  return err instanceof NotionError && err.code === code;
}

function problemCount(check: SchemaCheck): number {
  return check.missing.length + check.mistyped.length;
}

/** The last four characters, the only part of a secret ever shown; '' for a secret too short to hide them. */
function last4(secret: string): string {
  return secret.length >= 12 ? secret.slice(-4) : '';
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function normaliseHttpUrl(text: string): string | undefined {
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (url.username || url.password) return undefined;
    return url.toString().replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}
