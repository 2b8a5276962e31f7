/** What a model list answer holds, and which of its models to suggest when the chosen one is missing. */

const SUGGESTED_MODELS = 5;
/** Model ids that are not chat models, left out of suggestions. */
const NOT_CHAT_MODEL = /embed|tts|whisper|dall-e|moderation|davinci|babbage|transcribe|image|realtime|audio|search|sora/i;

/** `{ data: [{ id }] }`, as OpenAI's list models answers; undefined for anything else (an HTML page, say). */
export function modelIds(body: unknown): string[] | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const data = (body as { data?: unknown }).data;
  if (!Array.isArray(data)) return undefined;
  const ids = data.map((m) => (m && typeof m === 'object' ? (m as { id?: unknown }).id : undefined)).filter((id): id is string => typeof id === 'string');
  return [...new Set(ids)].sort();
}

/** A few models to suggest: chat models first, OpenAI's gpt-* before the rest. */
export function suggestions(models: readonly string[]): string[] {
  const chat = models.filter((m) => !NOT_CHAT_MODEL.test(m));
  const pool = chat.length > 0 ? chat : [...models];
  return [...pool.filter((m) => m.startsWith('gpt-')), ...pool.filter((m) => !m.startsWith('gpt-'))].slice(0, SUGGESTED_MODELS);
}
