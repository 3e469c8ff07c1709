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
      return await this.fetchAll(cloud);
    } finally {
      this.loaded = undefined; // what is on disk now
    }
  }

  private async fetchAll(cloud: CloudLink): Promise<{ ok: boolean; error?: string }> {
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

  /**
   * The cached CA certificates and CRLs, read from disk once and again after each refresh:
   * every verification uses them, so they are not read per call.
   */
  private loaded: { ca: Map<string, ParsedCertificate>; crls: Uint8Array[] } | undefined;
  private disk(): { ca: Map<string, ParsedCertificate>; crls: Uint8Array[] } {
    this.loaded ??= {
      ca: new Map(
        readdirSync(this.caDir)
          .filter((f) => f.endsWith('.pem'))
          .map((f) => [f.slice(0, -4), parseCertificate(fromPem(readFileSync(join(this.caDir, f), 'utf8'), 'CERTIFICATE'))] as const),
      ),
      crls: readdirSync(this.crlDir)
        .filter((f) => f.endsWith('.crl'))
        .map((f) => new Uint8Array(readFileSync(join(this.crlDir, f)))),
    };
    return this.loaded;
  }

  private caCerts(role: 'root' | 'issuing'): ParsedCertificate[] {
    const ca = this.disk().ca;
    return FAMILIES.map((f) => ca.get(`${f}-${role}`)).filter((c): c is ParsedCertificate => c !== undefined);
  }

  caCertificate(name: string): ParsedCertificate | undefined {
    return this.disk().ca.get(name);
  }

  get trustAnchors(): Uint8Array[] {
    return this.caCerts('root').map((c) => c.der);
  }

  crls(): Uint8Array[] {
    return this.disk().crls;
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
    return [...this.disk().ca.values()].find((c) => c.sha256 === sha256.toLowerCase())?.der;
  };

  /** A live OCSP response for `cert` when a cloud answers; undefined otherwise. */
  async ocsp(cloud: CloudLink, cert: ParsedCertificate): Promise<Uint8Array | undefined> {
    if (!cloud.online) return undefined;
    const issuer = this.caCerts('issuing').find((i) => i.subjectText === cert.issuerText);
    if (!issuer) return undefined;
    try {
      return await cloud.request<Uint8Array>('POST', '/pki/ocsp', { binary: { type: 'application/ocsp-request', data: buildOcspRequest({ certificate: cert, issuer }) }, raw: true, timeoutMs: 3000 });
    } catch {
      return undefined;
    }
  }

  private async options(cloud: CloudLink, cert: ParsedCertificate | undefined) {
    const ocsp = cert ? await this.ocsp(cloud, cert) : undefined;
    return { trustAnchors: this.trustAnchors, intermediates: this.caCerts('issuing').map((c) => c.der), crls: this.crls(), ...(ocsp ? { ocspResponses: [ocsp] } : {}) };
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
