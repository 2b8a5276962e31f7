// Token counts of runs against the stand-ins: every answer the model began counts (retried attempts too), answers
// without usage make the total partial, and run records saved before counts existed load with their rows marked
// "not reported". The figures come from the usage chunks the OpenAI stand-in sent, never from the app's own sums.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../../src/services/generation/run-store.js';
import { connectionRows, prop, runToEnd, startWorld, titleRow, type World } from './support.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

function sentUsage(key: string, from: number) {
  const chats = world.openai.requests.slice(from).filter((r) => r.key === key && r.path === '/v1/chat/completions');
  const reported = chats.filter((r) => r.usage);
  return {
    prompt: reported.reduce((s, r) => s + r.usage!.prompt_tokens, 0),
    completion: reported.reduce((s, r) => s + r.usage!.completion_tokens, 0),
    reported: reported.length,
  };
}

describe('token counts of runs', () => {
  it('a row retried after its stream broke counts both attempts: the reported one, and the cut one as not reported', async () => {
    const u = world.addUser('U0TOKRETRY');
    const db = world.notion.addDatabase({ title: 'Retry', parentPageId: u.rootId, properties: { Name: { title: {} } } });
    world.notion.addRow(db.dataSourceId, titleRow('Only row'));
    const from = world.openai.requests.length;
    world.openai.injectFault({ kind: 'cut_stream', afterChars: 20 });
    const { end } = await runToEnd(world.service(), u.user, { targetUrl: db.url, prompt: 'About {{Name}}' });
    expect(end.state).toBe('succeeded');
    const sent = sentUsage(u.settings.openaiKey, from);
    expect(sent.reported).toBe(1);
    expect(end.tokens).toEqual({ prompt: sent.prompt, completion: sent.completion, reported: 1, unreported: 1 });
    // The row holds what was reported: a partial figure, never a guess for the cut attempt.
    expect(prop(connectionRows(world, u)[0]!, 'Tokens')).toBe(sent.prompt + sent.completion);
  });

  it('a page run that fails after the answer came still counts the answer', async () => {
    const u = world.addUser('U0TOKEMPTY');
    const page = world.notion.addPage({ title: 'Empty answer', parentPageId: u.rootId });
    world.openai.setResponder(() => '   ');
    try {
      const from = world.openai.requests.length;
      const { end } = await runToEnd(world.service(), u.user, { targetUrl: page.url, prompt: 'Say nothing' });
      expect(end.state).toBe('failed');
      const sent = sentUsage(u.settings.openaiKey, from);
      expect(end.tokens).toEqual({ prompt: sent.prompt, completion: sent.completion, reported: 1, unreported: 0 });
      expect(prop(connectionRows(world, u)[0]!, 'Tokens')).toBe(sent.prompt + sent.completion);
    } finally {
      world.openai.setResponder(undefined);
    }
  });

  it('a run record saved before token counts existed loads with its rows done counted as not reported', async () => {
    const store = new RunStore(world.store);
    const old = {
      version: 1,
      runId: 'old-run',
      user: { teamId: 'T0TEAM', userId: 'U0OLD' },
      done: 4,
      failed: 1,
      state: 'running',
    };
    await world.store.set('generation', 'run:old-run', old);
    expect((await store.loadRun('old-run'))?.tokens).toEqual({ prompt: 0, completion: 0, reported: 0, unreported: 4 });
    await world.store.set('generation', 'run:new-run', { ...old, runId: 'new-run', tokens: { prompt: 7, completion: 3, reported: 2, unreported: 0 } });
    expect((await store.loadRun('new-run'))?.tokens).toEqual({ prompt: 7, completion: 3, reported: 2, unreported: 0 });
  });
});
