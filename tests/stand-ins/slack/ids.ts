// Identifiers in the formats Slack uses, so app code that inspects them (prefixes, shapes) behaves as in production.
import { createHash, randomBytes, randomUUID } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomAlphanumeric(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return out;
}

/** View ids look like `VMHU10V25`. */
export const newViewId = (): string => `V${randomAlphanumeric(10)}`;

/** Envelope ids are UUIDs (https://docs.slack.dev/apis/events-api/using-socket-mode). */
export const newEnvelopeId = (): string => randomUUID();

/** Trigger ids look like `12345.98765.abcd2358fdea` (https://docs.slack.dev/reference/methods/views.open). */
export const newTriggerId = (): string => `${Date.now()}.${Math.floor(Math.random() * 1e10)}.${randomBytes(16).toString('hex')}`;

export const newEventId = (): string => `Ev${randomAlphanumeric(10)}`;

export const newTicket = (): string => randomUUID();

export const newSecretPart = (): string => randomBytes(12).toString('hex');

/** View hashes look like `156772938.1827394` (https://docs.slack.dev/reference/methods/views.update). */
export const newViewHash = (): string => `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`;

let tsCounter = 0;
/** Message timestamps are `seconds.micro` strings, unique per channel; a counter keeps them strictly increasing. */
export function newMessageTs(): string {
  tsCounter = (tsCounter + 1) % 1_000_000;
  return `${Math.floor(Date.now() / 1000)}.${String(tsCounter).padStart(6, '0')}`;
}

/** The app's direct-message channel with a user: stable per user, like Slack's `D...` ids. */
export function directChannelFor(userId: string): string {
  return `D${createHash('sha256').update(userId).digest('hex').slice(0, 10).toUpperCase()}`;
}

export const isUserId = (value: string): boolean => /^[UW][A-Z0-9]+$/.test(value);
export const isChannelId = (value: string): boolean => /^[CDG][A-Z0-9]+$/.test(value);
