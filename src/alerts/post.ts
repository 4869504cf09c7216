import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { OutboundRequest } from './notification';
import { describeRequestError, type PostResult } from './outcome';
import { addressProblem, urlProblem } from './targets';

/** dns.lookup asked for every address; tests pass a resolver that answers like a rebinding DNS server. */
export type ResolveAll = (
  hostname: string,
  options: LookupOptions & { all: true },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

export interface PostOptions {
  /** For the whole exchange, body included. */
  timeoutMs: number;
  /** ALERT_ALLOW_PRIVATE_TARGETS. */
  allowPrivate: boolean;
  /** Default: the system resolver (dns.lookup), as the socket would use. */
  resolve?: ResolveAll;
}

/** Raised from inside the socket's DNS lookup, so the connection never starts. */
class BlockedTarget extends Error {}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * DNS resolution that refuses non-public answers (unless private targets are allowed). The socket connects to exactly
 * the addresses this returns, so a name that resolves to a public address when checked and to 127.0.0.1 a moment
 * later (DNS rebinding) cannot slip through: there is no second lookup. The URL keeps its host name, so the Host
 * header and TLS SNI are unchanged.
 */
const guardedLookup =
  (resolve: ResolveAll, allowPrivate: boolean) =>
  (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      // One bad answer refuses the name: a rebinding server would happily mix a public and a private address.
      for (const { address } of allowPrivate ? [] : addresses) {
        const problem = addressProblem(address);
        if (problem) return callback(new BlockedTarget(`${hostname} resolves to ${problem}`), '');
      }
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
      callback(null, first.address, first.family);
    });
  };

/**
 * The one place Vigil talks HTTP to the outside: a POST with a deadline, to a target the SSRF policy allows, checked
 * again here (channels stored before the rule, or under another setting) and after DNS. Redirects are not followed.
 * Node's http client rather than fetch: it takes a `lookup`, which is where the resolved address is checked.
 */
export function post(request: OutboundRequest, opts: PostOptions): Promise<PostResult> {
  const problem = urlProblem(request.url, opts.allowPrivate);
  if (problem) return Promise.resolve({ kind: 'blocked', reason: `the channel URL ${problem}` });
  const url = new URL(request.url);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { ...request.headers, 'content-length': Buffer.byteLength(request.body) },
        // A fresh connection per page: a pooled socket would skip the lookup, and pages are rare enough not to care.
        agent: false,
        signal: AbortSignal.timeout(opts.timeoutMs),
        lookup: guardedLookup(opts.resolve ?? dnsLookup, opts.allowPrivate),
      },
      (res) => {
        // The status is the answer; the body is drained unread so the socket closes.
        res.on('error', () => undefined);
        res.resume();
        const retryAfter = res.headers['retry-after'];
        resolve({ kind: 'answered', status: res.statusCode ?? 0, retryAfter: retryAfter ?? null });
      },
    );
    req.on('error', (err) => {
      resolve(err instanceof BlockedTarget ? { kind: 'blocked', reason: err.message } : { kind: 'unreachable', reason: describeRequestError(err, opts.timeoutMs) });
    });
    req.end(request.body);
  });
}
