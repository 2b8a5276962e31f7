import type { ConnectionSort, ConnectionStatus, ConnectionType } from '../../services/connections/types.js';
import { parsePage, parseSort, parseStatus, parseType } from '../../services/home/list.js';
import { FILTER_ALL } from '../listeners/home/ids.js';

/**
 * The state parsers of the Home tab (`home.ts`): what an action on it carries, checked (a value from Slack
 * is input like any other).
 */

export type FilterChoice<T> = { readonly ok: true; readonly value: T | undefined } | { readonly ok: false };

export function parseSortChoice(value: string | undefined): ConnectionSort | undefined {
  return parseSort(value);
}

export function parseTypeChoice(value: string | undefined): FilterChoice<ConnectionType> {
  if (value === FILTER_ALL) return { ok: true, value: undefined };
  const type = parseType(value);
  return type ? { ok: true, value: type } : { ok: false };
}

export function parseStatusChoice(value: string | undefined): FilterChoice<ConnectionStatus> {
  if (value === FILTER_ALL) return { ok: true, value: undefined };
  const status = parseStatus(value);
  return status ? { ok: true, value: status } : { ok: false };
}

export function parsePageChoice(value: string | undefined): number | undefined {
  return parsePage(value);
}

/** A connection id as the Home tab writes it into a button's value (a Notion page id). */
export function parseConnectionId(value: string | undefined): string | undefined {
  return value !== undefined && /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(value) ? value : undefined;
}
