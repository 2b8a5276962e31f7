import { type DataSourceSchema, formatNotionId, type NotionWorkspace, parseNotionUrl, type ResolvedObject } from '../../adapters/notion/index.js';
import { NotionError, UserInputError } from '../../errors.js';
import { descriptionOf } from './instructions.js';
import type { TargetRef } from './run-store.js';

export interface ResolvedTarget {
  readonly ref: TargetRef;
  /** Database targets: the data source whose rows are filled. */
  readonly schema: DataSourceSchema | undefined;
}

/** The target URL -> the page, or the database and its data source. Throws a VisenError a user can act on. */
export async function resolveTarget(notion: NotionWorkspace, targetUrl: string): Promise<ResolvedTarget> {
  const parsed = parseNotionUrl(targetUrl);
  if (!parsed.ok) throw new UserInputError(parsed.reason, 'target');
  let resolved: ResolvedObject;
  try {
    // A link opened in a database view (`?v=`) is a database; any other is more often a page.
    resolved = await notion.resolveObject(parsed.id, { likely: parsed.viewId ? 'database' : 'page' });
  } catch (err) {
    throw aboutTarget(err);
  }
  if (resolved.kind === 'page') {
    const page = resolved.page;
    if (page.inTrash) throw new UserInputError('That page is in Notion’s trash. Restore it in Notion, or pick another page.', 'target');
    return { ref: { kind: 'Page', id: page.id, url: page.url, title: page.title || 'Untitled' }, schema: undefined };
  }
  const database = resolved.database;
  // A link to one of the database's data sources picks that one; otherwise the first (the database's own).
  const source = database.dataSources.find((ds) => formatNotionId(ds.id) === parsed.id) ?? database.dataSources[0];
  if (!source)
    throw new UserInputError('That database has no data source Visen can fill. Open it in Notion and check that it has rows and properties.', 'target');
  let schema: DataSourceSchema;
  try {
    schema = await notion.retrieveDataSource(source.id);
  } catch (err) {
    throw aboutTarget(err);
  }
  return {
    ref: {
      kind: 'Database',
      id: database.id,
      url: database.url,
      title: database.title || source.name || 'Untitled',
      dataSourceId: source.id,
      ...descriptionOf(database.description),
    },
    schema,
  };
}

function aboutTarget(err: unknown): unknown {
  if (err instanceof NotionError && err.code === 'object_not_found') {
    return new NotionError(
      'object_not_found',
      'Visen cannot see that page or database: it does not exist, or your integration is not connected to it. To connect it, open it in Notion, click ••• at the top right, choose Connections, find your integration by name, and confirm.',
      { cause: err },
    );
  }
  return err;
}
