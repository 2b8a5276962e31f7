/**
 * Property names -> the property ids Notion's `filter_properties` takes.
 *
 * From API version 2026-12-01, Query a data source and Search return only the title property of each page unless
 * `filter_properties` lists the properties wanted, by id ("Request only the page properties you read",
 * https://developers.notion.com/guides/get-started/upgrade-guide-2026-12-01;
 * https://developers.notion.com/reference/query-a-data-source: "filter_properties: A list of page property value
 * IDs"). Services speak property names; this turns them into ids with the data source's schema.
 *
 * Schemas are kept per data source for `PROPERTY_ID_CACHE_MS` (limits.ts), filled by every schema the workspace reads anyway
 * (retrieve or update a data source), so a run that reads its schema first pays no extra request. A name the kept
 * schema lacks (a property added or renamed since) refreshes it once; a name the data source does not have at all
 * is not requested (Notion would return nothing for it), and is not looked for again while that schema is kept, so a
 * database lacking a property the caller reads costs one schema read per minute, not one per query. The title property is always requested: every page's
 * name comes from it.
 */
import { PROPERTY_ID_CACHE_MS } from './limits.js';
import type { DataSourceSchema } from './types.js';

interface Entry {
  readonly ids: ReadonlyMap<string, string>;
  readonly titleId: string | undefined;
  readonly at: number;
  /** Names looked for after this schema was read and not in it. */
  readonly missing: Set<string>;
}

export class PropertyIdCache {
  readonly #entries = new Map<string, Entry>();
  /** One schema read at a time per data source, shared by the lookups that wait for it. */
  readonly #refreshing = new Map<string, Promise<Entry>>();

  constructor(
    private readonly ttlMs = PROPERTY_ID_CACHE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Keeps what a schema says, keyed by the data source id as given (the caller normalises it). */
  remember(dataSourceId: string, schema: DataSourceSchema): Entry {
    const ids = new Map<string, string>();
    let titleId: string | undefined;
    for (const [name, property] of Object.entries(schema.properties)) {
      if (!property.id) continue;
      ids.set(name, property.id);
      if (property.type === 'title') titleId = property.id;
    }
    const entry = { ids, titleId, at: this.now(), missing: new Set<string>() };
    this.#entries.set(dataSourceId, entry);
    return entry;
  }

  /**
   * The ids of the title and of `names` that exist, in that order and without repeats. `readSchema` is called
   * (once, however many callers wait) when nothing fresh is kept or a name is missing from what is kept.
   */
  async idsFor(dataSourceId: string, names: readonly string[], readSchema: () => Promise<DataSourceSchema>): Promise<string[]> {
    let entry = this.#fresh(dataSourceId);
    if (!entry || names.some((name) => !entry!.ids.has(name) && !entry!.missing.has(name))) entry = await this.#refresh(dataSourceId, readSchema);
    for (const name of names) if (!entry.ids.has(name)) entry.missing.add(name);
    const wanted = [entry.titleId, ...names.map((name) => entry!.ids.get(name))];
    return [...new Set(wanted.filter((id): id is string => id !== undefined))];
  }

  #fresh(dataSourceId: string): Entry | undefined {
    const entry = this.#entries.get(dataSourceId);
    return entry && this.now() - entry.at < this.ttlMs ? entry : undefined;
  }

  #refresh(dataSourceId: string, readSchema: () => Promise<DataSourceSchema>): Promise<Entry> {
    let pending = this.#refreshing.get(dataSourceId);
    if (!pending) {
      pending = readSchema()
        .then((schema) => this.remember(dataSourceId, schema))
        .finally(() => this.#refreshing.delete(dataSourceId));
      this.#refreshing.set(dataSourceId, pending);
    }
    return pending;
  }
}
