/**
 * The online PIN check (changing the PIN). The phone cannot tell a right PIN from a wrong one
 * offline (by design), so it co-signs this text with the cloud and checks the signature. The
 * text is chosen by the phone (a fresh nonce) and says what it is, so the cloud cannot steer
 * the signature onto a document; the cloud counts the attempt before it answers.
 */
import { medsignError } from '../errors.js';

export const PIN_CHECK_NONCE = /^[0-9a-f]{64}$/;

export function pinCheckText(deviceId: string, nonce: string): string {
  if (!PIN_CHECK_NONCE.test(nonce)) throw medsignError('INPUT_INVALID', { en: 'the PIN-check nonce is 32 bytes of hex', zh: 'PIN 校验随机数应为 32 字节十六进制' });
  return `MedSign PIN 校验 PIN check (not a document)\ndevice ${deviceId}\nnonce ${nonce}`;
}
