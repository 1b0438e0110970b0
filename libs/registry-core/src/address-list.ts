import { BlockList, isIP } from 'node:net';

/**
 * A set of IP addresses and CIDR ranges, IPv4 and IPv6 (IPv4-mapped IPv6 addresses such as
 * `::ffff:10.0.0.1` match the IPv4 entries). Used for the upstream deny list and the trusted proxies.
 */
export class AddressList {
  private readonly blocks = new BlockList();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds `1.2.3.4`, `10.0.0.0/8`, `::1`, `[fd00::1]` or `fd00::/8`; throws a TypeError naming the entry it cannot read. */
  add(entry: string): void {
    const slash = entry.indexOf('/');
    const address = normaliseHost(slash < 0 ? entry : entry.slice(0, slash));
    const family = isIP(address);
    if (family === 0) throw new TypeError(`"${entry}" is neither an address nor a CIDR range`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    this.count++;
    if (slash < 0) return this.blocks.addAddress(address, type);
    const prefix = Number(entry.slice(slash + 1));
    if (!/^\d+$/.test(entry.slice(slash + 1)) || prefix > (family === 6 ? 128 : 32)) throw new TypeError(`"${entry}" has an invalid prefix length`);
    this.blocks.addSubnet(address, prefix, type);
  }

  /** Whether an address (not a name) is in the list; false for anything that is not an address. */
  has(address: string): boolean {
    const bare = normaliseHost(address);
    const family = isIP(bare);
    if (family === 0 || this.count === 0) return false;
    return this.blocks.check(bare, family === 6 ? 'ipv6' : 'ipv4');
  }

  /** A comma-separated list of addresses and ranges ('' = empty); throws a TypeError on an entry it cannot read. */
  static parse(spec: string): AddressList {
    const list = new AddressList();
    for (const raw of spec.split(',')) {
      const entry = raw.trim();
      if (entry !== '') list.add(entry);
    }
    return list;
  }
}

/** A URL's hostname as an address or a name: no IPv6 brackets, no trailing dot, lower case. */
export function normaliseHost(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
}

/**
 * An address as one client is known by: IPv4-mapped IPv6 (`::ffff:10.0.0.1`, as a dual-stack socket reports
 * IPv4 peers, in any spelling) becomes the IPv4 address; IPv6 is written in full, lower case
 * (`2001:db8:0:0:0:0:0:1`), so one address has one spelling. null for anything that is not an address.
 */
export function canonicalAddress(value: string): string | null {
  const bare = normaliseHost(value.trim());
  const family = isIP(bare);
  if (family === 4) return bare;
  if (family !== 6) return null;
  const groups = ipv6Groups(bare);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.');
  }
  return groups.map((g) => g.toString(16)).join(':');
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a trailing dotted IPv4 part converted). */
export function ipv6Groups(address: string): number[] {
  let text = address;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => parseInt(g, 16));
}
