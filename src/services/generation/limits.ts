/**
 * The longest prompt Visen takes, in characters as a person counts them (code points). One rule for every caller:
 * the slash command and the generate modal check it first, to answer in their own words; the service enforces it
 * for all of them (reruns from the Home tab included). 8,000 is the number the generate modal tells users.
 */
export const MAX_PROMPT_CHARS = 8_000;

/** A prompt's length as `MAX_PROMPT_CHARS` counts it. */
export function promptLength(prompt: string): number {
  let n = 0;
  for (const _ of prompt) n += 1;
  return n;
}
