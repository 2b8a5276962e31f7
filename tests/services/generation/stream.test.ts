// A long page run at Notion's real rate (3 requests per second): the first content is in Notion long before
// the model has finished, in a handful of requests, without a single 429.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionRows, prop, recorder, startWorld, type World, writes } from './support.js';

let world: World;
beforeAll(async () => {
  world = await startWorld({ requestsPerSecond: 3 });
});
afterAll(async () => {
  await world.close();
});

function longAnswer(): string {
  const sections: string[] = [];
  for (let i = 1; sections.join('\n\n').length < 30_000; i++) {
    sections.push(`## Section ${i}`, `Paragraph ${i}: ${'lorem ipsum dolor sit amet '.repeat(6).trim()}.`);
  }
  return sections.join('\n\n');
}

describe('streaming a 30,000-character answer into a page at 3 requests per second', () => {
  it('writes the first blocks early, the rest in batches, all of it exactly once', async () => {
    const u = world.addUser('U0STREAM');
    const page = world.notion.addPage({ title: 'Long read', parentPageId: u.rootId });
    const answer = longAnswer();
    expect(answer.length).toBeGreaterThanOrEqual(30_000);
    world.openai.setResponder(() => answer);
    // About 6 seconds of streaming.
    world.openai.setStreamRate({ charsPerChunk: 250, chunkIntervalMs: 50 });
    const service = world.service({ progressIntervalMs: 1_000 });
    const rec = recorder();
    const startedAt = Date.now();
    const requestsBefore = world.notion.requests.length;
    await service.start(u.user, { targetUrl: page.url, prompt: 'Write a long read' }, rec.listener, null);

    let firstContentAt: number | undefined;
    let blocksAtFirstSight = 0;
    while (!rec.updates.some((p) => p.state === 'succeeded' || p.state === 'failed')) {
      const count = world.notion.childrenOf(page.id).length;
      if (count > 0 && firstContentAt === undefined) {
        firstContentAt = Date.now();
        blocksAtFirstSight = count;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const end = await rec.ended;
    const endedAt = Date.now();
    expect(end.state).toBe('succeeded');

    const children = world.notion.childrenOf(page.id);
    const expectedBlocks = answer.split('\n\n').length;
    expect(children).toHaveLength(expectedBlocks);
    expect(children[0]!.heading_2.rich_text[0].plain_text).toBe('Section 1');
    // First content while most of the answer was still to come (how soon, in seconds, is `npm run bench`'s
    // "time to first content": a timed assertion here would only measure the machine's load).
    expect(firstContentAt).toBeDefined();
    expect(firstContentAt! - startedAt).toBeLessThan((endedAt - startedAt) / 2);
    expect(blocksAtFirstSight).toBeLessThan(expectedBlocks / 4);

    const appends = writes(world, `/v1/blocks/${page.id}/children`).filter((r) => r.at >= startedAt);
    expect(appends.length).toBeGreaterThanOrEqual(3);
    expect(appends.length).toBeLessThanOrEqual(15);
    const used = world.notion.requests.slice(requestsBefore);
    expect(used.filter((r) => r.status === 429)).toEqual([]);
    expect(world.notion.failures).toEqual([]);
    // Progress went out while streaming, throttled (at most about once a second plus state changes).
    expect(rec.updates.length).toBeLessThanOrEqual(Math.ceil((endedAt - startedAt) / 1_000) + 4);
    expect(prop(connectionRows(world, u)[0]!, 'Status')).toBe('Succeeded');
  }, 60_000);
});
