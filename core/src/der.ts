/**
 * A minimal DER reader for the few places that need the exact bytes of a sub-structure
 * (the signed attributes of a SignerInfo, as signed). Building and parsing structures is
 * done with @peculiar/asn1-schema; this only finds element boundaries.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { medsignError } from './errors.js';

export interface Tlv {
  tag: number;
  /** offset of the tag byte */
  start: number;
  /** offset of the first content byte */
  contentStart: number;
  /** offset just past the element */
  end: number;
}

export function readTlv(bytes: Uint8Array, offset = 0): Tlv {
  const bad = () => medsignError('INPUT_INVALID', { en: 'truncated or malformed DER' });
  if (offset + 2 > bytes.length) throw bad();
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) throw bad(); // high tag numbers do not occur in what we read
  let len = bytes[offset + 1]!;
  let p = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > bytes.length) throw bad(); // indefinite length is BER, not DER
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + bytes[p + i]!;
    p += n;
  }
  if (p + len > bytes.length) throw bad();
  return { tag, start: offset, contentStart: p, end: p + len };
}

/** The child elements of a constructed element. */
export function childrenOf(bytes: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = parent.contentStart; p < parent.end; ) {
    const t = readTlv(bytes, p);
    out.push(t);
    p = t.end;
  }
  return out;
}

/**
 * The X.509 SIGNED{…} shape (certificates, CSRs, CRLs): exactly one SEQUENCE of
 * { SEQUENCE tbs, SEQUENCE algorithm, BIT STRING with 0 unused bits }, nothing after it.
 * The unsigned outer layer is not covered by the signature, so it is checked strictly:
 * otherwise its bytes could be altered without any signature check noticing.
 */
export function assertSignedStructure(der: Uint8Array): void {
  const bad = () => medsignError('INPUT_INVALID', { en: 'not a strict DER signed structure' });
  const top = readTlv(der);
  if (top.tag !== 0x30 || top.end !== der.length) throw bad();
  const kids = childrenOf(der, top);
  if (kids.length !== 3 || kids[0]!.tag !== 0x30 || kids[1]!.tag !== 0x30 || kids[2]!.tag !== 0x03) throw bad();
  if (kids[2]!.end - kids[2]!.contentStart < 2 || der[kids[2]!.contentStart] !== 0) throw bad();
}

/** Parse DER as an asn1-schema type, or throw the caller's error (a stable code and a message people can act on). */
export function parseDer<T>(der: Uint8Array | ArrayBuffer, type: new () => T, error: () => Error): T {
  try {
    return AsnConvert.parse(der, type);
  } catch {
    throw error();
  }
}
