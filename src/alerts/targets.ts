import ipaddr from 'ipaddr.js';

/**
 * Where channels may send (SSRF policy). Whoever can create a channel chooses a URL that Vigil's workers will POST
 * to from inside the network, so by default only public unicast addresses are allowed: no loopback, private (RFC 1918,
 * ULA), link-local (cloud metadata lives there), carrier-grade NAT, multicast, unspecified or reserved ranges, and no
 * IPv6 spelling of them. `ALERT_ALLOW_PRIVATE_TARGETS=true` lifts the address rule (a lab, an internal receiver); the
 * scheme and credential rules always hold. Pure: the send-time check after DNS resolution calls `addressProblem`.
 */

/** ipaddr.js range names, in words for error messages and timelines. */
const RANGE_WORDS: Record<string, string> = {
  loopback: 'loopback',
  private: 'private',
  uniqueLocal: 'private (unique-local)',
  linkLocal: 'link-local',
  carrierGradeNat: 'carrier-grade NAT',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
  reserved: 'reserved',
};

/** Why Vigil will not connect to this IP address, or null for a public unicast one. */
export function addressProblem(address: string): string | null {
  if (!ipaddr.isValid(address)) return `the unparsable address ${address}`;
  // process() turns an IPv4-mapped IPv6 address (::ffff:127.0.0.1, which is 127.0.0.1 to the kernel) into the IPv4 one.
  const ip = ipaddr.process(address);
  const range = ip.range();
  if (range === 'unicast') return null;
  return `the ${RANGE_WORDS[range] ?? `special-purpose (${range})`} address ${ip.toString()}`;
}

/**
 * Why a channel URL may not be used, or null. The WHATWG parser has already turned `2130706433`, `0x7f.1` and
 * `017700000001` into `127.0.0.1` and `[::ffff:127.0.0.1]` into `[::ffff:7f00:1]`, so each form is judged as the
 * address it really is. Host names are judged again at send time, on the addresses DNS gives (see post.ts).
 */
export function urlProblem(raw: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http(s) URL';
  // They would end up in logs and timelines wherever the URL is shown; webhooks have `secret` for authentication.
  if (url.username !== '' || url.password !== '') return 'must not carry credentials (user:password@); use the channel secret instead';
  if (allowPrivate) return null;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (ipaddr.isValid(host)) {
    const problem = addressProblem(host);
    return problem && `points at ${problem}; set ALERT_ALLOW_PRIVATE_TARGETS=true to allow it`;
  }
  // Resolvers answer these from /etc/hosts without asking DNS (RFC 6761): refuse them now rather than at the first page.
  if (host === 'localhost' || host.endsWith('.localhost')) return `points at the loopback name ${host}; set ALERT_ALLOW_PRIVATE_TARGETS=true to allow it`;
  return null;
}
