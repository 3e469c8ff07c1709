/**
 * Strict readers for co-signing messages. Messages are plain JSON (strings and arrays
 * only) because they cross HTTP and WebSocket; every field is checked here before any
 * arithmetic touches it.
 */
import { fromHex } from '../encoding.js';
import { medsignError } from '../errors.js';

export const PROTOCOL_VERSION = 1;
/** The most digests one co-signing session may carry (the cloud's policy may set less). */
export const MAX_BATCH = 1000;

export function expectObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw medsignError('INPUT_INVALID', { en: `${what} must be an object`, zh: `${what} 应为对象` });
  }
  return value as Record<string, unknown>;
}

/** Check `type` and `v`, and return the object. */
export function expectMessage(value: unknown, type: string): Record<string, unknown> {
  const msg = expectObject(value, type);
  if (msg.type !== type) throw medsignError('SESSION_MISMATCH', { en: `expected a ${type} message`, zh: `应为 ${type} 消息` });
  if (msg.v !== PROTOCOL_VERSION) throw medsignError('ALGORITHM_UNSUPPORTED', { en: `protocol version ${String(msg.v)}` });
  return msg;
}

/** Session IDs are opaque printable tokens chosen by the cloud. */
export function expectSessionId(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9._:-]{1,128}$/.test(value)) {
    throw medsignError('INPUT_INVALID', { en: 'sessionId must be 1-128 characters [A-Za-z0-9._:-]', zh: '会话号格式错误' });
  }
  return value;
}

export function expectSameSession(expected: string, got: unknown): void {
  if (expectSessionId(got) !== expected) throw medsignError('SESSION_MISMATCH');
}

export function expectArray(value: unknown, field: string, length?: number): unknown[] {
  if (!Array.isArray(value)) throw medsignError('INPUT_INVALID', { en: `${field} must be an array`, zh: `${field} 应为数组` });
  if (value.length === 0 || value.length > MAX_BATCH) {
    throw medsignError('INPUT_LENGTH', { en: `${field} must hold 1..${MAX_BATCH} items`, zh: `${field} 数量应为 1..${MAX_BATCH}` });
  }
  if (length !== undefined && value.length !== length) {
    throw medsignError('SESSION_MISMATCH', { en: `${field} has ${value.length} items, expected ${length}` });
  }
  return value;
}

/** A digest as lowercase or uppercase hex of exactly `bytes` bytes. */
export function expectDigestHex(value: unknown, bytes: number, field = 'digest'): Uint8Array {
  if (typeof value !== 'string' || value.length !== bytes * 2 || !/^[0-9a-fA-F]+$/.test(value)) {
    throw medsignError('INPUT_LENGTH', { en: `${field} must be ${bytes * 2} hex digits`, zh: `${field} 应为 ${bytes * 2} 位十六进制` });
  }
  return fromHex(value);
}
