// The stand-in's stored records. Everything (pages, databases, data sources, blocks) lives in one map by id,
// because a page's content list mixes blocks with child pages and child databases, as in Notion.
import type { RichText } from './rich-text.js';

export interface Integration {
  secret: string;
  botId: string;
  name: string;
  workspaceName: string;
  workspaceId: string;
  revoked: boolean;
}

/** Where a record lives. Rows of a data source have `data_source`; `workspace` is a top-level page. */
export type ParentRef =
  | { type: 'workspace' }
  | { type: 'page'; id: string }
  | { type: 'block'; id: string }
  | { type: 'data_source'; id: string }
  | { type: 'database'; id: string };

interface Common {
  id: string;
  createdMs: number;
  lastEditedMs: number;
  createdBy: string;
  lastEditedBy: string;
  inTrash: boolean;
  /** Integration secrets this object was shared with (sharing covers descendants). */
  sharedWith: Set<string>;
}

export interface StoredValue {
  type: string;
  value: unknown;
}

export interface PageRecord extends Common {
  kind: 'page';
  parent: ParentRef;
  /** Property values by property id (so renaming a property keeps its values). */
  values: Map<string, StoredValue>;
  icon: unknown;
  cover: unknown;
  childIds: string[];
  uniqueNumber: number;
}

export interface DatabaseRecord extends Common {
  kind: 'database';
  parent: ParentRef;
  title: RichText[];
  description: RichText[];
  isInline: boolean;
  icon: unknown;
  cover: unknown;
  dataSourceIds: string[];
}

export interface SchemaProperty {
  id: string;
  name: string;
  type: string;
  config: Record<string, unknown>;
  /** The property's description (https://developers.notion.com/reference/property-object), null when none. */
  description?: string | null;
}

export interface DataSourceRecord extends Common {
  kind: 'data_source';
  databaseId: string;
  title: RichText[];
  /** In display order. */
  schema: SchemaProperty[];
  rowIds: string[];
  nextUniqueNumber: number;
}

export interface BlockRecord extends Common {
  kind: 'block';
  parent: ParentRef;
  type: string;
  content: Record<string, unknown>;
  childIds: string[];
}

export type AnyRecord = PageRecord | DatabaseRecord | DataSourceRecord | BlockRecord;

/** Records that can hold blocks: pages and blocks. */
export type ContainerRecord = PageRecord | BlockRecord;
