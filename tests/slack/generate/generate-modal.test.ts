import { describe, expect, it } from 'vitest';
import { GenerateIds } from '../../../src/slack/listeners/generate/ids.js';
import { initialModel } from '../../../src/slack/listeners/generate/modal.js';
import {
  buildGenerateModal,
  EMPTY_VALUES,
  type GenerateModalModel,
  joinPromptParts,
  PROMPT_BOX_CHARS,
  splitPrompt,
} from '../../../src/slack/views/generate-modal.js';
import { type DescribedTarget, decodeModalMetadata, encodeModalMetadata } from '../../../src/slack/views/generate-modal-metadata.js';
import { readGenerateModal } from '../../../src/slack/views/generate-modal-state.js';
import { DB_URL, PAGE_URL } from './fixtures.js';
import { modalLimitProblems, stateOf } from './slack-limits.js';

const dbTarget: DescribedTarget = {
  kind: 'Database',
  title: 'Roadmap',
  url: DB_URL,
  source: DB_URL,
  propertyNames: ['Name', 'Status', 'Due date', 'Summary', 'Notes'],
  richTextPropertyNames: ['Summary', 'Notes'],
  relationReadings: ['Owner.Name', 'Owner.Team'],
  writableProperties: [
    { name: 'Name', type: 'title' },
    { name: 'Status', type: 'select' },
    { name: 'Due date', type: 'date' },
    { name: 'Summary', type: 'rich_text' },
    { name: 'Notes', type: 'rich_text' },
  ],
};
/** A target described before typed outputs (its metadata knows only the text properties). */
const olderDbTarget: DescribedTarget = { ...dbTarget, writableProperties: undefined };
delete (olderDbTarget as { writableProperties?: unknown }).writableProperties;
const pageTarget: DescribedTarget = { kind: 'Page', title: 'Kickoff', url: PAGE_URL, source: PAGE_URL, propertyNames: [], richTextPropertyNames: [] };

const models: Record<string, GenerateModalModel> = {
  empty: { values: EMPTY_VALUES },
  'typed, nothing described yet': {
    values: {
      ...EMPTY_VALUES,
      targetUrl: DB_URL,
      promptParts: ['Summarise {{Name}}'],
      output: 'property',
      into: ['Summary'],
      onlyEmpty: false,
      limit: '25',
      connectionName: 'Summaries',
    },
  },
  'described page': { values: { ...EMPTY_VALUES, targetUrl: PAGE_URL, promptParts: ['Write a plan'], output: 'new-page' }, target: pageTarget },
  'described page, not to be read (like --no-context)': {
    values: { ...EMPTY_VALUES, targetUrl: PAGE_URL, promptParts: ['Write a haiku'], output: 'append', readPage: false },
    target: pageTarget,
  },
  'described database': {
    values: { ...EMPTY_VALUES, targetUrl: DB_URL, promptParts: ['Summarise {{Name}}'], output: 'property', into: ['Notes'], limit: '10' },
    target: dbTarget,
  },
  'described database, preview first (like --preview 5)': {
    values: { ...EMPTY_VALUES, targetUrl: DB_URL, promptParts: ['Summarise {{Name}}'], output: 'property', into: ['Notes'], preview: true, previewRows: '5' },
    target: dbTarget,
  },
  'described database, several outputs and new options': {
    values: { ...EMPTY_VALUES, targetUrl: DB_URL, promptParts: ['Fill {{Name}}'], output: 'property', into: ['@body', 'Status', 'Due date'], newOptions: true },
    target: dbTarget,
  },
  'described database, metadata from before typed outputs': {
    values: { ...EMPTY_VALUES, targetUrl: DB_URL, promptParts: ['Summarise {{Name}}'], output: 'property', into: ['Notes'] },
    target: olderDbTarget,
  },
  'database without text properties': {
    values: { ...EMPTY_VALUES, targetUrl: DB_URL, promptParts: ['Summarise {{Name}}'] },
    target: { ...olderDbTarget, richTextPropertyNames: [] },
  },
  'bad target': { values: { ...EMPTY_VALUES, targetUrl: 'https://example.com/x' }, targetError: 'That link goes to example.com, not to Notion.' },
  'three prompt boxes': { values: { ...EMPTY_VALUES, promptParts: ['a', 'b', ''] } },
};

describe('generate modal builder', () => {
  it.each(Object.entries(models))('%s: snapshot and Slack limits', (_name, model) => {
    const view = buildGenerateModal(model);
    expect(modalLimitProblems(view as unknown as Record<string, unknown>)).toEqual([]);
    expect(view).toMatchSnapshot();
  });

  it.each(Object.entries(models))('%s: builder -> state parser round trip', (_name, model) => {
    const view = buildGenerateModal(model);
    const back = readGenerateModal(stateOf(view as unknown as Record<string, unknown>));
    expect(back.target).toEqual(model.target);
    expect(back.targetError).toEqual(model.targetError);
    // Values the current view cannot show (an output or property the target does not offer) fall back to its defaults.
    const expected = { ...model.values };
    if (model.target?.kind === 'Page') Object.assign(expected, { into: [], onlyEmpty: true, limit: '', preview: false, previewRows: '' });
    if (model.target?.kind === 'Database' && model.target.richTextPropertyNames.length === 0 && !model.target.writableProperties?.length) {
      Object.assign(expected, { output: 'page-body', into: [] });
    }
    if (!model.target && !model.values.output) Object.assign(expected, { output: undefined });
    if (model.target?.kind === 'Database' && !expected.output) expected.output = 'page-body';
    expect(back.values).toEqual(expected);
  });

  it('targets the URL input with dispatch_action on Enter', () => {
    const view = buildGenerateModal(models.empty!);
    const target = view.blocks.find((b) => b.block_id === GenerateIds.targetBlock) as unknown as Record<string, any>;
    expect(target.dispatch_action).toBe(true);
    expect(target.element.action_id).toBe(GenerateIds.targetAction);
    expect(target.element.dispatch_action_config).toEqual({ trigger_actions_on: ['on_enter_pressed'] });
  });

  it('offers only the outputs of the described kind, and every writable property (and the page body) for --into, several at once', () => {
    const kinds = (m: GenerateModalModel) =>
      ((buildGenerateModal(m).blocks.find((b) => b.block_id === GenerateIds.outputBlock) as any).element.options as Array<{ value: string }>).map(
        (o) => o.value,
      );
    expect(kinds(models.empty!)).toEqual(['append', 'new-page', 'page-body', 'property']);
    expect(kinds(models['described page']!)).toEqual(['append', 'new-page']);
    expect(kinds(models['described database']!)).toEqual(['page-body', 'property']);
    expect(kinds(models['database without text properties']!)).toEqual(['page-body']);
    const select = buildGenerateModal(models['described database']!).blocks.find((b) => b.block_id === GenerateIds.intoSelectBlock) as any;
    expect(select.element.type).toBe('multi_static_select');
    expect(select.element.options.map((o: { value: string }) => o.value)).toEqual(['@body', 'Name', 'Status', 'Due date', 'Summary', 'Notes']);
    expect(select.element.options.map((o: { text: { text: string } }) => o.text.text)).toContain('Due date · date');
    expect(select.element.initial_options.map((o: { value: string }) => o.value)).toEqual(['Notes']);
    // "New options" only where a select or multi-select can be chosen.
    const hasNewOptions = (m: GenerateModalModel) => buildGenerateModal(m).blocks.some((b) => b.block_id === GenerateIds.newOptionsBlock);
    expect(hasNewOptions(models['described database']!)).toBe(true);
    const noSelects = { ...dbTarget, writableProperties: dbTarget.writableProperties!.filter((p) => p.type !== 'select') };
    expect(hasNewOptions({ ...models['described database']!, target: noSelects })).toBe(false);
    // Metadata from before typed outputs: the single select of text properties, as before.
    const older = buildGenerateModal(models['described database, metadata from before typed outputs']!).blocks.find(
      (b) => b.block_id === GenerateIds.intoSelectBlock,
    ) as any;
    expect(older.element.type).toBe('static_select');
    expect(older.element.options.map((o: { value: string }) => o.value)).toEqual(['Summary', 'Notes']);
    const placeholders = JSON.stringify(buildGenerateModal(models['described database']!).blocks.find((b) => b.block_id === GenerateIds.placeholdersBlock));
    for (const n of dbTarget.propertyNames) expect(placeholders).toContain(`{{${n}}}`);
    for (const n of ['@content', '@row', '@url', 'Owner.Name', 'Owner.Team']) expect(placeholders).toContain(`{{${n}}}`);
    // The relation readings survive the trip through private_metadata (the modal is rebuilt from it).
    const view = buildGenerateModal(models['described database']!);
    expect(decodeModalMetadata(view.private_metadata).target?.relationReadings).toEqual(['Owner.Name', 'Owner.Team']);
  });

  it('ignores a description of a URL that is no longer in the box', () => {
    const view = buildGenerateModal({ ...models['described database']!, values: { ...models['described database']!.values, targetUrl: PAGE_URL } });
    expect(view.blocks.some((b) => b.block_id === GenerateIds.intoSelectBlock)).toBe(false);
    expect(view.blocks.some((b) => b.block_id === GenerateIds.intoTextBlock)).toBe(true);
  });

  it('stays within limits for a huge database with long and odd property names', () => {
    const names = Array.from({ length: 400 }, (_, i) => `${i % 2 ? 'ملاحظات' : 'Property'} ${i} ${'n'.repeat(i % 7 === 0 ? 200 : 20)} \`{{}}\` <b>&`);
    const target: DescribedTarget = {
      kind: 'Database',
      title: 'T'.repeat(5000),
      url: DB_URL,
      source: DB_URL,
      propertyNames: names,
      richTextPropertyNames: names,
      relationReadings: names.map((n) => `${n}.${n}`),
      writableProperties: names.map((name, i) => ({ name, type: i % 3 ? 'multi_select' : 'phone_number' })),
    };
    const view = buildGenerateModal({
      values: { ...EMPTY_VALUES, targetUrl: DB_URL, connectionName: 'c'.repeat(1000), limit: '99999999' },
      target,
      targetError: 'e'.repeat(5000),
    });
    expect(modalLimitProblems(view as unknown as Record<string, unknown>)).toEqual([]);
    expect(view.private_metadata!.length).toBeLessThanOrEqual(3000);
    const back = decodeModalMetadata(view.private_metadata);
    expect(back.target?.kind).toBe('Database');
    expect(back.target?.source).toBe(DB_URL);
    // The placeholder hint keeps the reserved ones and some relation readings, within a context text's 3,000.
    const hint = JSON.stringify(
      buildGenerateModal({ values: { ...EMPTY_VALUES, targetUrl: DB_URL }, target: { ...target, source: DB_URL } }).blocks.find(
        (b) => b.block_id === GenerateIds.placeholdersBlock,
      ),
    );
    expect(hint).toContain('{{@content}}');
    expect(hint).toMatch(/Through a relation: .*…and \d+ more/);
    // At most 100 options of at most 75 characters, each saying its type; values read back as the names offered.
    const select = view.blocks.find((b) => b.block_id === GenerateIds.intoSelectBlock) as any;
    expect(select.element.options.length).toBeLessThanOrEqual(100);
    for (const o of select.element.options.slice(1)) {
      expect(o.text.text.length).toBeLessThanOrEqual(75);
      expect(o.text.text).toMatch(/ · (multi-select|phone)$/);
      expect(names).toContain(o.value);
    }
  });

  it('metadata that is missing, broken or not ours reads as nothing described', () => {
    for (const text of [undefined, '', 'not json', '[]', '{"v":2}', '{"v":1,"t":{"k":"X"}}', 'null']) {
      expect(decodeModalMetadata(text)).toEqual({ target: undefined, targetError: undefined });
    }
    expect(encodeModalMetadata({ target: undefined, targetError: undefined })).toBe('{"v":1}');
  });
});

describe('long prompts in the modal', () => {
  it('a 10,000-character prompt fills three boxes of at most 3,000 and says it was cut', () => {
    const model = initialModel({ targetUrl: PAGE_URL, prompt: 'word '.repeat(2_000) });
    expect(model.values.promptParts).toHaveLength(3);
    for (const part of model.values.promptParts) expect(part.length).toBeLessThanOrEqual(PROMPT_BOX_CHARS);
    expect(model.notice).toMatch(/cut/);
    const view = buildGenerateModal(model);
    expect(modalLimitProblems(view as unknown as Record<string, unknown>)).toEqual([]);
    expect(view.blocks.some((b) => b.block_id === GenerateIds.promptMoreBlock)).toBe(false);
  });

  it('an 8,000-character prompt with line breaks splits at line breaks and joins back exactly', () => {
    const prompt = Array.from({ length: 160 }, (_, i) => `Line ${i}: ${'x'.repeat(40)}`).join('\n');
    const { parts, cut } = splitPrompt(prompt);
    expect(cut).toBe(false);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(PROMPT_BOX_CHARS);
    expect(joinPromptParts(parts)).toBe(prompt);
  });

  it('without line breaks splits at spaces (a space becomes a line break) and never halves an emoji', () => {
    const prompt = `${'🎉'.repeat(1_499)}x${'🎉'.repeat(2_000)}`; // no whitespace at all
    const { parts } = splitPrompt(prompt);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(PROMPT_BOX_CHARS);
      expect(part).not.toMatch(/[\uD800-\uDBFF]$/);
      expect(part).not.toMatch(/^[\uDC00-\uDFFF]/);
    }
    expect(joinPromptParts(parts).replace(/\n/g, '')).toBe(prompt);
    const spaced = `${'a'.repeat(2_500)} ${'b'.repeat(2_000)}`;
    expect(joinPromptParts(splitPrompt(spaced).parts)).toBe(spaced.replace(' ', '\n'));
  });

  it('short prompts stay in one box; empty extra boxes are ignored when joining', () => {
    expect(splitPrompt('hello')).toEqual({ parts: ['hello'], cut: false });
    expect(splitPrompt('')).toEqual({ parts: [''], cut: false });
    expect(joinPromptParts(['a', '', ''])).toBe('a');
    expect(joinPromptParts(['a', '', 'c'])).toBe('a\nc');
  });
});
