import { BlockList, isIP } from 'node:net';

/**
 * The client address of a request that may have come through a reverse proxy. Only the peers in
 * `WSGW_TRUSTED_PROXIES` may speak for a client in `X-Forwarded-For`: from anyone else the header
 * is a claim the client makes about itself, and believing it would let a client pick its own
 * per-IP rate bucket.
 */
export interface ClientAddressResolver {
  /** `undefined` when a trusted proxy sent an `X-Forwarded-For` that is not a list of addresses. */
  resolve(peer: string | undefined, forwardedFor: string | undefined): ClientAddress | undefined;
}

export interface ClientAddress {
  ip: string;
  /** True when the address came from `X-Forwarded-For` (the peer's port is then the proxy's). */
  forwarded: boolean;
}

/** A CIDR (`10.0.0.0/8`, `fd00::/8`) or a single address; throws a plain Error naming what is wrong. */
export function parseCidr(value: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const [address = '', prefixText, extra] = value.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) throw new Error(`"${value}" is not an IPv4 or IPv6 address or CIDR`);
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) throw new Error(`"${value}" has a malformed prefix length`);
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) throw new Error(`"${value}" has a prefix longer than ${max}`);
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

export function createClientAddressResolver(trustedProxies: readonly string[]): ClientAddressResolver {
  const trusted = new BlockList();
  for (const cidr of trustedProxies) {
    const { address, prefix, family } = parseCidr(cidr);
    trusted.addSubnet(address, prefix, family);
  }
  const isTrusted = (ip: string) => {
    const version = isIP(ip);
    return version !== 0 && trusted.check(ip, version === 4 ? 'ipv4' : 'ipv6');
  };
  return {
    resolve(peer, forwardedFor) {
      const ip = unmapped(peer ?? 'unknown');
      if (trustedProxies.length === 0 || forwardedFor === undefined || !isTrusted(ip)) return { ip, forwarded: false };
      const hops = forwardedFor.split(',').map((hop) => unmapped(hop.trim()));
      if (hops.some((hop) => isIP(hop) === 0)) return undefined;
      // Each proxy appends the peer it saw: read from the right, past our own proxies, to the
      // first address none of them is; what lies left of it was written by the client itself.
      for (let i = hops.length - 1; i >= 0; i -= 1) if (!isTrusted(hops[i]!)) return { ip: hops[i]!, forwarded: true };
      return { ip: hops[0]!, forwarded: true };
    },
  };
}

/** `::ffff:10.0.0.1` (an IPv4 peer of a dual-stack socket) as `10.0.0.1`, so IPv4 CIDRs match it. */
function unmapped(ip: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return match ? match[1]! : ip;
}
