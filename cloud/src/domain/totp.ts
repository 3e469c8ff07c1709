/**
 * TOTP for administrator logins: RFC 6238 over RFC 4226's HOTP, HMAC-SHA1, 6 digits, 30-second
 * steps, and one step of clock drift either way. Secrets travel as RFC 4648 base32 (what
 * authenticator apps read from the otpauth:// URI).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOTP = { digits: 6, stepSeconds: 30, drift: 1, secretBytes: 20 } as const;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'; // RFC 4648 §6

/** RFC 4648 §6 base32, without padding (authenticator apps do not need it). */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1; // keep only the bits not yet written
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '').toUpperCase();
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const c of clean) {
    const v = ALPHABET.indexOf(c);
    if (v < 0) throw new RangeError('not base32');
    buffer = ((buffer << 5) | v) & 0xfff; // at most 12 bits are ever pending
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}

/** RFC 4226 §5.3: HOTP = Truncate(HMAC(K, C)) mod 10^digits, C an 8-byte big-endian counter. */
export function hotp(secret: Uint8Array, counter: number, digits: number = TOTP.digits, algorithm: 'sha1' | 'sha256' | 'sha512' = 'sha1'): string {
  const c = Buffer.alloc(8);
  c.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, secret).update(c).digest();
  const offset = mac[mac.length - 1]! & 0x0f; // dynamic truncation
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** RFC 6238 §4.2: T = floor((unix time − T0) / X), T0 = 0, X = 30 s. */
export const timeStep = (nowMs: number, stepSeconds: number = TOTP.stepSeconds): number => Math.floor(nowMs / 1000 / stepSeconds);

export function totpAt(secret: Uint8Array, nowMs: number, digits: number = TOTP.digits, algorithm: 'sha1' | 'sha256' | 'sha512' = 'sha1'): string {
  return hotp(secret, timeStep(nowMs), digits, algorithm);
}

/**
 * The time step a code belongs to, within ±drift steps of now, or undefined. Steps at or before
 * `lastStep` are not accepted: a code that was used once stays used (RFC 6238 §5.2).
 */
export function matchTotp(secret: Uint8Array, code: string, nowMs: number, lastStep: number | null): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const now = timeStep(nowMs);
  let found: number | undefined;
  // every candidate is computed and compared in constant time, whatever matches
  for (let step = now - TOTP.drift; step <= now + TOTP.drift; step++) {
    const same = timingSafeEqual(Buffer.from(hotp(secret, step)), Buffer.from(code));
    if (same && found === undefined && (lastStep === null || step > lastStep)) found = step;
  }
  return found;
}

export function newTotpSecret(): Uint8Array {
  return new Uint8Array(randomBytes(TOTP.secretBytes)); // RFC 4226 §4 R6: 160 bits recommended
}

/** The Key Uri Format authenticator apps scan: otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=… */
export function otpauthUri(secret: Uint8Array, issuer: string, account: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  return `otpauth://totp/${label}?secret=${base32Encode(secret)}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=${TOTP.digits}&period=${TOTP.stepSeconds}`;
}
