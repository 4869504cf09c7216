import { host, type SubtleLike } from './platform.js';
import { sha256 } from './sha256.js';

/** UTF-8 bytes of `text`: TextEncoder where it exists (not on old Hermes), the same encoding by hand otherwise. */
export function utf8(text: string): Uint8Array {
  if (host.TextEncoder) return new host.TextEncoder().encode(text);
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    // A surrogate pair is one code point; a lone surrogate becomes U+FFFD, as TextEncoder does.
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    if (code < 0x80) bytes.push(code);
    else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 63));
    else if (code < 0x10000) bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
    else bytes.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 63), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
  }
  return new Uint8Array(bytes);
}

export function hex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += (bytes[i]! < 16 ? '0' : '') + bytes[i]!.toString(16);
  return out;
}

/** SHA-256 of a string's UTF-8 bytes, in hex: WebCrypto when given, the built-in implementation otherwise. */
export function sha256Hex(text: string, subtle: SubtleLike | undefined): Promise<string> | string {
  const bytes = utf8(text);
  return subtle ? subtle.digest('SHA-256', bytes).then((digest) => hex(new Uint8Array(digest))) : hex(sha256(bytes));
}

/** A device has one or a few users: the last ids' hashes are kept so most logins cost no hashing at all. */
const MEMO_SIZE = 8;

/**
 * Turns a raw user id into `hex(SHA-256(salt + ":" + userId))`, so raw ids never leave the device while distinct-user
 * counts still work. Returns a string when the answer is memoised or computed synchronously, a Promise otherwise.
 */
export function createUserIdHasher(salt: string, subtle: SubtleLike | undefined): (userId: string) => Promise<string> | string {
  const memo = new Map<string, string>();
  const remember = (userId: string, hash: string) => {
    if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value as string);
    memo.set(userId, hash);
    return hash;
  };
  return (userId) => {
    const known = memo.get(userId);
    if (known !== undefined) return known;
    const hash = sha256Hex(`${salt}:${userId}`, subtle);
    return typeof hash === 'string' ? remember(userId, hash) : hash.then((h) => remember(userId, h));
  };
}
