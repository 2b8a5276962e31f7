/** POSTs a message to a response_url (a plain HTTPS webhook; no token). Throws on a non-2xx answer. */
export async function postToResponseUrl(url: string, message: Record<string, unknown>): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(message),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`response_url answered HTTP ${res.status}`);
  await res.body?.cancel().catch(() => undefined);
}
