import { describe, expect, it } from 'vitest';
import { GenerateIds } from '../../../src/slack/listeners/generate/ids.js';
import { GENERATE_USAGE } from '../../../src/slack/listeners/generate/parse-command.js';
import {
  buildProgressMessage,
  buildStartErrorMessage,
  buildUsageErrorMessage,
  buildWorkingMessage,
  cancelButtonValue,
  parseCancelButtonValue,
  progressBar,
} from '../../../src/slack/views/progress-message.js';
import { unescapedMarkup } from '../../support/slack-markup.js';
import { PAGE_URL, progress, USER } from './fixtures.js';
import { messageLimitProblems } from './slack-limits.js';

const written = (n: number) => Array.from({ length: n }, (_, i) => ({ title: `Row ${i + 1}`, url: `https://www.notion.so/row-${i + 1}` }));

const cases = {
  'page starting': { progress: progress({ targetKind: 'Page', targetUrl: PAGE_URL, state: 'starting', total: undefined, done: 0, skipped: 0, failed: 0 }) },
  'page running': { progress: progress({ targetKind: 'Page', targetUrl: PAGE_URL, total: 1, done: 0, skipped: 0, failed: 0 }) },
  'page done': {
    progress: progress({
      targetKind: 'Page',
      targetUrl: PAGE_URL,
      state: 'succeeded',
      total: 1,
      done: 1,
      skipped: 0,
      failed: 0,
      written: [{ title: 'Roadmap', url: PAGE_URL }],
    }),
  },
  'page failed': {
    progress: progress({
      targetKind: 'Page',
      targetUrl: PAGE_URL,
      state: 'failed',
      total: 1,
      done: 0,
      skipped: 0,
      failed: 1,
      error: 'OpenAI rejected the key. Run `/visen settings` to save a new one.',
    }),
  },
  'page interrupted by a restart': {
    progress: progress({
      targetKind: 'Page',
      targetUrl: PAGE_URL,
      state: 'failed',
      total: 1,
      done: 0,
      skipped: 0,
      failed: 1,
      error: 'Interrupted by a restart.',
    }),
    afterRestart: true,
  },
  'database counting rows': { progress: progress({ total: undefined, done: 0, skipped: 0, failed: 0 }) },
  'database running': { progress: progress() },
  'database stopping after cancel': { progress: progress(), cancelRequested: true },
  'database continued in DM (on the command message)': { progress: progress(), continuedInDm: true },
  'database moved here (in the DM)': { progress: progress(), movedFromCommand: true },
  'database resumed after restart': { progress: progress({ resumed: true }), afterRestart: true },
  'database done with 25 links': { progress: progress({ state: 'succeeded', total: 250, done: 246, skipped: 3, failed: 0, written: written(25) }) },
  'database done with failures': {
    progress: progress({
      state: 'succeeded',
      done: 245,
      failed: 2,
      written: written(3),
      error: '2 rows failed: Notion was unavailable. Run it again to retry them.',
    }),
  },
  'database cancelled': { progress: progress({ state: 'cancelled', done: 12, written: written(12) }) },
  'page done with tokens': {
    progress: progress({
      targetKind: 'Page',
      targetUrl: PAGE_URL,
      state: 'succeeded',
      total: 1,
      done: 1,
      skipped: 0,
      failed: 0,
      written: [{ title: 'Roadmap', url: PAGE_URL }],
      tokens: { prompt: 1_000, completion: 234, reported: 1, unreported: 0 },
    }),
  },
  'page done, tokens not reported': {
    progress: progress({
      targetKind: 'Page',
      targetUrl: PAGE_URL,
      state: 'succeeded',
      total: 1,
      done: 1,
      skipped: 0,
      failed: 0,
      tokens: { prompt: 0, completion: 0, reported: 0, unreported: 1 },
    }),
  },
  'database done, tokens of some rows not reported': {
    progress: progress({ state: 'succeeded', total: 3, done: 3, skipped: 0, failed: 0, tokens: { prompt: 900, completion: 334, reported: 2, unreported: 1 } }),
  },
} as const;

describe('progress message builder', () => {
  it.each(Object.entries(cases))('%s: snapshot and Slack limits', (_name, model) => {
    const message = buildProgressMessage(model);
    expect(messageLimitProblems(message)).toEqual([]);
    expect(message).toMatchSnapshot();
  });

  it('has a Cancel button only while the run goes and Cancel was not pressed', () => {
    const hasCancel = (m: ReturnType<typeof buildProgressMessage>) => JSON.stringify(m.blocks).includes(GenerateIds.cancelAction);
    expect(hasCancel(buildProgressMessage({ progress: progress() }))).toBe(true);
    expect(hasCancel(buildProgressMessage({ progress: progress({ state: 'starting' }) }))).toBe(true);
    expect(hasCancel(buildProgressMessage({ progress: progress(), cancelRequested: true }))).toBe(false);
    for (const state of ['succeeded', 'failed', 'cancelled'] as const) expect(hasCancel(buildProgressMessage({ progress: progress({ state }) }))).toBe(false);
  });

  it('caps the links at 10 and counts the rest', () => {
    const text = JSON.stringify(buildProgressMessage(cases['database done with 25 links']).blocks);
    expect(text).toContain('Row 25');
    expect(text).not.toContain('Row 15>');
    expect(text).toContain('…and 236 more');
  });

  it('shows done, skipped and failed counts in the final message', () => {
    const text = JSON.stringify(buildProgressMessage({ progress: progress({ state: 'succeeded', done: 7, skipped: 2, failed: 1 }) }).blocks);
    expect(text).toContain('7 rows written · 2 skipped · 1 failed');
  });

  it('stays within limits with hostile titles, long errors and huge numbers', () => {
    const nasty = progress({
      state: 'failed',
      targetTitle: `<script>|>&${'🎉'.repeat(3000)}`,
      connectionName: 'x'.repeat(5000),
      error: 'e'.repeat(10_000),
      total: 10_000_000,
      done: 9_999_999,
      written: Array.from({ length: 200 }, (_, i) => ({ title: `T|>${'y'.repeat(500)}${i}`, url: `https://www.notion.so/${'z'.repeat(1500)}` })),
    });
    const message = buildProgressMessage({ progress: nasty, afterRestart: true });
    expect(messageLimitProblems(message)).toEqual([]);
    const first = (message.blocks[0] as { text: { text: string } }).text.text;
    expect(first).not.toContain('<script>');
    expect(first).toContain('&lt;script&gt;');
  });

  describe('tokens in the final message', () => {
    const blocksText = (p: Parameters<typeof progress>[0]) => JSON.stringify(buildProgressMessage({ progress: progress(p) }).blocks);

    it('says the total and its prompt and completion parts', () => {
      const text = blocksText({ state: 'succeeded', tokens: { prompt: 1_000, completion: 234, reported: 3, unreported: 0 } });
      expect(text).toContain('Tokens: 1,234 (1,000 prompt + 234 completion)');
      expect(text).not.toContain('not reported');
    });

    it('says when the model server reported none, never 0', () => {
      const text = blocksText({ state: 'failed', tokens: { prompt: 0, completion: 0, reported: 0, unreported: 2 } });
      expect(text).toContain('Tokens: not reported by the model server');
      expect(text).not.toContain('Tokens: 0');
    });

    it('marks a database total partial when some rows were not reported', () => {
      const text = blocksText({ state: 'succeeded', tokens: { prompt: 10, completion: 5, reported: 1, unreported: 1 } });
      expect(text).toContain('Tokens: 15 (10 prompt + 5 completion; some rows not reported by the model server)');
    });

    it('says 0 when no answer was generated', () => {
      expect(blocksText({ state: 'cancelled', done: 0, tokens: { prompt: 0, completion: 0, reported: 0, unreported: 0 } })).toContain(
        'Tokens: 0 (no answer was generated)',
      );
    });

    it('is shown only once the run has ended', () => {
      for (const state of ['starting', 'running'] as const) {
        expect(blocksText({ state, tokens: { prompt: 10, completion: 5, reported: 1, unreported: 0 } })).not.toContain('Tokens:');
      }
    });
  });

  it('renders a progress bar', () => {
    expect(progressBar(0, 10)).toBe('▱▱▱▱▱▱▱▱▱▱ 0%');
    expect(progressBar(5, 10)).toBe('▰▰▰▰▰▱▱▱▱▱ 50%');
    expect(progressBar(10, 10)).toBe('▰▰▰▰▰▰▰▰▰▰ 100%');
    expect(progressBar(3, 0)).toBe('▰▰▰▰▰▰▰▰▰▰ 100%');
  });

  it('round-trips the Cancel button value and rejects anything else', () => {
    expect(parseCancelButtonValue(cancelButtonValue('run-1', USER))).toEqual({ runId: 'run-1', user: USER });
    for (const bad of [undefined, '', 'run-1', '{}', '{"r":1}', '[]', 'null', '{"r":"x","t":"T"}']) expect(parseCancelButtonValue(bad)).toBeUndefined();
  });
});

describe('other generate messages', () => {
  it('working, start error and usage error: snapshots and limits', () => {
    const working = buildWorkingMessage();
    const startError = buildStartErrorMessage('You have no settings yet. Run `/visen settings` to link Notion and OpenAI.');
    const usage = buildUsageErrorMessage(['Unknown option `--x`.', 'Add a prompt after the link.'], GENERATE_USAGE);
    for (const m of [working, startError, usage]) expect(messageLimitProblems(m)).toEqual([]);
    expect({ working, startError, usage }).toMatchSnapshot();
    expect(JSON.stringify(startError)).toContain('Nothing was generated');
  });
});

describe('text from Notion or the user in generate messages', () => {
  const HOSTILE = ['<!channel>', '<@U123>', '<https://evil.example|Notion>'];
  const title = `${HOSTILE.join(' ')} & co`;

  it('is escaped in the blocks and in the top-level text, in every state', () => {
    const messages = [];
    for (const targetKind of ['Page', 'Database'] as const) {
      for (const state of ['starting', 'running', 'succeeded', 'failed', 'cancelled'] as const) {
        const p = progress({
          targetKind,
          state,
          targetTitle: title,
          connectionName: title,
          error: state === 'failed' ? `Notion said: ${title}` : undefined,
          written: [{ title, url: PAGE_URL }],
        });
        messages.push(buildProgressMessage({ progress: p }), buildProgressMessage({ progress: p, cancelRequested: true }));
      }
      messages.push(buildProgressMessage({ progress: progress({ targetKind, targetTitle: title, rollingBack: 'cancelled' }) }));
    }
    messages.push(
      buildStartErrorMessage(`The database has no property \`${title}\`.`),
      buildUsageErrorMessage([`Unknown option \`${title}\`.`], GENERATE_USAGE),
    );
    expect(unescapedMarkup(messages, { hostile: HOSTILE })).toEqual([]);
    expect(messages[0]!.text).toContain('&lt;!channel&gt;');
  });

  it('while a cancelled page run takes out what it wrote, the message already says Cancelled, with no Cancel button', () => {
    const message = buildProgressMessage({ progress: progress({ targetKind: 'Page', targetUrl: PAGE_URL, rollingBack: 'cancelled' }), cancelRequested: true });
    expect(JSON.stringify(message.blocks)).toContain('Cancelled: removing what Visen wrote into');
    expect(message.text).toMatch(/^Cancelled: removing what Visen wrote into /);
    expect(JSON.stringify(message.blocks)).not.toContain(GenerateIds.cancelAction);
    expect(messageLimitProblems(message)).toEqual([]);
  });
});
