/**
 * The guarded fetch for users' base URLs: the policy is applied inside the connection (the socket's lookup
 * and the Agent's connector), so a refused address is never handed to a socket. Real servers listen on
 * loopback addresses only; a link-local or metadata address is only ever produced by a test resolver or an
 * IP literal, and the tests show it never reaches a connector.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createGuardedFetch, guardedConnector, guardedLookup, type HostResolver, OutboundRefusedError } from '../../src/adapters/net/guarded-fetch.js';
import { type AllowList, createOutboundPolicy, parseAllowList } from '../../src/adapters/net/outbound-policy.js';
import { createOpenAiGateway } from '../../src/adapters/openai.js';
import { OpenAiError } from '../../src/errors.js';

function allowList(text: string): AllowList {
  const parsed = parseAllowList(text);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.allow;
}

/** A resolver from a table that records every name it is asked for. */
function tableResolver(table: Record<string, string[]>): HostResolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (hostname: string) => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { asked });
}

function lookupResult(lookup: ReturnType<typeof guardedLookup>, hostname: string, all: boolean) {
  return new Promise<{ err: unknown; address: unknown }>((resolve) => lookup(hostname, { all }, (err, address) => resolve({ err, address })));
}

interface CountingServer {
  readonly url: string;
  readonly port: number;
  connections: number;
  server: Server;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** An HTTP server on `host` that counts its connections and answers with `respond` (a model list by default). */
async function countingServer(host: string, respond?: (res: import('node:http').ServerResponse) => void, port = 0): Promise<CountingServer> {
  const server = createServer((_req, res) => {
    if (respond) return respond(res);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'list', data: [{ id: 'gpt-5-mini', object: 'model', created: 1, owned_by: 'test' }] }));
  });
  servers.push(server);
  const counting = { url: '', port: 0, connections: 0, server };
  server.on('connection', () => counting.connections++);
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  counting.port = (server.address() as AddressInfo).port;
  counting.url = `http://${host}:${counting.port}`;
  return counting;
}

async function refusalOf(promise: Promise<unknown>): Promise<OutboundRefusedError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  const refused = err instanceof OutboundRefusedError ? err : (err as { cause?: unknown } | undefined)?.cause;
  if (!(refused instanceof OutboundRefusedError)) throw new Error(`expected a refusal, got ${String(err)}`);
  return refused;
}

describe('the lookup', () => {
  const policy = createOutboundPolicy(allowList('127.0.0.1'));

  it('fails a name that resolves only to refused addresses, naming the worst', async () => {
    const resolve = tableResolver({ 'metadata.test': ['10.0.0.1', '169.254.169.254'] });
    const { err, address } = await lookupResult(guardedLookup(policy, resolve), 'metadata.test', true);
    expect(resolve.asked).toEqual(['metadata.test']);
    expect(address).toEqual([]);
    expect(err).toBeInstanceOf(OutboundRefusedError);
    expect((err as OutboundRefusedError).refusal).toEqual({ host: 'metadata.test', address: '169.254.169.254', addressClass: 'link-local', allowable: false });
  });

  it('hands the socket only the allowed addresses of a mixed answer', async () => {
    const resolve = tableResolver({ 'dual.test': ['::1', '169.254.169.254', '127.0.0.1', '93.184.215.14'] });
    expect(await lookupResult(guardedLookup(policy, resolve), 'dual.test', true)).toEqual({
      err: null,
      address: [
        { address: '127.0.0.1', family: 4 },
        { address: '93.184.215.14', family: 4 },
      ],
    });
    expect(await lookupResult(guardedLookup(policy, resolve), 'dual.test', false)).toEqual({ err: null, address: '127.0.0.1' });
  });

  it('refuses a metadata host name without asking the resolver', async () => {
    const resolve = tableResolver({});
    const { err } = await lookupResult(guardedLookup(policy, resolve), 'metadata.google.internal', true);
    expect((err as OutboundRefusedError).refusal?.addressClass).toBe('metadata');
    expect(resolve.asked).toEqual([]);
  });

  it('passes a resolver failure on as it is', async () => {
    const { err } = await lookupResult(guardedLookup(policy, tableResolver({})), 'nowhere.test', true);
    expect((err as NodeJS.ErrnoException).code).toBe('ENOTFOUND');
  });
});

describe('the connector (IP literals skip the lookup)', () => {
  const policy = createOutboundPolicy(allowList(''));

  it.each(['169.254.169.254', 'fe80::1', '::ffff:169.254.169.254', 'fd00:ec2::254', '0.0.0.0', '127.0.0.1', '10.0.0.1'])(
    'never calls the real connector for %s',
    async (hostname) => {
      const connected: string[] = [];
      const connector = guardedConnector(policy, (options) => void connected.push(options.hostname));
      const err = await new Promise((resolve) => connector({ hostname, host: hostname, protocol: 'http:', port: '80' }, (...args) => resolve(args[0])));
      expect(err).toBeInstanceOf(OutboundRefusedError);
      expect(connected).toEqual([]);
    },
  );

  it('calls the real connector for a public address and for a host name (checked in the lookup)', () => {
    const connected: string[] = [];
    const connector = guardedConnector(policy, (options) => void connected.push(options.hostname));
    for (const hostname of ['93.184.215.14', 'api.example.com']) connector({ hostname, host: hostname, protocol: 'https:', port: '443' }, () => undefined);
    expect(connected).toEqual(['93.184.215.14', 'api.example.com']);
  });
});

describe('the guarded fetch', () => {
  it('does not connect to a loopback server by default', async () => {
    const server = await countingServer('127.0.0.1');
    const refused = await refusalOf(createGuardedFetch({ allow: allowList('') })(`${server.url}/v1/models`));
    expect(refused.refusal).toMatchObject({ host: '127.0.0.1', addressClass: 'loopback', allowable: true });
    expect(server.connections).toBe(0);
  });

  it('connects to a loopback server the allow list names, by address or by host name', async () => {
    const server = await countingServer('127.0.0.1');
    expect((await createGuardedFetch({ allow: allowList('127.0.0.1') })(`${server.url}/v1/models`)).status).toBe(200);
    const resolve = tableResolver({ 'models.test': ['127.0.0.1'] });
    const byName = createGuardedFetch({ allow: allowList('models.test'), resolve });
    expect((await byName(`http://models.test:${server.port}/v1/models`)).status).toBe(200);
    expect(resolve.asked).toEqual(['models.test']);
    expect(server.connections).toBe(2);
  });

  it('checks every request anew: a name rebound to a refused address is refused at the next request', async () => {
    const allowed = await countingServer('127.0.0.1');
    const refusedServer = await countingServer('127.0.0.2', undefined, allowed.port);
    const table: Record<string, string[]> = { 'models.test': ['127.0.0.1'] };
    const resolve = tableResolver(table);
    const guarded = createGuardedFetch({ allow: allowList('127.0.0.1'), resolve });
    const url = `http://models.test:${allowed.port}/v1/models`;
    for (let i = 0; i < 3; i++) {
      const answer = await guarded(url);
      expect(await answer.json()).toMatchObject({ object: 'list' }); // read to the end: a kept-alive socket would now be reused
    }
    expect(allowed.connections).toBe(3);
    table['models.test'] = ['127.0.0.2'];
    expect((await refusalOf(guarded(url))).refusal).toMatchObject({ address: '127.0.0.2', addressClass: 'loopback' });
    expect(resolve.asked).toEqual(['models.test', 'models.test', 'models.test', 'models.test']);
    expect(refusedServer.connections).toBe(0);
  });

  it('refuses a redirect instead of following it, naming only the target origin', async () => {
    const target = await countingServer('127.0.0.2');
    const redirector = await countingServer('127.0.0.1', (res) => {
      res.writeHead(307, { location: `${target.url}/latest/meta-data?token=x` });
      res.end();
    });
    const guarded = createGuardedFetch({ allow: allowList('127.0.0.0/8') });
    const refused = await refusalOf(guarded(`${redirector.url}/v1/models`));
    expect(refused.redirect).toEqual({ status: 307, location: target.url });
    expect(target.connections).toBe(0);
  });
});

describe('the OpenAI gateway with a user base URL', () => {
  const logger = pino({ level: 'silent' });

  it('fails at once with endpoint_not_allowed and the words for the user, without retrying', async () => {
    const resolve = tableResolver({ 'metadata.test': ['169.254.169.254'], 'private.test': ['10.9.8.7'] });
    const gateway = createOpenAiGateway({ logger, timeoutMs: 2000, userEndpoints: { allow: allowList(''), resolve } });
    const metadata = await gateway
      .forUser({ apiKey: 'sk-test', baseUrl: 'http://metadata.test/v1' })
      .listModels()
      .catch((e: unknown) => e);
    expect(metadata).toBeInstanceOf(OpenAiError);
    expect((metadata as OpenAiError).code).toBe('endpoint_not_allowed');
    expect((metadata as OpenAiError).userMessage).toBe(
      'Visen never connects to `metadata.test` (169.254.169.254, a link-local address, where clouds serve instance credentials), whatever the settings say. Use the address of your model server instead.',
    );
    const privateHost = await gateway
      .forUser({ apiKey: 'sk-test', baseUrl: 'http://private.test:8000/v1' })
      .listModels()
      .catch((e: unknown) => e);
    expect((privateHost as OpenAiError).userMessage).toBe(
      'Visen is not allowed to connect to `private.test` (10.9.8.7, a private network address). Ask whoever runs Visen to allow it with VISEN_BASE_URL_ALLOW, or use a public endpoint.',
    );
    expect(resolve.asked).toEqual(['metadata.test', 'private.test']); // once each: no retry
  });

  it("trusts the operator's default endpoint, also when a user types its address", async () => {
    const server = await countingServer('127.0.0.1');
    const gateway = createOpenAiGateway({ logger, defaultBaseUrl: `${server.url}/v1`, userEndpoints: { allow: allowList('') } });
    expect(await gateway.forUser({ apiKey: 'sk-test' }).listModels()).toEqual(['gpt-5-mini']);
    expect(await gateway.forUser({ apiKey: 'sk-test', baseUrl: `${server.url}/v1/` }).listModels()).toEqual(['gpt-5-mini']);
    const otherPath = await gateway
      .forUser({ apiKey: 'sk-other', baseUrl: `http://127.0.0.1:${server.port + 1}/v1` })
      .listModels()
      .catch((e: unknown) => e);
    expect((otherPath as OpenAiError).code).toBe('endpoint_not_allowed');
  });

  it('streams a chat answer through the guarded fetch from an allowed server', async () => {
    const server = await countingServer('127.0.0.1', (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (delta: object, finish: string | null) =>
        `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-5-mini', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.end(`${chunk({ content: 'Hello, ' }, null)}${chunk({ content: 'world' }, null)}${chunk({}, 'stop')}data: [DONE]\n\n`);
    });
    const gateway = createOpenAiGateway({ logger, userEndpoints: { allow: allowList('127.0.0.1') } });
    let text = '';
    for await (const delta of gateway.forUser({ apiKey: 'sk-test', baseUrl: `${server.url}/v1` }).streamChat({ model: 'gpt-5-mini', prompt: 'hi' }))
      text += delta;
    expect(text).toBe('Hello, world');
  });
});
