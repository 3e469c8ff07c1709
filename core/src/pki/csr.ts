/**
 * PKCS#10 certification requests (RFC 2986). The request's own signature is the proof of
 * possession; for a co-signed key it is made by phone + cloud through a digestSigner.
 * Requested extensions travel in the extensionRequest attribute (PKCS#9, RFC 2985 §5.4.2).
 */
import { CertificationRequest, CertificationRequestInfo, Attributes } from '@peculiar/asn1-csr';
import { ExtensionRequest, id_pkcs9_at_extensionRequest } from '@peculiar/asn1-pkcs9';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Attribute, Extension, Name, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { assertSignedStructure } from '../der.js';
import { medsignError } from '../errors.js';
import { normalizeOid } from '../oids.js';
import { signatureAlgorithmFromOid, signatureAlgorithmIdentifier, type SignatureAlgorithm } from './algorithms.js';
import { nameToString } from './name.js';
import { publicKeyFromSpki, publicKeyToSpki, verifySignature, type PublicKey } from './public-key.js';
import type { Signer } from './signer.js';
import { exactBuffer } from '../encoding.js';

/** The CertificationRequestInfo: the bytes the request's signature covers. */
export function buildCsrInfo(subject: Name, publicKeySpki: Uint8Array, extensions: Extension[] = []): Uint8Array {
  const info = new CertificationRequestInfo({
    version: 0,
    subject,
    subjectPKInfo: AsnConvert.parse(publicKeySpki, SubjectPublicKeyInfo),
    attributes: new Attributes(
      extensions.length ? [new Attribute({ type: id_pkcs9_at_extensionRequest, values: [AsnConvert.serialize(new ExtensionRequest(extensions))] })] : [],
    ),
  });
  return new Uint8Array(AsnConvert.serialize(info));
}

/** The request from its info and a signature over it (made in one go, or co-signed in rounds). */
export function assembleCsr(infoDer: Uint8Array, algorithm: SignatureAlgorithm, signature: Uint8Array): Uint8Array {
  let info: CertificationRequestInfo;
  try {
    info = AsnConvert.parse(infoDer, CertificationRequestInfo);
  } catch {
    throw medsignError('INPUT_INVALID', { en: 'not a DER CertificationRequestInfo', zh: '证书请求信息格式错误' });
  }
  const csr = new CertificationRequest({
    certificationRequestInfo: info,
    signatureAlgorithm: signatureAlgorithmIdentifier(algorithm),
    signature: exactBuffer(signature),
  });
  return new Uint8Array(AsnConvert.serialize(csr));
}

export async function buildCsr(subject: Name, signer: Signer, extensions: Extension[] = []): Promise<Uint8Array> {
  const infoDer = buildCsrInfo(subject, publicKeyToSpki(signer.publicKey), extensions);
  return assembleCsr(infoDer, signer.algorithm, await signer.sign(infoDer));
}

/** The public key (SPKI DER) a CertificationRequestInfo carries. */
export function csrInfoPublicKey(infoDer: Uint8Array): Uint8Array {
  try {
    return new Uint8Array(AsnConvert.serialize(AsnConvert.parse(infoDer, CertificationRequestInfo).subjectPKInfo));
  } catch {
    throw medsignError('INPUT_INVALID', { en: 'not a DER CertificationRequestInfo', zh: '证书请求信息格式错误' });
  }
}

export interface ParsedCsr {
  der: Uint8Array;
  /** the CertificationRequestInfo exactly as signed */
  info: Uint8Array;
  subject: Name;
  subjectText: string;
  spki: Uint8Array;
  publicKey: PublicKey;
  signatureAlgorithm: SignatureAlgorithm;
  extensions: Extension[];
  /** the proof of possession: the request is signed by the key it carries */
  signatureValid: boolean;
}

export function parseCsr(der: Uint8Array): ParsedCsr {
  let csr: CertificationRequest;
  try {
    assertSignedStructure(der);
    csr = AsnConvert.parse(der, CertificationRequest);
  } catch {
    throw medsignError('INPUT_INVALID', { en: 'not a DER PKCS#10 request', zh: '不是 DER 编码的 PKCS#10 证书请求' });
  }
  const info = csr.certificationRequestInfo;
  const spki = new Uint8Array(AsnConvert.serialize(info.subjectPKInfo));
  const publicKey = publicKeyFromSpki(spki);
  const extensions: Extension[] = [];
  for (const attr of info.attributes ?? []) {
    if (attr.type !== id_pkcs9_at_extensionRequest) continue;
    for (const v of attr.values) {
      for (const e of AsnConvert.parse(v, ExtensionRequest)) {
        e.extnID = normalizeOid(e.extnID);
        extensions.push(e);
      }
    }
  }
  const signatureAlgorithm = signatureAlgorithmFromOid(csr.signatureAlgorithm.algorithm);
  const infoDer = new Uint8Array(csr.certificationRequestInfoRaw ?? AsnConvert.serialize(info));
  return {
    der,
    info: infoDer,
    subject: info.subject,
    subjectText: nameToString(info.subject),
    spki,
    publicKey,
    signatureAlgorithm,
    extensions,
    signatureValid: verifySignature(signatureAlgorithm, publicKey, infoDer, new Uint8Array(csr.signature)),
  };
}
