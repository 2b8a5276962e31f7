/** `/visen automations` and Pause/Resume: ack first, the clicking user only, the outcome where the button was. */

import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../../src/errors.js';
import type { AutomationSummary, AutomationsService } from '../../../src/services/automations/types.js';
import type { SlackDeps } from '../../../src/slack/deps.js';
import type { ListenerRegistry } from '../../../src/slack/listener-router.js';
import { AutomationAction } from '../../../src/slack/listeners/automations/ids.js';
import { automationsSubcommands, registerAutomationListeners } from '../../../src/slack/listeners/automations/index.js';
import type { HomePublisher } from '../../../src/slack/listeners/home/publisher.js';
import type { UserRef } from '../../../src/users.js';
import { automation, OWNER } from './fixtures.js';

type Handler = (args: Record<string, unknown>) => Promise<void>;

function setUp(mine: AutomationSummary[] = [automation(1)]) {
  const calls: string[] = [];
  const handlers = new Map<string, Handler>();
  const app = { action: (id: string, handler: Handler) => void handlers.set(id, handler) } as unknown as ListenerRegistry;
  const state = new Map(mine.map((a) => [a.connectionId, a]));
  const change = (paused: boolean) => async (user: UserRef, id: string) => {
    calls.push(`${paused ? 'pause' : 'resume'} ${user.userId} ${id}`);
    const found = user.userId === OWNER.userId ? state.get(id) : undefined;
    if (!found) throw new UserInputError('That automation is gone: it was cleared, or it is not yours.', 'connection');
    const next = { ...found, paused };
    state.set(id, next);
    return next;
  };
  const automations = {
    list: async (user: UserRef) => (calls.push(`list ${user.userId}`), user.userId === OWNER.userId ? [...state.values()] : []),
    pause: change(true),
    resume: change(false),
  } as unknown as AutomationsService;
  const deps = { services: { automations }, logger: pino({ level: 'silent' }), allowedUsers: undefined, defaultModel: 'm' } as unknown as SlackDeps;
  const notices: Array<{ kind: string; text: string }> = [];
  const home = {
    setNotice: (_u: UserRef, n: { kind: string; text: string }) => void notices.push(n),
    publish: async (u: UserRef) => void calls.push(`publish ${u.userId}`),
  } as unknown as HomePublisher;
  registerAutomationListeners(app, deps, home);
  const responses: Array<Record<string, any>> = [];
  const click = async (actionId: string, value: string, container: Record<string, unknown>, userId = OWNER.userId) => {
    await handlers.get(actionId)!({
      ack: async () => void calls.push('ack'),
      body: { type: 'block_actions', user: { id: userId, team_id: OWNER.teamId }, team: { id: OWNER.teamId }, container },
      action: { action_id: actionId, value },
      respond: async (message: Record<string, any>) => void responses.push(message),
    });
  };
  return { calls, notices, responses, click, deps };
}

const ID = automation(1).connectionId;

describe('Pause and Resume', () => {
  it('on the Home tab: acks first, pauses, shows the outcome as the Home notice and re-publishes', async () => {
    const { calls, notices, click } = setUp();
    await click(AutomationAction.pause, ID, { type: 'view', view_id: 'V1' });
    expect(calls).toEqual(['ack', `pause ${OWNER.userId} ${ID}`, `publish ${OWNER.userId}`]);
    expect(notices).toEqual([{ kind: 'success', text: 'Paused “Automation 1”: it will not run until you resume it.' }]);
  });

  it('refuses someone else’s automation with the service’s words, changing nothing', async () => {
    const { calls, notices, click } = setUp();
    await click(AutomationAction.pause, ID, { type: 'view', view_id: 'V2' }, 'U0MALLORY');
    expect(calls[0]).toBe('ack');
    expect(notices).toEqual([{ kind: 'error', text: 'That automation is gone: it was cleared, or it is not yours.' }]);
  });

  it('in the /visen automations message: replaces it with the updated list and the outcome on top', async () => {
    const { responses, click } = setUp([automation(1, { paused: true })]);
    await click(AutomationAction.resume, ID, { type: 'message', is_ephemeral: true, message_ts: '1.2' });
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({ response_type: 'ephemeral', replace_original: true });
    expect(JSON.stringify(responses[0]!.blocks)).toContain('Resumed “Automation 1”: it runs by itself again.');
    expect(JSON.stringify(responses[0]!.blocks)).toContain(AutomationAction.pause);
  });

  it('under a direct message: answers with an ephemeral reply and leaves the message as it is', async () => {
    const { responses, click } = setUp();
    await click(AutomationAction.pause, ID, { type: 'message', is_ephemeral: false, message_ts: '1.3' });
    expect(responses).toEqual([{ response_type: 'ephemeral', replace_original: false, text: 'Paused “Automation 1”: it will not run until you resume it.' }]);
  });
});

describe('/visen automations', () => {
  it('acks before reading the list, then answers with it', async () => {
    const { calls, deps } = setUp();
    const answered: Array<Record<string, any>> = [];
    await automationsSubcommands(deps).automations!(
      {
        ack: async () => void calls.push('ack'),
        respond: async (m: Record<string, any>) => void answered.push(m),
        command: { user_id: OWNER.userId, team_id: OWNER.teamId },
      } as never,
      '',
    );
    expect(calls.slice(0, 2)).toEqual(['ack', `list ${OWNER.userId}`]);
    expect(answered[0]).toMatchObject({ response_type: 'ephemeral', text: 'You have 1 automatic connection.' });
  });
});
