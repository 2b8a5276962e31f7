import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directChannelFor, startSlackStandIn } from '../stand-ins/slack/index.js';
import { type Harness, startHarness } from './harness.js';
import { exitOf, spawnMain, waitForOutput } from './support/run-main.js';

describe('the app over a real Socket Mode connection', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { VISEN_ALLOWED_USERS: 'UALLOWED1,UALLOWED2' } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('answers /visen help with the usage text, in the ack itself', async () => {
    const delivery = await h.slack.slashCommand({ userId: 'UALLOWED1', text: 'help' });
    expect(delivery.acked).toBe(true);
    const text = JSON.stringify(delivery.ackPayload);
    for (const word of ['settings', 'generate', 'clear', 'help']) expect(text).toContain(`/visen ${word}`);
    expect(delivery.ackPayload).toMatchObject({ response_type: 'ephemeral' });
  });

  it('answers an empty /visen and an unknown subcommand with the usage, naming the unknown word', async () => {
    const empty = await h.slack.slashCommand({ userId: 'UALLOWED1', text: '   ' });
    expect(JSON.stringify(empty.ackPayload)).toContain('/visen generate');
    const unknown = await h.slack.slashCommand({ userId: 'UALLOWED1', text: 'frobnicate now' });
    expect(JSON.stringify(unknown.ackPayload)).toContain("I don't know `/visen frobnicate`");
    expect(JSON.stringify(unknown.ackPayload)).toContain('/visen settings');
  });

  it('handles a redelivered envelope (its first ack was lost) only once', async () => {
    const payload = {
      token: 'deprecated',
      team_id: h.slack.teamId,
      team_domain: 'visen',
      channel_id: 'C0TEST',
      channel_name: 'general',
      user_id: 'UALLOWED1',
      user_name: 'someone',
      command: '/visen',
      text: 'help',
      api_app_id: h.slack.appId,
      is_enterprise_install: 'false',
      response_url: `${h.slack.apiUrl.replace('/api/', '')}/response/none`,
      trigger_id: '1111.2222.redelivered',
    };
    const first = await h.slack.sendEnvelope('slash_commands', payload);
    const again = await h.slack.sendEnvelope('slash_commands', payload, { retryAttempt: 1, retryReason: 'timeout' });
    expect(first.acked && again.acked).toBe(true);
    expect(JSON.stringify(first.ackPayload)).toContain('/visen settings');
    // Acked again with the same answer (the user sees what the lost ack carried), but not handled twice.
    expect(again.ackPayload).toEqual(first.ackPayload);
    expect(h.logLines().filter((line) => line.includes('not handled twice'))).toHaveLength(1);
  });

  it('a listener that throws: the user gets a short message, the log has the failure, and the app keeps answering', async () => {
    // A listener added to the running app stands for a bug in any of ours (the global error handler is what is tested).
    h.visen.app.event('app_home_opened', async () => {
      throw new Error('unexpected failure carrying sk-proj-abcdefghijklmnop');
    });
    const channel = directChannelFor('UALLOWED2');
    const before = h.slack.messages.filter((m) => m.channel === channel).length;
    await h.slack.appHomeOpened({ userId: 'UALLOWED2' });
    const told = await h.slack.waitFor(
      () =>
        h.slack.messages
          .filter((m) => m.channel === channel)
          .slice(before)
          .find((m) => m.text?.startsWith(':warning:')),
      10_000,
    );
    expect(told.text).toContain('Something went wrong on our side');
    expect(told.text).not.toMatch(/sk-proj|Error:|at \S+:\d+/);
    const logged = h.logLines().filter((line) => line.includes('listener failed'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).not.toContain('sk-proj-abcdefghijklmnop');
    const next = await h.slack.slashCommand({ userId: 'UALLOWED2', text: 'help' });
    expect(JSON.stringify(next.ackPayload)).toContain('/visen settings');
  });

  it('politely refuses users outside VISEN_ALLOWED_USERS', async () => {
    const delivery = await h.slack.slashCommand({ userId: 'USTRANGER', text: 'settings' });
    expect(delivery.acked).toBe(true);
    expect(JSON.stringify(delivery.ackPayload)).toContain('VISEN_ALLOWED_USERS');
    expect(h.slack.views.opened).toHaveLength(0);
  });

  it('reconnects after Slack asks for a refresh, and after the socket drops, with no envelope left unacked', async () => {
    const before = h.slack.connectionsOpened;
    h.slack.requestRefresh();
    const afterRefresh = await h.slack.slashCommand({ userId: 'UALLOWED2', text: 'help' });
    expect(afterRefresh.acked).toBe(true);
    expect(h.slack.connectionsOpened).toBeGreaterThan(before);

    const beforeDrop = h.slack.connectionsOpened;
    h.slack.dropConnections();
    const afterDrop = await h.slack.slashCommand({ userId: 'UALLOWED2', text: 'help' });
    expect(afterDrop.acked).toBe(true);
    expect(h.slack.connectionsOpened).toBeGreaterThan(beforeDrop);
    expect(h.slack.failures).toEqual([]);
  });
});

describe('the process', () => {
  it('connects with tokens from the environment, answers, and exits 0 on SIGTERM', async () => {
    const slack = await startSlackStandIn();
    try {
      const dataDir = join(mkdtempSync(join(tmpdir(), 'visen-proc-')), 'data');
      const child = spawnMain(
        { SLACK_BOT_TOKEN: slack.botToken, SLACK_APP_TOKEN: slack.appToken, SLACK_API_URL: slack.apiUrl, VISEN_DATA_DIR: dataDir, LOG_LEVEL: 'info' },
        mkdtempSync(join(tmpdir(), 'visen-cwd-')),
      );
      await waitForOutput(child, /connected to Slack/);
      await slack.waitForConnection();
      const delivery = await slack.slashCommand({ userId: 'U1', text: 'help' });
      expect(delivery.acked).toBe(true);

      child.kill('SIGTERM');
      const exit = await exitOf(child);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(child.output()).toContain('Visen stopped');
      expect(slack.failures).toEqual([]);
    } finally {
      await slack.close();
    }
  });
});
