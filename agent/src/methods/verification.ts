/**
 * Local verification (no cloud needed: cached CA certificates and CRLs; OCSP when a cloud
 * answers): verifySignedData, verifySignedMessage, getInfoFromSignedMessage,
 * verifySignedFile, toCompact/fromCompact, and the certificate methods getCertInfo,
 * getCertInfoByOid, validateCert.
 */
import { z } from 'zod';
import {
  SGD,
  getCertInfo,
  getCertInfoByOid,
  getInfoFromSignedMessage,
  parseCertificate,
  parseSignedMessage,
  signatureAlgorithmFromSgd,
  sofValidateCertCode,
  fromCompact,
  toCompact,
  verifyDigestSignature,
  verifySignature,
  verifySignedMessage,
  type ParsedCertificate,
  type SignatureAlgorithm,
} from '@medsign/core';
import type { AgentContext } from '../context.js';
import { Errors } from '../errors.js';
import { defineMethod, type AnyMethod } from '../registry.js';
import { CertId, CertValue, SignMethod, b64, b64of, bytes, certBytes, input, inputBytes } from './params.js';
import { fileDigest, nativeOnly } from './signing.js';

const SignedMessage = b64(64 * 1024 * 1024);
const Report = z.record(z.string(), z.unknown());

export function verificationMethods(a: AgentContext): AnyMethod[] {
  /** `cert` by value or `certId` of a logged-in user. */
  const certOf = (p: { cert?: string | undefined; certId?: string | undefined }): ParsedCertificate => {
    if ((p.cert === undefined) === (p.certId === undefined)) throw Errors.badParams({ zh: 'cert 与 certId 必须且只能给一个', en: 'give exactly one of cert, certId' });
    if (p.certId !== undefined) return a.signing.user(p.certId).cert;
    try {
      return parseCertificate(certBytes(p.cert!));
    } catch {
      throw Errors.badParams({ zh: '证书无法解析', en: 'the certificate cannot be parsed' });
    }
  };
  const algFor = (cert: ParsedCertificate, client: string, override?: number): SignatureAlgorithm => {
    if (cert.publicKey.algorithm === 'sm2') return 'sm2-with-sm3';
    const m = override ?? a.signing.getSignMethod(client);
    return m === SGD.SM3_SM2 ? 'rsa-with-sha256' : signatureAlgorithmFromSgd(m);
  };
  const certRef = { cert: CertValue.optional(), certId: CertId.optional() };

  return [
    defineMethod({
      name: 'getCertInfo',
      summary: '证书信息 (SOF_GetCertInfo): one SGD_CERT_* field of a certificate',
      params: z.object({ ...certRef, type: z.number().int().min(1).max(0xff) }).strict(),
      result: z.object({ info: z.string() }),
      handler: (p) => ({ info: getCertInfo(certOf(p), p.type) }),
    }),
    defineMethod({
      name: 'getCertInfoByOid',
      summary: '证书扩展信息 (SOF_GetCertInfoByOid): the value of the extension or name attribute with this OID',
      params: z.object({ ...certRef, oid: z.string().regex(/^[0-2](\.\d{1,40}){1,30}$/) }).strict(),
      result: z.object({ info: z.string() }),
      handler: (p) => ({ info: getCertInfoByOid(certOf(p), p.oid) }),
    }),
    defineMethod({
      name: 'validateCert',
      summary: '验证证书 (SOF_ValidateCert): chain to the pinned roots, validity, CRL, and OCSP when online. code: 0 valid, −1 not trusted, −2 expired, −3 revoked, −4 on hold, −5 not yet valid, −6 other',
      params: z.object({ ...certRef }).strict(),
      result: z.object({ code: z.number().int(), valid: z.boolean(), report: Report }),
      handler: async (p) => {
        const report = await a.trust.validateCertificate(a.cloud, certOf(p).der);
        const code = sofValidateCertCode(report);
        return { code, valid: code === 0, report: report as unknown as Record<string, unknown> };
      },
    }),
    defineMethod({
      name: 'verifySignedData',
      summary: '验证数据签名 (SOF_VerifySignedData): a raw signature over data/text, with the certificate (cert or certId). Cryptographic check only; use validateCert for the certificate',
      params: z.object({ ...certRef, ...input, signature: b64(2048), signMethod: SignMethod.optional() }).strict(),
      result: z.object({ valid: z.boolean() }),
      handler: (p, ctx) => {
        const cert = certOf(p);
        return { valid: verifySignature(algFor(cert, ctx.client, p.signMethod), cert.publicKey, inputBytes(p), bytes(p.signature)) };
      },
    }),
    defineMethod({
      name: 'verifySignedFile',
      summary: '验证文件签名 (SOF_VerifySignedFile): a raw signature over a file on this workstation, hashed as a stream. Native clients only',
      params: z.object({ ...certRef, path: z.string().min(1).max(4096), signature: b64(2048), signMethod: SignMethod.optional() }).strict(),
      result: z.object({ valid: z.boolean() }),
      handler: async (p, ctx) => {
        nativeOnly(ctx);
        const cert = certOf(p);
        const alg = algFor(cert, ctx.client, p.signMethod);
        const digest = await fileDigest(p.path, cert.publicKey, alg);
        return { valid: verifyDigestSignature(alg, cert.publicKey, digest, bytes(p.signature)) };
      },
    }),
    defineMethod({
      name: 'verifySignedMessage',
      summary:
        '验证 PKCS#7 签名 (SOF_VerifySignedMessage): `valid` is the cryptographic result (content digest, signature, signer binding); `report` the full validation (chain, validity, revocation, timestamp) with indication TOTAL_PASSED / TOTAL_FAILED / INDETERMINATE. data/text for a detached message',
      params: z.object({ signedMessage: SignedMessage, data: input.data, text: input.text }).strict(),
      result: z.object({ valid: z.boolean(), failure: z.string().optional(), indication: z.string(), subIndication: z.string().optional(), report: Report }),
      handler: async (p) => {
        const der = bytes(p.signedMessage);
        const content = p.data !== undefined || p.text !== undefined ? inputBytes(p) : undefined;
        const v = verifySignedMessage(der, content ? { content } : {});
        if (v.signerCertificate) a.trust.remember(v.signerCertificate.der);
        const report = await a.trust.validateSignedMessage(a.cloud, der, v.signerCertificate, content);
        return { valid: v.valid, ...(v.failure ? { failure: v.failure } : {}), indication: report.indication, ...(report.subIndication ? { subIndication: report.subIndication } : {}), report: report as unknown as Record<string, unknown> };
      },
    }),
    defineMethod({
      name: 'getInfoFromSignedMessage',
      summary: 'PKCS#7 信息 (SOF_GetInfoFromSignedMessage): type 1 the content, 2 the signer certificate, 3 the signature value, all base64',
      params: z.object({ signedMessage: SignedMessage, type: z.union([z.literal(1), z.literal(2), z.literal(3)]) }).strict(),
      result: z.object({ info: z.string() }),
      handler: (p) => ({ info: b64of(getInfoFromSignedMessage(bytes(p.signedMessage), p.type)) }),
    }),
    defineMethod({
      name: 'toCompact',
      summary: '压缩存储: the compact signature record of a SignedData (certificates by hash; the content is not in it). data/text for a detached message',
      params: z.object({ signedMessage: SignedMessage, data: input.data, text: input.text }).strict(),
      result: z.object({ compact: z.string(), bytes: z.number().int(), originalBytes: z.number().int() }),
      handler: (p) => {
        const der = bytes(p.signedMessage);
        for (const c of parseSignedMessage(der).certificates) a.trust.remember(c);
        const content = p.data !== undefined || p.text !== undefined ? inputBytes(p) : undefined;
        const rec = toCompact(der, content ? { content } : {});
        return { compact: b64of(rec), bytes: rec.length, originalBytes: der.length };
      },
    }),
    defineMethod({
      name: 'fromCompact',
      summary: '还原 PKCS#7: rebuild the byte-identical SignedData from a compact record, the signed data and the certificates this agent has seen',
      params: z.object({ compact: b64(1024 * 1024), ...input }).strict(),
      result: z.object({ signedMessage: z.string() }),
      handler: (p) => ({ signedMessage: b64of(fromCompact(bytes(p.compact), { content: inputBytes(p), certificates: a.trust.certificateStore })) }),
    }),
  ];
}
