/**
 * Z_A and the message digest e (GB/T 32918.2-2016 §5.5 and §6.1 A1–A2):
 *   Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A)
 *   e   = SM3(Z_A ‖ M)
 * where ENTL_A is the bit length of ID_A as two big-endian bytes.
 */
import { bigIntToBytes, concatBytes, utf8 } from '../encoding.js';
import { createHasher } from '../digest.js';
import { medsignError } from '../errors.js';
import { SM2_PARAMS, type Sm2Point } from './curve.js';

/** GM/T 0009 §10: the default user ID when none is agreed, "1234567812345678" (ENTL = 0x0080). */
export const DEFAULT_SM2_USER_ID = '1234567812345678';

const CURVE_BYTES = concatBytes(
  ...[SM2_PARAMS.a, SM2_PARAMS.b, SM2_PARAMS.Gx, SM2_PARAMS.Gy].map((v) => bigIntToBytes(v, 32)),
);

export type UserId = string | Uint8Array;

function userIdBytes(userId: UserId): Uint8Array {
  const id = typeof userId === 'string' ? utf8(userId) : userId;
  // ENTL is 16 bits of *bits*, so the ID is at most 8191 bytes
  if (id.length > 8191) throw medsignError('INPUT_LENGTH', { en: 'SM2 user ID longer than 8191 bytes' });
  return id;
}

export function computeZa(publicKey: Sm2Point, userId: UserId = DEFAULT_SM2_USER_ID): Uint8Array {
  const id = userIdBytes(userId);
  const entl = id.length * 8;
  const { x, y } = publicKey.toAffine();
  return createHasher('sm3')
    .update(new Uint8Array([entl >> 8, entl & 0xff]))
    .update(id)
    .update(CURVE_BYTES)
    .update(bigIntToBytes(x, 32))
    .update(bigIntToBytes(y, 32))
    .digest();
}

/** e = SM3(Z_A ‖ M), the 32-byte value SM2 signs. */
export function sm2Digest(publicKey: Sm2Point, message: Uint8Array, userId: UserId = DEFAULT_SM2_USER_ID): Uint8Array {
  return createHasher('sm3').update(computeZa(publicKey, userId)).update(message).digest();
}
