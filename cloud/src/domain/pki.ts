/**
 * The embedded CA: bootstrap of the CA hierarchy, certificate issuance, revocation with CRL
 * regeneration, the OCSP responder and the TSA. Knows nothing of HTTP or SQLite: it works on
 * the Store interface and core's pure functions. (For legally reliable signatures in China the
 * issuing CA must be a licensed third party; this embedded CA serves development, tests and
 * small sites, and is the seam where an external CA connector plugs in.)
 */
import {
  CRL_REASON,
  EKU,
  authorityInfoAccessExtension,
  authorityKeyIdentifierExtension,
  basicConstraintsExtension,
  buildName,
  buildOcspErrorResponse,
  buildOcspResponse,
  certIdMatchesIssuer,
  createTimeStampResponse,
  crlDistributionPointsExtension,
  extendedKeyUsageExtension,
  generatePrivateKey,
  issueCertificate,
  issueCrl,
  keyUsageExtension,
  localSigner,
  ocspNoCheckExtension,
  parseCertificate,
  parseOcspRequest,
  parseTimeStampRequest,
  privateKeyFromPkcs8,
  privateKeyToPkcs8,
  publicKeyToSpki,
  randomSerialNumber,
  subjectKeyIdentifierExtension,
  toPem,
  openFromTransport,
  transportKeyFingerprint,
  type SealedForTransport,
  type CertStatus,
  type Extension,
  type NameEntry,
  type ParsedCertificate,
  type Signer,
} from '@medsign/core';
import { Errors } from './errors.js';
import type { Sealer } from './secrets.js';
import type { CaRecord, CaRole, CertificateRecord, KeyKind, Store } from '../store/repositories.js';

export interface PkiOptions {
  /** base URL written into CRL distribution points and AIA, e.g. http://127.0.0.1:17900 */
  publicUrl: string;
  /** CRL validity (nextUpdate − thisUpdate); Vault's default is 72 h */
  crlHours: number;
  /** OCSP response validity (nextUpdate − thisUpdate) */
  ocspHours: number;
  /** the TSA policy OID written into every token */
  tsaPolicy: string;
  organization: string;
  /**
   * issue 7, system settings: where relying parties fetch CRLs (a base, `/{name}.crl` is added)
   * and ask OCSP, when the hospital publishes them elsewhere (a CDN, another host name); read
   * at each issuance, so a change applies to the certificates issued after it
   */
  urls?: () => { crl: string; ocsp: string };
}

const YEAR = 365 * 864e5;
const FAMILIES = ['sm2', 'rsa'] as const;
type Family = (typeof FAMILIES)[number];
const familyKey = (f: Family): KeyKind => (f === 'sm2' ? 'sm2' : 'rsa-2048');

/** CA names: "{family}-{role}", e.g. sm2-root, rsa-issuing, sm2-tsa, rsa-ocsp. */
export const caName = (family: Family, role: CaRole): string => `${family}-${role}`;

export class PkiService {
  private readonly signers = new Map<string, Signer>();
  private readonly parsed = new Map<string, ParsedCertificate>();

  constructor(
    private readonly store: Store,
    private readonly sealer: Sealer,
    private readonly options: PkiOptions,
  ) {}

  /** First start: create the hierarchy (and the share-transport key). Later starts: nothing. Returns whether it created the CAs. */
  async bootstrap(now = new Date()): Promise<boolean> {
    await this.ensureTransportKey(now);
    if (this.store.cas.list().length > 0) {
      for (const ca of this.store.cas.list()) this.signerFor(ca.name); // prove the KEK opens every key now, not at first use
      return false;
    }
    const records: CaRecord[] = [];
    for (const family of FAMILIES) {
      const kind = familyKey(family);
      const rootKey = await generatePrivateKey(kind);
      const rootSigner = localSigner(rootKey);
      const rootSpki = publicKeyToSpki(rootSigner.publicKey);
      const rootName = this.name(`MedSign ${family.toUpperCase()} Root CA`);
      const rootDer = await issueCertificate(
        {
          serialNumber: randomSerialNumber(),
          issuer: rootName,
          subject: rootName,
          notBefore: now,
          notAfter: new Date(now.getTime() + 20 * YEAR),
          publicKey: rootSpki,
          extensions: [basicConstraintsExtension(true), keyUsageExtension(['keyCertSign', 'crlSign']), subjectKeyIdentifierExtension(rootSpki)],
        },
        rootSigner,
      );
      records.push(this.record(caName(family, 'root'), kind, 'root', rootDer, rootKey, now));
      const root = parseCertificate(rootDer);

      const issue = async (role: CaRole, cn: string, years: number, extensions: (spki: Uint8Array) => Extension[], issuer: { cert: ParsedCertificate; signer: Signer }) => {
        const key = await generatePrivateKey(kind);
        const spki = publicKeyToSpki(localSigner(key).publicKey);
        const der = await issueCertificate(
          {
            serialNumber: randomSerialNumber(),
            issuer: issuer.cert.subject,
            subject: this.name(cn),
            notBefore: now,
            notAfter: new Date(now.getTime() + years * YEAR),
            publicKey: spki,
            extensions: [subjectKeyIdentifierExtension(spki), authorityKeyIdentifierExtension(issuer.cert.spki), ...extensions(spki)],
          },
          issuer.signer,
        );
        records.push(this.record(caName(family, role), kind, role, der, key, now));
        return { cert: parseCertificate(der), signer: localSigner(key) };
      };
      const issuing = await issue(
        'issuing',
        `MedSign ${family.toUpperCase()} Issuing CA`,
        10,
        () => [basicConstraintsExtension(true, 0), keyUsageExtension(['keyCertSign', 'crlSign']), crlDistributionPointsExtension([this.crlUrl(caName(family, 'root'))])],
        { cert: root, signer: rootSigner },
      );
      const leafExtensions = (eku: string, critical: boolean, extra: Extension[] = []) => () => [
        basicConstraintsExtension(false),
        keyUsageExtension(['digitalSignature', 'nonRepudiation']),
        extendedKeyUsageExtension([eku], critical),
        crlDistributionPointsExtension([this.crlUrl(caName(family, 'issuing'))]),
        ...extra,
      ];
      // RFC 3161 §2.3: the TSA certificate has a critical EKU with timeStamping only
      await issue('tsa', `MedSign ${family.toUpperCase()} TSA`, 5, leafExtensions(EKU.timeStamping, true), issuing);
      // RFC 6960 §4.2.2.2: a delegated responder has id-kp-OCSPSigning; ocsp-nocheck avoids checking it by OCSP
      await issue('ocsp', `MedSign ${family.toUpperCase()} OCSP Responder`, 5, leafExtensions(EKU.ocspSigning, false, [ocspNoCheckExtension()]), issuing);
    }
    this.store.transaction(() => {
      if (this.store.cas.list().length > 0) throw Errors.conflict({ en: 'bootstrapped concurrently' });
      for (const r of records) this.store.cas.insert(r);
    });
    return true;
  }

  /** The RSA-2048 key phones seal mediated-RSA shares to (core/src/protocol/share-transport.ts). */
  private async ensureTransportKey(now: Date): Promise<void> {
    if (this.store.serviceKeys.get('share-transport')) {
      this.transportPkcs8(); // prove it opens with this KEK
      return;
    }
    const key = await generatePrivateKey('rsa-2048');
    const record = { name: 'share-transport', spki: publicKeyToSpki(localSigner(key).publicKey), sealedKey: this.sealer.seal(privateKeyToPkcs8(key), 'service-key:share-transport'), createdAt: now.getTime() };
    this.store.transaction(() => {
      if (!this.store.serviceKeys.get('share-transport')) this.store.serviceKeys.insert(record);
    });
  }

  transportKey(): { spki: Uint8Array; fingerprint: string } {
    const k = this.store.serviceKeys.get('share-transport');
    if (!k) throw Errors.internal({ en: 'no share-transport key' });
    return { spki: k.spki, fingerprint: transportKeyFingerprint(k.spki) };
  }

  private transportPkcs8(): Uint8Array {
    return this.sealer.open(this.store.serviceKeys.get('share-transport')!.sealedKey, 'service-key:share-transport');
  }

  /** Open a share a phone sealed to the transport key for `context` (the enrollment id). */
  async openShare(context: string, sealed: SealedForTransport): Promise<Uint8Array> {
    return openFromTransport(this.transportPkcs8(), context, sealed);
  }

  private name(cn: string) {
    const entries: NameEntry[] = [
      { type: 'C', value: 'CN' },
      { type: 'O', value: this.options.organization },
      { type: 'CN', value: cn },
    ];
    return buildName(entries);
  }

  private record(name: string, algorithm: KeyKind, role: CaRole, certificate: Uint8Array, key: Awaited<ReturnType<typeof generatePrivateKey>>, now: Date): CaRecord {
    return { name, algorithm, role, certificate, sealedKey: this.sealer.seal(privateKeyToPkcs8(key), `ca-key:${name}`), createdAt: now.getTime() };
  }

  crlUrl(name: string): string {
    return `${this.options.urls?.().crl ?? `${this.options.publicUrl}/pki/crl`}/${name}.crl`;
  }

  get publicUrl(): string {
    return this.options.publicUrl;
  }

  get organization(): string {
    return this.options.organization;
  }

  ocspUrl(): string {
    return this.options.urls?.().ocsp ?? `${this.options.publicUrl}/pki/ocsp`;
  }

  ca(name: string): CaRecord {
    const ca = this.store.cas.get(name);
    if (!ca) throw Errors.notFound({ en: `CA ${name}`, zh: `CA ${name}` });
    return ca;
  }

  caCertificate(name: string): ParsedCertificate {
    let c = this.parsed.get(name);
    if (!c) {
      c = parseCertificate(this.ca(name).certificate);
      this.parsed.set(name, c);
    }
    return c;
  }

  caPem(name: string): string {
    return toPem(this.ca(name).certificate, 'CERTIFICATE');
  }

  caNames(): string[] {
    return this.store.cas.list().map((c) => c.name);
  }

  private signerFor(name: string): Signer {
    let s = this.signers.get(name);
    if (!s) {
      const ca = this.ca(name);
      s = localSigner(privateKeyFromPkcs8(this.sealer.open(ca.sealedKey, `ca-key:${name}`)));
      this.signers.set(name, s);
    }
    return s;
  }

  /** Issue an end-entity certificate from the issuing CA of `family`, and record it. */
  async issue(
    family: Family,
    request: { subject: NameEntry[]; publicKey: Uint8Array; notBefore: Date; notAfter: Date; extensions: Extension[]; staffId: string | null; template?: { id: string; version: number } },
  ): Promise<CertificateRecord> {
    const record = await this.prepareCertificate(family, request);
    this.store.transaction(() => this.store.certificates.insert(record));
    return record;
  }

  /**
   * Sign a certificate without recording it, for callers that record it in their own
   * transaction together with what depends on it (enrollment: certificate + key share).
   */
  async prepareCertificate(
    family: Family,
    request: { subject: NameEntry[]; publicKey: Uint8Array; notBefore: Date; notAfter: Date; extensions: Extension[]; staffId: string | null; template?: { id: string; version: number } },
  ): Promise<CertificateRecord> {
    const issuerName = caName(family, 'issuing');
    const issuer = this.caCertificate(issuerName);
    const der = await issueCertificate(
      {
        serialNumber: randomSerialNumber(),
        issuer: issuer.subject,
        subject: buildName(request.subject),
        notBefore: request.notBefore,
        notAfter: request.notAfter,
        publicKey: request.publicKey,
        extensions: [
          authorityKeyIdentifierExtension(issuer.spki),
          crlDistributionPointsExtension([this.crlUrl(issuerName)]),
          authorityInfoAccessExtension({ ocsp: [this.ocspUrl()], caIssuers: [`${this.options.publicUrl}/pki/ca/${issuerName}.pem`] }),
          ...request.extensions,
        ],
      },
      this.signerFor(issuerName),
    );
    const cert = parseCertificate(der);
    const record: CertificateRecord = {
      serial: cert.serialNumber,
      caName: issuerName,
      sha256: cert.sha256,
      der,
      subject: cert.subjectText,
      staffId: request.staffId,
      notBefore: cert.notBefore.getTime(),
      notAfter: cert.notAfter.getTime(),
      status: 'good',
      revokedAt: null,
      reason: null,
      templateId: request.template?.id ?? null, // the certificate template version it was issued from (issue 7)
      templateVersion: request.template?.version ?? null,
    };
    return record;
  }

  certificate(serial: string): CertificateRecord {
    const c = this.store.certificates.get(serial.toUpperCase());
    if (!c) throw Errors.notFound({ en: `certificate ${serial}`, zh: `证书 ${serial}` });
    return c;
  }

  /**
   * Revoke (reason ≠ certificateHold), hold (reason = certificateHold) or release a hold.
   * `inTransaction` lets the caller destroy the key share in the same transaction.
   * The CRL is regenerated afterwards.
   */
  /** Told of every revocation, hold and release inside its transaction (the sessions service: it ends open sessions, destroys a revoked key's share). */
  private readonly statusListeners: ((serial: string, action: 'revoke' | 'hold' | 'release') => void)[] = [];
  onStatusChange(listener: (serial: string, action: 'revoke' | 'hold' | 'release') => void): void {
    this.statusListeners.push(listener);
  }

  async setRevocation(serial: string, change: { action: 'revoke'; reason: number } | { action: 'hold' } | { action: 'release' }, now = new Date(), inTransaction?: (cert: CertificateRecord) => void): Promise<CertificateRecord> {
    const updated = this.store.transaction(() => {
      const cert = this.certificate(serial);
      if (cert.status === 'revoked') throw Errors.certRevoked({ en: 'already revoked; revocation is final', zh: '证书已吊销，吊销不可撤销' });
      if (change.action === 'release') {
        if (cert.status !== 'hold') throw Errors.conflict({ en: 'the certificate is not on hold', zh: '证书未冻结' });
        this.store.certificates.setStatus(cert.serial, 'good', null, null);
      } else if (change.action === 'hold') {
        if (cert.status === 'hold') throw Errors.conflict({ en: 'already on hold', zh: '证书已冻结' });
        this.store.certificates.setStatus(cert.serial, 'hold', now.getTime(), CRL_REASON.certificateHold);
      } else {
        if (change.reason === CRL_REASON.certificateHold || change.reason === CRL_REASON.removeFromCRL) {
          throw Errors.badRequest({ en: 'use hold/release for certificateHold and removeFromCRL', zh: '冻结与解冻请使用 hold/release' });
        }
        // a held certificate keeps its original revocation date (RFC 5280 §5.3.2 note on hold → revoked)
        this.store.certificates.setStatus(cert.serial, 'revoked', cert.status === 'hold' && cert.revokedAt ? cert.revokedAt : now.getTime(), change.reason);
      }
      for (const l of this.statusListeners) l(cert.serial, change.action);
      inTransaction?.(cert);
      return this.certificate(serial);
    });
    await this.regenerateCrl(updated.caName, now);
    return updated;
  }

  /** The current CRL of a CA, regenerated when missing or past half its validity. */
  async crl(name: string, now = new Date()): Promise<Uint8Array> {
    const ca = this.ca(name);
    if (ca.role !== 'root' && ca.role !== 'issuing') throw Errors.notFound({ en: `${name} issues no CRL`, zh: `${name} 不发布 CRL` });
    const current = this.store.crls.get(name);
    if (current && now.getTime() < current.thisUpdate + (current.nextUpdate - current.thisUpdate) / 2) return current.der;
    return this.regenerateCrl(name, now);
  }

  async regenerateCrl(name: string, now = new Date()): Promise<Uint8Array> {
    const previous = this.store.crls.get(name);
    const number = (previous?.number ?? 0n) + 1n;
    const nextUpdate = new Date(now.getTime() + this.options.crlHours * 3_600_000);
    const entries = this.store.certificates.listRevoked(name).map((c) => ({
      serialNumber: c.serial,
      revocationDate: new Date(c.revokedAt ?? now.getTime()),
      ...(c.reason !== null ? { reason: c.reason } : {}),
    }));
    const der = await issueCrl({ issuer: this.caCertificate(name), thisUpdate: now, nextUpdate, crlNumber: number, entries }, this.signerFor(name));
    this.store.transaction(() => {
      // keep the CRL number strictly increasing even if two regenerations race
      const latest = this.store.crls.get(name);
      if (latest && latest.number >= number) return;
      this.store.crls.put({ caName: name, number, der, thisUpdate: now.getTime(), nextUpdate: nextUpdate.getTime() });
    });
    return this.store.crls.get(name)!.der;
  }

  /** RFC 6960 responder for every certificate the issuing CAs issued; the nonce is echoed. */
  async ocsp(requestDer: Uint8Array, now = new Date()): Promise<Uint8Array> {
    let request: ReturnType<typeof parseOcspRequest>;
    try {
      request = parseOcspRequest(requestDer);
    } catch {
      return buildOcspErrorResponse('malformedRequest');
    }
    if (request.requests.length === 0 || request.requests.length > 20) return buildOcspErrorResponse('malformedRequest');
    // all CertIDs must name one of our issuing CAs, and the same one (one responder signs)
    let family: Family | undefined;
    const answers: { certId: (typeof request.requests)[number]; status: CertStatus }[] = [];
    for (const id of request.requests) {
      const f = FAMILIES.find((fam) => certIdMatchesIssuer(id, this.caCertificate(caName(fam, 'issuing'))));
      if (!f || (family && f !== family)) return buildOcspErrorResponse('unauthorized');
      family = f;
      const cert = this.store.certificates.get(id.serialNumber);
      let status: CertStatus;
      if (!cert || cert.caName !== caName(f, 'issuing')) status = { status: 'unknown' };
      else if (cert.status === 'good') status = { status: 'good' };
      else status = { status: 'revoked', revocationTime: new Date(cert.revokedAt ?? now.getTime()), ...(cert.reason !== null ? { reason: cert.reason } : {}) };
      answers.push({ certId: id, status });
    }
    const responder = caName(family!, 'ocsp');
    return buildOcspResponse({
      signer: this.signerFor(responder),
      responderCertificate: this.ca(responder).certificate,
      producedAt: now,
      responses: answers.map((a) => ({ certId: a.certId, status: a.status, thisUpdate: now, nextUpdate: new Date(now.getTime() + this.options.ocspHours * 3_600_000) })),
      ...(request.nonce ? { nonce: request.nonce } : {}),
      certificates: [this.ca(responder).certificate],
    });
  }

  /** RFC 3161 TSA. An SM3 imprint is stamped by the SM2 TSA, SHA-1/SHA-256 by the RSA TSA. */
  async timestamp(requestDer: Uint8Array, now = new Date()): Promise<Uint8Array> {
    let family: Family = 'rsa';
    try {
      family = parseTimeStampRequest(requestDer).hash === 'sm3' ? 'sm2' : 'rsa';
    } catch {
      /* createTimeStampResponse answers malformed requests with a rejection */
    }
    const name = caName(family, 'tsa');
    return createTimeStampResponse(requestDer, {
      signer: this.signerFor(name),
      certificate: this.ca(name).certificate,
      policy: this.options.tsaPolicy,
      genTime: now,
      accuracy: { seconds: 1 },
    });
  }
}
