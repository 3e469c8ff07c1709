/**
 * The 4-digit verification code shown on the workstation and on the phone
 * (Smart-ID's rule, ARCHITECTURE.md): SHA-256 over the session's digests in order,
 * the last two bytes read big-endian, mod 10000, zero-padded to 4 digits.
 */
import { concatBytes } from './encoding.js';
import { sha256 } from './digest.js';
import { medsignError } from './errors.js';

export function verificationCode(digests: readonly Uint8Array[]): string {
  if (digests.length === 0) throw medsignError('INPUT_LENGTH', { en: 'a session has at least one digest', zh: '会话至少包含一个摘要' });
  const h = sha256(concatBytes(...digests));
  const last = (h[h.length - 2]! << 8) | h[h.length - 1]!;
  return String(last % 10000).padStart(4, '0');
}
