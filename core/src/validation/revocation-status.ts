/**
 * The revocation status of one certificate from the evidence at hand: CRLs signed by its
 * issuer and OCSP responses (from the issuer or its delegated responder). A revocation found
 * anywhere wins; otherwise "good" needs fresh evidence (nextUpdate not passed).
 */
import { isoTime } from '../pki/cert-info.js';
import type { ParsedCertificate } from '../pki/certificate.js';
import { namesEqual } from '../pki/name.js';
import { CRL_REASON, findRevokedEntry, parseCrl, verifyCrlSignature, type ParsedCrl } from '../revocation/crl.js';
import { parseOcspResponse, verifyOcspResponse } from '../revocation/ocsp.js';
import type { RevocationSummary } from './report.js';

export interface RevocationStatus {
  summary: RevocationSummary;
  detail: string;
}

export function checkRevocation(
  cert: ParsedCertificate,
  issuer: ParsedCertificate,
  crls: readonly Uint8Array[],
  ocspResponses: readonly Uint8Array[],
  at: Date,
): RevocationStatus {
  const notes: string[] = [];
  let good: RevocationStatus | undefined;

  for (const der of crls) {
    let crl: ParsedCrl;
    try {
      crl = parseCrl(der);
    } catch {
      notes.push('CRL 无法解析 (unreadable CRL)');
      continue;
    }
    if (!namesEqual(crl.issuer, cert.issuer)) continue;
    if (!verifyCrlSignature(crl, issuer.publicKey)) {
      notes.push('CRL 签名无效，已忽略 (CRL signature invalid, ignored)');
      continue;
    }
    if (crl.unsupportedCriticalExtensions.length) {
      notes.push(`CRL 含不支持的关键扩展，已忽略 (unsupported critical extensions ${crl.unsupportedCriticalExtensions.join(',')})`);
      continue;
    }
    const entry = findRevokedEntry(crl, cert.serialNumber);
    if (entry) {
      const hold = entry.reason === CRL_REASON.certificateHold;
      return {
        summary: { serialNumber: cert.serialNumber, source: 'crl', status: hold ? 'on-hold' : 'revoked', revocationTime: isoTime(entry.revocationDate), ...(entry.reason !== undefined ? { reason: entry.reason } : {}) },
        detail: `CRL #${crl.crlNumber ?? '?'}: ${hold ? '已冻结 (on hold)' : '已吊销 (revoked)'} ${isoTime(entry.revocationDate)}`,
      };
    }
    if (crl.nextUpdate && crl.nextUpdate < at) {
      notes.push(`CRL 已过期 (stale CRL, nextUpdate ${isoTime(crl.nextUpdate)})`);
      continue;
    }
    good ??= { summary: { serialNumber: cert.serialNumber, source: 'crl', status: 'good' }, detail: `CRL #${crl.crlNumber ?? '?'} (thisUpdate ${isoTime(crl.thisUpdate)}): 未吊销 (not revoked)` };
  }

  for (const der of ocspResponses) {
    let verdict: ReturnType<typeof verifyOcspResponse>;
    try {
      verdict = verifyOcspResponse(parseOcspResponse(der), { issuer, certificate: cert, at });
    } catch {
      notes.push('OCSP 响应无法解析 (unreadable OCSP response)');
      continue;
    }
    if (!verdict.valid || !verdict.status) {
      if (verdict.failure !== 'CERT_ID_MISMATCH') notes.push(`OCSP 响应无效，已忽略 (OCSP response rejected: ${verdict.failure})`);
      continue;
    }
    const s = verdict.status;
    if (s.status === 'revoked') {
      const hold = s.reason === CRL_REASON.certificateHold;
      return {
        summary: { serialNumber: cert.serialNumber, source: 'ocsp', status: hold ? 'on-hold' : 'revoked', revocationTime: isoTime(s.revocationTime), ...(s.reason !== undefined ? { reason: s.reason } : {}) },
        detail: `OCSP: ${hold ? '已冻结 (on hold)' : '已吊销 (revoked)'} ${isoTime(s.revocationTime)}`,
      };
    }
    if (s.status === 'good') good ??= { summary: { serialNumber: cert.serialNumber, source: 'ocsp', status: 'good' }, detail: 'OCSP: 未吊销 (good)' };
    else notes.push('OCSP: 状态未知 (unknown)');
  }

  return (
    good ?? {
      summary: { serialNumber: cert.serialNumber, source: 'none', status: notes.length ? 'unknown' : 'not-checked' },
      detail: notes.length ? notes.join('; ') : '未提供吊销信息 (no revocation information given)',
    }
  );
}
