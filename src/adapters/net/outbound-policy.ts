/**
 * Which addresses a user's own OpenAI-compatible base URL may reach. Users are not trusted: on a shared
 * Visen, a base URL is a way to make the machine Visen runs on send requests (with the user's key) to any
 * address it can reach. So:
 * - link-local and cloud metadata addresses (where a cloud hands out the machine's credentials), the
 *   unspecified address (0.0.0.0 and :: reach this machine itself), multicast and broadcast: never;
 * - loopback, private (RFC 1918, CGNAT, IPv6 unique local) and other special-purpose ranges: only where the
 *   operator allows them, by host name or CIDR (VISEN_BASE_URL_ALLOW);
 * - public addresses: always.
 * IPv6 forms that carry an IPv4 address (::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16, ::a.b.c.d) are
 * judged by the IPv4 address inside, since that is where the packets end up.
 *
 * Parsing and ranges come from ipaddr.js (the address library Express uses for `trust proxy`): it knows the
 * IANA special-purpose ranges, every IPv6 spelling and CIDR matching, which a hand-written regex would not.
 */
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** What kind of address a connection would reach. */
export type AddressClass = 'public' | 'loopback' | 'private' | 'reserved' | 'link-local' | 'metadata' | 'unspecified' | 'multicast' | 'broadcast';

/** Classes no setting can open. */
const NEVER: ReadonlySet<AddressClass> = new Set(['link-local', 'metadata', 'unspecified', 'multicast', 'broadcast']);

/**
 * Cloud instance metadata services outside 169.254/16 (which is link-local, so never reached anyway):
 * AWS IMDS over IPv6, Alibaba Cloud's (in the CGNAT range), Azure's WireServer (a public-looking address),
 * Oracle Cloud's legacy one.
 */
const METADATA_ADDRESSES = ['fd00:ec2::254', '100.100.100.200', '168.63.129.16', '192.0.0.192'].map((a) => ipaddr.parse(a).toNormalizedString());

/** Names that resolve to a metadata service inside clouds; refused before any DNS query. */
const METADATA_HOSTS = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);

/** The IP address in `text` (brackets and an IPv6 zone allowed), or undefined for a host name. */
export function parseAddress(text: string): Address | undefined {
  const bare = text.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  // Only the standard spellings: the WHATWG URL parser already turned 0x7f.1 and friends into 127.0.0.1.
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) return ipaddr.IPv4.parse(bare);
  if (ipaddr.IPv6.isValid(bare)) return ipaddr.IPv6.parse(bare);
  return undefined;
}

export function classifyAddress(address: Address): AddressClass {
  const inner = embeddedIpv4(address);
  if (inner) return classifyAddress(inner);
  if (METADATA_ADDRESSES.includes(address.toNormalizedString())) return 'metadata';
  // A string: ipaddr.js's types leave out some of the ranges it returns (deprecatedSiteLocal, discard).
  const range: string = address.range();
  switch (range) {
    case 'unicast':
      return 'public';
    case 'loopback':
      return 'loopback';
    case 'private':
    case 'carrierGradeNat':
    case 'uniqueLocal':
    case 'deprecatedSiteLocal':
      return 'private';
    case 'linkLocal':
      return 'link-local';
    case 'unspecified':
      return 'unspecified';
    case 'multicast':
      return 'multicast';
    case 'broadcast':
      return 'broadcast';
    default:
      return 'reserved'; // documentation, benchmarking, Teredo, AS112, 240/4...: nothing a public API lives on
  }
}

/** The IPv4 address an IPv6 address stands for (mapped, NAT64, 6to4, IPv4-compatible), if any. */
function embeddedIpv4(address: Address): ipaddr.IPv4 | undefined {
  if (address.kind() !== 'ipv6') return undefined;
  const v6 = address as ipaddr.IPv6;
  const p = v6.parts;
  const range = v6.range();
  const low32 = () => new ipaddr.IPv4([p[6]! >> 8, p[6]! & 0xff, p[7]! >> 8, p[7]! & 0xff]);
  if (range === 'ipv4Mapped' || range === 'rfc6145') return low32();
  if (range === 'rfc6052' && p[2] === 0) return low32(); // 64:ff9b::/96 (the /48 local-use prefix is 'reserved')
  if (range === '6to4') return new ipaddr.IPv4([p[1]! >> 8, p[1]! & 0xff, p[2]! >> 8, p[2]! & 0xff]);
  // ::a.b.c.d (deprecated IPv4-compatible), but not :: or ::1
  if (p.slice(0, 6).every((x) => x === 0) && (p[6] !== 0 || p[7]! > 1)) return low32();
  return undefined;
}

/** A parsed VISEN_BASE_URL_ALLOW: host names (lower case, no trailing dot) and address ranges. */
export interface AllowList {
  readonly hosts: ReadonlySet<string>;
  readonly ranges: ReadonlyArray<readonly [Address, number]>;
}

export type AllowListResult = { ok: true; allow: AllowList; entries: string[] } | { ok: false; problems: string[] };

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** Parses a comma-separated list of host names, IP addresses and CIDRs, reporting every bad entry. */
export function parseAllowList(text: string | undefined): AllowListResult {
  const entries = (text ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const hosts = new Set<string>();
  const ranges: Array<readonly [Address, number]> = [];
  const problems: string[] = [];
  for (const entry of entries) {
    const parsed = parseEntry(entry);
    if (typeof parsed === 'string') problems.push(parsed);
    else if (parsed.kind === 'host') hosts.add(parsed.host);
    else ranges.push(parsed.range);
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, allow: { hosts, ranges }, entries };
}

function parseEntry(entry: string): { kind: 'host'; host: string } | { kind: 'range'; range: readonly [Address, number] } | string {
  const name = `VISEN_BASE_URL_ALLOW: "${entry.slice(0, 60)}"`;
  let range: readonly [Address, number] | undefined;
  if (entry.includes('/')) {
    try {
      range = ipaddr.parseCIDR(entry.replace(/^\[(.*)\](\/\d+)$/, '$1$2'));
    } catch {
      return `${name} is not a CIDR range such as 10.0.0.0/8 or fd00::/8`;
    }
  } else {
    const address = parseAddress(entry);
    if (address) range = [address, address.kind() === 'ipv4' ? 32 : 128];
  }
  if (range) {
    const never = neverInside(range);
    return never ? `${name} is ${describeClass(never)}; Visen never connects to those, so it cannot be allowed` : { kind: 'range', range };
  }
  const host = normaliseHost(entry);
  if (!HOST_NAME.test(host)) return `${name} is not a host name, an IP address or a CIDR range`;
  if (METADATA_HOSTS.has(host)) return `${name} is ${describeClass('metadata')}; Visen never connects to those, so it cannot be allowed`;
  return { kind: 'host', host };
}

/** The never-allowed class a range lies wholly inside, if any (0.0.0.0/0 is fine: its parts are judged one by one). */
function neverInside([first, bits]: readonly [Address, number]): AddressClass | undefined {
  const single = bits === (first.kind() === 'ipv4' ? 32 : 128);
  const cls = classifyAddress(first);
  if (!NEVER.has(cls)) return undefined;
  if (single) return cls;
  const widest: Record<string, number> = {
    'link-local': first.kind() === 'ipv4' ? 16 : 10,
    unspecified: first.kind() === 'ipv4' ? 8 : 128,
    multicast: first.kind() === 'ipv4' ? 4 : 8,
  };
  return widest[cls] !== undefined && bits >= widest[cls]! ? cls : undefined;
}

export function normaliseHost(host: string): string {
  return host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

/** Why a connection is refused; undefined when it may go ahead. */
export interface Refusal {
  readonly host: string;
  /** The address it would have reached (absent when the name alone was refused). */
  readonly address?: string;
  readonly addressClass: AddressClass;
  /** False for link-local, metadata and the like, which no setting opens. */
  readonly allowable: boolean;
}

export interface OutboundPolicy {
  /** A refusal by name alone (metadata names), before any DNS query. */
  checkHost(host: string): Refusal | undefined;
  /** Whether `host` may connect to `address` (an address it resolved to, or the IP literal itself). */
  check(host: string, address: string): Refusal | undefined;
}

export function createOutboundPolicy(allow: AllowList): OutboundPolicy {
  return {
    checkHost(host) {
      const name = normaliseHost(host);
      return METADATA_HOSTS.has(name) ? { host: name, addressClass: 'metadata', allowable: false } : undefined;
    },
    check(host, text) {
      const name = normaliseHost(host);
      const address = parseAddress(text);
      if (!address) return { host: name, address: text, addressClass: 'reserved', allowable: false };
      const addressClass = classifyAddress(address);
      if (addressClass === 'public') return undefined;
      // The address as resolved (::ffff:127.0.0.2 stays readable), without brackets.
      const refusal = { host: name, address: normaliseHost(text), addressClass, allowable: !NEVER.has(addressClass) };
      if (!refusal.allowable) return refusal;
      return allow.hosts.has(name) || inRanges(address, allow.ranges) ? undefined : refusal;
    },
  };
}

function inRanges(address: Address, ranges: AllowList['ranges']): boolean {
  const forms = [address, embeddedIpv4(address)].filter((a): a is Address => a !== undefined);
  return forms.some((a) => ranges.some(([first, bits]) => first.kind() === a.kind() && a.match(first, bits)));
}

/** "a private network address" and so on, for messages. */
export function describeClass(c: AddressClass): string {
  switch (c) {
    case 'loopback':
      return 'a loopback address on the machine Visen runs on';
    case 'private':
      return 'a private network address';
    case 'reserved':
      return 'a reserved, non-public address';
    case 'link-local':
      return 'a link-local address, where clouds serve instance credentials';
    case 'metadata':
      return 'a cloud metadata service';
    case 'unspecified':
      return 'the unspecified address, which reaches the machine Visen runs on';
    case 'multicast':
      return 'a multicast address';
    case 'broadcast':
      return 'the broadcast address';
    case 'public':
      return 'a public address';
  }
}
