/** The checks of a settings submission that need no network: each problem goes next to its field. */
import {
  BASE_URL_HAS_QUERY,
  BASE_URL_NOT_HTTP,
  BOTH_DATABASE_AND_PARENT_PAGE,
  ENTER_NOTION_SECRET,
  ENTER_OPENAI_KEY,
  MODEL_NAME_INVALID,
  NEITHER_DATABASE_NOR_PARENT_PAGE,
  NOTION_SECRET_HAS_SPACES,
  NOTION_SECRET_LOOKS_LIKE_OPENAI_KEY,
  notNotionUrl,
  OPENAI_KEY_HAS_SPACES,
  OPENAI_KEY_LOOKS_LIKE_NOTION_SECRET,
  REENTER_UNREADABLE_NOTION_SECRET,
  REENTER_UNREADABLE_OPENAI_KEY,
} from './messages.js';
import type { SettingsPorts } from './ports.js';
import type { SettingsErrors, SettingsSubmission } from './types.js';

const MODEL_PATTERN = /^[\w.:/@-]{1,200}$/;

export interface FormInput {
  readonly submission: SettingsSubmission;
  /** The secrets to check: typed, else held, else saved. */
  readonly notionSecret: string | undefined;
  readonly openaiKey: string | undefined;
  /** Settings are saved but their secrets no longer open. */
  readonly secretsUnreadable: boolean;
  readonly defaultModel: string;
}

/** The submission's entries in the form the live checks take; ids only where the URL parsed. */
export interface CheckedForm {
  readonly openaiBaseUrl: string | undefined;
  readonly model: string;
  readonly databaseId: string | undefined;
  readonly parentPageId: string | undefined;
}

export function checkForm(deps: Pick<SettingsPorts, 'parseNotionUrl'>, input: FormInput, errors: SettingsErrors): CheckedForm {
  const { submission } = input;
  const notionSecretProblem = checkNotionSecretForm(input.notionSecret, input.secretsUnreadable);
  if (notionSecretProblem) errors.notionSecret = notionSecretProblem;
  const openaiKeyProblem = checkOpenAiKeyForm(input.openaiKey, input.secretsUnreadable);
  if (openaiKeyProblem) errors.openaiKey = openaiKeyProblem;

  let openaiBaseUrl: string | undefined;
  if (submission.openaiBaseUrl) {
    openaiBaseUrl = normaliseHttpUrl(submission.openaiBaseUrl);
    if (!openaiBaseUrl) errors.openaiBaseUrl = BASE_URL_NOT_HTTP;
    // A query would swallow the API path the SDK appends (`/admin?next=` + `/models`), a fragment would drop it.
    else if (/[?#]/.test(submission.openaiBaseUrl)) errors.openaiBaseUrl = BASE_URL_HAS_QUERY;
  }
  const model = submission.model || input.defaultModel;
  if (!MODEL_PATTERN.test(model)) errors.model = MODEL_NAME_INVALID;

  let databaseId: string | undefined;
  let parentPageId: string | undefined;
  if (submission.connectionsUrl && submission.parentPageUrl) {
    errors.parentPageUrl = BOTH_DATABASE_AND_PARENT_PAGE;
  } else if (!submission.connectionsUrl && !submission.parentPageUrl) {
    errors.connectionsUrl = NEITHER_DATABASE_NOR_PARENT_PAGE;
  } else if (submission.connectionsUrl) {
    const parsed = deps.parseNotionUrl(submission.connectionsUrl);
    if (parsed.kind === 'invalid') errors.connectionsUrl = notNotionUrl('database', parsed.reason);
    else databaseId = parsed.id;
  } else {
    const parsed = deps.parseNotionUrl(submission.parentPageUrl);
    if (parsed.kind === 'invalid') errors.parentPageUrl = notNotionUrl('page', parsed.reason);
    else parentPageId = parsed.id;
  }
  return { openaiBaseUrl, model, databaseId, parentPageId };
}

function checkNotionSecretForm(secret: string | undefined, unreadable: boolean): string | undefined {
  if (!secret) return unreadable ? REENTER_UNREADABLE_NOTION_SECRET : ENTER_NOTION_SECRET;
  if (/\s/.test(secret)) return NOTION_SECRET_HAS_SPACES;
  if (secret.startsWith('sk-')) return NOTION_SECRET_LOOKS_LIKE_OPENAI_KEY;
  return undefined;
}

function checkOpenAiKeyForm(key: string | undefined, unreadable: boolean): string | undefined {
  if (!key) return unreadable ? REENTER_UNREADABLE_OPENAI_KEY : ENTER_OPENAI_KEY;
  if (/\s/.test(key)) return OPENAI_KEY_HAS_SPACES;
  if (/^(ntn_|secret_)/.test(key)) return OPENAI_KEY_LOOKS_LIKE_NOTION_SECRET;
  return undefined;
}

function normaliseHttpUrl(text: string): string | undefined {
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (url.username || url.password) return undefined;
    return url.toString().replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}
