import type { WebClient } from '@slack/web-api';

/** How long a name or time zone read with users.info is used before it is read again. */
export const PEOPLE_CACHE_MS = 10 * 60_000;
/** People kept at most (the oldest go first): bounded memory however many people post in threads. */
export const PEOPLE_CACHE_MAX = 5_000;

interface Person {
  readonly name: string;
  readonly timeZone: string | undefined;
  readonly readAt: number;
}

/**
 * Display names and time zones from users.info (https://docs.slack.dev/reference/methods/users.info), cached for
 * a while: a thread's authors are read once, not once per message. A user Slack cannot find keeps their id.
 */
export class SlackPeople {
  readonly #people = new Map<string, Person>();
  readonly #reading = new Map<string, Promise<Person>>();

  constructor(private readonly now: () => number = Date.now) {}

  async displayName(client: WebClient, userId: string): Promise<string> {
    return (await this.#person(client, userId)).name;
  }

  /** The user's IANA time zone, or UTC when Slack does not say (or cannot be asked: a missing users:read). */
  async timeZone(client: WebClient, userId: string): Promise<string> {
    try {
      return (await this.#person(client, userId)).timeZone ?? 'UTC';
    } catch {
      return 'UTC';
    }
  }

  #person(client: WebClient, userId: string): Promise<Person> {
    const known = this.#people.get(userId);
    if (known && this.now() - known.readAt < PEOPLE_CACHE_MS) return Promise.resolve(known);
    const reading = this.#reading.get(userId) ?? this.#read(client, userId).finally(() => this.#reading.delete(userId));
    this.#reading.set(userId, reading);
    return reading;
  }

  async #read(client: WebClient, userId: string): Promise<Person> {
    let person: Person;
    try {
      const res = await client.users.info({ user: userId });
      const u = res.user as { name?: string; real_name?: string; tz?: string; profile?: { display_name?: string; real_name?: string } } | undefined;
      const name = u?.profile?.display_name || u?.profile?.real_name || u?.real_name || u?.name || userId;
      person = { name, timeZone: u?.tz || undefined, readAt: this.now() };
    } catch (err) {
      const code = (err as { data?: { error?: string } }).data?.error;
      if (code !== 'user_not_found' && code !== 'user_not_visible') throw err;
      person = { name: userId, timeZone: undefined, readAt: this.now() };
    }
    this.#people.delete(userId);
    this.#people.set(userId, person);
    if (this.#people.size > PEOPLE_CACHE_MAX) this.#people.delete(this.#people.keys().next().value as string);
    return person;
  }
}
