/** The listener router: each envelope reaches the one listener registered for its kind and id, and nothing else. */
import type { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { ListenerRouter, routeOf } from '../../src/slack/listener-router.js';

const client = {} as WebClient;

function routerRecordingCalls() {
  const router = new ListenerRouter(client);
  const calls: string[] = [];
  const record = (name: string) => async () => void calls.push(name);
  router.command('/visen', record('command'));
  router.action('home_run', record('action home_run'));
  router.action('generate_cancel', record('action generate_cancel'));
  router.view('settings_form', record('view settings_form'));
  router.messageShortcut('send_thread', record('shortcut send_thread'));
  router.event('app_home_opened', record('event app_home_opened'));
  const dispatch = (body: Record<string, unknown>) => router.middleware()({ body, next: async () => void calls.push('next') } as never);
  return { router, calls, dispatch };
}

describe('ListenerRouter', () => {
  it('hands each kind of envelope to the listener registered for its id', async () => {
    const { calls, dispatch } = routerRecordingCalls();
    await dispatch({ command: '/visen', text: 'help', trigger_id: 't1' });
    await dispatch({ type: 'block_actions', actions: [{ action_id: 'generate_cancel' }] });
    await dispatch({ type: 'view_submission', view: { callback_id: 'settings_form' } });
    await dispatch({ type: 'message_action', callback_id: 'send_thread' });
    await dispatch({ type: 'event_callback', event: { type: 'app_home_opened' } });
    await dispatch({ type: 'block_actions', actions: [{ action_id: 'home_run' }, { action_id: 'generate_cancel' }] });
    expect(calls).toEqual([
      'command',
      'next',
      'action generate_cancel',
      'next',
      'view settings_form',
      'next',
      'shortcut send_thread',
      'next',
      'event app_home_opened',
      'next',
      'action home_run', // Bolt too reads the first action only
      'next', // then Bolt's own listeners, if anything added one
    ]);
  });

  it('an envelope no Visen listener wants goes on to Bolt’s own listeners only: another id or command, a kind Visen does not listen to', async () => {
    const { calls, dispatch } = routerRecordingCalls();
    await dispatch({ command: '/other', text: '' });
    await dispatch({ type: 'block_actions', actions: [{ action_id: 'unknown' }] });
    await dispatch({ type: 'view_submission', view: { callback_id: 'home_run' } }); // an action id is not a view's
    await dispatch({ type: 'view_closed', view: { callback_id: 'settings_form' } });
    await dispatch({ type: 'block_suggestion', action_id: 'home_run' });
    await dispatch({ type: 'event_callback', event: { type: 'message' } });
    expect(calls).toEqual(Array(6).fill('next')); // on to Bolt's own listeners, of which Visen has none
  });

  it('passes the listener Bolt’s arguments untouched, and lets its error reach Bolt’s error handler', async () => {
    const router = new ListenerRouter(client);
    let seen: unknown;
    router.action('home_run', async (args) => {
      seen = args;
      throw new Error('listener failed');
    });
    const args = { body: { type: 'block_actions', actions: [{ action_id: 'home_run' }] }, ack: async () => undefined, next: async () => undefined };
    await expect(router.middleware()(args as never)).rejects.toThrow('listener failed');
    expect(seen).toBe(args);
  });

  it('refuses a second listener for the same id (one listener per id)', () => {
    const router = new ListenerRouter(client);
    router.action('home_run', async () => undefined);
    expect(() => router.action('home_run', async () => undefined)).toThrow('two listeners for block_actions:home_run');
    expect(() => router.view('home_run', async () => undefined)).not.toThrow();
  });

  it('reads the route from the fields Slack identifies an envelope by', () => {
    expect(routeOf({ command: '/visen', type: 'block_actions' })).toBe('command:/visen');
    expect(routeOf({ type: 'block_actions', actions: [] })).toBeUndefined();
    expect(routeOf({ type: 'view_submission', view: {} })).toBeUndefined();
    expect(routeOf({ type: 'event_callback', event: { type: 42 } })).toBeUndefined();
    expect(routeOf(null)).toBeUndefined();
    expect(routeOf('text')).toBeUndefined();
  });
});
