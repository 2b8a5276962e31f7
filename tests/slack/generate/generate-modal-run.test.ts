/** The generate modal's Run choice: once, whenever rows change (databases), or on a schedule; built, read back, checked. */
import { describe, expect, it } from 'vitest';
import { GenerateIds } from '../../../src/slack/listeners/generate/ids.js';
import { requestFromModal } from '../../../src/slack/listeners/generate/modal-request.js';
import { buildGenerateModal, EMPTY_VALUES, type GenerateModalModel, type GenerateModalValues } from '../../../src/slack/views/generate-modal.js';
import type { DescribedTarget } from '../../../src/slack/views/generate-modal-metadata.js';
import { readGenerateModal } from '../../../src/slack/views/generate-modal-state.js';
import { DB_URL, PAGE_URL } from './fixtures.js';
import { modalLimitProblems, stateOf } from './slack-limits.js';

const db: DescribedTarget = { kind: 'Database', title: 'Leads', url: DB_URL, source: DB_URL, propertyNames: ['Name'], richTextPropertyNames: ['Notes'] };
const page: DescribedTarget = { kind: 'Page', title: 'Weekly', url: PAGE_URL, source: PAGE_URL, propertyNames: [], richTextPropertyNames: [] };
const values = (v: Partial<GenerateModalValues>): GenerateModalValues => ({ ...EMPTY_VALUES, promptParts: ['Summarise {{Name}}'], targetUrl: DB_URL, ...v });

type Json = Record<string, any>;
const blockOf = (view: Json, id: string): Json | undefined => (view.blocks as Json[]).find((b) => b.block_id === id);
const runValues = (view: Json): string[] => ((blockOf(view, GenerateIds.runBlock)?.element.options ?? []) as Json[]).map((o) => o.value);

describe('the Run choice in the generate modal', () => {
  it('offers once, watch and schedule for a database, once selected by default', () => {
    const view = buildGenerateModal({ values: values({}), target: db }) as unknown as Json;
    expect(runValues(view)).toEqual(['once', 'watch', 'schedule']);
    expect(blockOf(view, GenerateIds.runBlock)?.element.initial_option.value).toBe('once');
    expect(blockOf(view, GenerateIds.scheduleBlock)?.element.max_length).toBe(100);
    expect(modalLimitProblems(view)).toEqual([]);
  });

  it('leaves out "whenever rows are added or changed" for a page', () => {
    expect(runValues(buildGenerateModal({ values: values({ targetUrl: PAGE_URL }), target: page }) as unknown as Json)).toEqual(['once', 'schedule']);
  });

  it('matches the snapshot with a schedule chosen', () => {
    const view = buildGenerateModal({ values: values({ run: 'schedule', schedule: 'weekdays 09:00' }), target: db }) as unknown as Json;
    expect([blockOf(view, GenerateIds.runBlock), blockOf(view, GenerateIds.scheduleBlock)]).toMatchSnapshot();
  });

  it.each([
    ['watch', ''],
    ['schedule', 'mondays 08:30'],
    ['once', ''],
  ] as const)('reads back run %s', (run, schedule) => {
    const model: GenerateModalModel = { values: values({ run, schedule }), target: db };
    const back = readGenerateModal(stateOf(buildGenerateModal(model) as unknown as Json));
    expect(back.values.run).toBe(run);
    expect(back.values.schedule).toBe(schedule);
  });
});

describe('checking the Run choice on submit', () => {
  it('makes a watch of a database', () => {
    expect(requestFromModal({ values: values({ run: 'watch' }), target: db })).toMatchObject({ ok: true, automation: { trigger: 'Watch' } });
  });

  it('makes a schedule, spaces tidied', () => {
    const checked = requestFromModal({ values: values({ run: 'schedule', schedule: '  daily   09:00 ' }), target: db });
    expect(checked).toMatchObject({ ok: true, automation: { trigger: 'Schedule', schedule: 'daily 09:00' } });
  });

  it('is no automation when run once, whatever the schedule field holds', () => {
    const checked = requestFromModal({ values: values({ run: 'once', schedule: 'hourly' }), target: db });
    expect(checked.ok && checked.automation).toBeUndefined();
  });

  it('refuses a watch of a page next to the Run choice', () => {
    const checked = requestFromModal({ values: values({ targetUrl: PAGE_URL, run: 'watch', promptParts: ['Write'] }), target: page });
    expect(checked).toEqual({ ok: false, errors: { [GenerateIds.runBlock]: expect.stringMatching(/only a database can be watched/) } });
  });

  it('refuses a schedule Visen cannot read next to the Schedule field, saying how to write one', () => {
    const checked = requestFromModal({ values: values({ run: 'schedule', schedule: 'every other tuesday' }), target: db });
    expect(checked).toEqual({
      ok: false,
      errors: { [GenerateIds.scheduleBlock]: expect.stringMatching(/^Visen cannot read the schedule “every other tuesday”\. Write a schedule as/) },
    });
  });

  it('refuses “Preview first” with an automatic Run choice, next to the preview box', () => {
    const checked = requestFromModal({ values: values({ run: 'watch', preview: true }), target: db });
    expect(checked).toEqual({
      ok: false,
      errors: { [GenerateIds.previewBlock]: '“Preview first” is for a run now: untick it, or choose “Once, now” under Run.' },
    });
  });

  it('refuses "On a schedule" without a schedule next to the Schedule field', () => {
    const checked = requestFromModal({ values: values({ run: 'schedule', schedule: '   ' }), target: db });
    expect(checked).toEqual({ ok: false, errors: { [GenerateIds.scheduleBlock]: expect.stringMatching(/^Write the schedule, for example `hourly`/) } });
  });
});
