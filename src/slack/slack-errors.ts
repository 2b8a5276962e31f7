/** Slack's error code (`invalid_blocks`, `missing_scope`, ...) from a Web API error, when it has one. */
export function slackErrorCode(err: unknown): string | undefined {
  const data = (err as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}
