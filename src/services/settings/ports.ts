/**
 * What the settings service needs from Notion and OpenAI: the adapters' own plain types, narrowed to the
 * methods it calls (so tests may hand in a small fake). compose.ts hands in the real adapters. Errors come
 * back as NotionError / OpenAiError with the codes in src/errors.ts.
 */
import type { NotionWorkspace, ParsedNotionUrl } from '../../adapters/notion/index.js';
import type { OpenAiClient } from '../../adapters/openai.js';

export type SettingsNotion = Pick<NotionWorkspace, 'whoAmI' | 'resolveObject' | 'retrieveDataSource' | 'updateDataSourceProperties' | 'createDatabase'>;

export type SettingsOpenAi = Pick<OpenAiClient, 'listModels'>;

export interface SettingsPorts {
  notionFor(secret: string): SettingsNotion;
  /** `baseUrl` undefined: the default endpoint (OPENAI_BASE_URL, else OpenAI's). */
  openAiFor(options: { apiKey: string; baseUrl: string | undefined }): SettingsOpenAi;
  parseNotionUrl(text: string): ParsedNotionUrl;
}
