/** Validated encoding and decoding of SM2 points (public keys and protocol points). */
import { fromHex, toHex } from '../encoding.js';
import { medsignError } from '../errors.js';
import { Sm2Point } from './curve.js';

/**
 * Decode an uncompressed (04‖x‖y) or compressed (02/03‖x) point and check it:
 * coordinates in the field, on the curve, not the identity (cofactor is 1, so
 * every curve point other than the identity is in the prime-order group).
 */
export function decodePoint(bytes: Uint8Array, field = 'point'): Sm2Point {
  if (!(bytes.length === 65 && bytes[0] === 4) && !(bytes.length === 33 && (bytes[0] === 2 || bytes[0] === 3))) {
    throw medsignError('POINT_INVALID', { en: `${field}: expected 65-byte 04‖x‖y or 33-byte compressed encoding` });
  }
  let point: Sm2Point;
  try {
    point = Sm2Point.fromBytes(bytes);
    point.assertValidity();
  } catch {
    throw medsignError('POINT_INVALID', { en: field, zh: field });
  }
  if (point.is0()) throw medsignError('POINT_INVALID', { en: `${field} is the identity` });
  return point;
}

export function encodePoint(point: Sm2Point): Uint8Array {
  return point.toBytes(false);
}

export function pointToHex(point: Sm2Point): string {
  return toHex(point.toBytes(false));
}

export function pointFromHex(hex: unknown, field = 'point'): Sm2Point {
  if (typeof hex !== 'string' || !/^(04[0-9a-f]{128}|0[23][0-9a-f]{64})$/i.test(hex)) {
    throw medsignError('POINT_INVALID', { en: `${field} must be hex 04‖x‖y`, zh: `${field} 应为十六进制 04‖x‖y` });
  }
  return decodePoint(fromHex(hex), field);
}
