/**
 * The settings listeners with fake Slack arguments and a fake service: the paths end-to-end tests cannot
 * provoke cheaply (a store failure in the ack window, checks that never finish).
 */

import { describe, expect, it, vi } from 'vitest';
import { StoreError } from '../../../src/errors.js';
import { createLogger } from '../../../src/logger.js';
import type { SettingsService, SubmitOutcome } from '../../../src/services/settings/types.js';
import type { SlackDeps } from '../../../src/slack/deps.js';
import type { ListenerRegistry } from '../../../src/slack/listener-router.js';
import { SettingsCallback } from '../../../src/slack/listeners/settings/ids.js';
import { registerSettingsListeners, type SettingsListenerOptions } from '../../../src/slack/listeners/settings/index.js';
import { buildSettingsModal } from '../../../src/slack/views/settings-modal.js';
import { submittedState } from './block-kit.js';

type Handler = (args: Record<string, unknown>) => Promise<void>;

function setUp(settings: Partial<SettingsService>, options: SettingsListenerOptions) {
  const views = new Map<string, Handler>();
  const app = { view: (id: string, fn: Handler) => views.set(id, fn), action: () => undefined } as unknown as ListenerRegistry;
  const deps: SlackDeps = {
    services: { settings: settings as SettingsService } as SlackDeps['services'],
    logger: createLogger({ level: 'silent' }),
    allowedUsers: undefined,
    defaultModel: 'gpt-5-mini',
  };
  registerSettingsListeners(app, deps, options);
  const form = buildSettingsModal({ summary: undefined, defaultModel: 'gpt-5-mini' });
  const client = { views: { update: vi.fn(async () => ({ ok: true })) }, chat: { postMessage: vi.fn(async () => ({ ok: true })) } };
  const ack = vi.fn(async () => undefined);
  const run = () =>
    views.get(SettingsCallback.form)!({
      ack,
      client,
      body: { user: { id: 'U1' }, team: { id: 'T1' } },
      view: { id: 'V1', state: { values: submittedState(form, { settings_notion_secret: 'ntn_secret_value_1234' }) }, private_metadata: form.private_metadata },
    });
  return { run, ack, client };
}

describe('settings submission handler', () => {
  it('a store failure inside the ack window: a pushed "Not saved" view, so Back returns to the entries', async () => {
    const { run, ack } = setUp({ submit: async () => Promise.reject(new StoreError('locked', 'The store is busy.')) }, {});
    await run();
    expect(ack).toHaveBeenCalledOnce();
    expect(ack.mock.calls[0]).toMatchObject([{ response_action: 'push', view: { callback_id: SettingsCallback.problem, close: { text: 'Back' } } }]);
    expect(JSON.stringify(ack.mock.calls)).toContain('The store is busy.');
  });

  it('checks that never finish: acked with "Checking…" before the deadline, then the form again with the entries and a notice; nothing saved', async () => {
    let signal: AbortSignal | undefined;
    const held = vi.fn(async () => ({ token: 'tok', notionSecretLast4: '1234', openaiKeyLast4: undefined }));
    const { run, ack, client } = setUp(
      {
        submit: (_u, _s, o) => {
          signal = o?.signal;
          return new Promise<SubmitOutcome>(() => undefined);
        },
        holdSecrets: held,
        summary: async () => Promise.reject(new Error('not needed')),
      },
      { checkDeadlineMs: 50, checkTimeoutMs: 100 },
    );
    const started = Date.now();
    await run();
    expect(ack.mock.calls[0]).toMatchObject([{ response_action: 'update', view: { callback_id: SettingsCallback.checking } }]);
    expect(signal?.aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(held).toHaveBeenCalledOnce();
    const update = client.views.update.mock.calls[0] as unknown as [{ view_id: string; view: { callback_id: string; private_metadata: string } }];
    expect(update[0].view_id).toBe('V1');
    expect(update[0].view.callback_id).toBe(SettingsCallback.form);
    expect(update[0].view.private_metadata).toBe(JSON.stringify({ held: 'tok' }));
    expect(JSON.stringify(update)).toContain('did not answer in time');
    expect(JSON.stringify(update)).toContain('You entered one (ends in 1234)');
    expect(JSON.stringify(update)).not.toContain('ntn_secret_value_1234');
  });
});
