/**
 * The longest prompt Visen takes, in characters as a person counts them (code points: `characterCount` in services/text.ts). One rule for every caller:
 * the slash command and the generate modal check it first, to answer in their own words; the service enforces it
 * for all of them (reruns from the Home tab included). 8,000 is the number the generate modal tells users.
 */
export const MAX_PROMPT_CHARS = 8_000;
