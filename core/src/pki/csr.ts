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

export async function buildCsr(subject: Name, signer: Signer, extensions: Extension[] = []): Promise<Uint8Array> {
  const info = new CertificationRequestInfo({
    version: 0,
    subject,
    subjectPKInfo: AsnConvert.parse(publicKeyToSpki(signer.publicKey), SubjectPublicKeyInfo),
    attributes: new Attributes(
      extensions.length ? [new Attribute({ type: id_pkcs9_at_extensionRequest, values: [AsnConvert.serialize(new ExtensionRequest(extensions))] })] : [],
    ),
  });
  const infoDer = new Uint8Array(AsnConvert.serialize(info));
  const signature = await signer.sign(infoDer);
  const csr = new CertificationRequest({
    certificationRequestInfo: info,
    signatureAlgorithm: signatureAlgorithmIdentifier(signer.algorithm),
    signature: signature.slice().buffer as ArrayBuffer,
  });
  return new Uint8Array(AsnConvert.serialize(csr));
}

export interface ParsedCsr {
  der: Uint8Array;
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
    subject: info.subject,
    subjectText: nameToString(info.subject),
    spki,
    publicKey,
    signatureAlgorithm,
    extensions,
    signatureValid: verifySignature(signatureAlgorithm, publicKey, infoDer, new Uint8Array(csr.signature)),
  };
}
