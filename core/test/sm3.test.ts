import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../src/encoding.js';
import { Sm3, sm3Portable } from '../src/sm3.js';
import { RUNTIMES } from './runtimes.js';

// GB/T 32905-2016 Appendix A: example 1 ("abc") and example 2 ("abcd" × 16, 64 bytes)
const VECTORS = [
  ['abc', '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0'],
  ['abcd'.repeat(16), 'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732'],
] as const;

describe('SM3', () => {
  for (const [name, rt] of RUNTIMES) {
    it(`${name} runtime matches the standard's vectors`, () => {
      for (const [msg, digest] of VECTORS) {
        expect(toHex(rt.createHasher('sm3').update(utf8(msg)).digest())).toBe(digest);
      }
    });
  }

  it('pure-TS SM3 equals OpenSSL SM3 on random lengths around block boundaries', () => {
    for (const len of [0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000, 4096 + 7]) {
      const data = new Uint8Array(randomBytes(len));
      const native = RUNTIMES[0]![1].createHasher('sm3').update(data).digest();
      expect(toHex(sm3Portable(data)), `length ${len}`).toBe(toHex(native));
    }
  });

  it('incremental updates give the one-shot digest whatever the chunking', () => {
    const data = new Uint8Array(randomBytes(1000));
    const expected = toHex(sm3Portable(data));
    for (const chunk of [1, 7, 63, 64, 65, 333]) {
      const h = new Sm3();
      for (let i = 0; i < data.length; i += chunk) h.update(data.subarray(i, i + chunk));
      expect(toHex(h.digest()), `chunk ${chunk}`).toBe(expected);
    }
  });

  it('refuses reuse after digest()', () => {
    const h = new Sm3().update(fromHex('00'));
    h.digest();
    expect(() => h.update(fromHex('00'))).toThrow(/after digest/);
    expect(() => h.digest()).toThrow(/twice/);
  });
});
