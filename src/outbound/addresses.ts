import { BlockList, isIP } from 'node:net';

// Which network addresses an outbound request may reach, pure. Collectors and feeds fetch URLs that
// an organisation's admin typed; without this, such a URL reaches the service's own database port,
// its health endpoint, the cloud metadata service or anything else on the inside.
// Ranges: IANA's IPv4 and IPv6 special-purpose registries (RFC 6890 and successors).

const internalV4: [string, number][] = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private (RFC 1918)
  ['100.64.0.0', 10], // shared address space, carrier-grade NAT (RFC 6598)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and 255.255.255.255 broadcast
];

const internalV6: [string, number][] = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['::', 96], // IPv4-compatible (deprecated), covers ::127.0.0.1
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard-only
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

const internal = new BlockList();
for (const [net, prefix] of internalV4) internal.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of internalV6) internal.addSubnet(net, prefix, 'ipv6');

/**
 * The IPv4 address an IPv6 address stands for, when it embeds one that the network would reach
 * as IPv4: IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002:aabb:ccdd::/48).
 */
export function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower);
  if (dotted) return dotted[1]!;
  const groups = expandIpv6(lower);
  if (!groups) return null;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  if (zeros(0, 5) && groups[5] === 0xffff) return v4(groups[6]!, groups[7]!);
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return v4(groups[6]!, groups[7]!);
  if (groups[0] === 0x2002) return v4(groups[1]!, groups[2]!);
  return null;
}

/** Eight 16-bit groups, or null when the text is not an IPv6 address. */
function expandIpv6(address: string): number[] | null {
  if (isIP(address) !== 6) return null;
  let text = address.split('%')[0]!;
  const tail = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = rest === undefined ? [] : rest ? rest.split(':') : [];
  const fill = rest === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<string>(fill).fill('0'), ...right].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

/** Addresses the operator lets outbound requests reach although they are internal (HINOKO_OUTBOUND_ALLOW). */
export class AddressAllowList {
  private readonly list = new BlockList();
  readonly entries: readonly string[];

  constructor(entries: readonly string[]) {
    this.entries = entries;
    for (const entry of entries) {
      const [net, prefixText] = entry.split('/') as [string, string | undefined];
      const family = isIP(net) === 6 ? 'ipv6' : 'ipv4';
      const prefix = prefixText === undefined ? (family === 'ipv6' ? 128 : 32) : Number(prefixText);
      this.list.addSubnet(net, prefix, family);
    }
  }

  has(address: string): boolean {
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    return (
      this.list.check(address, family) ||
      (family === 'ipv6' && embeddedIpv4(address) !== null && this.list.check(embeddedIpv4(address)!, 'ipv4'))
    );
  }
}

/** Parses one allow-list entry ("127.0.0.1", "10.0.0.0/8", "::1"); null when it is not one. */
export function parseAllowEntry(entry: string): string | null {
  const [net, prefix, extra] = entry.trim().split('/');
  if (extra !== undefined || !net) return null;
  const family = isIP(net);
  if (family === 0) return null;
  if (prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || Number(prefix) > (family === 6 ? 128 : 32))) return null;
  return entry.trim();
}

export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return internal.check(address, 'ipv4');
  if (family !== 6) return true; // not an address at all: never treat as safe
  const v4 = embeddedIpv4(address);
  if (v4 !== null) return internal.check(v4, 'ipv4');
  return internal.check(address.split('%')[0]!, 'ipv6');
}

/** Whether a request may connect to this address under the operator's allow list. */
export function addressPermitted(address: string, allow: AddressAllowList): boolean {
  return !isInternalAddress(address) || allow.has(address);
}
