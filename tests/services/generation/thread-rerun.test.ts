// Run again of a "Send to Notion" connection (the Home tab's button): the service keeps where the thread is when the
// shortcut sends it, and hands exactly that to the reader the Slack layer gives; never the connection's `Source` alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VisenError } from '../../../src/errors.js';
import { NAMESPACE } from '../../../src/services/generation/run-store.js';
import type { GenerationRequest } from '../../../src/services/generation/types.js';
import type { ThreadOrigin, ThreadSource } from '../../../src/services/threads/types.js';
import { userKey } from '../../../src/users.js';
import { recorder, runToEnd, startWorld, type UserFixture, type World } from './support.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
  world.openai.setResponder(() => 'Summary of the thread.');
});
afterAll(async () => {
  await world.close();
});

const PERMALINK = 'https://visen-stand-in.slack.com/archives/C0THREAD1/p1700000000000100';
const ORIGIN: ThreadOrigin = { permalink: PERMALINK, channelId: 'C0THREAD1', messageTs: '1700000000.000100', threadTs: '1700000000.000100', include: 'thread' };

function threadRequest(u: UserFixture, origin: ThreadOrigin | undefined): GenerationRequest {
  const page = world.notion.addPage({ title: 'Thread notes', parentPageId: u.rootId });
  const source: ThreadSource = { kind: 'slack-thread', permalink: PERMALINK, text: 'Ana: first words', cut: false, ...(origin ? { origin } : {}) };
  return { targetUrl: page.url, prompt: 'Summarise this thread', output: { kind: 'append' }, source };
}

describe('run again of a thread connection', () => {
  it('reads the thread where the shortcut found it, and /visen clear forgets where that was', async () => {
    const u = world.addUser('U0RERUN1');
    const service = world.service();
    const first = await runToEnd(service, u.user, threadRequest(u, ORIGIN));
    expect(first.end.state).toBe('succeeded');
    const connectionId = first.end.connectionId as string;

    const asked: ThreadOrigin[] = [];
    const reader = async (origin: ThreadOrigin): Promise<ThreadSource> => {
      asked.push(origin);
      return { kind: 'slack-thread', permalink: origin.permalink, text: 'Ana: first words\nBen: new reply', cut: false, origin };
    };
    const rec = recorder();
    await service.rerun(u.user, connectionId, rec.listener, null, reader);
    expect((await rec.ended).state).toBe('succeeded');
    expect(asked).toEqual([ORIGIN]);
    expect(JSON.stringify(world.openai.requests.at(-1)?.body)).toContain('Ben: new reply');

    const key = `thread-origin:${userKey(u.user)}:${connectionId}`;
    expect(await world.store.get(NAMESPACE, key)).toEqual(ORIGIN);
    await service.forgetUser(u.user);
    expect(await world.store.get(NAMESPACE, key)).toBeUndefined();
  });

  it('without a reader (no Slack to read), says to use the shortcut on the thread', async () => {
    const u = world.addUser('U0RERUN2');
    const service = world.service();
    const { end } = await runToEnd(service, u.user, threadRequest(u, ORIGIN));
    const refused = await service.rerun(u.user, end.connectionId as string, () => undefined, null).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(VisenError);
    expect((refused as VisenError).userMessage).toContain('use *Send to Notion* on it');
  });

  it('a connection sent before its place was kept: refused with what to do, and nothing is read', async () => {
    const u = world.addUser('U0RERUN3');
    const service = world.service();
    const { end } = await runToEnd(service, u.user, threadRequest(u, undefined));
    let reads = 0;
    const reader = async (origin: ThreadOrigin): Promise<ThreadSource> => {
      reads++;
      return { kind: 'slack-thread', permalink: origin.permalink, text: '', cut: false };
    };
    const refused = await service.rerun(u.user, end.connectionId as string, () => undefined, null, reader).catch((err: unknown) => err);
    expect((refused as VisenError).userMessage).toContain('Use *Send to Notion* on the thread once');
    expect(reads).toBe(0);
  });
});
