/** Reading what an IT engineer hands the tool: PEM, DER, base64 or base64url, from a file. */
import { readFileSync } from 'node:fs';
import { readTlv } from '../der.js';
import { fromBase64 } from '../encoding.js';
import { medsignError } from '../errors.js';

export interface DecodedInput {
  der: Uint8Array;
  encoding: 'PEM' | 'DER' | 'base64' | 'base64url';
  pemLabel?: string;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

function isWholeDer(bytes: Uint8Array): boolean {
  try {
    return bytes[0] === 0x30 && readTlv(bytes).end === bytes.length;
  } catch {
    return false;
  }
}

export function decodeInput(bytes: Uint8Array): DecodedInput {
  if (isWholeDer(bytes)) return { der: bytes, encoding: 'DER' };
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes).replace(/^\uFEFF/, '');
  const pem = [...text.matchAll(PEM_BLOCK)][0];
  if (pem) return { der: fromBase64(pem[2]!), encoding: 'PEM', pemLabel: pem[1]! };
  const compact = text.replace(/\s+/g, '');
  if (compact.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(compact) && compact.length % 4 === 0) {
    const der = fromBase64(compact);
    if (isWholeDer(der)) return { der, encoding: 'base64' };
  }
  if (compact.length > 0 && /^[A-Za-z0-9_-]+$/.test(compact)) {
    const b64 = compact.replace(/-/g, '+').replace(/_/g, '/');
    const der = fromBase64(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    if (isWholeDer(der)) return { der, encoding: 'base64url' };
  }
  throw medsignError('INPUT_INVALID', { en: 'not PEM, DER, base64 or base64url of one ASN.1 structure', zh: '无法识别的编码（应为 PEM、DER 或 Base64）' });
}

export function readBytes(path: string, allowEmpty = false): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (err) {
    throw medsignError('INPUT_INVALID', { en: `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'unknown'})`, zh: `无法读取文件 ${path}` });
  }
  if (bytes.length === 0 && !allowEmpty) throw medsignError('INPUT_INVALID', { en: `${path} is empty`, zh: `文件 ${path} 为空` });
  return bytes;
}

export function readInputFile(path: string): DecodedInput {
  return decodeInput(readBytes(path));
}

/** All certificates in a file: one DER/base64 certificate, or every CERTIFICATE block of a PEM bundle. */
export function readCertificates(path: string): Uint8Array[] {
  const bytes = readBytes(path);
  const text = new TextDecoder().decode(bytes);
  const blocks = [...text.matchAll(PEM_BLOCK)].filter((m) => m[1] === 'CERTIFICATE').map((m) => fromBase64(m[2]!));
  return blocks.length ? blocks : [decodeInput(bytes).der];
}
