/**
 * What local verification needs, cached on disk so that it works offline:
 *  - pki/ca/*.pem: the cloud's CA certificates. Roots are trusted on first use and then
 *    pinned (a later refresh never replaces a root); issuing CAs and CRLs are refreshed;
 *  - pki/crl/*.crl: the latest CRLs;
 *  - pki/certs/<sha256>.der: every certificate the agent has seen (users', signers' in
 *    verified messages), which is the certificate store compact records are rebuilt from.
 * OCSP is asked live when a cloud is reachable.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOcspRequest, fromPem, parseCertificate, validateCertificate, validateSignedMessage, type ParsedCertificate } from '@medsign/core';
import type { CloudLink } from './cloud-link.js';

const FAMILIES = ['sm2', 'rsa'] as const;

export class TrustStore {
  private readonly caDir: string;
  private readonly crlDir: string;
  private readonly certDir: string;
  private readonly certs = new Map<string, Uint8Array>();

  constructor(dataDir: string) {
    this.caDir = join(dataDir, 'pki', 'ca');
    this.crlDir = join(dataDir, 'pki', 'crl');
    this.certDir = join(dataDir, 'pki', 'certs');
    for (const d of [this.caDir, this.crlDir, this.certDir]) mkdirSync(d, { recursive: true, mode: 0o700 });
    for (const f of readdirSync(this.certDir)) if (/^[0-9a-f]{64}\.der$/.test(f)) this.certs.set(f.slice(0, 64), readFileSync(join(this.certDir, f)));
  }

  /** Fetch CA certificates and CRLs from the cloud. Never throws: offline, the cache stands. */
  async refresh(cloud: CloudLink): Promise<{ ok: boolean; error?: string }> {
    try {
      for (const family of FAMILIES) {
        for (const role of ['root', 'issuing'] as const) {
          const name = `${family}-${role}`;
          const file = join(this.caDir, `${name}.pem`);
          if (!(role === 'root' && existsSync(file))) {
            // a root is trusted on first use and then pinned: never replaced by a refresh
            const pem = new TextDecoder().decode(await cloud.request<Uint8Array>('GET', `/pki/ca/${name}.pem`, { raw: true }));
            parseCertificate(fromPem(pem, 'CERTIFICATE')); // refuse garbage before it lands on disk
            writeFileSync(file, pem);
          }
          // CRLs are verified against the pinned CAs when used, so any reply may be cached
          const crl = await cloud.request<Uint8Array>('GET', `/pki/crl/${name}.crl`, { raw: true });
          writeFileSync(join(this.crlDir, `${name}.crl`), crl);
        }
      }
      return { ok: true };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  private caCerts(role: 'root' | 'issuing'): Uint8Array[] {
    return FAMILIES.map((f) => join(this.caDir, `${f}-${role}.pem`))
      .filter((f) => existsSync(f))
      .map((f) => fromPem(readFileSync(f, 'utf8'), 'CERTIFICATE'));
  }

  caCertificate(name: string): Uint8Array | undefined {
    const f = join(this.caDir, `${name}.pem`);
    return existsSync(f) ? fromPem(readFileSync(f, 'utf8'), 'CERTIFICATE') : undefined;
  }

  get trustAnchors(): Uint8Array[] {
    return this.caCerts('root');
  }

  get hasAnchors(): boolean {
    return this.trustAnchors.length > 0;
  }

  crls(): Uint8Array[] {
    return readdirSync(this.crlDir)
      .filter((f) => f.endsWith('.crl'))
      .map((f) => new Uint8Array(readFileSync(join(this.crlDir, f))));
  }

  remember(der: Uint8Array): ParsedCertificate {
    const c = parseCertificate(der);
    if (!this.certs.has(c.sha256)) {
      this.certs.set(c.sha256, c.der);
      writeFileSync(join(this.certDir, `${c.sha256}.der`), c.der);
    }
    return c;
  }

  /** A certificate seen before, by serial (hex): how SOF_Login(certId) finds whom to push to after a logout. */
  bySerial(serial: string): ParsedCertificate | undefined {
    for (const der of this.certs.values()) {
      const c = parseCertificate(der);
      if (c.serialNumber === serial.toUpperCase() && c.basicConstraints?.ca !== true) return c;
    }
    return undefined;
  }

  /** For fromCompact: certificates by SHA-256 (the CAs included). */
  readonly certificateStore = (sha256: string): Uint8Array | undefined => {
    const hit = this.certs.get(sha256.toLowerCase());
    if (hit) return hit;
    for (const der of [...this.caCerts('issuing'), ...this.trustAnchors]) if (parseCertificate(der).sha256 === sha256.toLowerCase()) return der;
    return undefined;
  };

  /** A live OCSP response for `cert` when a cloud answers; undefined otherwise. */
  async ocsp(cloud: CloudLink, cert: ParsedCertificate): Promise<Uint8Array | undefined> {
    if (!cloud.online) return undefined;
    const issuer = this.caCerts('issuing')
      .map((d) => parseCertificate(d))
      .find((i) => i.subjectText === cert.issuerText);
    if (!issuer) return undefined;
    try {
      return await cloud.request<Uint8Array>('POST', '/pki/ocsp', { binary: { type: 'application/ocsp-request', data: buildOcspRequest({ certificate: cert, issuer }) }, raw: true, timeoutMs: 3000 });
    } catch {
      return undefined;
    }
  }

  private async options(cloud: CloudLink, cert: ParsedCertificate | undefined) {
    const ocsp = cert ? await this.ocsp(cloud, cert) : undefined;
    return { trustAnchors: this.trustAnchors, intermediates: this.caCerts('issuing'), crls: this.crls(), ...(ocsp ? { ocspResponses: [ocsp] } : {}) };
  }

  async validateCertificate(cloud: CloudLink, der: Uint8Array) {
    let cert: ParsedCertificate | undefined;
    try {
      cert = parseCertificate(der);
    } catch {
      cert = undefined;
    }
    return validateCertificate(der, await this.options(cloud, cert));
  }

  async validateSignedMessage(cloud: CloudLink, der: Uint8Array, signer: ParsedCertificate | undefined, content?: Uint8Array) {
    return validateSignedMessage(der, { ...(await this.options(cloud, signer)), ...(content ? { content } : {}) });
  }
}
