import type { UserRef } from '../../users.js';

/** One user's saved settings, secrets decrypted. Only services hold this; views get a SettingsSummary. */
export interface UserSettings {
  readonly notionSecret: string;
  readonly openaiKey: string;
  readonly openaiBaseUrl: string | undefined;
  readonly model: string;
  readonly connections: ConnectionsDatabaseRef;
  readonly integrationName: string | undefined;
  readonly savedAt: string;
}

export interface ConnectionsDatabaseRef {
  readonly databaseId: string;
  readonly dataSourceId: string;
  readonly url: string;
  readonly title: string;
}

/** What may be shown to the user: never a secret, only its last four characters. */
export interface SettingsSummary {
  readonly configured: boolean;
  readonly notionSecretLast4: string | undefined;
  readonly integrationName: string | undefined;
  readonly openaiKeyLast4: string | undefined;
  readonly openaiBaseUrl: string | undefined;
  readonly model: string;
  readonly connections: ConnectionsDatabaseRef | undefined;
  /** When settings are saved but cannot be used (e.g. the encryption key changed): what to do. */
  readonly problem?: string;
}

/** The fields of the settings form, as the service names them (the Slack layer maps them to blocks). */
export type SettingsField = 'notionSecret' | 'openaiKey' | 'openaiBaseUrl' | 'model' | 'connectionsUrl' | 'parentPageUrl' | 'addMissingProperties';

/** A message per field that failed, each saying what is wrong and how to fix it. */
export type SettingsErrors = Partial<Record<SettingsField, string>>;

/** What the user submitted, as typed (trimmed). */
export interface SettingsSubmission {
  /** Blank or undefined: keep the secret held from an earlier attempt (heldSecretsToken), else the saved one. */
  readonly notionSecret?: string | undefined;
  readonly openaiKey?: string | undefined;
  /** Blank: the default endpoint Visen was started with. */
  readonly openaiBaseUrl: string;
  /** Blank: the default model. */
  readonly model: string;
  /** The connections database URL; blank when a parent page is given. */
  readonly connectionsUrl: string;
  /** A page in which Visen creates "Visen connections"; blank when a database URL is given. */
  readonly parentPageUrl: string;
  /** Add the schema's missing properties to the connections database. */
  readonly addMissingProperties: boolean;
  /** Secrets held server-side from an earlier attempt in the same form (see `holdSecrets`). */
  readonly heldSecretsToken?: string | undefined;
}

export interface SubmitOptions {
  /** When aborted, nothing is created or saved (the caller has told the user the checks gave up). */
  readonly signal?: AbortSignal;
}

export type SubmitOutcome =
  | {
      readonly ok: true;
      readonly summary: SettingsSummary;
      /** True when "Visen connections" was created under the parent page. */
      readonly createdDatabase: boolean;
      /** Properties added to the user's database because they asked for it. */
      readonly addedProperties: readonly string[];
    }
  | {
      readonly ok: false;
      readonly errors: SettingsErrors;
      /**
       * Entries the checks changed and the form should show instead of what was typed (after a database
       * was created but saving failed: its URL in place of the parent page, so a retry creates no second one).
       */
      readonly corrected: Partial<Pick<SettingsSubmission, 'connectionsUrl' | 'parentPageUrl'>>;
    };

/** Secrets typed in a form, held encrypted for a short while so the user need not type them again. */
export interface HeldSecrets {
  readonly token: string;
  readonly notionSecretLast4: string | undefined;
  readonly openaiKeyLast4: string | undefined;
}

export interface ClearOutcome {
  /** False when nothing was saved for this user. */
  readonly hadSettings: boolean;
}

export type SettingsChange = 'saved' | 'cleared';
export type SettingsChangeListener = (user: UserRef, change: SettingsChange) => void | Promise<void>;

export interface SettingsService {
  /** The user's settings, or undefined if none are saved. Throws StoreError('locked') when the store is busy. */
  load(user: UserRef): Promise<UserSettings | undefined>;
  /** Like load, but throws a UserInputError telling the user to run `/visen settings` when nothing is saved. */
  require(user: UserRef): Promise<UserSettings>;
  summary(user: UserRef): Promise<SettingsSummary>;
  /**
   * Checks a submission live (URL forms, the Notion secret, the connections database or parent page, its
   * schema, the OpenAI key, endpoint and model), creates the connections database when a parent page is
   * given, adds missing properties when asked, and saves. Problems come back as per-field errors; only
   * unexpected failures (the local store) throw.
   */
  submit(user: UserRef, submission: SettingsSubmission, options?: SubmitOptions): Promise<SubmitOutcome>;
  /**
   * Holds the secrets of a submission (typed ones, else those already held under its token) encrypted in
   * the local store for a short while; returns the token to submit with, or undefined when none were typed.
   */
  holdSecrets(user: UserRef, submission: SettingsSubmission): Promise<HeldSecrets | undefined>;
  /** Deletes every local value of this user, and only this user (settings, held secrets, every forget hook). */
  clear(user: UserRef): Promise<ClearOutcome>;
  /** Called after a user's settings are saved or cleared (the Home tab re-renders); returns an unsubscribe. */
  onChange(listener: SettingsChangeListener): () => void;
}
