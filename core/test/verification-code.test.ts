import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verificationCode } from '../src/verification-code.js';

const sha = (s: string) => new Uint8Array(createHash('sha256').update(s).digest());

describe('verification code (Smart-ID rule)', () => {
  it('matches values computed independently with Python hashlib', () => {
    // python3: int.from_bytes(sha256(b''.join(ds)).digest()[-2:], 'big') % 10000
    expect(verificationCode([sha('abc')])).toBe('5432');
    expect(verificationCode([sha('abc'), sha('message digest')])).toBe('2035');
  });

  it('is always 4 digits, depends on order and content, and refuses an empty session', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const c = verificationCode([new Uint8Array(randomBytes(32))]);
      expect(c).toMatch(/^\d{4}$/);
      seen.add(c);
    }
    expect(seen.size).toBeGreaterThan(250); // spread over 10,000 values
    const a = sha('a');
    const b = sha('b');
    expect(verificationCode([a, b])).not.toBe(verificationCode([b, a]));
    expect(() => verificationCode([])).toThrow(expect.objectContaining({ code: 'INPUT_LENGTH' }));
  });
});
