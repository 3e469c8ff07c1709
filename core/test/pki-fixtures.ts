/** A small PKI for tests: SM2 and RSA-2048 roots, issuing CAs, and staff certificates. */
import type { Extension } from '@peculiar/asn1-x509';
import { toHex } from '../src/encoding.js';
import { issueCertificate, parseCertificate, randomSerialNumber, type ParsedCertificate } from '../src/pki/certificate.js';
import * as X from '../src/pki/extensions.js';
import { buildName, type NameEntry } from '../src/pki/name.js';
import { digestSigner, generatePrivateKey, localSigner, publicKeyToSpki, type PrivateKey, type Signer } from '../src/pki/signer.js';
import { cloudRsaSignRespond, phoneRsaSignFinish, phoneRsaSignStart, type CloudRsaShare, type PhoneRsaShare } from '../src/cosign/mediated-rsa.js';
import type { CloudSm2Share, PhoneSm2Share } from '../src/cosign/sm2-keygen.js';
import { pointFromHex } from '../src/sm2/point.js';
import { encodeSm2SignatureDer } from '../src/sm2/signature.js';
import { newSessionId, runSm2Sign } from './cosign-helpers.js';

export type KeyKind = 'sm2' | 'rsa-2048' | 'rsa-1024';

export interface Issued {
  der: Uint8Array;
  cert: ParsedCertificate;
  key: PrivateKey;
  signer: Signer;
}

const DAY = 864e5;

export const STAFF = {
  employeeNo: 'E10086',
  name: '李医生',
  department: '心内科',
  idNumber: '110101199001011234',
  licence: '110110000012345',
};

export const TEMPLATE_EXTENSIONS: X.CustomExtensionDefinition[] = [
  { oid: X.IDENTITY_OIDS.idNumber, type: 'printable', value: { attribute: 'idNumber' }, hash: 'sm3' },
  { oid: X.IDENTITY_OIDS.practitionerLicence, type: 'utf8', value: { attribute: 'licence' } },
  { oid: '2.25.190385213373104719302455126829584356115', type: 'integer', value: { constant: '3' } },
];

export async function makeCa(kind: KeyKind, cn: string, issuer?: Issued, validity = { from: new Date(Date.now() - DAY), to: new Date(Date.now() + 3650 * DAY) }): Promise<Issued> {
  const key = await generatePrivateKey(kind);
  const signer = localSigner(key);
  const spki = publicKeyToSpki(signer.publicKey);
  const subject = buildName([{ type: 'C', value: 'CN' }, { type: 'O', value: 'MedSign 测试 CA' }, { type: 'CN', value: cn }]);
  const der = await issueCertificate(
    {
      serialNumber: randomSerialNumber(),
      issuer: issuer ? issuer.cert.subject : subject,
      subject,
      notBefore: validity.from,
      notAfter: validity.to,
      publicKey: spki,
      extensions: [
        X.basicConstraintsExtension(true, issuer ? 0 : undefined),
        X.keyUsageExtension(['keyCertSign', 'crlSign']),
        X.subjectKeyIdentifierExtension(spki),
        ...(issuer ? [X.authorityKeyIdentifierExtension(issuer.cert.spki)] : []),
      ],
    },
    issuer?.signer ?? signer,
  );
  return { der, cert: parseCertificate(der), key, signer };
}

export function staffExtensions(spki: Uint8Array, ca: Issued, extra: Extension[] = []): Extension[] {
  return [
    X.basicConstraintsExtension(false),
    X.keyUsageExtension(['digitalSignature', 'nonRepudiation']),
    X.extendedKeyUsageExtension([X.EKU.clientAuth, X.EKU.emailProtection]),
    X.subjectKeyIdentifierExtension(spki),
    X.authorityKeyIdentifierExtension(ca.cert.spki),
    X.crlDistributionPointsExtension(['http://127.0.0.1:17900/pki/crl/test.crl']),
    X.authorityInfoAccessExtension({ ocsp: ['http://127.0.0.1:17900/pki/ocsp'] }),
    X.certificatePoliciesExtension([{ oid: '2.25.190385213373104719302455126829584356120', cps: 'http://127.0.0.1:17900/cps' }]),
    ...TEMPLATE_EXTENSIONS.map((d) => X.customExtension(d, STAFF)),
    ...extra,
  ];
}

export const staffName = (cn = STAFF.name): NameEntry[] => [
  { type: 'C', value: 'CN' },
  { type: 'O', value: '市第一人民医院' },
  { type: 'OU', value: STAFF.department },
  { type: 'CN', value: cn },
  { type: 'serialNumber', value: STAFF.employeeNo },
];

export async function issueStaff(
  kind: KeyKind,
  ca: Issued,
  opts: { from?: Date; to?: Date; cn?: string; key?: PrivateKey; extra?: Extension[] } = {},
): Promise<Issued> {
  const key = opts.key ?? (await generatePrivateKey(kind));
  const signer = localSigner(key);
  const spki = publicKeyToSpki(signer.publicKey);
  const der = await issueCertificate(
    {
      serialNumber: randomSerialNumber(),
      issuer: ca.cert.subject,
      subject: buildName(staffName(opts.cn)),
      notBefore: opts.from ?? new Date(Date.now() - DAY),
      notAfter: opts.to ?? new Date(Date.now() + 365 * DAY),
      publicKey: spki,
      extensions: staffExtensions(spki, ca, opts.extra),
    },
    ca.signer,
  );
  return { der, cert: parseCertificate(der), key, signer };
}

/** A Signer backed by the two-party SM2 protocol: what a doctor's phone + the cloud are. */
export function cosignSm2Signer(phone: PhoneSm2Share, cloud: CloudSm2Share): Signer {
  return digestSigner('sm2-with-sm3', { algorithm: 'sm2', point: pointFromHex(phone.publicKey) }, async (e) =>
    encodeSm2SignatureDer(runSm2Sign(phone, cloud, [toHex(e)])[0]!),
  );
}

/** A Signer backed by mediated RSA. */
export function cosignRsaSigner(phone: PhoneRsaShare, cloud: CloudRsaShare, algorithm: 'rsa-with-sha256' | 'rsa-with-sm3' | 'rsa-with-sha1' = 'rsa-with-sha256'): Signer {
  const hash = algorithm === 'rsa-with-sha256' ? 'sha256' : algorithm === 'rsa-with-sm3' ? 'sm3' : 'sha1';
  const publicKey = { algorithm: 'rsa' as const, n: BigInt('0x' + phone.n), e: BigInt('0x' + phone.e) };
  return digestSigner(algorithm, publicKey, async (digest) => {
    const sessionId = newSessionId('rsa-cert');
    const digests = [toHex(digest)];
    const { state, message } = phoneRsaSignStart({ sessionId, hash, digests });
    const reply = cloudRsaSignRespond(cloud, { sessionId, hash, digests, step: 'awaiting-phone-request' }, JSON.parse(JSON.stringify(message)));
    return phoneRsaSignFinish(phone, state, reply)[0]!;
  });
}

