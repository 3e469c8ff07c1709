/**
 * Parameter schemas shared by the methods, so a name means the same thing everywhere:
 *  - certId: a logged-in user's certificate (the GM/T 0020 container name: its serial, hex);
 *  - cert: a certificate given by value (base64 DER, or PEM);
 *  - data: base64 input; text: UTF-8 text input. What is signed for `text` is exactly the
 *    UTF-8 encoding of the string: no BOM, no trailing NUL, no normalisation;
 *  - detached, profile: the CMS options of signMessage.
 */
import { z } from 'zod';
import { fromPem, SGD } from '@medsign/core';
import { Errors } from '../errors.js';

const B64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
export const b64 = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => s.length % 4 === 0 && B64_RE.test(s), 'must be base64 (RFC 4648, with padding)');

export const MAX_DATA = 64 * 1024 * 1024; // bounded in practice by the body limit
export const CertId = z.string().regex(/^[0-9A-Fa-f]{1,40}$/, 'a certId from getUserList');
export const Data = b64(MAX_DATA);
export const Text = z.string().max(MAX_DATA);
export const CertValue = z.string().min(16).max(64 * 1024);
export const Profile = z.enum(['rfc5652', 'gmt0010']);
export const SignMethod = z.union([z.literal(SGD.SM3_SM2), z.literal(SGD.SM3_RSA), z.literal(SGD.SHA1_RSA), z.literal(SGD.SHA256_RSA)]);
export const App = z.string().min(1).max(64);
export const Summary = z.string().min(1).max(200);

/** data or text: exactly one. */
export const input = { data: Data.optional(), text: Text.optional() };
export function inputBytes(p: { data?: string | undefined; text?: string | undefined }, what = 'data/text'): Uint8Array {
  if ((p.data === undefined) === (p.text === undefined)) throw Errors.badParams({ zh: `${what} 必须且只能给出一个`, en: `give exactly one of ${what}` });
  return p.data !== undefined ? new Uint8Array(Buffer.from(p.data, 'base64')) : new TextEncoder().encode(p.text);
}

/** A certificate given as base64 DER or PEM. */
export function certBytes(value: string): Uint8Array {
  if (value.includes('-----BEGIN')) return fromPem(value, 'CERTIFICATE');
  if (!B64_RE.test(value) || value.length % 4 !== 0) throw Errors.badParams({ zh: 'cert 应为 base64 DER 或 PEM', en: 'cert must be base64 DER or PEM' });
  return new Uint8Array(Buffer.from(value, 'base64'));
}

export const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
export const b64of = (b: Uint8Array): string => Buffer.from(b).toString('base64');
