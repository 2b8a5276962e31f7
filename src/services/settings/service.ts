/**
 * The settings flow: load, require, summary, submit (check the form, check Notion and OpenAI live, commit to
 * Notion, save), hold secrets between attempts, clear, and tell listeners of changes. The checks, the store
 * and the texts live in their own modules beside this one.
 */
import type { Logger } from 'pino';
import type { SecretBox } from '../../adapters/secret-box.js';
import type { LocalStore } from '../../adapters/store.js';
import { describeForLog } from '../../errors.js';
import { type UserRef, userKey } from '../../users.js';
import { checkForm } from './form-checks.js';
import { checksTookTooLong, clearIncomplete, createdButNotSaved, notSetUp, UNREADABLE_SECRETS, unreadableSecrets } from './messages.js';
import { checkNotion } from './notion-checks.js';
import { commitNotion } from './notion-commit.js';
import { checkOpenAi } from './openai-check.js';
import type { SettingsPorts } from './ports.js';
import { SavedSettings } from './saved-settings.js';
import { emptySummary, last4, summaryOf } from './settings-summary.js';
import type {
  ClearOutcome,
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

export { connectInstructions } from './messages.js';
export { HELD_NAMESPACE, SETTINGS_NAMESPACE } from './saved-settings.js';

type ForgetUserHook = (user: UserRef) => Promise<void>;

export interface SettingsServiceDeps extends SettingsPorts {
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

export function createSettingsService(deps: SettingsServiceDeps): SettingsService {
  return new LocalSettingsService(deps);
}

class LocalSettingsService implements SettingsService {
  readonly #deps: SettingsServiceDeps;
  readonly #logger: Logger;
  readonly #saved: SavedSettings;
  readonly #listeners = new Set<SettingsChangeListener>();
  readonly #now: () => number;

  constructor(deps: SettingsServiceDeps) {
    this.#deps = deps;
    this.#logger = deps.logger.child({ component: 'settings' });
    this.#now = deps.now ?? Date.now;
    this.#saved = new SavedSettings({
      store: deps.store,
      secretBox: deps.secretBox,
      logger: this.#logger,
      now: this.#now,
      heldSecretsTtlMs: deps.heldSecretsTtlMs,
    });
  }

  async load(user: UserRef): Promise<UserSettings | undefined> {
    const saved = await this.#saved.read(user);
    if (saved.unreadable) throw unreadableSecrets();
    return saved.settings;
  }

  async require(user: UserRef): Promise<UserSettings> {
    const settings = await this.load(user);
    if (!settings) throw notSetUp();
    return settings;
  }

  async summary(user: UserRef): Promise<SettingsSummary> {
    const saved = await this.#saved.read(user);
    if (saved.unreadable) return { ...emptySummary(this.#deps.defaultModel), problem: UNREADABLE_SECRETS };
    return saved.settings ? summaryOf(saved.settings) : emptySummary(this.#deps.defaultModel);
  }

  async submit(user: UserRef, submission: SettingsSubmission, options: SubmitOptions = {}): Promise<SubmitOutcome> {
    const started = this.#now();
    const errors: SettingsErrors = {};
    const saved = await this.#saved.read(user);
    const held = await this.#saved.readHeld(user, submission.heldSecretsToken);

    // 1. What can be checked without asking anyone.
    const notionSecret = submission.notionSecret || held?.notionSecret || saved.settings?.notionSecret;
    const openaiKey = submission.openaiKey || held?.openaiKey || saved.settings?.openaiKey;
    const form = checkForm(
      this.#deps,
      { submission, notionSecret, openaiKey, secretsUnreadable: saved.unreadable, defaultModel: this.#deps.defaultModel },
      errors,
    );
    const { openaiBaseUrl, model } = form;

    // 2. Live checks: Notion and OpenAI in parallel, each stopping at its first problem.
    const notionContext = notionSecret && !errors.notionSecret ? { notion: this.#deps.notionFor(notionSecret), errors, logger: this.#logger } : undefined;
    const [notionResult, openaiOk] = await Promise.all([
      notionContext
        ? checkNotion(notionContext, { databaseId: form.databaseId, parentPageId: form.parentPageId, addMissing: submission.addMissingProperties })
        : undefined,
      openaiKey && !errors.openaiKey && !errors.openaiBaseUrl && !errors.model
        ? checkOpenAi(this.#deps, { apiKey: openaiKey, baseUrl: openaiBaseUrl, model }, errors, this.#logger)
        : false,
    ]);

    const fields = Object.keys(errors);
    if (fields.length > 0 || !notionContext || !notionResult || !openaiOk || !notionSecret || !openaiKey) {
      this.#logger.info({ user: userKey(user), fields, ms: this.#now() - started }, 'settings checks found problems');
      return { ok: false, errors, corrected: {} };
    }
    if (options.signal?.aborted) {
      this.#logger.info({ user: userKey(user) }, 'settings checks finished after the caller gave up: nothing saved');
      throw checksTookTooLong();
    }

    // 3. Commit: create the database or add the missing properties, then save.
    const committed = await commitNotion(notionContext, notionResult.plan);
    if (!committed) return { ok: false, errors, corrected: {} };
    const settings = { notionSecret, openaiKey, openaiBaseUrl, model, connections: committed.ref, integrationName: notionResult.integrationName };
    try {
      await this.#saved.save(user, settings);
    } catch (err) {
      if (notionResult.plan.kind !== 'create') throw err;
      // The database exists now: show its URL instead of the parent page, so a retry creates no second one.
      this.#logger.warn({ user: userKey(user), err: describeForLog(err) }, 'created the connections database but could not save the settings');
      return {
        ok: false,
        errors: { connectionsUrl: createdButNotSaved(committed.ref.title, err) },
        corrected: { connectionsUrl: committed.ref.url, parentPageUrl: '' },
      };
    }
    await this.#saved.discardHeld(user);
    this.#logger.info({ user: userKey(user), created: committed.created, added: committed.added, ms: this.#now() - started }, 'settings checked and saved');
    this.#emit(user, 'saved');
    return { ok: true, summary: summaryOf(settings), createdDatabase: committed.created, addedProperties: committed.added };
  }

  async holdSecrets(user: UserRef, submission: SettingsSubmission): Promise<HeldSecrets | undefined> {
    const held = await this.#saved.readHeld(user, submission.heldSecretsToken);
    const notionSecret = submission.notionSecret || held?.notionSecret;
    const openaiKey = submission.openaiKey || held?.openaiKey;
    if (!notionSecret && !openaiKey) return undefined;
    const token = await this.#saved.hold(user, { notionSecret, openaiKey });
    return { token, notionSecretLast4: notionSecret ? last4(notionSecret) : undefined, openaiKeyLast4: openaiKey ? last4(openaiKey) : undefined };
  }

  async clear(user: UserRef): Promise<ClearOutcome> {
    const key = userKey(user);
    const hadSettings = await this.#saved.exists(user);
    const failures: unknown[] = [];
    // Snapshot: hooks may be added after construction, but not while a clear runs.
    for (const forget of [...this.#deps.forgetUser]) {
      try {
        await forget(user);
      } catch (err) {
        failures.push(err);
        this.#logger.error({ user: key, err: describeForLog(err) }, 'a feature could not delete its local data of a user');
      }
    }
    await this.#saved.delete(user);
    this.#logger.info({ user: key, hadSettings, failures: failures.length }, "cleared a user's local data");
    this.#emit(user, 'cleared');
    if (failures.length > 0) throw clearIncomplete(failures[0]);
    return { hadSettings };
  }

  onChange(listener: SettingsChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(user: UserRef, change: SettingsChange): void {
    for (const listener of this.#listeners) {
      Promise.resolve()
        .then(() => listener(user, change))
        .catch((err: unknown) => this.#logger.warn({ user: userKey(user), change, err: describeForLog(err) }, 'a settings listener failed'));
    }
  }
}
