/**
 * A fetch for users' own base URLs that connects only where the outbound policy allows (./outbound-policy.ts).
 *
 * The check sits in the connection itself, so what is checked is what is connected (no time-of-check to
 * time-of-use gap, no DNS rebinding between a check and the connect):
 * - a host name is resolved once, in the socket's own `lookup`; every address of the answer is checked and
 *   only allowed ones are handed to the socket (a name with none left fails before any socket connects);
 * - an IP literal never goes through `lookup` (Node connects to it directly), so the connector checks it;
 * - every request opens its own connection (no keep-alive), so each one is checked against the name's
 *   current answer: a rebinding after settings were saved is refused at the next request;
 * - redirects are refused, not followed: an OpenAI-compatible API has no reason to redirect, and a redirect
 *   would send the request (and, through a same-origin hop, the key) somewhere the user never typed.
 *
 * It uses the `undici` package (the library behind Node's fetch) for its own fetch and Agent: Node's built-in
 * fetch has no public way to set a dispatcher's `connect`, and mixing Node's bundled undici with the package's
 * Agent is not supported across Node versions.
 */

import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { Agent, buildConnector, type RequestInit as UndiciRequestInit, fetch as undiciFetch } from 'undici';
import { type AllowList, createOutboundPolicy, type OutboundPolicy, parseAddress, type Refusal } from './outbound-policy.js';

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Resolves a host name to every address it has (tests hand in their own; default: the system resolver). */
export type HostResolver = (hostname: string) => Promise<ReadonlyArray<{ address: string; family: number }>>;

export const systemResolver: HostResolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The error code a refused connection or redirect carries (fetch wraps it as `TypeError: fetch failed`, cause). */
export const OUTBOUND_REFUSED = 'ERR_VISEN_OUTBOUND_REFUSED';

/** A connection or redirect the policy refused; `refusal` says what and why. */
export class OutboundRefusedError extends Error {
  readonly code = OUTBOUND_REFUSED;
  constructor(
    readonly refusal: Refusal | undefined,
    readonly redirect?: { readonly status: number; readonly location: string | undefined },
  ) {
    super(
      redirect
        ? `refused to follow a redirect (HTTP ${redirect.status}) to ${redirect.location ?? 'an unnamed location'}`
        : `refused to connect to ${refusal?.host}${refusal?.address ? ` (${refusal.address})` : ''}: ${refusal?.addressClass}`,
    );
    this.name = 'OutboundRefusedError';
  }
}

/** The refusal inside an error chain (fetch's TypeError, the SDK's connection error), if any. */
export function findOutboundRefusal(err: unknown): OutboundRefusedError | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    if (current instanceof OutboundRefusedError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for net.connect that resolves with `resolve` and passes on only the addresses `policy` allows. */
export function guardedLookup(policy: OutboundPolicy, resolve: HostResolver) {
  return (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void => {
    const byName = policy.checkHost(hostname);
    if (byName) {
      callback(new OutboundRefusedError(byName), []);
      return;
    }
    resolve(hostname).then(
      (answer) => {
        const refusals: Refusal[] = [];
        const allowed: LookupAddress[] = [];
        for (const { address, family } of answer) {
          if (options.family && options.family !== family) continue;
          const refusal = policy.check(hostname, address);
          if (refusal) refusals.push(refusal);
          else allowed.push({ address, family: family === 6 ? 6 : 4 });
        }
        if (allowed.length === 0) {
          // Name the refusal the user cannot ask the operator about first (metadata beats private).
          const worst = refusals.find((r) => !r.allowable) ?? refusals[0];
          return callback(worst ? new OutboundRefusedError(worst) : notFound(hostname), []);
        }
        if (options.all) return callback(null, allowed);
        return callback(null, allowed[0]!.address, allowed[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, []),
    );
  };
}

function notFound(hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
}

type Connector = buildConnector.connector;

/** The Agent's connector: IP literals are checked here (they skip `lookup`); names are checked in `lookup`. */
export function guardedConnector(policy: OutboundPolicy, base: Connector): Connector {
  return (options, callback) => {
    const address = parseAddress(options.hostname);
    const refusal = address ? policy.check(options.hostname, address.toString()) : undefined;
    if (refusal) {
      callback(new OutboundRefusedError(refusal), null);
      return;
    }
    base(options, callback);
  };
}

export interface GuardedFetchOptions {
  readonly allow: AllowList;
  readonly resolve?: HostResolver;
}

/** A fetch (for the openai SDK's `fetch` option) that only connects where the policy allows. */
export function createGuardedFetch(o: GuardedFetchOptions): Fetch {
  const policy = createOutboundPolicy(o.allow);
  const base = buildConnector({ lookup: guardedLookup(policy, o.resolve ?? systemResolver) } as buildConnector.BuildOptions);
  // pipelining 0: no keep-alive, so every request connects (and is checked) anew.
  const dispatcher = new Agent({ connect: guardedConnector(policy, base), pipelining: 0 });
  return async (input, init) => {
    const response = await undiciFetch(input as string, { ...(init as UndiciRequestInit), redirect: 'manual', dispatcher });
    if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
      await response.body?.cancel().catch(() => undefined);
      throw new OutboundRefusedError(undefined, { status: response.status, location: originOf(response.headers.get('location'), String(input)) });
    }
    // undici's Response is the WHATWG Response the SDK expects; only its TypeScript type is undici's own.
    return response as unknown as Response;
  };
}

/** scheme://host[:port] of a redirect's target (never its path or query), for the message. */
function originOf(location: string | null, base: string): string | undefined {
  try {
    const url = new URL(location ?? '', base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}
