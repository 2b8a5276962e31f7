import { describe, expect, it } from 'vitest';
import { GenerateIds } from '../../../src/slack/listeners/generate/ids.js';
import { requestFromModal } from '../../../src/slack/listeners/generate/modal-request.js';
import { buildGenerateModal, EMPTY_VALUES, type GenerateModalModel, type GenerateModalValues } from '../../../src/slack/views/generate-modal.js';
import type { DescribedTarget } from '../../../src/slack/views/generate-modal-metadata.js';
import { DB_URL, PAGE_URL } from './fixtures.js';

const db: DescribedTarget = {
  kind: 'Database',
  title: 'Roadmap',
  url: DB_URL,
  source: DB_URL,
  propertyNames: ['Name', 'Summary'],
  richTextPropertyNames: ['Summary'],
};
const page: DescribedTarget = { kind: 'Page', title: 'Kickoff', url: PAGE_URL, source: PAGE_URL, propertyNames: [], richTextPropertyNames: [] };
const values = (v: Partial<GenerateModalValues>): GenerateModalValues => ({ ...EMPTY_VALUES, promptParts: ['Summarise {{Name}}'], targetUrl: DB_URL, ...v });

const errorCases: Record<string, { model: GenerateModalModel; block: string; message: RegExp }> = {
  'no link': { model: { values: values({ targetUrl: '' }) }, block: GenerateIds.targetBlock, message: /link of a Notion page or database/ },
  'another site': { model: { values: values({ targetUrl: 'https://example.com/a' }) }, block: GenerateIds.targetBlock, message: /not to Notion/ },
  'a Slack-wrapped other site': {
    model: { values: values({ targetUrl: '<https://evil.example/x|Notion>' }) },
    block: GenerateIds.targetBlock,
    message: /not to Notion/,
  },
  'empty prompt': { model: { values: values({ promptParts: [''] }) }, block: GenerateIds.promptBlocks[0], message: /Write a prompt/ },
  'whitespace prompt': { model: { values: values({ promptParts: ['  \n\t ', ' '] }) }, block: GenerateIds.promptBlocks[0], message: /Write a prompt/ },
  'zero-width prompt': { model: { values: values({ promptParts: ['\u200B\u200D'] }) }, block: GenerateIds.promptBlocks[0], message: /prompt is empty/ },
  'three full boxes are over 8,000': {
    model: { values: values({ promptParts: ['a'.repeat(3000), 'b'.repeat(3000), 'c'.repeat(2500)] }) },
    block: GenerateIds.promptBlocks[0],
    message: /8,502 characters long; the most Visen takes is 8,000/,
  },
  'page output for a database': { model: { values: values({ output: 'append' }), target: db }, block: GenerateIds.outputBlock, message: /is a database/ },
  'database output for a page': {
    model: { values: values({ targetUrl: PAGE_URL, output: 'page-body' }), target: page },
    block: GenerateIds.outputBlock,
    message: /is a page/,
  },
  'property without a property (described)': {
    model: { values: values({ output: 'property' }), target: db },
    block: GenerateIds.intoSelectBlock,
    message: /Choose the properties/,
  },
  'property without a property (not described)': {
    model: { values: values({ output: 'property', into: ['   '] }) },
    block: GenerateIds.intoTextBlock,
    message: /Choose the properties/,
  },
  'limit 0': { model: { values: values({ limit: '0' }) }, block: GenerateIds.limitBlock, message: /at least 1/ },
  'limit over the cap': { model: { values: values({ limit: '20000' }) }, block: GenerateIds.limitBlock, message: /at most 10,000/ },
  'limit not a number': { model: { values: values({ limit: '1.5' }) }, block: GenerateIds.limitBlock, message: /whole number/ },
  'preview of more than 10 rows': {
    model: { values: values({ preview: true, previewRows: '11' }) },
    block: GenerateIds.previewRowsBlock,
    message: /The rows to preview takes a whole number of rows from 1 to 10/,
  },
  'connection name too long': {
    model: { values: values({ connectionName: 'n'.repeat(201) }) },
    block: GenerateIds.connectionNameBlock,
    message: /at most 200/,
  },
};

describe('modal submission check', () => {
  it.each(Object.entries(errorCases))('%s -> an error on its own field', (_name, { model, block, message }) => {
    const checked = requestFromModal(model);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.errors[block]).toMatch(message);
    // Slack only accepts errors for input blocks that are in the view.
    const inputIds = buildGenerateModal(model)
      .blocks.filter((b) => b.type === 'input')
      .map((b) => b.block_id);
    for (const id of Object.keys(checked.errors)) expect(inputIds).toContain(id);
  });

  it('builds the same request the slash command would', () => {
    const checked = requestFromModal({
      values: values({ output: 'property', into: ['Summary'], onlyEmpty: false, limit: '25', connectionName: '  Summaries\u0007 ' }),
      target: db,
    });
    expect(checked).toEqual({
      ok: true,
      request: {
        targetUrl: DB_URL,
        prompt: 'Summarise {{Name}}',
        output: { kind: 'property', property: 'Summary' },
        onlyEmpty: false,
        limit: 25,
        connectionName: 'Summaries',
      },
    });
  });

  it('joins prompt boxes, strips control characters, keeps emoji and RTL', () => {
    const checked = requestFromModal({ values: values({ targetUrl: PAGE_URL, promptParts: ['اكتب 🎉\u0000', '', 'second\r\npart'] }) });
    expect(checked).toEqual({ ok: true, request: { targetUrl: PAGE_URL, prompt: 'اكتب 🎉\nsecond\npart' } });
  });

  it('ignores database-only fields for a described page', () => {
    const checked = requestFromModal({ values: values({ targetUrl: PAGE_URL, output: 'new-page', limit: 'abc', onlyEmpty: false }), target: page });
    expect(checked).toEqual({ ok: true, request: { targetUrl: PAGE_URL, prompt: 'Summarise {{Name}}', output: { kind: 'new-page' } } });
  });

  it('"Read the page first" unticked: the request asks for no page context (a page only)', () => {
    expect(requestFromModal({ values: values({ targetUrl: PAGE_URL, output: 'append', readPage: false }), target: page })).toEqual({
      ok: true,
      request: { targetUrl: PAGE_URL, prompt: 'Summarise {{Name}}', output: { kind: 'append' }, context: false },
    });
    const ticked = requestFromModal({ values: values({ targetUrl: PAGE_URL, output: 'append' }), target: page });
    expect(ticked.ok && ticked.request.context).toBeUndefined();
    const database = requestFromModal({ values: values({ targetUrl: DB_URL, readPage: false }), target: db });
    expect(database.ok && database.request.context).toBeUndefined();
  });

  it('a description of another URL does not decide the kind (the service will)', () => {
    const checked = requestFromModal({ values: values({ targetUrl: PAGE_URL, output: 'page-body' }), target: db });
    expect(checked.ok).toBe(true);
  });
});

describe('modal: Preview first', () => {
  it('ticked, asks for the rows typed, or 3 when none are; unticked, no preview', () => {
    const typed = requestFromModal({ values: values({ preview: true, previewRows: '5' }), target: db });
    expect(typed.ok && typed.request.preview).toBe(5);
    const blank = requestFromModal({ values: values({ preview: true, previewRows: '' }), target: db });
    expect(blank.ok && blank.request.preview).toBe(3);
    const unticked = requestFromModal({ values: values({ preview: false, previewRows: '5' }), target: db });
    expect(unticked.ok && unticked.request.preview).toBeUndefined();
  });

  it('is not offered for a page', () => {
    const pageRequest = requestFromModal({ values: values({ targetUrl: PAGE_URL, promptParts: ['Plan'], preview: true }), target: page });
    expect(pageRequest.ok && pageRequest.request.preview).toBeUndefined();
    const blocks = buildGenerateModal({ values: values({ targetUrl: PAGE_URL }), target: page }).blocks.map((b) => b.block_id);
    expect(blocks).not.toContain(GenerateIds.previewBlock);
  });
});
