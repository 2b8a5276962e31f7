import type { SettingsSummary, UserSettings } from './types.js';

/** What may be shown of a user's settings: never a secret, only its last four characters. */
export function summaryOf(settings: Omit<UserSettings, 'savedAt'>): SettingsSummary {
  return {
    configured: true,
    notionSecretLast4: last4(settings.notionSecret),
    integrationName: settings.integrationName,
    openaiKeyLast4: last4(settings.openaiKey),
    openaiBaseUrl: settings.openaiBaseUrl,
    model: settings.model,
    connections: settings.connections,
  };
}

export function emptySummary(defaultModel: string): SettingsSummary {
  return {
    configured: false,
    notionSecretLast4: undefined,
    integrationName: undefined,
    openaiKeyLast4: undefined,
    openaiBaseUrl: undefined,
    model: defaultModel,
    connections: undefined,
  };
}

/** The last four characters, the only part of a secret ever shown; '' for a secret too short to hide them. */
export function last4(secret: string): string {
  return secret.length >= 12 ? secret.slice(-4) : '';
}
