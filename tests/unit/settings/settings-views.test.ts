import { describe, expect, it } from 'vitest';
import type { SettingsSummary } from '../../../src/services/settings/types.js';
import { SettingsCallback, SettingsInput } from '../../../src/slack/listeners/settings/ids.js';
import {
  buildClearCancelledMessage,
  buildClearConfirmation,
  buildClearDoneMessage,
  buildClearFailedMessage,
} from '../../../src/slack/views/clear-confirmation.js';
import {
  buildSettingsCheckingView,
  buildSettingsModal,
  buildSettingsProblemView,
  entriesFromSummary,
  type SettingsFormEntries,
} from '../../../src/slack/views/settings-modal.js';
import { entriesOfSubmission, errorsByBlockId, parseSettingsSubmission } from '../../../src/slack/views/settings-modal-state.js';
import { buildSettingsNotSavedMessage, buildSettingsSavedMessage, buildSettingsSavedView } from '../../../src/slack/views/settings-saved.js';
import { allText, messageLimitProblems, modalLimitProblems, submittedState } from './block-kit.js';

const saved: SettingsSummary = {
  configured: true,
  notionSecretLast4: 'wxyz',
  integrationName: 'Visen <dev> & co',
  openaiKeyLast4: 'abcd',
  openaiBaseUrl: 'http://localhost:11434/v1',
  model: 'llama3.1:8b',
  connections: {
    databaseId: '11111111-2222-3333-4444-555555555555',
    dataSourceId: '66666666-7777-8888-9999-000000000000',
    url: 'https://www.notion.so/acme/Visen-connections-11111111222233334444555555555555',
    title: 'Visen connections',
  },
};
const empty: SettingsSummary = {
  configured: false,
  notionSecretLast4: undefined,
  integrationName: undefined,
  openaiKeyLast4: undefined,
  openaiBaseUrl: undefined,
  model: 'gpt-5-mini',
  connections: undefined,
};

describe('settings modal', () => {
  it('first time: secrets required, defaults filled (snapshot)', () => {
    const view = buildSettingsModal({ summary: empty, defaultModel: 'gpt-5-mini' });
    expect(modalLimitProblems(view)).toEqual([]);
    expect(view.callback_id).toBe(SettingsCallback.form);
    const secret = view.blocks.find((b) => b.block_id === SettingsInput.notionSecret.block) as { optional: boolean };
    expect(secret.optional).toBe(false);
    expect(view).toMatchSnapshot();
  });

  it('saved settings: shows only the last four characters, blank keeps them (snapshot)', () => {
    const view = buildSettingsModal({ summary: saved, defaultModel: 'gpt-5-mini' });
    expect(modalLimitProblems(view)).toEqual([]);
    const text = allText(view);
    expect(text).toContain('Saved, ends in wxyz (integration “Visen <dev> & co”). Leave blank to keep it');
    expect(text).toContain('Saved, ends in abcd. Leave blank to keep it');
    const secret = view.blocks.find((b) => b.block_id === SettingsInput.notionSecret.block) as { optional: boolean; element: { initial_value?: string } };
    expect(secret.optional).toBe(true);
    expect(secret.element.initial_value).toBeUndefined();
    expect(view).toMatchSnapshot();
  });

  it('after failed checks: entries kept, held secrets named by their last four, errors inline (snapshot)', () => {
    const entries: SettingsFormEntries = {
      openaiBaseUrl: 'https://llm.example.com/v1',
      model: 'gpt-5-mini',
      connectionsUrl: 'https://acme.notion.site/Tasks-0123456789abcdef0123456789abcdef?v=fedcba9876543210fedcba9876543210',
      parentPageUrl: '',
      addMissingProperties: true,
    };
    const view = buildSettingsModal({
      summary: empty,
      defaultModel: 'gpt-5-mini',
      entries,
      held: { token: 'tok123', notionSecretLast4: '9f9f', openaiKeyLast4: undefined },
      errors: { connectionsUrl: 'Your integration “Visen” cannot see this database. <b>' },
      notice: 'Nothing was saved yet.',
    });
    expect(modalLimitProblems(view)).toEqual([]);
    expect(view.private_metadata).toBe(JSON.stringify({ held: 'tok123' }));
    const text = allText(view);
    expect(text).toContain('You entered one (ends in 9f9f) that is not saved yet');
    expect(text).toContain('cannot see this database. &lt;b&gt;');
    const errorIndex = view.blocks.findIndex((b) => b.block_id === `${SettingsInput.connectionsUrl.block}_error`);
    const inputIndex = view.blocks.findIndex((b) => b.block_id === SettingsInput.connectionsUrl.block);
    expect(errorIndex).toBe(inputIndex + 1);
    expect(view).toMatchSnapshot();
  });

  it('every field error at its full plausible length stays within the limits', () => {
    const long = 'x'.repeat(5000);
    const errors = Object.fromEntries(Object.keys(SettingsInput).map((field) => [field, long]));
    const view = buildSettingsModal({
      summary: { ...saved, integrationName: 'n'.repeat(3000) },
      defaultModel: 'gpt-5-mini',
      entries: { ...entriesFromSummary(saved, 'm'), connectionsUrl: 'u'.repeat(4000) },
      errors,
      notice: long,
    });
    expect(modalLimitProblems(view)).toEqual([]);
  });

  it('round trip: what the builder shows parses back to the same entries', () => {
    const entries: SettingsFormEntries = {
      openaiBaseUrl: 'http://localhost:1234/v1',
      model: 'qwen2.5:7b',
      connectionsUrl: 'https://www.notion.so/acme/Visen-connections-11111111222233334444555555555555',
      parentPageUrl: '',
      addMissingProperties: true,
    };
    const view = buildSettingsModal({
      summary: saved,
      defaultModel: 'gpt-5-mini',
      entries,
      held: { token: 'tok', notionSecretLast4: 'aaaa', openaiKeyLast4: 'bbbb' },
    });
    const submission = parseSettingsSubmission(submittedState(view), view.private_metadata);
    expect(entriesOfSubmission(submission)).toEqual(entries);
    expect(submission.notionSecret).toBeUndefined();
    expect(submission.openaiKey).toBeUndefined();
    expect(submission.heldSecretsToken).toBe('tok');

    const typed = parseSettingsSubmission(
      submittedState(view, { [SettingsInput.notionSecret.block]: '  ntn_typed_secret_1234 ', [SettingsInput.openaiKey.block]: 'sk-typed-5678' }),
      view.private_metadata,
    );
    expect(typed.notionSecret).toBe('ntn_typed_secret_1234');
    expect(typed.openaiKey).toBe('sk-typed-5678');
  });

  it('round trip from the saved summary, and unticked checkbox', () => {
    const view = buildSettingsModal({ summary: saved, defaultModel: 'gpt-5-mini' });
    const submission = parseSettingsSubmission(submittedState(view), view.private_metadata);
    expect(entriesOfSubmission(submission)).toEqual(entriesFromSummary(saved, 'gpt-5-mini'));
    expect(submission.addMissingProperties).toBe(false);
    expect(submission.heldSecretsToken).toBeUndefined();
  });

  it('the parser tolerates missing blocks and foreign metadata', () => {
    const submission = parseSettingsSubmission({}, 'not json');
    expect(submission).toEqual({
      notionSecret: undefined,
      openaiKey: undefined,
      openaiBaseUrl: '',
      model: '',
      connectionsUrl: '',
      parentPageUrl: '',
      addMissingProperties: false,
      heldSecretsToken: undefined,
    });
  });

  it('a store that could not be read still opens a usable form', () => {
    const view = buildSettingsModal({ summary: undefined, defaultModel: 'gpt-5-mini' });
    expect(modalLimitProblems(view)).toEqual([]);
    expect(allText(view)).toContain('could not be read just now');
  });

  it('errors are keyed by block id for response_action: errors', () => {
    expect(errorsByBlockId({ notionSecret: 'bad', model: 'nope', openaiKey: undefined })).toEqual({
      [SettingsInput.notionSecret.block]: 'bad',
      [SettingsInput.model.block]: 'nope',
    });
  });

  it('checking and problem views (snapshot)', () => {
    const checking = buildSettingsCheckingView();
    const problem = buildSettingsProblemView('The store is busy <now>.');
    expect(modalLimitProblems(checking)).toEqual([]);
    expect(modalLimitProblems(problem)).toEqual([]);
    expect(checking.submit).toBeUndefined();
    expect({ checking, problem }).toMatchSnapshot();
  });
});

describe('saved confirmation', () => {
  const model = { summary: saved, createdDatabase: false, addedProperties: ['Runs', 'Items'] };

  it('says what was saved and what to try next, never a secret (snapshot)', () => {
    const view = buildSettingsSavedView(model);
    const message = buildSettingsSavedMessage(model);
    expect(modalLimitProblems(view)).toEqual([]);
    expect(messageLimitProblems(message)).toEqual([]);
    for (const text of [allText(view), allText(message)]) {
      expect(text).toContain('Visen &lt;dev&gt; &amp; co');
      expect(text).toContain('<https://www.notion.so/acme/Visen-connections-11111111222233334444555555555555|Visen connections>');
      expect(text).toContain('ends in abcd');
      expect(text).toContain('ends in wxyz');
      expect(text).toContain('http://localhost:11434/v1');
      expect(text).toContain('llama3.1:8b');
      expect(text).toContain('/visen generate');
      expect(text).toContain('added: Runs, Items');
    }
    expect({ view, message }).toMatchSnapshot();
  });

  it('a created database and the default endpoint', () => {
    const message = buildSettingsSavedMessage({ summary: { ...saved, openaiBaseUrl: undefined }, createdDatabase: true, addedProperties: [] });
    expect(allText(message)).toContain('(created just now)');
    expect(allText(message)).toContain('endpoint the default');
  });

  it('not saved: lists each problem by field name', () => {
    const message = buildSettingsNotSavedMessage({ openaiKey: 'OpenAI rejected this key.', connectionsUrl: 'Lacks <Status>.' });
    expect(messageLimitProblems(message)).toEqual([]);
    const text = allText(message);
    expect(text).toContain('*OpenAI API key:* OpenAI rejected this key.');
    expect(text).toContain('*Connections database URL:* Lacks &lt;Status&gt;.');
    expect(message).toMatchSnapshot();
  });
});

describe('/visen clear messages', () => {
  it('asks with Confirm and Cancel buttons that carry no user id (snapshot)', () => {
    const message = buildClearConfirmation();
    expect(messageLimitProblems(message)).toEqual([]);
    expect(allText(message)).toContain('Nothing in Notion is deleted');
    const actions = message.blocks.find((b) => b.type === 'actions') as { elements: Array<{ action_id: string; value: string }> };
    expect(actions.elements.map((e) => e.action_id)).toEqual(['settings_clear_confirm', 'settings_clear_cancel']);
    expect(actions.elements.map((e) => e.value)).toEqual(['confirm', 'cancel']);
    expect(message).toMatchSnapshot();
  });

  it('done, cancelled and failed', () => {
    for (const message of [buildClearDoneMessage(true), buildClearDoneMessage(false), buildClearCancelledMessage(), buildClearFailedMessage('Busy.')]) {
      expect(messageLimitProblems(message)).toEqual([]);
    }
    expect(buildClearDoneMessage(true).text).toContain('Nothing in Notion was deleted');
    expect(buildClearCancelledMessage().text).toContain('nothing was deleted');
  });

  it('done says how many automatic connections stopped, and that their rows are Manual', () => {
    expect(buildClearDoneMessage(true).text).not.toContain('automatic');
    expect(buildClearDoneMessage(true, 1).text).toMatch(/1 automatic connection stopped: its row in Notion now has `Trigger` set to `Manual`\.$/);
    expect(buildClearDoneMessage(false, 3).text).toMatch(/3 automatic connections stopped: their rows in Notion now have `Trigger` set to `Manual`\.$/);
  });
});
