import { describe, expect, it } from 'vitest';
import { type AllowList, classifyAddress, createOutboundPolicy, parseAddress, parseAllowList } from '../../src/adapters/net/outbound-policy.js';

function classOf(text: string) {
  const address = parseAddress(text);
  if (!address) throw new Error(`not an address: ${text}`);
  return classifyAddress(address);
}

function allowList(text: string): AllowList {
  const parsed = parseAllowList(text);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.allow;
}

describe('address classification', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'], // CGNAT
    ['fd12:3456::1', 'private'], // unique local
    ['fc00::1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fd00:ec2::254', 'metadata'], // AWS IMDS over IPv6, inside the unique local range
    ['100.100.100.200', 'metadata'], // Alibaba Cloud, inside CGNAT
    ['168.63.129.16', 'metadata'], // Azure WireServer, a public-looking address
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['2001:db8::1', 'reserved'],
  ])('%s is %s', (address, expected) => {
    expect(classOf(address)).toBe(expected);
  });

  it.each([
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['::ffff:0:169.254.169.254', 'link-local'], // RFC 6145
    ['64:ff9b::169.254.169.254', 'link-local'], // NAT64
    ['2002:a9fe:a9fe::1', 'link-local'], // 6to4 around 169.254.169.254
    ['2002:7f00:1::1', 'loopback'], // 6to4 around 127.0.0.1
    ['::169.254.169.254', 'link-local'], // IPv4-compatible
    ['::ffff:100.100.100.200', 'metadata'],
  ])('an IPv6 form of an IPv4 address is judged by the IPv4 address: %s is %s', (address, expected) => {
    expect(classOf(address)).toBe(expected);
  });

  it('takes only standard spellings; host names and odd IPv4 forms are not addresses', () => {
    // The URL parser has already turned 0x7f.1 and 2130706433 into 127.0.0.1 before anything here sees them.
    for (const text of ['localhost', 'example.com', '0x7f.1', '2130706433', '127.1', '']) expect(parseAddress(text)).toBeUndefined();
  });
});

describe('the allow list (VISEN_BASE_URL_ALLOW)', () => {
  it('reads host names, addresses and CIDR ranges, with spaces and empty entries ignored', () => {
    const parsed = parseAllowList(' localhost, Ollama.Internal. ,127.0.0.1,, 10.0.0.0/8, fd00::/8, [::1] ');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect([...parsed.allow.hosts]).toEqual(['localhost', 'ollama.internal']);
    expect(parsed.allow.ranges.map(([a, bits]) => `${a.toString()}/${bits}`)).toEqual(['127.0.0.1/32', '10.0.0.0/8', 'fd00::/8', '::1/128']);
  });

  it('is empty when unset', () => {
    expect(parseAllowList(undefined)).toEqual({ ok: true, allow: { hosts: new Set(), ranges: [] }, entries: [] });
  });

  it('lists every bad entry at once', () => {
    const parsed = parseAllowList(
      '10.0.0.0/33,not a host,*,http://localhost:11434, 169.254.169.254,169.254.0.0/16,fe80::/10,metadata.google.internal,0.0.0.0,224.0.0.0/4',
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toEqual([
      'VISEN_BASE_URL_ALLOW: "10.0.0.0/33" is not a CIDR range such as 10.0.0.0/8 or fd00::/8',
      'VISEN_BASE_URL_ALLOW: "not a host" is not a host name, an IP address or a CIDR range',
      'VISEN_BASE_URL_ALLOW: "*" is not a host name, an IP address or a CIDR range',
      'VISEN_BASE_URL_ALLOW: "http://localhost:11434" is not a CIDR range such as 10.0.0.0/8 or fd00::/8',
      expect.stringMatching(/"169\.254\.169\.254" is a link-local address.*Visen never connects to those, so it cannot be allowed/),
      expect.stringMatching(/"169\.254\.0\.0\/16" is a link-local address/),
      expect.stringMatching(/"fe80::\/10" is a link-local address/),
      expect.stringMatching(/"metadata\.google\.internal" is a cloud metadata service/),
      expect.stringMatching(/"0\.0\.0\.0" is the unspecified address/),
      expect.stringMatching(/"224\.0\.0\.0\/4" is a multicast address/),
    ]);
  });

  it('accepts a range wider than a never-allowed one (its never-allowed part stays refused)', () => {
    const policy = createOutboundPolicy(allowList('0.0.0.0/0'));
    expect(policy.check('models.test', '10.1.1.1')).toBeUndefined();
    expect(policy.check('models.test', '169.254.169.254')).toMatchObject({ addressClass: 'link-local', allowable: false });
    expect(policy.check('models.test', '0.0.0.0')).toMatchObject({ addressClass: 'unspecified', allowable: false });
  });
});

describe('the outbound policy', () => {
  it('lets public addresses through and refuses loopback and private ones by default', () => {
    const policy = createOutboundPolicy(allowList(''));
    expect(policy.check('api.example.com', '93.184.215.14')).toBeUndefined();
    expect(policy.check('localhost', '127.0.0.1')).toEqual({ host: 'localhost', address: '127.0.0.1', addressClass: 'loopback', allowable: true });
    expect(policy.check('LAN.example.', '192.168.0.7')).toEqual({ host: 'lan.example', address: '192.168.0.7', addressClass: 'private', allowable: true });
    expect(policy.check('::ffff:127.0.0.1', '::ffff:127.0.0.1')).toMatchObject({ addressClass: 'loopback', allowable: true });
  });

  it('allows a non-public address by CIDR, also in its IPv4-mapped form', () => {
    const policy = createOutboundPolicy(allowList('127.0.0.1,10.0.0.0/8'));
    expect(policy.check('localhost', '127.0.0.1')).toBeUndefined();
    expect(policy.check('::ffff:127.0.0.1', '::ffff:127.0.0.1')).toBeUndefined();
    expect(policy.check('gpu.lan', '10.20.30.40')).toBeUndefined();
    expect(policy.check('localhost', '127.0.0.2')).toMatchObject({ addressClass: 'loopback' });
    expect(policy.check('localhost', '::1')).toMatchObject({ addressClass: 'loopback' });
    expect(policy.check('nas.lan', '192.168.1.1')).toMatchObject({ addressClass: 'private' });
  });

  it('allows any non-public address of an allowed host name, matched without case or trailing dot', () => {
    const policy = createOutboundPolicy(allowList('ollama.internal'));
    expect(policy.check('Ollama.Internal.', '10.0.0.5')).toBeUndefined();
    expect(policy.check('ollama.internal', '::1')).toBeUndefined();
    expect(policy.check('other.internal', '10.0.0.5')).toMatchObject({ addressClass: 'private' });
  });

  it('never allows link-local, metadata, unspecified, multicast or broadcast addresses, whatever the list says', () => {
    const policy = createOutboundPolicy(allowList('0.0.0.0/0,::/0,sneaky.test'));
    for (const address of [
      '169.254.169.254',
      'fe80::1',
      '::ffff:169.254.169.254',
      'fd00:ec2::254',
      '100.100.100.200',
      '0.0.0.0',
      '::',
      '224.0.0.1',
      '255.255.255.255',
    ]) {
      expect(policy.check('sneaky.test', address), address).toMatchObject({ allowable: false });
    }
  });

  it('refuses metadata host names before any lookup', () => {
    const policy = createOutboundPolicy(allowList(''));
    expect(policy.checkHost('metadata.google.internal')).toEqual({ host: 'metadata.google.internal', addressClass: 'metadata', allowable: false });
    expect(policy.checkHost('METADATA.google.internal.')).toMatchObject({ addressClass: 'metadata' });
    expect(policy.checkHost('api.openai.com')).toBeUndefined();
  });
});
