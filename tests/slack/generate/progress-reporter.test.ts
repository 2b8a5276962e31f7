import type { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { GenerateIds } from '../../../src/slack/listeners/generate/ids.js';
import { DEFAULT_PROGRESS_POLICY, ProgressReporter, type ReporterOptions } from '../../../src/slack/listeners/generate/progress-reporter.js';
import { fakeClock, PAGE_URL, progress, silentLogger, USER } from './fixtures.js';

const URL = 'https://hooks.slack.test/commands/T1/1/abc';

/** Every outbound call in order, with the fake time it happened at. */
function setup(options: Partial<ReporterOptions> = {}, io: { failDm?: boolean; issuedAgoMs?: number } = {}) {
  const clock = fakeClock();
  const events: Array<{ at: number; kind: 'response_url' | 'chat.postMessage' | 'chat.update'; body: Record<string, any> }> = [];
  let ts = 0;
  const client = {
    chat: {
      postMessage: async (args: Record<string, any>) => {
        events.push({ at: clock.now(), kind: 'chat.postMessage', body: args });
        if (io.failDm) throw Object.assign(new Error('An API error occurred: messages_tab_disabled'), { data: { error: 'messages_tab_disabled' } });
        ts += 1;
        return { ok: true, channel: 'D1', ts: `171.${ts}` };
      },
      update: async (args: Record<string, any>) => {
        events.push({ at: clock.now(), kind: 'chat.update', body: args });
        return { ok: true };
      },
    },
  } as unknown as WebClient;
  const reporter = new ProgressReporter(
    {
      client,
      postToResponseUrl: async (url, message) => {
        expect(url).toBe(URL);
        events.push({ at: clock.now(), kind: 'response_url', body: message });
      },
      now: clock.now,
      sleep: clock.sleep,
      logger: silentLogger,
      policy: DEFAULT_PROGRESS_POLICY,
    },
    {
      user: USER,
      ...options,
      ...(options.responseUrl === undefined && !('responseUrl' in options) ? { responseUrl: { url: URL, issuedAt: clock.now() - (io.issuedAgoMs ?? 0) } } : {}),
    },
  );
  const responseUrlPosts = () => events.filter((e) => e.kind === 'response_url');
  return { clock, events, reporter, responseUrlPosts };
}

const texts = (e: { body: Record<string, any> }) => JSON.stringify(e.body.blocks);

describe('progress through the response_url', () => {
  it('a short page run: starting, then the final message; 2 posts, each replacing the original', async () => {
    const { reporter, responseUrlPosts, events } = setup();
    reporter.report(progress({ targetKind: 'Page', targetUrl: PAGE_URL, state: 'starting', total: undefined, done: 0 }));
    reporter.report(progress({ targetKind: 'Page', targetUrl: PAGE_URL, state: 'running', total: 1, done: 0 }));
    reporter.report(
      progress({ targetKind: 'Page', targetUrl: PAGE_URL, state: 'succeeded', total: 1, done: 1, written: [{ title: 'Roadmap', url: PAGE_URL }] }),
    );
    await reporter.idle();
    expect(events.every((e) => e.kind === 'response_url')).toBe(true);
    expect(responseUrlPosts()).toHaveLength(2);
    for (const p of responseUrlPosts()) expect(p.body).toMatchObject({ replace_original: true, response_type: 'ephemeral' });
    expect(texts(responseUrlPosts()[1]!)).toContain('Done');
    expect(texts(responseUrlPosts()[1]!)).not.toContain(GenerateIds.cancelAction);
    expect(reporter.done).toBe(true);
  });

  it('a long run: 3 progress posts at least 2 s apart, then a DM (updated at most once a second) and a 4th post saying so', async () => {
    const { reporter, responseUrlPosts, events, clock } = setup();
    for (let done = 0; done <= 100; done += 1) {
      reporter.report(progress({ done, total: 100, updatedAt: new Date(clock.now()).toISOString() }));
      clock.advance(150);
      await Promise.resolve();
    }
    reporter.report(progress({ state: 'succeeded', done: 100, total: 100, failed: 0, updatedAt: new Date(clock.now()).toISOString() }));
    await reporter.idle();

    const posts = responseUrlPosts();
    expect(posts.length).toBeLessThanOrEqual(4);
    expect(posts).toHaveLength(4);
    for (let i = 1; i < 3; i += 1) expect(posts[i]!.at - posts[i - 1]!.at).toBeGreaterThanOrEqual(2_000);
    expect(texts(posts[3]!)).toContain('continues in a direct message');
    expect(texts(posts[3]!)).toContain(GenerateIds.cancelAction); // Cancel still works from the channel

    const dmPost = events.filter((e) => e.kind === 'chat.postMessage');
    expect(dmPost).toHaveLength(1);
    expect(dmPost[0]!.body.channel).toBe(USER.userId);
    expect(texts(dmPost[0]!)).toContain('moved here');
    const updates = events.filter((e) => e.kind === 'chat.update');
    expect(updates.length).toBeGreaterThan(0);
    const dmTimes = [dmPost[0]!.at, ...updates.map((u) => u.at)];
    for (let i = 1; i < dmTimes.length; i += 1) expect(dmTimes[i]! - dmTimes[i - 1]!).toBeGreaterThanOrEqual(1_000);
    for (const u of updates) expect(u.body).toMatchObject({ channel: 'D1', ts: '171.1' });
    const last = updates.at(-1)!;
    expect(texts(last)).toContain('Done');
    expect(texts(last)).toContain('100 rows written');
    // The DM post came before the response_url note that points to it.
    expect(events.indexOf(dmPost[0]!)).toBeLessThan(events.indexOf(posts[3]!));
  });

  it('never posts to the response_url more than 5 times, whatever happens', async () => {
    const { reporter, responseUrlPosts, clock } = setup({}, { failDm: true });
    for (let done = 0; done < 60; done += 1) {
      reporter.report(progress({ done, updatedAt: new Date(clock.now()).toISOString() }));
      clock.advance(700);
      await Promise.resolve();
    }
    reporter.requestCancel();
    reporter.report(progress({ state: 'cancelled', done: 60, updatedAt: new Date(clock.now()).toISOString() }));
    await reporter.idle();
    expect(responseUrlPosts().length).toBeLessThanOrEqual(5);
    expect(texts(responseUrlPosts().at(-1)!)).toContain('Cancelled');
  });

  it('when a DM cannot be sent, progress stops at 3 updates and the final message still arrives through the response_url', async () => {
    const { reporter, responseUrlPosts, clock, events } = setup({}, { failDm: true });
    for (let done = 0; done < 20; done += 1) {
      reporter.report(progress({ done, total: 20, updatedAt: new Date(clock.now()).toISOString() }));
      clock.advance(1_000);
      await Promise.resolve();
    }
    reporter.report(progress({ state: 'succeeded', done: 20, total: 20, updatedAt: new Date(clock.now()).toISOString() }));
    await reporter.idle();
    const posts = responseUrlPosts();
    expect(posts).toHaveLength(4);
    expect(texts(posts[3]!)).toContain('20 rows written');
    expect(events.filter((e) => e.kind === 'chat.postMessage').length).toBeGreaterThanOrEqual(1);
  });

  it('after 25 minutes the response_url is no longer used: everything goes to a DM', async () => {
    const { reporter, responseUrlPosts, events } = setup({}, { issuedAgoMs: 26 * 60_000 });
    reporter.report(progress());
    reporter.report(progress({ state: 'succeeded', done: 250, failed: 0, updatedAt: '2026-01-01T10:10:00.000Z' }));
    await reporter.idle();
    expect(responseUrlPosts()).toHaveLength(0);
    expect(events.map((e) => e.kind)).toEqual(['chat.postMessage', 'chat.update']);
  });

  it('a problem before generating replaces the working message once', async () => {
    const { reporter, responseUrlPosts } = setup();
    reporter.showError('You have no settings yet. Run `/visen settings`.');
    await reporter.idle();
    expect(responseUrlPosts()).toHaveLength(1);
    expect(texts(responseUrlPosts()[0]!)).toContain('/visen settings');
    expect(reporter.done).toBe(true);
  });

  it('Cancel shows "stopping" and removes the button; an older state never replaces a newer or final one', async () => {
    const { reporter, responseUrlPosts, clock } = setup();
    reporter.report(progress({ updatedAt: '2026-01-01T10:00:05.000Z' }));
    await reporter.idle();
    reporter.requestCancel();
    await reporter.idle();
    const stopping = responseUrlPosts().at(-1)!;
    expect(texts(stopping)).toContain('Stopping');
    expect(texts(stopping)).not.toContain(GenerateIds.cancelAction);
    reporter.report(progress({ state: 'cancelled', updatedAt: '2026-01-01T10:00:09.000Z' }));
    reporter.report(progress({ state: 'running', updatedAt: '2026-01-01T10:00:08.000Z' }));
    clock.advance(10_000);
    await reporter.idle();
    expect(texts(responseUrlPosts().at(-1)!)).toContain('Cancelled');
  });

  it('a Cancel clicked on another worker (team mode) shows "stopping" from the run’s own progress, and it stays', async () => {
    const { reporter, responseUrlPosts, clock } = setup();
    reporter.report(progress({ updatedAt: '2026-01-01T10:00:05.000Z' }));
    await reporter.idle();
    clock.advance(10_000);
    reporter.report(progress({ updatedAt: '2026-01-01T10:00:06.000Z', cancelRequested: true }));
    await reporter.idle();
    expect(texts(responseUrlPosts().at(-1)!)).toContain('Stopping');
    clock.advance(10_000);
    reporter.report(progress({ done: 1, updatedAt: '2026-01-01T10:00:07.000Z' }));
    await reporter.idle();
    expect(texts(responseUrlPosts().at(-1)!)).toContain('Stopping');
    expect(texts(responseUrlPosts().at(-1)!)).not.toContain(GenerateIds.cancelAction);
  });

  it('the notifyState says where the progress is', () => {
    const { reporter, clock } = setup();
    expect(reporter.notifyState).toEqual({ v: 1, user: USER, responseUrl: { url: URL, issuedAt: clock.now() } });
  });
});

describe('progress as a direct message', () => {
  it('updates the given message, at most once a second', async () => {
    const { reporter, events, clock } = setup({ responseUrl: undefined, dm: { channel: 'D9', ts: '9.9' } });
    for (let done = 0; done < 30; done += 1) {
      reporter.report(progress({ done, updatedAt: new Date(clock.now()).toISOString() }));
      clock.advance(100);
      await Promise.resolve();
    }
    reporter.report(progress({ state: 'succeeded', done: 30, failed: 0, updatedAt: new Date(clock.now()).toISOString() }));
    await reporter.idle();
    expect(events.every((e) => e.kind === 'chat.update' && e.body.channel === 'D9' && e.body.ts === '9.9')).toBe(true);
    for (let i = 1; i < events.length; i += 1) expect(events[i]!.at - events[i - 1]!.at).toBeGreaterThanOrEqual(1_000);
    expect(texts(events.at(-1)!)).toContain('Done');
    expect(reporter.notifyState).toEqual({ v: 1, user: USER, dm: { channel: 'D9', ts: '9.9' } });
  });

  it('after a restart: one post to a still-valid response_url, the rest in a DM with a restart note', async () => {
    const { reporter, events, responseUrlPosts } = setup({ afterRestart: true });
    reporter.report(progress({ resumed: true }));
    reporter.report(progress({ resumed: true, state: 'succeeded', done: 250, failed: 0, updatedAt: '2026-01-01T11:00:00.000Z' }));
    await reporter.idle();
    expect(responseUrlPosts()).toHaveLength(1);
    expect(texts(responseUrlPosts()[0]!)).toContain('continues in a direct message');
    const dms = events.filter((e) => e.kind !== 'response_url');
    expect(dms[0]!.kind).toBe('chat.postMessage');
    expect(texts(dms[0]!)).toContain('restarted');
    expect(texts(dms.at(-1)!)).toContain('Done');
  });
});

describe('a preview waiting for its owner', () => {
  const waiting = {
    reason: 'asked',
    size: 1,
    phase: 'waiting',
    rows: [{ title: 'Deal 1', url: 'https://www.notion.so/deal-1', values: [{ name: 'Summary', value: 'A summary.' }] }],
    failed: 0,
    tokens: 100,
    rowsToDo: 10,
    atLeast: false,
    estimatedTokens: 1_000,
  } as const;

  it('goes out at once, not after the least interval between two posts (the owner waits on it)', async () => {
    const { reporter, responseUrlPosts, clock } = setup();
    reporter.report(progress({ done: 0, total: 10, updatedAt: new Date(clock.now()).toISOString() }));
    reporter.report(progress({ done: 0, total: 10, preview: waiting, updatedAt: new Date(clock.now() + 1).toISOString() }));
    await reporter.idle();
    const posts = responseUrlPosts();
    expect(posts).toHaveLength(2);
    expect(texts(posts[1]!)).toContain(GenerateIds.previewConfirmAction);
    expect(posts[1]!.at - posts[0]!.at).toBe(0);
  });

  it('in a direct message, too', async () => {
    const { reporter, events, clock } = setup({ responseUrl: undefined });
    reporter.report(progress({ done: 0, total: 10, updatedAt: new Date(clock.now()).toISOString() }));
    reporter.report(progress({ done: 0, total: 10, preview: waiting, updatedAt: new Date(clock.now() + 1).toISOString() }));
    await reporter.idle();
    expect(events.map((e) => e.kind)).toEqual(['chat.postMessage', 'chat.update']);
    expect(texts(events[1]!)).toContain(GenerateIds.previewConfirmAction);
    expect(events[1]!.at - events[0]!.at).toBe(0);
  });
});
