/**
 * npm run sizes: the storage sizes behind docs/storage.md — a CMS with and without the
 * signer certificate (DER and base64) against the compact record (DER and base64url),
 * for SM2 and RSA-2048 signatures over the same record.
 */
import { signMessage } from '../src/cms/signed-data.js';
import { compactToText, toCompact } from '../src/compact/record.js';
import { toBase64, utf8 } from '../src/encoding.js';
import { issueCertificate, randomSerialNumber } from '../src/pki/certificate.js';
import * as X from '../src/pki/extensions.js';
import { buildName } from '../src/pki/name.js';
import { generatePrivateKey, localSigner, publicKeyToSpki } from '../src/pki/signer.js';
import { useRuntime } from '../src/runtime/current.js';
import { nodeRuntime } from '../src/runtime/node.js';

export interface SizeRow {
  algorithm: 'SM2' | 'RSA-2048';
  certificate: number;
  cmsWithCertDer: number;
  cmsWithCertBase64: number;
  cmsWithoutCertDer: number;
  compactDer: number;
  compactText: number;
}

/** A staff certificate shaped like the cloud's (same extensions as the staff template). */
async function staffCertificate(kind: 'sm2' | 'rsa-2048') {
  const caKey = await generatePrivateKey(kind);
  const ca = localSigner(caKey);
  const key = await generatePrivateKey(kind);
  const signer = localSigner(key);
  const spki = publicKeyToSpki(signer.publicKey);
  const der = await issueCertificate(
    {
      serialNumber: randomSerialNumber(),
      issuer: buildName([{ type: 'C', value: 'CN' }, { type: 'O', value: 'MedSign' }, { type: 'CN', value: 'MedSign Issuing CA' }]),
      subject: buildName([{ type: 'C', value: 'CN' }, { type: 'O', value: '市第一人民医院' }, { type: 'OU', value: '心内科' }, { type: 'CN', value: '李医生' }, { type: 'serialNumber', value: 'E10086' }]),
      notBefore: new Date(),
      notAfter: new Date(Date.now() + 365 * 864e5),
      publicKey: spki,
      extensions: [
        X.basicConstraintsExtension(false),
        X.keyUsageExtension(['digitalSignature', 'nonRepudiation']),
        X.extendedKeyUsageExtension([X.EKU.clientAuth, X.EKU.emailProtection]),
        X.subjectKeyIdentifierExtension(spki),
        X.authorityKeyIdentifierExtension(publicKeyToSpki(ca.publicKey)),
        X.crlDistributionPointsExtension(['http://127.0.0.1:17900/pki/crl/issuing.crl']),
        X.authorityInfoAccessExtension({ ocsp: ['http://127.0.0.1:17900/pki/ocsp'] }),
        X.customExtension({ oid: X.IDENTITY_OIDS.idNumber, type: 'printable', value: { attribute: 'id' }, hash: 'sm3' }, { id: '110101199001011234' }),
        X.customExtension({ oid: X.IDENTITY_OIDS.practitionerLicence, type: 'utf8', value: { attribute: 'lic' } }, { lic: '110110000012345' }),
      ],
    },
    ca,
  );
  return { der, signer };
}

export async function measureSizes(): Promise<SizeRow[]> {
  useRuntime(nodeRuntime);
  const content = utf8('住院病历 inpatient record … (the signed data is stored by the EMR anyway)');
  const rows: SizeRow[] = [];
  for (const [kind, algorithm] of [['sm2', 'SM2'], ['rsa-2048', 'RSA-2048']] as const) {
    const { der, signer } = await staffCertificate(kind);
    const withCert = await signMessage({ content, signer, certificate: der, detached: true });
    const withoutCert = await signMessage({ content, signer, certificate: der, detached: true, includeCertificate: false });
    const compact = toCompact(withCert, { content });
    rows.push({
      algorithm,
      certificate: der.length,
      cmsWithCertDer: withCert.length,
      cmsWithCertBase64: toBase64(withCert).length,
      cmsWithoutCertDer: withoutCert.length,
      compactDer: compact.length,
      compactText: compactToText(compact).length,
    });
  }
  return rows;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  const rows = await measureSizes();
  console.log('| | certificate | CMS + cert (DER) | CMS + cert (base64) | CMS, no cert (DER) | compact (DER) | compact (base64url) | compact / CMS + cert |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.algorithm} | ${r.certificate} | ${r.cmsWithCertDer} | ${r.cmsWithCertBase64} | ${r.cmsWithoutCertDer} | ${r.compactDer} | ${r.compactText} | ${((100 * r.compactDer) / r.cmsWithCertDer).toFixed(1)}% |`);
  }
}
