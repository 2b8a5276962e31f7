import type { Logger } from 'pino';
import { OpenAiError } from '../../errors.js';
import { logFailedCheck } from './check-log.js';
import { endpointUnreachable, modelNotListed, noOpenAiApiAt, OPENAI_UNREACHABLE, openAiKeyRejected } from './messages.js';
import type { SettingsPorts } from './ports.js';
import type { SettingsErrors } from './types.js';

export interface OpenAiCheckInput {
  readonly apiKey: string;
  /** Undefined: the default endpoint. */
  readonly baseUrl: string | undefined;
  readonly model: string;
}

/**
 * Lists the models the key may use at the endpoint and looks for the chosen one. A problem goes next to the
 * field the user should change: the key, the base URL (when one was given) or the model.
 */
export async function checkOpenAi(
  deps: Pick<SettingsPorts, 'openAiFor'>,
  { apiKey, baseUrl, model }: OpenAiCheckInput,
  errors: SettingsErrors,
  logger: Logger,
): Promise<boolean> {
  let models: readonly string[];
  try {
    models = await deps.openAiFor({ apiKey, baseUrl }).listModels();
  } catch (err) {
    logFailedCheck(logger, 'openai', err);
    placeListingProblem(err, baseUrl, errors);
    return false;
  }
  if (!models.includes(model)) {
    errors.model = modelNotListed(model, models, baseUrl);
    return false;
  }
  return true;
}

/** Why the models could not be listed, next to the field the user should change. */
function placeListingProblem(err: unknown, baseUrl: string | undefined, errors: SettingsErrors): void {
  if (!(err instanceof OpenAiError)) {
    if (baseUrl) errors.openaiBaseUrl = endpointUnreachable(baseUrl);
    else errors.openaiKey = OPENAI_UNREACHABLE;
    return;
  }
  switch (err.code) {
    case 'unauthorized':
      errors.openaiKey = openAiKeyRejected(baseUrl);
      return;
    case 'quota_exceeded':
      errors.openaiKey = err.userMessage;
      return;
    case 'endpoint_not_allowed':
      errors.openaiBaseUrl = err.userMessage; // only a user's own base URL is checked against the policy
      return;
    case 'bad_endpoint':
      errors.openaiBaseUrl = baseUrl ? noOpenAiApiAt(baseUrl) : err.userMessage;
      if (!baseUrl) errors.openaiKey = err.userMessage;
      return;
    default:
      if (baseUrl) errors.openaiBaseUrl = err.userMessage;
      else errors.openaiKey = err.userMessage;
  }
}
