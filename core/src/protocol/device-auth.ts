/**
 * Signed requests from the phone (device authentication). At enrollment the phone registers an
 * SM2 device key; every later request carries
 *   X-MedSign-Device: <device id>
 *   X-MedSign-Time:   <epoch milliseconds>
 *   X-MedSign-Nonce:  <16 random bytes, hex>
 *   X-MedSign-Signature: <base64 DER SM2 signature over the string below>
 * The signed string binds the method, the path with its query, the time, the nonce and the
 * SHA-256 of the body, one per line. The server checks the signature, a ±5 minute window and
 * that the nonce was not seen before, so a captured request cannot be replayed or altered.
 * A bearer secret alone is never enough.
 */
import { sha256 } from '../digest.js';
import { fromBase64, toBase64, toHex, utf8 } from '../encoding.js';
import { runtime } from '../runtime/current.js';
import type { Sm2Point } from '../sm2/curve.js';
import { decodeSm2SignatureDer, encodeSm2SignatureDer, sm2Sign, sm2Verify } from '../sm2/signature.js';

export const DEVICE_AUTH_WINDOW_MS = 5 * 60_000;

export interface DeviceAuthHeaders {
  'x-medsign-device': string;
  'x-medsign-time': string;
  'x-medsign-nonce': string;
  'x-medsign-signature': string;
}

export function deviceSigningString(method: string, pathWithQuery: string, time: string, nonce: string, body: Uint8Array): string {
  return `MEDSIGN-DEVICE-V1\n${method.toUpperCase()}\n${pathWithQuery}\n${time}\n${nonce}\n${toHex(sha256(body))}`;
}

/** Phone side: the headers for one request. */
export function signDeviceRequest(
  device: { id: string; privateKey: bigint; publicKey: Sm2Point },
  method: string,
  pathWithQuery: string,
  body: Uint8Array,
  now = Date.now(),
): DeviceAuthHeaders {
  const time = String(now);
  const nonce = toHex(runtime().randomBytes(16));
  const sig = sm2Sign(device.privateKey, device.publicKey, utf8(deviceSigningString(method, pathWithQuery, time, nonce, body)));
  return { 'x-medsign-device': device.id, 'x-medsign-time': time, 'x-medsign-nonce': nonce, 'x-medsign-signature': toBase64(encodeSm2SignatureDer(sig)) };
}

/** Server side: is the signature good and the time inside the window? (Nonce uniqueness is the caller's store.) */
export function verifyDeviceRequest(
  publicKey: Sm2Point,
  headers: { time: string; nonce: string; signature: string },
  method: string,
  pathWithQuery: string,
  body: Uint8Array,
  now = Date.now(),
): boolean {
  if (!/^\d{13}$/.test(headers.time) || !/^[0-9a-f]{32}$/.test(headers.nonce)) return false;
  if (Math.abs(now - Number(headers.time)) > DEVICE_AUTH_WINDOW_MS) return false;
  try {
    const sig = decodeSm2SignatureDer(fromBase64(headers.signature));
    return sm2Verify(publicKey, utf8(deviceSigningString(method, pathWithQuery, headers.time, headers.nonce, body)), sig);
  } catch {
    return false;
  }
}
