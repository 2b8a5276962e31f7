import type { DataSourceSchema, NotionWorkspace } from '../../../adapters/notion/index.js';
import { VisenError } from '../../../errors.js';
import { BODY_OUTPUT, isWritableType, typeWord, type WritableType } from './kinds.js';

/** Candidates a relation output may choose from: the related data source's pages, by title, at most this many. */
export const MAX_RELATION_CANDIDATES = 200;

/** One output of a typed run: its JSON key (the property's name, or `@body`), its type and what it may hold. */
export interface OutputSpec {
  readonly name: string;
  readonly type: WritableType | 'body';
  /** Select, multi-select and status: the existing option names; relation: the candidate pages' titles. */
  readonly choices?: readonly string[];
  /** Select and multi-select with `--new-options`: any name (Notion creates a missing option on update). */
  readonly open?: boolean;
  /** Relation: candidate title -> page id (the first page of that title). */
  readonly pageIds?: ReadonlyMap<string, string>;
}

export interface OutputPlan {
  readonly specs: readonly OutputSpec[];
}

/**
 * The run's outputs against the schema it runs with (a resumed run's schema may have changed): every output still
 * a writable property, options to choose from, and each relation's candidates, read once per run.
 */
export async function planOutputs(
  notion: NotionWorkspace,
  schema: DataSourceSchema,
  output: { readonly outputs: readonly string[]; readonly newOptions?: boolean },
): Promise<OutputPlan> {
  const specs: OutputSpec[] = [];
  for (const name of output.outputs) {
    if (name === BODY_OUTPUT) {
      specs.push({ name, type: 'body' });
      continue;
    }
    const property = schema.properties[name];
    if (!property || !isWritableType(property.type)) {
      throw new VisenError(
        'property_gone',
        `The database no longer has a property \`${name}\` Visen can write into${property ? ` (it is now a ${typeWord(property.type)} property)` : ''}. Change it back in Notion, or run again with other outputs.`,
      );
    }
    specs.push(await specOf(notion, name, property.type, property.options ?? [], property.relatedDataSourceId, output.newOptions === true));
  }
  return { specs };
}

async function specOf(
  notion: NotionWorkspace,
  name: string,
  type: WritableType,
  options: readonly string[],
  relatedDataSourceId: string | undefined,
  newOptions: boolean,
): Promise<OutputSpec> {
  if (type === 'select' || type === 'multi_select' || type === 'status') {
    const open = newOptions && type !== 'status';
    if (!open && options.length === 0) {
      throw new VisenError(
        'property_gone',
        `\`${name}\` has no options to choose from. Add options in Notion${type === 'status' ? '' : ', or run again with `--new-options`'}.`,
      );
    }
    return { name, type, choices: options, ...(open ? { open: true } : {}) };
  }
  if (type === 'relation') return { name, type, ...(await relationCandidates(notion, name, relatedDataSourceId)) };
  return { name, type };
}

/** The related data source's pages by title (one query per run); more than MAX_RELATION_CANDIDATES is refused. */
async function relationCandidates(notion: NotionWorkspace, name: string, dataSourceId: string | undefined): Promise<Pick<OutputSpec, 'choices' | 'pageIds'>> {
  if (!dataSourceId) throw new VisenError('property_gone', `Visen cannot tell which database \`${name}\` relates to. Check the relation in Notion.`);
  const pageIds = new Map<string, string>();
  let count = 0;
  for await (const page of notion.queryDataSource(dataSourceId, { properties: [] })) {
    if (page.inTrash) continue;
    count += 1;
    if (count > MAX_RELATION_CANDIDATES) {
      throw new VisenError(
        'too_many_candidates',
        `\`${name}\` relates to a database of more than ${MAX_RELATION_CANDIDATES} pages; Visen lets the model choose among at most ${MAX_RELATION_CANDIDATES}. Relate to a smaller database, or write the names into a text property instead.`,
      );
    }
    const title = page.title.trim();
    if (title !== '' && !pageIds.has(title)) pageIds.set(title, page.id);
  }
  if (pageIds.size === 0) {
    throw new VisenError(
      'property_gone',
      `\`${name}\` relates to a database with no titled pages the integration can see, so there is nothing to choose from.`,
    );
  }
  return { choices: [...pageIds.keys()], pageIds };
}
