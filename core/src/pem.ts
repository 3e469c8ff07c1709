import { fromBase64, toBase64 } from './encoding.js';
import { medsignError } from './errors.js';

export function toPem(der: Uint8Array, label: string): string {
  const b64 = toBase64(der).replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

export function fromPem(pem: string, label: string): Uint8Array {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  if (!m) throw medsignError('INPUT_INVALID', { en: `no PEM block "${label}"`, zh: `缺少 PEM 块 ${label}` });
  return fromBase64(m[1]!);
}
