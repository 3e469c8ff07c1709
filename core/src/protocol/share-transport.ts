/**
 * Sending a key share to the cloud (mediated RSA: the phone deals d = d1 + d2 and must hand d2
 * over). The share is sealed to the cloud's share-transport key, whose SHA-256 fingerprint the
 * phone learns from the activation QR code (shown by the administrator, a channel the phone
 * trusts), so neither the network nor a TLS-terminating proxy sees d2:
 *
 *   k ←$ 32 bytes;  wrappedKey = RSA-OAEP-SHA256(transportKey, k)
 *   ciphertext = AES-256-GCM(k, iv, plaintext, aad = "medsign-share-transport-v1|" + context)
 *
 * WebCrypto only, so the same code runs in Node and in the phone's browser.
 */
import { fromBase64, toBase64, toHex, utf8, exactBuffer } from '../encoding.js';
import { medsignError } from '../errors.js';
import { runtime } from '../runtime/current.js';

export interface SealedForTransport {
  wrappedKey: string;
  iv: string;
  ciphertext: string;
}

const subtle = (): SubtleCrypto => {
  const s = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (!s) throw medsignError('ALGORITHM_UNSUPPORTED', { en: 'no WebCrypto subtle in this runtime' });
  return s;
};
const buf = exactBuffer;
const aad = (context: string) => buf(utf8(`medsign-share-transport-v1|${context}`));

/** SHA-256 of the transport key's SPKI, hex: what the QR code carries. */
export function transportKeyFingerprint(spki: Uint8Array): string {
  return toHex(runtime().createHasher('sha256').update(spki).digest());
}

/** Phone side. */
export async function sealForTransport(transportSpki: Uint8Array, context: string, plaintext: Uint8Array): Promise<SealedForTransport> {
  const key = await subtle().importKey('spki', buf(transportSpki), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
  const k = runtime().randomBytes(32);
  const iv = runtime().randomBytes(12);
  const aes = await subtle().importKey('raw', buf(k), 'AES-GCM', false, ['encrypt']);
  const ciphertext = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv: buf(iv), additionalData: aad(context) }, aes, buf(plaintext)));
  const wrappedKey = new Uint8Array(await subtle().encrypt({ name: 'RSA-OAEP' }, key, buf(k)));
  k.fill(0);
  return { wrappedKey: toBase64(wrappedKey), iv: toBase64(iv), ciphertext: toBase64(ciphertext) };
}

/** Cloud side: the plaintext, or INPUT_INVALID if anything does not open (wrong key, context or tampering). */
export async function openFromTransport(transportPkcs8: Uint8Array, context: string, sealed: SealedForTransport): Promise<Uint8Array> {
  try {
    const key = await subtle().importKey('pkcs8', buf(transportPkcs8), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['decrypt']);
    const k = new Uint8Array(await subtle().decrypt({ name: 'RSA-OAEP' }, key, buf(fromBase64(sealed.wrappedKey))));
    const aes = await subtle().importKey('raw', buf(k), 'AES-GCM', false, ['decrypt']);
    k.fill(0);
    return new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv: buf(fromBase64(sealed.iv)), additionalData: aad(context) }, aes, buf(fromBase64(sealed.ciphertext))));
  } catch {
    throw medsignError('INPUT_INVALID', { en: 'the sealed share does not open', zh: '密钥份额密文无法解开' });
  }
}

