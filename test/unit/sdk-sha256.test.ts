import { createHash, webcrypto } from 'node:crypto';
import { createUserIdHasher, hex, sha256Hex, utf8 } from '../../sdk/src/hash';
import type { SubtleLike } from '../../sdk/src/platform';
import { sha256 } from '../../sdk/src/sha256';

const subtle = webcrypto.subtle as unknown as SubtleLike;

/** FIPS 180-4 example messages (NIST CSRC "Examples with intermediate values", SHA-256). */
const NIST_VECTORS: Array<[string, string]> = [
  ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  [
    'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
    'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
  ],
  ['a'.repeat(1_000_000), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
];

describe('SHA-256 of user ids: WebCrypto and the built-in implementation', () => {
  it.each(NIST_VECTORS.map(([m, d]) => [m.length, m, d]))(
    'when the built-in hashes the %i-character NIST message, then it gives the NIST digest',
    (_length, message, digest) => {
      expect(sha256Hex(message, undefined)).toBe(digest);
    },
  );

  it.each(NIST_VECTORS.map(([m, d]) => [m.length, m, d]))(
    'when WebCrypto hashes the %i-character NIST message, then it gives the same NIST digest',
    async (_length, message, digest) => {
      await expect(sha256Hex(message, subtle)).resolves.toBe(digest);
    },
  );

  it('when messages end on every padding boundary (0 to 130 bytes), then the built-in agrees with Node', () => {
    for (let length = 0; length <= 130; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff);
      expect(hex(sha256(bytes))).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });

  describe('UTF-8 without TextEncoder (old Hermes)', () => {
    const saved = globalThis.TextEncoder;
    beforeAll(() => {
      (globalThis as { TextEncoder?: unknown }).TextEncoder = undefined;
    });
    afterAll(() => {
      globalThis.TextEncoder = saved;
    });

    it.each([
      ['a', [0x61]],
      ['é', [0xc3, 0xa9]],
      ['€', [0xe2, 0x82, 0xac]],
      ['😀', [0xf0, 0x9f, 0x98, 0x80]],
      ['\ud800x', [0xef, 0xbf, 0xbd, 0x78]],
    ])('when %j is encoded by hand, then the bytes are UTF-8 as TextEncoder gives them', (text, bytes) => {
      expect([...utf8(text)]).toEqual(bytes);
      expect([...new saved().encode(text)]).toEqual(bytes);
    });

    it('when a non-ASCII id is hashed without TextEncoder, then the digest is that of its UTF-8 bytes', () => {
      expect(sha256Hex('é€😀', undefined)).toBe('df9226927fd572c1ee66eec85de1bb139497614899f36e4e90474cb71f6ef9d0');
    });
  });

  it('when a user id is hashed with a salt, then the result is hex(SHA-256(salt:id)) either way', async () => {
    const expected = '0865a80db6c695e74ac34c222f4a493591f58856bfe91e90e61cf6ca9148bdce';
    expect(createUserIdHasher('salt', undefined)('u-123')).toBe(expected);
    await expect(createUserIdHasher('salt', subtle)('u-123')).resolves.toBe(expected);
  });

  it('when the same user logs in again, then the hash is remembered and returned at once', async () => {
    const hash = createUserIdHasher('salt', subtle);
    const first = await hash('u-123');
    expect(hash('u-123')).toBe(first);
  });
});
