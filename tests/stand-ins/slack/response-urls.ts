// response_url endpoints. Slack: "you can use a response_url up to 5 times within 30 minutes"
// (https://docs.slack.dev/interactivity/handling-user-interaction#message_responses, and the slash command guide
// https://docs.slack.dev/interactivity/implementing-slash-commands: "respond to a user's command up to 5 times
// within 30 minutes"). Slack's docs do not print the refusal; Slack answers HTTP 404 with the error name
// (`used_url`, `expired_url`) and the stand-in answers `{ ok: false, error }` with that status.
import { randomUUID } from 'node:crypto';
import { newMessageTs } from './ids.js';
import { messageProblems } from './limits.js';
import type { Records } from './records.js';
import type { AnyObject } from './types.js';

export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;

interface ResponseUrlTarget {
  url: string;
  issuedAt: number;
  uses: number;
  userId: string;
  channelId: string;
  /** The message a block action came from: `replace_original` / `delete_original` act on it. */
  source?: { channel: string; ts: string; ephemeral: boolean };
  origin: string;
}

export interface HttpAnswer {
  status: number;
  body: AnyObject;
}

export class ResponseUrls {
  private readonly targets = new Map<string, ResponseUrlTarget>();

  constructor(
    private readonly baseUrl: () => string,
    private readonly records: Records,
    private readonly limits = { maxUses: RESPONSE_URL_MAX_USES, ttlMs: RESPONSE_URL_TTL_MS },
  ) {}

  issue(target: Omit<ResponseUrlTarget, 'url' | 'issuedAt' | 'uses'>): string {
    const id = randomUUID();
    const url = `${this.baseUrl()}/response/${id}`;
    this.targets.set(id, { ...target, url, issuedAt: Date.now(), uses: 0 });
    return url;
  }

  /** Handles a POST to /response/<id>. */
  post(id: string, body: unknown): HttpAnswer {
    const target = this.targets.get(id);
    const url = target?.url ?? `${this.baseUrl()}/response/${id}`;
    const refuse = (status: number, error: string, why: string): HttpAnswer => {
      this.records.responseUrlPosts.push({ url, body, at: Date.now(), ok: false, error });
      this.records.fail(`response_url ${target?.origin ?? 'unknown'}: ${why}`);
      return { status, body: { ok: false, error } };
    };
    if (!target) return refuse(404, 'invalid_url', 'POST to a response_url Slack never issued');
    if (!body || typeof body !== 'object' || Array.isArray(body)) return refuse(400, 'invalid_payload', 'body is not a JSON object');
    if (Date.now() - target.issuedAt > this.limits.ttlMs) return refuse(404, 'expired_url', `used after ${this.limits.ttlMs / 60000} minutes`);
    if (target.uses >= this.limits.maxUses) return refuse(404, 'used_url', `used more than ${this.limits.maxUses} times`);
    const message = body as AnyObject;
    this.records.checkForbidden(message, `response_url ${target.origin}`);
    if (!message.delete_original) {
      const check = messageProblems(message);
      this.records.warnings.push(...check.warnings.map((w) => `response_url ${target.origin}: ${w}`));
      if (check.error) return refuse(400, check.error, `${check.error}: ${check.problems.join('; ')}`);
    }
    target.uses += 1;
    this.records.responseUrlPosts.push({ url, body, at: Date.now(), ok: true });
    this.recordMessage(target, message);
    return { status: 200, body: { ok: true } };
  }

  private recordMessage(target: ResponseUrlTarget, message: AnyObject): void {
    const base = { text: message.text, blocks: message.blocks, via: 'response_url' as const };
    if (message.delete_original && target.source) {
      this.records.messages.push({ ...base, channel: target.source.channel, ts: target.source.ts, kind: 'delete' });
    } else if (message.replace_original && target.source) {
      const user = target.source.ephemeral ? target.userId : undefined;
      this.records.messages.push({ ...base, channel: target.source.channel, ts: target.source.ts, user, kind: 'update' });
    } else if (message.response_type === 'in_channel') {
      this.records.messages.push({ ...base, channel: target.channelId, ts: newMessageTs(), thread_ts: message.thread_ts, kind: 'post' });
    } else {
      // Ephemeral is the default for slash command responses.
      this.records.messages.push({ ...base, channel: target.channelId, ts: newMessageTs(), user: target.userId, kind: 'ephemeral' });
    }
  }
}
