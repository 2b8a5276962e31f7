/**
 * One Notion rate limit per integration across workers: three workers, three users sharing one integration secret,
 * each starting a database run at the same moment through a different worker. Notion's stand-in limits the
 * integration to an average of 3 requests a second (with its burst) as Notion documents; together the workers
 * never go over it (no 429 from the stand-in's limit), never send before a Retry-After has passed, and every row is
 * written once. With a limiter per worker, three runs at once send up to three times the rate and get 429s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestRecord } from '../stand-ins/notion/index.js';
import { redisAvailable } from '../support/redis.js';
import { type ConfiguredUser, configureUser } from './support/configure-user.js';
import { connectionRow, eventually, rowContents, rowName } from './support/observe.js';
import { startTeam, type Team, type TeamWorker } from './support/team.js';

const ROWS_PER_RUN = 10;

let team: Team;
let users: ConfiguredUser[];
const workers = (): TeamWorker[] => [team.a, team.b, team.c!];

beforeAll(async () => {
  if (!redisAvailable) return;
  team = await startTeam({ workers: 3 });
  team.via(team.a);
  const first = await configureUser(team.h, 'U0LIMITONE');
  users = [first];
  for (const userId of ['U0LIMITTWO', 'U0LIMITTHREE']) users.push(await configureUser(team.h, userId, { notionSecret: first.notionSecret }));
}, 90_000);

afterAll(async () => {
  await team?.stop();
});

/** One database run per user, each started through another worker within moments; resolves when all have ended. */
async function runOnEveryWorker(label: string): Promise<{ rows: Array<{ id: string }>; requests: RequestRecord[] }> {
  const { h } = team;
  const runs = users.map((user, i) => {
    const database = h.notion.addDatabase({ title: `${label} ${i + 1}`, parentPageId: user.parentPageId, properties: { Name: { title: {} } } });
    const rows = Array.from({ length: ROWS_PER_RUN }, (_, n) =>
      h.notion.addRow(database.dataSourceId, { Name: { title: [{ text: { content: `${label} ${i + 1}.${n + 1}` } }] } }),
    );
    return { user, database, rows, worker: workers()[i]! };
  });
  const firstRequest = h.notion.requests.length;
  const deliveries = [];
  for (const run of runs) {
    team.via(run.worker);
    deliveries.push(await h.slack.slashCommand({ userId: run.user.userId, teamId: run.user.teamId, text: `generate ${run.database.url} Summarise {{Name}}.` }));
  }
  expect(deliveries.map((d) => d.connectionId)).toEqual(workers().map((w) => w.connectionId));
  const ended = (status: string | undefined) => ['Succeeded', 'Failed', 'Cancelled'].includes(status ?? '');
  for (const run of runs) {
    await eventually(() => ended(connectionRow(h, run.user, run.database.url)?.status), `the run of ${run.user.userId}`, 90_000);
  }
  for (const run of runs) expect(connectionRow(h, run.user, run.database.url)?.status).toBe('Succeeded');
  const secret = users[0]!.notionSecret;
  return { rows: runs.flatMap((run) => run.rows), requests: h.notion.requests.slice(firstRequest).filter((r) => r.secret === secret) };
}

describe.skipIf(!redisAvailable)('three workers, one Notion integration', () => {
  beforeAll(() => {
    team.h.openai.setResponder((req) => `Summary of ${/Summarise (.+?)\.?$/.exec(req.messages.at(-1)?.content ?? '')?.[1] ?? '?'}.`);
  });

  it('keeps the integration within Notion’s rate limit together, and writes every row', async () => {
    const { h } = team;
    const { rows, requests } = await runOnEveryWorker('Reading list');
    expect(requests.length).toBeGreaterThan(3 * ROWS_PER_RUN);
    expect(requests.filter((r) => r.overLimit)).toEqual([]);
    expect(requests.filter((r) => r.retryAfterSentAt !== undefined)).toEqual([]);
    expect(h.notion.failures).toEqual([]);
    for (const row of rows) expect(rowContents(h, row.id)).toEqual([`Summary of ${rowName(h, row.id)}.`]);
  }, 150_000);

  it('a Retry-After given to one worker holds the integration on every worker', async () => {
    const { h } = team;
    // Notion answers some of the integration's requests 429 with Retry-After: 1 (whichever worker sent them).
    h.notion.injectFault({ status: 429, probability: 0.15, retryAfterSeconds: 1, match: { secret: users[0]!.notionSecret } });
    try {
      const { rows, requests } = await runOnEveryWorker('Watch list');
      expect(requests.filter((r) => r.injected !== undefined).length).toBeGreaterThan(0);
      // No request of the integration, from any worker, arrived while it was told to wait (the stand-in's early retries).
      expect(requests.filter((r) => r.retryAfterSentAt !== undefined)).toEqual([]);
      expect(requests.filter((r) => r.overLimit)).toEqual([]);
      expect(h.notion.failures).toEqual([]);
      for (const row of rows) expect(rowContents(h, row.id)).toEqual([`Summary of ${rowName(h, row.id)}.`]);
    } finally {
      h.notion.clearFaults();
    }
  }, 150_000);
});
