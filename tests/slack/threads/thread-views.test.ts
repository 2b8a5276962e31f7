import { describe, expect, it } from 'vitest';
import { ThreadIds } from '../../../src/slack/listeners/threads/ids.js';
import {
  buildThreadModal,
  DEFAULT_THREAD_PROMPT,
  initialThreadValues,
  MAX_RECENT_TARGETS,
  type ThreadModalModel,
  type ThreadProblem,
  threadProblemText,
} from '../../../src/slack/views/thread-modal.js';
import { readThreadModal } from '../../../src/slack/views/thread-modal-state.js';
import { buildSharedMessage, buildThreadNote, decodeSharePayload, encodeSharePayload } from '../../../src/slack/views/thread-note.js';
import { PAGE_URL } from '../generate/fixtures.js';
import { messageLimitProblems, modalLimitProblems, stateOf } from '../generate/slack-limits.js';

const location = { channelId: 'C0TEAM', messageTs: '1700000000.000200', threadTs: '1700000000.000100' };
const base: ThreadModalModel = { location, values: initialThreadValues(3), access: { kind: 'checking' }, recentTargets: [] };
const recent = [
  { title: 'Decisions: Summarise this thread', url: PAGE_URL },
  { title: 'Incidents', url: 'https://www.notion.so/ws/Incidents-0123456789abcdef0123456789abcdef' },
];

const models: Record<string, ThreadModalModel> = {
  'checking, just opened': base,
  'readable thread with recent targets': { ...base, access: { kind: 'readable', replies: 3 }, recentTargets: recent },
  'a single message': { ...base, values: initialThreadValues(0), access: { kind: 'readable', replies: 0 } },
  'bot not in channel': { ...base, access: { kind: 'blocked', problem: { code: 'not_in_channel' } } },
  'someone not set up yet': { ...base, access: { kind: 'readable', replies: 3 }, configured: false },
  'missing scope': { ...base, access: { kind: 'blocked', problem: { code: 'missing_scope', needed: 'groups:history' } } },
};

describe('the Send to Notion modal', () => {
  for (const [name, model] of Object.entries(models)) {
    it(`${name}: within Slack's limits, as snapshotted`, () => {
      const view = buildThreadModal(model);
      expect(modalLimitProblems(view as unknown as Record<string, unknown>)).toEqual([]);
      expect(view).toMatchSnapshot();
    });
  }

  it('prefills the prompt, reads the whole thread of a message with replies, appends by default', () => {
    const view = buildThreadModal(models['readable thread with recent targets'] as ThreadModalModel);
    const read = readThreadModal(stateOf(view as unknown as Record<string, unknown>));
    expect(read.location).toEqual(location);
    expect(read.values).toEqual({
      targetUrl: '',
      recentTarget: undefined,
      prompt: DEFAULT_THREAD_PROMPT,
      include: 'thread',
      output: 'append',
      keepCurrent: false,
    });
    expect(buildThreadModal(models['a single message'] as ThreadModalModel).blocks.find((b) => b.block_id === ThreadIds.includeBlock)).toMatchObject({
      element: { initial_option: { value: 'message' } },
    });
  });

  it('round-trips what the user chose', () => {
    const view = buildThreadModal({
      ...base,
      access: { kind: 'readable', replies: 2 },
      recentTargets: recent,
      values: {
        targetUrl: 'https://www.notion.so/x',
        recentTarget: PAGE_URL,
        prompt: 'Minutes, please',
        include: 'message',
        output: 'new-page',
        keepCurrent: true,
      },
    });
    const read = readThreadModal(stateOf(view as unknown as Record<string, unknown>));
    expect(read.values).toEqual({
      targetUrl: 'https://www.notion.so/x',
      recentTarget: PAGE_URL,
      prompt: 'Minutes, please',
      include: 'message',
      output: 'new-page',
      keepCurrent: true,
    });
  });

  it('offers recent targets first, without repeats, at most MAX_RECENT_TARGETS, leaving out URLs too long for an option', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ title: `Page ${i}`, url: `https://www.notion.so/p${i}` }));
    const tooLong = { title: 'Long', url: `https://www.notion.so/${'x'.repeat(200)}` };
    const view = buildThreadModal({ ...base, recentTargets: [recent[0]!, recent[0]!, tooLong, ...many] });
    expect(view.blocks[1]?.block_id).toBe(ThreadIds.recentBlock);
    const options = (view.blocks[1] as { element: { options: Array<{ value: string }> } }).element.options;
    expect(options).toHaveLength(MAX_RECENT_TARGETS);
    expect(options[0]?.value).toBe(PAGE_URL);
    expect(new Set(options.map((o) => o.value)).size).toBe(options.length);
    expect(options.some((o) => o.value === tooLong.url)).toBe(false);
  });

  it('a conversation Visen cannot read shows only why, with no Send button', () => {
    const view = buildThreadModal(models['bot not in channel'] as ThreadModalModel);
    expect(view.submit).toBeUndefined();
    expect(view.blocks.every((b) => b.type !== 'input')).toBe(true);
  });

  it('says what to do for every problem, naming a missing scope', () => {
    const problems: ThreadProblem[] = [
      { code: 'not_in_channel' },
      { code: 'private_channel' },
      { code: 'direct_message' },
      { code: 'group_dm' },
      { code: 'missing_scope', needed: 'im:history' },
      { code: 'message_gone' },
      { code: 'slack_unavailable' },
    ];
    for (const problem of problems) expect(threadProblemText(problem).length).toBeGreaterThan(40);
    expect(threadProblemText({ code: 'not_in_channel' })).toContain('/invite @Visen');
    expect(threadProblemText({ code: 'missing_scope', needed: 'im:history' })).toContain('`im:history`');
    // A hostile `needed` cannot break out of inline code.
    expect(threadProblemText({ code: 'missing_scope', needed: 'a`<!channel>' })).not.toContain('<!channel>');
  });
});

describe('the note in the thread', () => {
  const note = { title: 'Decisions', url: PAGE_URL, included: 3, total: 3, cut: false };

  it('links to what was written, says what the model read, offers Share in thread; within limits, as snapshotted', () => {
    const message = buildThreadNote(note);
    expect(messageLimitProblems(message as unknown as Record<string, unknown>)).toEqual([]);
    expect(message).toMatchSnapshot();
    expect(JSON.stringify(message)).toContain(ThreadIds.shareAction);
    expect(JSON.stringify(buildThreadNote({ ...note, included: 120, total: 500, cut: true }))).toContain('newest 120 of 500 messages');
  });

  it('kept current: says how often it is updated', () => {
    expect(JSON.stringify(buildThreadNote({ ...note, keptCurrentMinutes: 15 }).blocks)).toContain(
      'Kept current: Visen updates it as new replies arrive, at most every 15 minutes.',
    );
    expect(JSON.stringify(buildThreadNote({ ...note, keptCurrentMinutes: 0 }).blocks)).toContain('at each new reply');
    expect(JSON.stringify(buildThreadNote(note).blocks)).not.toContain('Kept current');
  });

  it('run again: says what was replaced and which edited blocks were kept, escaped', () => {
    const message = buildThreadNote({ ...note, replaced: { removed: 4, kept: 2, keptTexts: ['Owners: <!here> Ana', ''] } });
    expect(messageLimitProblems(message as unknown as Record<string, unknown>)).toEqual([]);
    const words = JSON.stringify(message.blocks);
    expect(words).toContain('Replaced what this connection wrote last time (4 blocks)');
    expect(words).toContain('Kept 2 blocks you edited since, where they are: “Owners: &lt;!here&gt; Ana” and more.');
    expect(JSON.stringify(buildThreadNote({ ...note, replaced: { removed: 3, kept: 0 } }).blocks)).not.toContain('Kept');
  });

  it('a title with mrkdwn or a very long one stays inside its link and Slack limits', () => {
    const message = buildThreadNote({ ...note, title: `<!channel> *bold* ${'x'.repeat(5000)}` });
    expect(messageLimitProblems(message as unknown as Record<string, unknown>)).toEqual([]);
    // What Slack renders (the fallback text and the section) escapes it; the button's value is data, never shown.
    expect(message.text).not.toContain('<!channel>');
    expect(JSON.stringify(message.blocks[0])).not.toContain('<!channel>');
  });

  it('the button carries the link back to the share listener; an unsafe URL gets no button', () => {
    const value = encodeSharePayload({ title: 'Decisions', url: PAGE_URL });
    expect(decodeSharePayload(value)).toEqual({ title: 'Decisions', url: PAGE_URL });
    expect(encodeSharePayload({ title: 'x', url: 'javascript:alert(1)' })).toBeUndefined();
    expect(JSON.stringify(buildThreadNote({ ...note, url: 'javascript:alert(1)' }))).not.toContain(ThreadIds.shareAction);
    expect(decodeSharePayload('{"t":"x","u":"javascript:alert(1)"}')).toBeUndefined();
    expect(decodeSharePayload('not json')).toBeUndefined();
  });

  it('the shared message names who sent it and links to the page', () => {
    const message = buildSharedMessage('U0ANA', { title: 'Decisions', url: PAGE_URL });
    expect(messageLimitProblems(message as unknown as Record<string, unknown>)).toEqual([]);
    expect(JSON.stringify(message)).toContain('<@U0ANA> sent this thread to Notion');
  });
});
