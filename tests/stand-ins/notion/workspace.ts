// The in-memory Notion workspace: records, sharing and the writes every endpoint builds on.
import { parseBlockRequest } from './blocks.js';
import { newId, newSecret } from './ids.js';
import { PAGE_TITLE_SCHEMA } from './property-values.js';
import type {
  AnyRecord,
  BlockRecord,
  ContainerRecord,
  DatabaseRecord,
  DataSourceRecord,
  Integration,
  PageRecord,
  ParentRef,
  SchemaProperty,
  StoredValue,
} from './records.js';
import { plainText, type RichText } from './rich-text.js';
import type { Person } from './users.js';

/** Where new blocks go among a container's children. */
export type InsertPosition = { type: 'start' } | { type: 'end' } | { type: 'after'; id: string };

type RecordKind = AnyRecord['kind'];
type RecordOfKind<K extends RecordKind> = Extract<AnyRecord, { kind: K }>;

export class Workspace {
  readonly integrations = new Map<string, Integration>();
  readonly records = new Map<string, AnyRecord>();
  readonly workspaceId = newId();
  /** The human who owns the workspace; fixtures are created by them unless a test says otherwise. */
  readonly ownerUserId = newId();
  /** Members of the workspace (people, as opposed to integrations' bots) by user id, the owner among them. */
  readonly people = new Map<string, Person>([[this.ownerUserId, { name: 'Workspace Owner', email: 'owner@example.com', nameless: false }]]);

  constructor(readonly workspaceName: string) {}

  createIntegration(name = 'Visen test integration'): Integration {
    const integration: Integration = {
      secret: newSecret(),
      botId: newId(),
      name,
      workspaceName: this.workspaceName,
      workspaceId: this.workspaceId,
      revoked: false,
    };
    this.integrations.set(integration.secret, integration);
    return integration;
  }

  /** A user id that may create things: a member, or the bot of an integration of this workspace. */
  isKnownUser(userId: string): boolean {
    return this.people.has(userId) || [...this.integrations.values()].some((integration) => integration.botId === userId);
  }

  activeIntegration(secret: string | undefined): Integration | undefined {
    const integration = secret ? this.integrations.get(secret) : undefined;
    return integration && !integration.revoked ? integration : undefined;
  }

  get(id: string): AnyRecord | undefined {
    return this.records.get(id);
  }

  /** A record of one of `kinds` that `secret` may see, or undefined (callers answer 404 either way). */
  visible<K extends RecordKind>(id: string, kinds: readonly K[], secret: string): RecordOfKind<K> | undefined {
    const record = this.records.get(id);
    if (!record || !(kinds as readonly string[]).includes(record.kind)) return undefined;
    return this.isSharedWith(record, secret) ? (record as RecordOfKind<K>) : undefined;
  }

  /** Sharing a page or database shares everything below it, as in Notion. */
  isSharedWith(record: AnyRecord, secret: string): boolean {
    for (let current: AnyRecord | undefined = record; current; current = this.parentOf(current)) {
      if (current.sharedWith.has(secret)) return true;
    }
    return false;
  }

  parentOf(record: AnyRecord): AnyRecord | undefined {
    if (record.kind === 'data_source') return this.records.get(record.databaseId);
    return record.parent.type === 'workspace' ? undefined : this.records.get(record.parent.id);
  }

  /** Trashing a page puts everything below it in the trash too. */
  isInTrash(record: AnyRecord): boolean {
    for (let current: AnyRecord | undefined = record; current; current = this.parentOf(current)) {
      if (current.inTrash) return true;
    }
    return false;
  }

  schemaOf(page: PageRecord): SchemaProperty[] {
    return this.schemaForParent(page.parent);
  }

  /** Rows follow their data source's schema; other pages have only a title. */
  schemaForParent(parent: ParentRef): SchemaProperty[] {
    if (parent.type !== 'data_source') return PAGE_TITLE_SCHEMA;
    return (this.records.get(parent.id) as DataSourceRecord).schema;
  }

  titleOf(record: AnyRecord): string {
    if (record.kind === 'database' || record.kind === 'data_source') return plainText(record.title);
    if (record.kind === 'block') return '';
    const titleProperty = this.schemaOf(record).find((property) => property.type === 'title');
    const stored = titleProperty ? record.values.get(titleProperty.id) : undefined;
    return stored ? plainText(stored.value as RichText[]) : '';
  }

  createPage(input: {
    parent: ParentRef;
    values: Map<string, StoredValue>;
    icon?: unknown;
    cover?: unknown;
    by: string;
    position?: InsertPosition;
  }): PageRecord {
    const page: PageRecord = {
      ...this.common(input.by),
      kind: 'page',
      parent: input.parent,
      values: input.values,
      icon: input.icon ?? null,
      cover: input.cover ?? null,
      childIds: [],
      uniqueNumber: 0,
    };
    this.records.set(page.id, page);
    if (input.parent.type === 'data_source') {
      const dataSource = this.records.get(input.parent.id) as DataSourceRecord;
      page.uniqueNumber = dataSource.nextUniqueNumber++;
      dataSource.rowIds.push(page.id);
    } else if (input.parent.type !== 'workspace') {
      this.placeChild(input.parent.id, page.id, input.position ?? { type: 'end' });
    }
    return page;
  }

  createDatabase(input: {
    parent: ParentRef;
    title: RichText[];
    description?: RichText[];
    isInline?: boolean;
    icon?: unknown;
    dataSources: Array<{ title: RichText[]; schema: SchemaProperty[] }>;
    by: string;
  }): DatabaseRecord {
    const database: DatabaseRecord = {
      ...this.common(input.by),
      kind: 'database',
      parent: input.parent,
      title: input.title,
      description: input.description ?? [],
      isInline: input.isInline ?? false,
      icon: input.icon ?? null,
      cover: null,
      dataSourceIds: [],
    };
    this.records.set(database.id, database);
    for (const source of input.dataSources) {
      const dataSource: DataSourceRecord = {
        ...this.common(input.by),
        kind: 'data_source',
        databaseId: database.id,
        title: source.title,
        schema: source.schema,
        rowIds: [],
        nextUniqueNumber: 1,
      };
      this.records.set(dataSource.id, dataSource);
      database.dataSourceIds.push(dataSource.id);
    }
    if (input.parent.type !== 'workspace') this.placeChild(input.parent.id, database.id, { type: 'end' });
    return database;
  }

  /**
   * Creates blocks (and their nested children) under a page or block. `path` names the request array in
   * validation messages. Returns the first-level blocks, which is what the append endpoint answers with.
   */
  insertBlocks(container: ContainerRecord, requests: unknown[], path: string, position: InsertPosition, by: string): BlockRecord[] {
    const parent: ParentRef = container.kind === 'page' ? { type: 'page', id: container.id } : { type: 'block', id: container.id };
    const parsed = requests.map((request, index) => parseBlockRequest(request, `${path}[${index}]`));
    const created = parsed.map((block) => {
      const record: BlockRecord = { ...this.common(by), kind: 'block', parent, type: block.type, content: block.content, childIds: [] };
      this.records.set(record.id, record);
      if (block.children.length > 0) this.insertBlocks(record, block.children, block.childrenPath, { type: 'end' }, by);
      return record;
    });
    this.placeChildren(
      container,
      created.map((block) => block.id),
      position,
    );
    this.touch(container, by);
    return created;
  }

  /** Children in order, as full records; trashed ones only on request. */
  childrenOf(container: ContainerRecord, includeTrashed = false): AnyRecord[] {
    return container.childIds
      .map((id) => this.records.get(id))
      .filter((child): child is AnyRecord => child !== undefined && (includeTrashed || !child.inTrash));
  }

  touch(record: AnyRecord, by: string): void {
    record.lastEditedMs = Date.now();
    record.lastEditedBy = by;
  }

  private placeChild(containerId: string, childId: string, position: InsertPosition): void {
    const container = this.records.get(containerId);
    if (container?.kind === 'page' || container?.kind === 'block') this.placeChildren(container, [childId], position);
  }

  private placeChildren(container: ContainerRecord, ids: string[], position: InsertPosition): void {
    const list = container.childIds;
    if (position.type === 'start') list.unshift(...ids);
    else if (position.type === 'end') list.push(...ids);
    else list.splice(list.indexOf(position.id) + 1, 0, ...ids);
  }

  private common(by: string) {
    const now = Date.now();
    return {
      id: newId(),
      createdMs: now,
      lastEditedMs: now,
      createdBy: by,
      lastEditedBy: by,
      inTrash: false,
      sharedWith: new Set<string>(),
    };
  }
}
