// What the stand-in reads from the app's manifest (https://docs.slack.dev/reference/app-manifest): the bot scopes
// the install grants (`oauth_config.scopes.bot`), the message shortcuts it declares (`features.shortcuts`, type
// `message`) and the bot events it subscribes to (`settings.event_subscriptions.bot_events`). By default it is the
// project's manifest.yml, so adding a scope, a shortcut or an event there grants it in tests too.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { AnyObject } from './types.js';

export interface AppManifest {
  botScopes: string[];
  /** callback_ids of `features.shortcuts` entries of type `message`. */
  messageShortcuts: string[];
  botEvents: string[];
}

const PROJECT_MANIFEST = new URL('../../../manifest.yml', import.meta.url);

/** A manifest object (as YAML or JSON parses it), default the project's manifest.yml. */
export function readManifest(raw?: AnyObject): AppManifest {
  const manifest = (raw ?? parse(readFileSync(PROJECT_MANIFEST, 'utf8'))) as AnyObject;
  const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  const shortcuts: AnyObject[] = Array.isArray(manifest.features?.shortcuts) ? manifest.features.shortcuts : [];
  return {
    botScopes: strings(manifest.oauth_config?.scopes?.bot),
    messageShortcuts: shortcuts.filter((s) => s?.type === 'message').map((s) => String(s.callback_id)),
    botEvents: strings(manifest.settings?.event_subscriptions?.bot_events),
  };
}
