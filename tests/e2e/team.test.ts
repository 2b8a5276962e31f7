/**
 * Team mode end to end: two workers (A and B) share one Redis and one Slack app, each on its own Socket Mode
 * connection; Slack may hand any envelope to either. Settings saved through A are used by B; `/visen clear` on B
 * clears for A too; a redelivered envelope arriving on the other worker's socket is not handled twice; no secret
 * is in Redis in plain text; every log line names its worker.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsAction } from '../../src/slack/listeners/settings/ids.js';
import { startVisen } from '../../src/visen.js';
import { answerTo } from '../faults/support/observe.js';
import { redisAvailable } from '../support/redis.js';
import { type ConfiguredUser, configureUser } from './support/configure-user.js';
import { bodyOf, connectionRow, eventually } from './support/observe.js';
import { logEntries, startTeam, type Team } from './support/team.js';

let team: Team;
let alice: ConfiguredUser;
/** Redis asks for a password here, so the store URL carries one: no log line may. */
const REDIS_PASSWORD = 'team-redis-pw-4f1c9a';

beforeAll(async () => {
  if (!redisAvailable) return;
  team = await startTeam({ redis: { password: REDIS_PASSWORD } });
  team.via(team.a);
  alice = await configureUser(team.h, 'U0TEAMALICE');
}, 60_000);

afterAll(async () => {
  await team?.stop();
});

const chatCalls = () => team.h.openai.requests.filter((r) => r.path.endsWith('/chat/completions')).length;
const user = () => ({ teamId: alice.teamId, userId: alice.userId });

describe.skipIf(!redisAvailable)('two workers sharing one Redis', () => {
  it('uses settings saved through worker A for a generate handled by worker B', async () => {
    expect(team.h.slack.activeConnectionIds()).toEqual([team.a.connectionId, team.b.connectionId]);
    expect(await team.b.visen.services.settings.load(user())).toMatchObject({ notionSecret: alice.notionSecret });

    team.via(team.b);
    const page = team.h.notion.addPage({ title: 'Team page', parentPageId: alice.parentPageId });
    const before = logEntries(team.b).length;
    const shown = await answerTo(team.h, user(), `generate ${page.url} Write a team plan`, /Done/, 30_000);
    expect(shown).toMatch(/Done/);
    expect(bodyOf(team.h, page.id)).toContain('Write a team plan');
    // Worker B ran it: its log has the run; every line of it names the worker.
    const linesB = logEntries(team.b).slice(before);
    expect(linesB.some((l) => typeof l.runId === 'string')).toBe(true);
    expect(new Set(linesB.map((l) => l.worker))).toEqual(new Set([`${String(linesB[0]?.worker)}`]));
    expect(String(linesB[0]?.worker)).toMatch(/^.+-\d+$/);
    expect(team.h.slack.failures).toEqual([]);
  }, 60_000);

  it('logs the store URL without its password, on every worker', () => {
    expect(team.h.env.VISEN_STORE_URL).toContain(REDIS_PASSWORD);
    const lines = [...team.a.logLines(), ...team.b.logLines()];
    expect(lines.join('\n')).not.toContain(REDIS_PASSWORD);
    const connected = logEntries(team.b).find((l) => l.msg === 'Visen is connected to Slack (Socket Mode)');
    expect(connected?.store).toBe(`redis://127.0.0.1:${team.redis.port}`);
  });

  it('keeps no secret in Redis in plain text', () => {
    const keys = team.redis.cli('--scan', '--pattern', '*').split('\n').filter(Boolean);
    expect(keys.some((k) => k.startsWith('visen::settings:'))).toBe(true);
    const everything = keys.map((key) => `${key}\n${team.redis.cli('GET', key)}`).join('\n');
    for (const secret of [alice.notionSecret, alice.openaiKey]) {
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(Buffer.from(secret).toString('base64'));
    }
  });

  it('handles a redelivered envelope once when it arrives on the other worker', async () => {
    team.via(team.a);
    const page = team.h.notion.addPage({ title: 'Once only', parentPageId: alice.parentPageId });
    const callsBefore = chatCalls();
    const from = team.h.slack.messages.length;
    const first = await team.h.slack.slashCommand({ userId: alice.userId, teamId: alice.teamId, text: `generate ${page.url} Write it once` });
    expect(first.acked).toBe(true);
    expect(first.connectionId).toBe(team.a.connectionId);
    await eventually(
      () => team.h.slack.messages.slice(from).some((m) => /Done/.test(`${m.text ?? ''}${JSON.stringify(m.blocks ?? [])}`)),
      'worker A done',
      30_000,
    );
    const written = bodyOf(team.h, page.id);
    expect(written).toContain('Write it once');

    // Slack never got A's ack (say) and sends the envelope again; this time on B's socket.
    team.via(team.b);
    const again = await team.h.slack.redeliver(first.envelopeId);
    expect(again.acked).toBe(true);
    expect(again.connectionId).toBe(team.b.connectionId);
    await eventually(
      () => logEntries(team.b).find((l) => l.msg === 'envelope already handled by another worker: acked, not handled twice'),
      'worker B recognising the redelivery',
    );
    expect(chatCalls()).toBe(callsBefore + 1);
    expect(bodyOf(team.h, page.id)).toBe(written);
    expect(team.h.slack.failures).toEqual([]);
  }, 60_000);

  it('a worker that starts while another is running a run does not take it over: the run is written once', async () => {
    team.via(team.a);
    team.h.openai.setLatency(8_000); // A's run waits for its answer while worker C starts
    const page = team.h.notion.addPage({ title: 'Long run', parentPageId: alice.parentPageId });
    const from = team.h.slack.messages.length;
    const done = () => team.h.slack.messages.slice(from).some((m) => /Done/.test(`${m.text ?? ''}${JSON.stringify(m.blocks ?? [])}`));
    expect((await team.h.slack.slashCommand({ userId: alice.userId, teamId: alice.teamId, text: `generate ${page.url} Write slowly` })).acked).toBe(true);
    await eventually(
      () => team.h.openai.requests.some((r) => r.path.endsWith('/chat/completions') && String(JSON.stringify(r.body)).includes('Write slowly')),
      'the run asking the model',
    );

    const linesC: string[] = [];
    const logDestination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        linesC.push(...chunk.toString().split('\n').filter(Boolean));
        callback();
      },
    });
    const workerC = await startVisen(team.h.env, { logDestination });
    try {
      expect(done()).toBe(false); // C started while A's run was still waiting: the case under test
      team.h.openai.setLatency(0);
      await eventually(done, 'worker A finishing its run', 30_000);
      expect(bodyOf(team.h, page.id)).toContain('Write slowly');
      expect(bodyOf(team.h, page.id).match(/^# /gm)).toHaveLength(1); // one answer, written once
      expect(connectionRow(team.h, alice, page.url)?.status).toBe('Succeeded');
      expect(linesC.join('\n')).not.toMatch(/taking over a run|resuming an interrupted/);
    } finally {
      team.h.openai.setLatency(0);
      await workerC.stop();
    }
    expect(team.h.slack.failures).toEqual([]);
  }, 60_000);

  it('/visen clear on worker B clears the settings worker A reads', async () => {
    team.via(team.b);
    const from = team.h.slack.messages.length;
    const delivery = await team.h.slack.slashCommand({ userId: alice.userId, teamId: alice.teamId, text: 'clear' });
    expect(delivery.acked).toBe(true);
    const confirmation = team.h.slack.messages.slice(from).find((m) => m.via === 'ack' && m.user === alice.userId);
    expect(confirmation?.text).toMatch(/Delete your Visen settings/);
    const clicked = await team.h.slack.blockAction({
      userId: alice.userId,
      teamId: alice.teamId,
      actionId: SettingsAction.clearConfirm,
      message: confirmation,
    });
    expect(clicked.connectionId).toBe(team.b.connectionId);
    await eventually(() => team.h.slack.messages.slice(from).some((m) => /settings and local records are deleted/.test(m.text ?? '')), 'the clear confirmed');

    expect(await team.a.visen.services.settings.load(user())).toBeUndefined();
    team.via(team.a);
    const shown = await answerTo(team.h, user(), `generate ${alice.connections.url} Anything`, /not set up for you yet|\/visen settings/i);
    expect(shown).toMatch(/\/visen settings/);
    expect(team.h.slack.failures).toEqual([]);
  }, 60_000);
});
