/**
 * The phone's key-share vault. The secret half of the signing key (SM2 d1, or mediated-RSA d1)
 * is encrypted under a key derived from the PIN, and nothing stored lets a PIN be checked
 * offline (ARCHITECTURE.md, "PIN guessing must be online-only"):
 *  - PBKDF2-HMAC-SHA256 (600,000 iterations by default) → a 256-bit key;
 *  - AES-256-CTR, deliberately without an authentication tag: a wrong PIN decrypts to a wrong
 *    but well-formed share, which only the cloud's co-signing (and its lockout) can tell;
 *  - the share is stored as a fixed-length integer and reduced modulo the group order (SM2) or
 *    the modulus (RSA) on use, so no decryption is ever "impossible";
 *  - P1 (SM2) is never stored; the public key P does not reveal d1 without the cloud's d2.
 * WebCrypto only, so it runs in Node and in the H5 app.
 */
import { bigIntToBytes, bytesToBigInt, fromHex, runtime, toHex, type PhoneRsaShare, type PhoneSm2Share } from '@medsign/core';
import { MobileError } from './errors.js';

const SM2_N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;

export interface VaultRecord {
  version: 1;
  algorithm: 'sm2' | 'rsa';
  /** public parts: SM2 public key P, or RSA n and e */
  publicKey?: string;
  n?: string;
  e?: string;
  kdf: { name: 'PBKDF2-SHA256'; iterations: number; salt: string };
  iv: string;
  /** the encrypted share, fixed length */
  sealedShare: string;
}

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;
const buf = (b: Uint8Array): ArrayBuffer => b.slice().buffer as ArrayBuffer;

export function assertPinFormat(pin: string): void {
  if (!/^\d{6}$/.test(pin)) throw new MobileError('PIN_FORMAT', 'PIN 应为 6 位数字', 'the PIN must be 6 digits');
}

async function pinKey(pin: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  assertPinFormat(pin);
  const base = await subtle().importKey('raw', buf(new TextEncoder().encode(pin)), 'PBKDF2', false, ['deriveKey']);
  return subtle().deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt: buf(salt), iterations }, base, { name: 'AES-CTR', length: 256 }, false, ['encrypt', 'decrypt']);
}

/** d1 − 1 as a fixed-length integer; openShare maps any decryption back into [1, bound]. */
function shareBytes(share: PhoneSm2Share | PhoneRsaShare): Uint8Array {
  const x = BigInt('0x' + share.d1) - 1n;
  return bigIntToBytes(x, share.algorithm === 'sm2' ? 32 : Math.ceil(share.n.length / 2));
}

export async function sealShare(share: PhoneSm2Share | PhoneRsaShare, pin: string, iterations = 600_000): Promise<VaultRecord> {
  const salt = runtime().randomBytes(16);
  const iv = runtime().randomBytes(16);
  const key = await pinKey(pin, salt, iterations);
  const sealed = new Uint8Array(await subtle().encrypt({ name: 'AES-CTR', counter: buf(iv), length: 64 }, key, buf(shareBytes(share))));
  return {
    version: 1,
    algorithm: share.algorithm,
    ...(share.algorithm === 'sm2' ? { publicKey: share.publicKey } : { n: share.n, e: share.e }),
    kdf: { name: 'PBKDF2-SHA256', iterations, salt: toHex(salt) },
    iv: toHex(iv),
    sealedShare: toHex(sealed),
  };
}

/** Decrypt with a PIN. A wrong PIN gives a wrong share, never an error: only the cloud can tell. */
export async function openShare(record: VaultRecord, pin: string): Promise<PhoneSm2Share | PhoneRsaShare> {
  const key = await pinKey(pin, fromHex(record.kdf.salt), record.kdf.iterations);
  const plain = new Uint8Array(await subtle().decrypt({ name: 'AES-CTR', counter: buf(fromHex(record.iv)), length: 64 }, key, buf(fromHex(record.sealedShare))));
  const v = bytesToBigInt(plain);
  if (record.algorithm === 'sm2') {
    const d1 = (v % (SM2_N - 1n)) + 1n; // the stored d1 − 1 back, and in [1, n−1] for any decryption
    return { algorithm: 'sm2', d1: d1.toString(16).padStart(64, '0'), publicKey: record.publicKey! };
  }
  const n = BigInt('0x' + record.n!);
  return { algorithm: 'rsa', n: record.n!, e: record.e!, d1: ((v % (n - 2n)) + 1n).toString(16) }; // d1 < φ(n) < n − 2
}

/** Storage behind the vault: a file in Node (file-storage.ts), IndexedDB in browsers (with the H5 app). */
export interface VaultStorage {
  load(): Promise<string | undefined>;
  save(text: string): Promise<void>;
}

export function memoryStorage(): VaultStorage & { value: string | undefined } {
  const s = {
    value: undefined as string | undefined,
    load: async () => s.value,
    save: async (t: string) => {
      s.value = t;
    },
  };
  return s;
}
