/**
 * The start of a response body, up to `maxBytes`; the rest is never read (the stream is cancelled). For error
 * answers, which are logged in a few hundred characters at most: a hostile or broken upstream's 5 MB error page
 * is not buffered in full to be cut afterwards.
 */
export async function readAtMost(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, maxBytes));
}
