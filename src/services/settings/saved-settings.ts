import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { SecretBox } from '../../adapters/secret-box.js';
import type { LocalStore } from '../../adapters/store.js';
import { describeForLog } from '../../errors.js';
import { type UserRef, userKey } from '../../users.js';
import type { ConnectionsDatabaseRef, UserSettings } from './types.js';

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

export interface HeldSecretValues {
  readonly notionSecret?: string;
  readonly openaiKey?: string;
}

export interface SavedSettingsDeps {
  readonly store: LocalStore;
  readonly secretBox: SecretBox;
  readonly logger: Logger;
  readonly now: () => number;
  readonly heldSecretsTtlMs: number | undefined;
}

/** One user's settings and held secrets in the local store, secrets sealed with the SecretBox. */
export class SavedSettings {
  readonly #deps: SavedSettingsDeps;

  constructor(deps: SavedSettingsDeps) {
    this.#deps = deps;
  }

  async exists(user: UserRef): Promise<boolean> {
    return (await this.#deps.store.get<StoredSettings>(SETTINGS_NAMESPACE, userKey(user))) !== undefined;
  }

  /** `unreadable`: settings are saved but a secret no longer opens (the encryption key changed). */
  async read(user: UserRef): Promise<{ settings: UserSettings | undefined; unreadable: boolean }> {
    const stored = await this.#deps.store.get<StoredSettings>(SETTINGS_NAMESPACE, userKey(user));
    if (!stored) return { settings: undefined, unreadable: false };
    const notionSecret = this.#open(user, 'notionSecret', stored.notionSecret);
    const openaiKey = this.#open(user, 'openaiKey', stored.openaiKey);
    if (notionSecret === undefined || openaiKey === undefined) return { settings: undefined, unreadable: true };
    return {
      settings: {
        notionSecret,
        openaiKey,
        openaiBaseUrl: stored.openaiBaseUrl,
        model: stored.model,
        connections: stored.connections,
        integrationName: stored.integrationName,
        savedAt: stored.savedAt,
      },
      unreadable: false,
    };
  }

  async save(user: UserRef, settings: Omit<UserSettings, 'savedAt'>): Promise<void> {
    const stored: StoredSettings = {
      version: 1,
      notionSecret: this.#seal(user, 'notionSecret', settings.notionSecret),
      openaiKey: this.#seal(user, 'openaiKey', settings.openaiKey),
      ...(settings.openaiBaseUrl ? { openaiBaseUrl: settings.openaiBaseUrl } : {}),
      model: settings.model,
      connections: settings.connections,
      ...(settings.integrationName ? { integrationName: settings.integrationName } : {}),
      savedAt: new Date(this.#deps.now()).toISOString(),
    };
    await this.#deps.store.set(SETTINGS_NAMESPACE, userKey(user), stored);
  }

  /** Deletes the saved settings and the held secrets. */
  async delete(user: UserRef): Promise<void> {
    await this.#deps.store.delete(SETTINGS_NAMESPACE, userKey(user));
    await this.#deps.store.delete(HELD_NAMESPACE, userKey(user));
  }

  /** Holds secrets for a while, replacing any held before; returns the token that reads them back. */
  async hold(user: UserRef, secrets: HeldSecretValues): Promise<string> {
    const token = randomBytes(18).toString('base64url');
    const record: StoredHeldSecrets = {
      version: 1,
      token,
      expiresAt: this.#deps.now() + (this.#deps.heldSecretsTtlMs ?? HELD_TTL_MS),
      ...(secrets.notionSecret ? { notionSecret: this.#seal(user, 'held.notionSecret', secrets.notionSecret) } : {}),
      ...(secrets.openaiKey ? { openaiKey: this.#seal(user, 'held.openaiKey', secrets.openaiKey) } : {}),
    };
    await this.#deps.store.set(HELD_NAMESPACE, userKey(user), record);
    return token;
  }

  /** The secrets held under this token; undefined when there is no token, another one, or they expired. */
  async readHeld(user: UserRef, token: string | undefined): Promise<HeldSecretValues | undefined> {
    if (!token) return undefined;
    const record = await this.#deps.store.get<StoredHeldSecrets>(HELD_NAMESPACE, userKey(user));
    if (!record || record.token !== token) return undefined;
    if (record.expiresAt <= this.#deps.now()) {
      await this.#deps.store.delete(HELD_NAMESPACE, userKey(user)).catch(() => undefined);
      return undefined;
    }
    const notionSecret = record.notionSecret ? this.#open(user, 'held.notionSecret', record.notionSecret) : undefined;
    const openaiKey = record.openaiKey ? this.#open(user, 'held.openaiKey', record.openaiKey) : undefined;
    return { ...(notionSecret ? { notionSecret } : {}), ...(openaiKey ? { openaiKey } : {}) };
  }

  /** Once settings are saved the held secrets are not needed; a failure only logs, as they expire anyway. */
  async discardHeld(user: UserRef): Promise<void> {
    await this.#deps.store.delete(HELD_NAMESPACE, userKey(user)).catch((err: unknown) => {
      this.#deps.logger.warn({ user: userKey(user), err: describeForLog(err) }, 'could not delete held secrets (they expire anyway)');
    });
  }

  #seal(user: UserRef, field: SecretField | `held.${SecretField}`, plain: string): string {
    return this.#deps.secretBox.seal(plain, `${userKey(user)}:${field}`);
  }

  #open(user: UserRef, field: SecretField | `held.${SecretField}`, sealed: string): string | undefined {
    try {
      return this.#deps.secretBox.open(sealed, `${userKey(user)}:${field}`);
    } catch (err) {
      this.#deps.logger.warn({ user: userKey(user), field, err: { type: (err as Error).name } }, 'a saved secret could not be opened');
      return undefined;
    }
  }
}
