/**
 * The progress message of a run whose preview waits for its owner: a snapshot, Slack's limits with the largest
 * preview (10 rows of long, many-output, hostile values), escaping, and the buttons naming the run and its owner.
 */
import { describe, expect, it } from 'vitest';
import type { PreviewProgress, PreviewRow } from '../../../src/services/generation/types.js';
import { GenerateIds } from '../../../src/slack/listeners/generate/ids.js';
import { buildProgressMessage, parseCancelButtonValue } from '../../../src/slack/views/progress-message.js';
import { unescapedMarkup } from '../../support/slack-markup.js';
import { progress, USER } from './fixtures.js';
import { messageLimitProblems } from './slack-limits.js';

function preview(overrides: Partial<PreviewProgress> = {}): PreviewProgress {
  const rows: PreviewRow[] = [
    { title: 'Deal 1', url: 'https://www.notion.so/deal-1', values: [{ name: 'Summary', value: 'A short summary of deal 1.' }] },
    { title: 'Deal 2', url: 'https://www.notion.so/deal-2', values: [{ name: '@body', value: '## Notes\n\n- first point\n- second point' }] },
  ];
  return { reason: 'asked', size: 2, phase: 'waiting', rows, failed: 0, tokens: 600, rowsToDo: 120, atLeast: false, estimatedTokens: 36_000, ...overrides };
}

const buttonsOf = (blocks: unknown) =>
  (blocks as Array<{ type: string; block_id?: string; elements?: Array<{ action_id: string; value?: string; text: { text: string } }> }>).find(
    (b) => b.block_id === GenerateIds.previewActionsBlock,
  )?.elements ?? [];

describe('the preview message', () => {
  it('shows each row’s proposed values, the tokens and the estimate, with Write these and Cancel', () => {
    const message = buildProgressMessage({ progress: progress({ total: 120, done: 0, skipped: 0, failed: 0, preview: preview() }) });
    expect(message).toMatchSnapshot();
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('*Summary*: A short summary of deal 1.');
    expect(text).toContain('*@body*:\\n>## Notes\\n>\\n>- first point');
    expect(text).toContain('Tokens used by this preview: 600. The whole run: 120 rows × about 300 a row ≈ *36,000* tokens.');
    const buttons = buttonsOf(message.blocks);
    expect(buttons.map((b) => [b.action_id, b.text.text])).toEqual([
      [GenerateIds.previewConfirmAction, 'Write these and run the rest'],
      [GenerateIds.previewCancelAction, 'Cancel'],
    ]);
    for (const b of buttons) expect(parseCancelButtonValue(b.value)).toEqual({ runId: 'run-1', user: USER });
    // The run's own Cancel button is not shown beside them: one way to answer.
    expect(text).not.toContain(GenerateIds.cancelAction);
    expect(message.text).toContain('Preview of 2 rows of Roadmap is ready');
  });

  it('a large run says why it asks, and an unreported usage says it cannot estimate', () => {
    const large = buildProgressMessage({
      progress: progress({
        total: undefined,
        preview: preview({ reason: 'large', size: 3, rowsToDo: 700, atLeast: true, tokens: undefined, estimatedTokens: undefined }),
      }),
    });
    const text = JSON.stringify(large.blocks);
    expect(text).toContain('This run would write 700 or more rows (more than 500), so Visen shows a sample first.');
    expect(text).toContain('Tokens: not reported by the model server, so Visen cannot estimate the whole run (700+ rows to write).');
  });

  it('stays within Slack’s limits with 10 rows of many long values, and escapes what Notion and the model wrote', () => {
    const hostile = '<!channel> & <https://evil.example|Notion>';
    const values = Array.from({ length: 12 }, (_, i) => ({ name: `Output ${i} ${hostile}`, value: `${hostile} ${'&'.repeat(1_400)}\n${'word '.repeat(300)}` }));
    const rows = Array.from({ length: 10 }, (_, i) => ({ title: `${hostile} ${i}`, url: `https://www.notion.so/row-${i}`, values }));
    const message = buildProgressMessage({
      progress: progress({ targetTitle: hostile, connectionName: hostile, error: hostile, preview: preview({ rows, size: 10 }) }),
    });
    expect(messageLimitProblems(message)).toEqual([]);
    expect(unescapedMarkup(message, { hostile: ['<!channel>', '<https://evil.example'] })).toEqual([]);
    expect(buttonsOf(message.blocks)).toHaveLength(2);
  });

  it('while the preview is generated it says nothing is written yet; after a cancel, that nothing was written', () => {
    const generating = buildProgressMessage({ progress: progress({ preview: preview({ phase: 'generating', rows: [] }) }) });
    expect(JSON.stringify(generating.blocks)).toContain('Previewing the first 2 rows of');
    expect(buttonsOf(generating.blocks)).toEqual([]);
    const cancelled = buildProgressMessage({ progress: progress({ state: 'cancelled', done: 0, preview: preview({ phase: 'cancelled' }) }) });
    expect(JSON.stringify(cancelled.blocks)).toContain('Cancelled after the preview: nothing was written into');
  });
});
