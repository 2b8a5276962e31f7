import { describe, expect, it } from 'vitest';
import { NotionError, UserInputError } from '../../../src/errors.js';
import type { CommandArgs } from '../../../src/slack/listeners/commands/visen.js';
import { cancelHandler } from '../../../src/slack/listeners/generate/cancel.js';
import { GenerateIds } from '../../../src/slack/listeners/generate/ids.js';
import { generateSubcommands, onConnectedResumeRuns, openGenerateModal, startRunWithDmProgress } from '../../../src/slack/listeners/generate/index.js';
import { addPromptBoxHandler, submitHandler, targetEnteredHandler } from '../../../src/slack/listeners/generate/modal.js';
import { installGenerateRuntime } from '../../../src/slack/listeners/generate/runtime.js';
import { buildGenerateModal, EMPTY_VALUES } from '../../../src/slack/views/generate-modal.js';
import { cancelButtonValue } from '../../../src/slack/views/progress-message.js';
import { DB_URL, depsWith, fakeClient, fakeClock, fakeGeneration, PAGE_URL, progress, USER } from './fixtures.js';
import { stateOf } from './slack-limits.js';

const RESPONSE_URL = 'https://hooks.slack.test/commands/T1/9/xyz';

function setup(clientOptions: Parameters<typeof fakeClient>[0] = {}) {
  const generation = fakeGeneration();
  const deps = depsWith(generation);
  const clock = fakeClock();
  const log: string[] = [];
  const posts: Array<Record<string, any>> = [];
  const rt = installGenerateRuntime(deps, {
    now: clock.now,
    sleep: clock.sleep,
    postToResponseUrl: async (url, message) => {
      expect(url).toBe(RESPONSE_URL);
      log.push('response_url');
      posts.push(message);
    },
  });
  const { client, calls } = fakeClient(clientOptions);
  const acks: unknown[] = [];
  const ack = async (payload?: unknown) => {
    log.push('ack');
    acks.push(payload);
  };
  const idle = async () => {
    for (let i = 0; i < 5; i += 1) {
      await Promise.all([...rt.reporters.values()].map((r) => r.idle()));
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  return { generation, deps, rt, client, calls, acks, ack, log, posts, idle, clock };
}

function commandArgs(s: ReturnType<typeof setup>, text: string): CommandArgs {
  return {
    command: { text: `generate ${text}`, user_id: USER.userId, team_id: USER.teamId, response_url: RESPONSE_URL, trigger_id: 'trig-1' },
    ack: s.ack,
    client: s.client,
    respond: async (m: unknown) => {
      s.log.push('respond');
      s.posts.push(m as Record<string, any>);
    },
    logger: s.deps.logger,
  } as unknown as CommandArgs;
}

const json = (x: unknown) => JSON.stringify(x);

describe('/visen generate with text', () => {
  it('acks "Working on it…" before any I/O, then starts the run with a notifyState naming the response_url', async () => {
    const s = setup();
    s.generation.startImpl = async (user, request, listener) => {
      s.log.push('start');
      const p = progress({ user, targetKind: 'Page', targetUrl: request.targetUrl, state: 'starting', total: undefined, done: 0 });
      void Promise.resolve().then(() =>
        listener({ ...p, state: 'succeeded', done: 1, failed: 0, written: [{ title: 'Roadmap', url: PAGE_URL }], updatedAt: '2026-01-01T10:01:00.000Z' }),
      );
      return { runId: p.runId, progress: p };
    };
    await generateSubcommands(s.deps).generate!(commandArgs(s, `${PAGE_URL} Write a plan`), `${PAGE_URL} Write a plan`);
    await s.idle();
    expect(s.log[0]).toBe('ack');
    expect(s.log[1]).toBe('start');
    expect(json(s.acks[0])).toContain('Working on it');
    expect(s.acks[0]).toMatchObject({ response_type: 'ephemeral' });
    expect(s.generation.calls.start[0]).toMatchObject({
      user: USER,
      request: { targetUrl: PAGE_URL, prompt: 'Write a plan' },
      notifyState: { v: 1, user: USER, responseUrl: { url: RESPONSE_URL } },
    });
    expect(s.posts.length).toBeGreaterThanOrEqual(1);
    expect(s.posts.length).toBeLessThanOrEqual(2);
    expect(json(s.posts.at(-1))).toContain('Done');
    expect(s.posts.every((p) => p.replace_original === true)).toBe(true);
  });

  it('a command it cannot read is answered in the ack itself, with the usage; nothing starts', async () => {
    const s = setup();
    await generateSubcommands(s.deps).generate!(commandArgs(s, 'https://example.com/x do it'), 'https://example.com/x do it');
    expect(s.log).toEqual(['ack']);
    expect(json(s.acks[0])).toContain('not to Notion');
    expect(json(s.acks[0])).toContain('Usage');
    expect(s.generation.calls.start).toHaveLength(0);
  });

  it('no settings: the service refuses, the user is told to run /visen settings, nothing is generated', async () => {
    const s = setup();
    s.generation.startImpl = async () => {
      throw new UserInputError('You have not set Visen up yet. Run `/visen settings` to link Notion and OpenAI.');
    };
    await generateSubcommands(s.deps).generate!(commandArgs(s, `${PAGE_URL} Write`), `${PAGE_URL} Write`);
    await s.idle();
    expect(s.posts).toHaveLength(1);
    expect(json(s.posts[0])).toContain('/visen settings');
    expect(json(s.posts[0])).toContain('Nothing was generated');
  });

  it('an unexpected failure gives the generic message, never the raw error', async () => {
    const s = setup();
    s.generation.startImpl = async () => {
      throw new Error('ECONNRESET secret_abcdefghijkl');
    };
    await generateSubcommands(s.deps).generate!(commandArgs(s, `${PAGE_URL} Write`), `${PAGE_URL} Write`);
    await s.idle();
    expect(json(s.posts[0])).toContain('Something went wrong on our side');
    expect(json(s.posts[0])).not.toContain('ECONNRESET');
    expect(json(s.posts[0])).not.toContain('secret_');
  });
});

describe('/visen generate alone', () => {
  it('acks, then opens the modal with the trigger id before anything slow', async () => {
    const s = setup();
    await generateSubcommands(s.deps).generate!(commandArgs(s, ''), '');
    expect(s.log[0]).toBe('ack');
    expect(s.acks[0]).toBeUndefined();
    expect(s.calls.map((c) => c.method)).toEqual(['views.open']);
    expect(s.calls[0]!.args).toMatchObject({ trigger_id: 'trig-1', view: { callback_id: GenerateIds.modalCallback } });
    expect(s.generation.calls.describe).toHaveLength(0);
  });

  it('openGenerateModal with an initial database target opens first, then offers its properties', async () => {
    const s = setup();
    await openGenerateModal(s.client, 'trig-2', USER, s.deps, { targetUrl: DB_URL, prompt: 'Summarise {{Name}}' });
    expect(s.calls.map((c) => c.method)).toEqual(['views.open', 'views.update']);
    expect(s.calls[1]!.args).toMatchObject({ view_id: 'V1', hash: 'h1' });
    expect(json(s.calls[1]!.args.view)).toContain(GenerateIds.intoSelectBlock);
  });
});

function actionBody(view: Record<string, unknown>, action: Record<string, unknown>) {
  return {
    type: 'block_actions',
    user: { id: USER.userId, team_id: USER.teamId },
    team: { id: USER.teamId },
    view: { id: 'V1', hash: 'hash-1', ...stateOf(view) },
    actions: [action],
  };
}

describe('the modal', () => {
  it('entering the URL: ack, describe, then views.update with the hash, offering properties and keeping what was typed', async () => {
    const s = setup();
    const view = buildGenerateModal({ values: { ...EMPTY_VALUES, targetUrl: DB_URL, promptParts: ['Summarise {{Name}}'], connectionName: 'Mine' } });
    await targetEnteredHandler(s.rt)({
      ack: s.ack,
      body: actionBody(view as any, { action_id: GenerateIds.targetAction, value: DB_URL }),
      client: s.client,
    } as any);
    expect(s.log[0]).toBe('ack');
    expect(s.generation.calls.describe).toEqual([DB_URL]);
    const update = s.calls.find((c) => c.method === 'views.update')!;
    expect(update.args).toMatchObject({ view_id: 'V1', hash: 'hash-1' });
    const updated = json(update.args.view);
    expect(updated).toContain(GenerateIds.intoSelectBlock);
    expect(updated).toContain('{{Status}}');
    expect(updated).toContain('Summarise {{Name}}');
    expect(updated).toContain('"initial_value":"Mine"');
  });

  it('a bad URL gets an inline error without asking the service', async () => {
    const s = setup();
    const view = buildGenerateModal({ values: { ...EMPTY_VALUES, targetUrl: 'https://example.com/x' } });
    await targetEnteredHandler(s.rt)({ ack: s.ack, body: actionBody(view as any, { action_id: GenerateIds.targetAction }), client: s.client } as any);
    expect(s.generation.calls.describe).toHaveLength(0);
    expect(json(s.calls[0]!.args.view)).toContain('not to Notion');
  });

  it('an unreachable target gets the service’s message inline', async () => {
    const s = setup();
    s.generation.describeImpl = async () => {
      throw new NotionError('object_not_found', 'Visen cannot see that page. Share it with your integration: ••• → Connections.');
    };
    const view = buildGenerateModal({ values: { ...EMPTY_VALUES, targetUrl: DB_URL } });
    await targetEnteredHandler(s.rt)({ ack: s.ack, body: actionBody(view as any, { action_id: GenerateIds.targetAction }), client: s.client } as any);
    expect(json(s.calls[0]!.args.view)).toContain('Share it with your integration');
  });

  it('a stale update (hash_conflict) is dropped quietly', async () => {
    const s = setup({ viewsUpdateError: 'hash_conflict' });
    const view = buildGenerateModal({ values: { ...EMPTY_VALUES, targetUrl: DB_URL } });
    await expect(
      targetEnteredHandler(s.rt)({ ack: s.ack, body: actionBody(view as any, { action_id: GenerateIds.targetAction }), client: s.client } as any),
    ).resolves.toBeUndefined();
  });

  it('"Add a box" adds a prompt box, up to three', async () => {
    const s = setup();
    const view = buildGenerateModal({ values: { ...EMPTY_VALUES, promptParts: ['one', 'two'] } });
    await addPromptBoxHandler(s.rt)({ ack: s.ack, body: actionBody(view as any, { action_id: GenerateIds.promptMoreAction }), client: s.client } as any);
    const updated = s.calls[0]!.args.view as { blocks: Array<{ block_id?: string }> };
    expect(updated.blocks.filter((b) => GenerateIds.promptBlocks.includes(b.block_id as never))).toHaveLength(3);
    expect(updated.blocks.some((b) => b.block_id === GenerateIds.promptMoreBlock)).toBe(false);
  });

  it('submit with field errors: ack with response_action errors, nothing starts', async () => {
    const s = setup();
    const view = buildGenerateModal({ values: { ...EMPTY_VALUES, targetUrl: 'notion', promptParts: [''], limit: '0' } });
    await submitHandler(s.rt)({
      ack: s.ack,
      body: { user: { id: USER.userId }, team: { id: USER.teamId } },
      view: stateOf(view as any),
      client: s.client,
    } as any);
    expect(s.acks[0]).toMatchObject({ response_action: 'errors' });
    const errors = (s.acks[0] as { errors: Record<string, string> }).errors;
    expect(Object.keys(errors).sort()).toEqual([GenerateIds.limitBlock, GenerateIds.promptBlocks[0], GenerateIds.targetBlock].sort());
    expect(s.generation.calls.start).toHaveLength(0);
  });

  it('submit: ack (clear), a DM "Working on it…", then the run with that DM in its notifyState', async () => {
    const s = setup();
    const view = buildGenerateModal({ values: { ...EMPTY_VALUES, targetUrl: DB_URL, promptParts: ['Summarise {{Name}}'], limit: '5' } });
    await submitHandler(s.rt)({
      ack: s.ack,
      body: { user: { id: USER.userId }, team: { id: USER.teamId } },
      view: stateOf(view as any),
      client: s.client,
    } as any);
    await s.idle();
    expect(s.acks[0]).toEqual({ response_action: 'clear' });
    expect(s.calls[0]).toMatchObject({ method: 'chat.postMessage', args: { channel: USER.userId } });
    expect(json(s.calls[0]!.args)).toContain('Working on it');
    expect(s.generation.calls.start[0]).toMatchObject({
      request: { targetUrl: DB_URL, prompt: 'Summarise {{Name}}', limit: 5 },
      notifyState: { v: 1, user: USER, dm: { channel: 'D1', ts: '1700000000.000001' } },
    });
    expect(s.calls.slice(1).every((c) => c.method === 'chat.update')).toBe(true);
    expect(s.posts).toHaveLength(0);
  });

  it('startRunWithDmProgress shows a start error in the DM it posted', async () => {
    const s = setup();
    const started = await startRunWithDmProgress(
      s.client,
      USER,
      async () => {
        throw new UserInputError('That connection is gone from your connections database.');
      },
      s.deps,
    );
    await s.idle();
    expect(started).toBeUndefined();
    expect(s.calls.map((c) => c.method)).toEqual(['chat.postMessage', 'chat.update']);
    expect(json(s.calls[1]!.args)).toContain('That connection is gone');
  });
});

describe('Cancel', () => {
  const click = (s: ReturnType<typeof setup>, clicker: string, value: string) =>
    cancelHandler(s.rt)({
      ack: s.ack,
      body: { type: 'block_actions', user: { id: clicker, team_id: USER.teamId }, team: { id: USER.teamId } },
      action: { type: 'button', action_id: GenerateIds.cancelAction, value },
      respond: async (m: unknown) => {
        s.log.push('respond');
        s.posts.push(m as Record<string, any>);
      },
    } as any);

  it('the run’s own user cancels it: the service is asked and the message shows "stopping"', async () => {
    const s = setup();
    await generateSubcommands(s.deps).generate!(commandArgs(s, `${DB_URL} Summarise {{Name}}`), `${DB_URL} Summarise {{Name}}`);
    await s.idle();
    s.clock.advance(5_000);
    s.generation.cancelImpl = async () => {
      s.log.push('cancel');
      return true;
    };
    s.log.length = 0;
    await click(s, USER.userId, cancelButtonValue('run-1', USER));
    await s.idle();
    expect(s.log.slice(0, 2)).toEqual(['ack', 'cancel']);
    expect(s.generation.calls.cancel).toEqual([{ user: USER, runId: 'run-1' }]);
    expect(json(s.posts.at(-1))).toContain('Stopping');
  });

  it('someone else cannot cancel it', async () => {
    const s = setup();
    await click(s, 'U2', cancelButtonValue('run-1', USER));
    expect(s.generation.calls.cancel).toHaveLength(0);
    expect(json(s.posts[0])).toContain('Only <@U1>');
    expect(s.posts[0]).toMatchObject({ replace_original: false });
  });

  it('a forged owner id with markup in the button value is not echoed as a mention', async () => {
    const s = setup();
    const forged = JSON.stringify({ r: 'run-1', t: USER.teamId, u: 'U1> <!channel> <https://evil.example|Notion' });
    await click(s, 'U2', forged);
    expect(s.generation.calls.cancel).toHaveLength(0);
    expect(s.posts[0]!.text).toBe('Only the person who started this run can cancel it.');
  });

  it('a run that is no longer running is explained', async () => {
    const s = setup();
    s.generation.cancelImpl = async () => false;
    await click(s, USER.userId, cancelButtonValue('run-gone', USER));
    expect(json(s.posts[0])).toContain('not running any more');
  });

  it('a forged or broken value is refused politely', async () => {
    const s = setup();
    await click(s, USER.userId, 'not json');
    expect(s.generation.calls.cancel).toHaveLength(0);
    expect(json(s.posts[0])).toContain('no longer works');
  });
});

describe('after a restart', () => {
  it('database runs continue in their DM; interrupted page runs are told, through a new DM', async () => {
    const s = setup();
    const dbRun = progress({ runId: 'run-db', resumed: true });
    const pageRun = progress({ runId: 'run-page', targetKind: 'Page', targetUrl: PAGE_URL, state: 'failed', error: 'Interrupted by a restart of Visen.' });
    s.generation.resumeImpl = async (listenerFor) => {
      const listener = listenerFor({ v: 1, user: USER, dm: { channel: 'D7', ts: '7.7' } }, dbRun);
      void listener(dbRun);
      setTimeout(() => void listener({ ...dbRun, state: 'succeeded', done: 250, failed: 0, updatedAt: '2026-01-01T12:00:00.000Z' }), 0);
      return [dbRun, pageRun];
    };
    await onConnectedResumeRuns(s.client, s.deps);
    await s.idle();
    await new Promise((r) => setTimeout(r, 10));
    await s.idle();
    const updates = s.calls.filter((c) => c.method === 'chat.update');
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.every((u) => u.args.channel === 'D7' && u.args.ts === '7.7')).toBe(true);
    expect(json(updates.at(-1)!.args)).toContain('Done');
    const pageDm = s.calls.find((c) => c.method === 'chat.postMessage')!;
    expect(pageDm.args.channel).toBe(USER.userId);
    expect(json(pageDm.args)).toContain('Visen restarted while this run was going');
    expect(json(pageDm.args)).toContain('Interrupted by a restart');
  });

  it('a failing resume is logged, not thrown', async () => {
    const s = setup();
    s.generation.resumeImpl = async () => {
      throw new Error('store locked');
    };
    await expect(onConnectedResumeRuns(s.client, s.deps)).resolves.toBeUndefined();
  });
});
