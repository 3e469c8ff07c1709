import {
  cloudKeygenConfirm,
  cloudKeygenOpen,
  cloudKeygenRespond,
  phoneKeygenFinish,
  phoneKeygenStart,
  type CloudSm2Share,
  type PhoneSm2Share,
} from '../src/cosign/sm2-keygen.js';
import { cloudSignRespond, phoneSignFinish, phoneSignStart } from '../src/cosign/sm2-sign.js';
import type { Sm2Signature } from '../src/sm2/signature.js';

/** Every protocol message crosses HTTP/WebSocket later, so tests pass each one through JSON. */
export const wire = <T>(msg: T): unknown => JSON.parse(JSON.stringify(msg));

let counter = 0;
export const newSessionId = (prefix: string): string => `${prefix}-${++counter}`;

export function runSm2Keygen(): { phone: PhoneSm2Share; cloud: CloudSm2Share } {
  const sessionId = newSessionId('kg');
  const cloudState = cloudKeygenOpen(sessionId);
  const { state, message } = phoneKeygenStart(sessionId);
  const reply = cloudKeygenRespond(cloudState, wire(message));
  const { share: phone, message: confirm } = phoneKeygenFinish(state, wire(reply));
  const cloud = cloudKeygenConfirm(cloudState, wire(confirm));
  return { phone, cloud };
}

/** One full co-signing round trip over hex digests e. */
export function runSm2Sign(phone: PhoneSm2Share, cloud: CloudSm2Share, digests: string[]): Sm2Signature[] {
  const sessionId = newSessionId('sg');
  const { state, message } = phoneSignStart({ sessionId, digests });
  const reply = cloudSignRespond(cloud, { sessionId, digests, step: 'awaiting-phone-commit' }, wire(message));
  return phoneSignFinish(phone, state, wire(reply));
}
