/**
 * Validation of CMS signatures and certificates, with a report modelled on ETSI EN 319 102-1.
 *
 * Times: a valid, trusted signature timestamp is a proof of existence (POE), and the checks
 * are made at its time; without one they are made at the validation time, and the claimed
 * signingTime only counts against the signer (a claim outside the certificate's validity
 * fails). This is what lets a 30-year-old medical record signed with a long-expired
 * certificate validate, provided it was timestamped.
 */
import { parseSignedMessage, verifySignedMessage, type ParsedSignedMessage, type SignedMessageFailure } from '../cms/signed-data.js';
import { isoTime } from '../pki/cert-info.js';
import { parseCertificate, type ParsedCertificate } from '../pki/certificate.js';
import { checkRevocation, type RevocationStatus } from './revocation-status.js';
import { verifyTimeStamp } from '../tsp/timestamp.js';
import { buildPath } from './chain.js';
import { SUMMARY, type CertificateSummary, type Check, type CheckName, type Indication, type SubIndication, type ValidationReport } from './report.js';

export interface ValidationOptions {
  /** the signed data, for a detached message */
  content?: Uint8Array;
  trustAnchors: readonly Uint8Array[];
  intermediates?: readonly Uint8Array[];
  crls?: readonly Uint8Array[];
  ocspResponses?: readonly Uint8Array[];
  /** default: now */
  validationTime?: Date;
  /** INDETERMINATE/TRY_LATER when a certificate's revocation status cannot be established (default false: a warning) */
  requireRevocation?: boolean;
}

const summaryOf = (c: ParsedCertificate): CertificateSummary => ({
  subject: c.subjectText,
  issuer: c.issuerText,
  serialNumber: c.serialNumber,
  notBefore: isoTime(c.notBefore),
  notAfter: isoTime(c.notAfter),
  sha256: c.sha256,
});

class ReportBuilder {
  readonly checks: Check[] = [];
  verdict: { indication: Indication; sub?: SubIndication } | undefined;
  constructor(readonly base: Omit<ValidationReport, 'indication' | 'summary' | 'checks' | 'subIndication'>) {}

  pass(name: CheckName, detail: string): void {
    this.checks.push({ name, result: 'passed', detail });
  }
  warn(name: CheckName, detail: string): void {
    this.checks.push({ name, result: 'warning', detail });
  }
  /** The first failure decides the indication; later checks are still listed. */
  fail(name: CheckName, indication: Exclude<Indication, 'TOTAL_PASSED'>, sub: SubIndication, detail: string): void {
    this.checks.push({ name, result: 'failed', detail });
    this.verdict ??= { indication, sub };
  }
  get failed(): boolean {
    return this.verdict !== undefined;
  }
  finish(): ValidationReport {
    const indication = this.verdict?.indication ?? 'TOTAL_PASSED';
    const sub = this.verdict?.sub;
    return {
      indication,
      ...(sub ? { subIndication: sub } : {}),
      summary: sub ? `${SUMMARY[indication]}：${SUMMARY[sub]}` : SUMMARY[indication],
      ...this.base,
      checks: this.checks,
    };
  }
}

const CMS_FAILURE: Record<SignedMessageFailure, [Exclude<Indication, 'TOTAL_PASSED'>, SubIndication, CheckName]> = {
  FORMAT_FAILURE: ['TOTAL_FAILED', 'FORMAT_FAILURE', 'format'],
  SIGNED_DATA_NOT_FOUND: ['INDETERMINATE', 'SIGNED_DATA_NOT_FOUND', 'content-digest'],
  NO_SIGNING_CERTIFICATE_FOUND: ['INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND', 'signing-certificate'],
  HASH_FAILURE: ['TOTAL_FAILED', 'HASH_FAILURE', 'content-digest'],
  SIG_CRYPTO_FAILURE: ['TOTAL_FAILED', 'SIG_CRYPTO_FAILURE', 'signature'],
  SIGNING_CERTIFICATE_MISMATCH: ['TOTAL_FAILED', 'SIG_CRYPTO_FAILURE', 'signing-certificate'],
};

/** Validate a CMS SignedData: cryptography, timestamp, chain, validity, key usage, revocation. */
export function validateSignedMessage(der: Uint8Array, options: ValidationOptions): ValidationReport {
  const validationTime = options.validationTime ?? new Date();
  let msg: ParsedSignedMessage | undefined;
  try {
    msg = parseSignedMessage(der);
  } catch {
    msg = undefined;
  }
  const builder = new ReportBuilder({ bestSignatureTime: isoTime(validationTime), validationTime: isoTime(validationTime), chain: [], revocation: [] });
  if (!msg) {
    builder.fail('format', 'TOTAL_FAILED', 'FORMAT_FAILURE', '无法解析签名消息 (the message cannot be parsed as CMS SignedData)');
    return builder.finish();
  }
  builder.pass('format', `CMS SignedData (${msg.profile}), ${msg.signatureAlgorithm}`);
  const pool = [...(options.intermediates ?? []), ...msg.certificates];
  const cms = verifySignedMessage(der, { ...(options.content ? { content: options.content } : {}), certificates: [...(options.intermediates ?? []), ...options.trustAnchors] });
  if (msg.signingTime) builder.base.claimedSigningTime = isoTime(msg.signingTime);
  if (!cms.valid) {
    const [indication, sub, check] = CMS_FAILURE[cms.failure!];
    if (cms.signerCertificate) builder.base.signer = summaryOf(cms.signerCertificate);
    builder.fail(check, indication, sub, SUMMARY[sub]);
    return builder.finish();
  }
  const signer = cms.signerCertificate!;
  builder.base.signer = summaryOf(signer);
  builder.pass('content-digest', `${msg.digestAlgorithm} 摘要一致 (messageDigest matches the content)`);
  builder.pass('signature', `${msg.signatureAlgorithm} 签名值有效 (signature value verifies)`);
  builder.pass('signing-certificate', msg.signingCertificateHash ? 'signingCertificateV2 与签名证书一致 (binds the signer certificate)' : '无 signingCertificateV2 属性 (no signingCertificateV2 attribute)');

  // timestamp: a POE only if it verifies and its TSA chains to a trust anchor
  let poe: Date | undefined;
  if (msg.timestampToken) {
    const ts = verifyTimeStamp(msg.timestampToken, { data: msg.signature, certificates: pool });
    if (!ts.valid) {
      const sub: SubIndication = ts.failure === 'IMPRINT_MISMATCH' || ts.failure === 'HASH_FAILURE' ? 'HASH_FAILURE' : ts.failure === 'FORMAT_FAILURE' ? 'FORMAT_FAILURE' : 'SIG_CRYPTO_FAILURE';
      builder.fail('timestamp', 'TOTAL_FAILED', sub, `时间戳无效 (the signature timestamp is invalid: ${ts.failure})`);
    } else {
      const tsaPath = buildPath(ts.tsaCertificate!, options.trustAnchors, [...pool, ...ts.info!.message.certificates]);
      if (!tsaPath.path) {
        builder.warn('timestamp', `时间戳服务证书不受信任，时间戳不作为签名时间证明 (TSA not trusted: ${tsaPath.detail})`);
      } else if (ts.info!.genTime < ts.tsaCertificate!.notBefore || ts.info!.genTime > ts.tsaCertificate!.notAfter) {
        builder.warn('timestamp', '时间戳签发时 TSA 证书不在有效期内 (TSA certificate not valid at genTime)');
      } else {
        poe = ts.info!.genTime;
        builder.base.timestampTime = isoTime(poe);
        builder.pass('timestamp', `时间戳有效，签名不晚于 ${isoTime(poe)} (a valid timestamp proves the signature existed at ${isoTime(poe)})`);
        if (msg.signingTime && msg.signingTime.getTime() > poe.getTime() + 5 * 60_000) {
          builder.fail('timestamp', 'INDETERMINATE', 'TIMESTAMP_ORDER_FAILURE', SUMMARY.TIMESTAMP_ORDER_FAILURE);
        }
      }
    }
  }
  const at = poe ?? validationTime;
  builder.base.bestSignatureTime = isoTime(at);
  checkCertificatePath(builder, signer, { ...options, validationTime }, pool, at, poe, msg.signingTime);
  return builder.finish();
}

/** Chain, validity, key usage and revocation of a signer certificate at `at`. */
function checkCertificatePath(
  builder: ReportBuilder,
  signer: ParsedCertificate,
  options: ValidationOptions & { validationTime: Date },
  pool: readonly Uint8Array[],
  at: Date,
  poe: Date | undefined,
  claimed: Date | undefined,
): void {
  const path = buildPath(signer, options.trustAnchors, pool);
  if (!path.path) {
    builder.fail('chain', 'INDETERMINATE', path.failure!, path.detail);
    return;
  }
  builder.base.chain = path.path.map(summaryOf);
  builder.pass('chain', path.detail);

  // validity: the signer's own claim first, then the proven (or current) time
  if (claimed && claimed < signer.notBefore) builder.fail('validity', 'TOTAL_FAILED', 'NOT_YET_VALID', `声明的签名时间早于证书生效 (claimed signing time ${isoTime(claimed)} is before notBefore)`);
  else if (claimed && claimed > signer.notAfter) builder.fail('validity', 'TOTAL_FAILED', 'EXPIRED', `声明的签名时间晚于证书到期 (claimed signing time ${isoTime(claimed)} is after notAfter)`);
  else if (at < signer.notBefore) builder.fail('validity', poe ? 'TOTAL_FAILED' : 'INDETERMINATE', 'NOT_YET_VALID', `${isoTime(at)} 证书尚未生效 (not yet valid)`);
  else if (at > signer.notAfter) {
    if (poe) builder.fail('validity', 'TOTAL_FAILED', 'EXPIRED', `时间戳 ${isoTime(at)} 时证书已过期 (expired at the timestamp time)`);
    // without POE the outcome depends on revocation; decided below
  } else builder.pass('validity', `${isoTime(at)} 签名证书在有效期内 (signer certificate valid)`);
  // without a POE an expired chain is "out of bounds" (decided after revocation), not a constraint failure
  let expiredWithoutPoe = !poe && at > signer.notAfter;
  for (const ca of path.path.slice(1)) {
    if (!poe && at > ca.notAfter) expiredWithoutPoe = true;
    else if (at < ca.notBefore || at > ca.notAfter) {
      builder.fail('validity', 'INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE', `上级证书 "${ca.subjectText}" 在 ${isoTime(at)} 不在有效期内 (CA certificate not valid then)`);
    }
  }

  const ku = signer.keyUsage;
  if (ku && !ku.includes('digitalSignature') && !ku.includes('nonRepudiation')) {
    builder.fail('key-usage', 'INDETERMINATE', 'SIG_CONSTRAINTS_FAILURE', `keyUsage = ${ku.join(', ')}`);
  } else builder.pass('key-usage', ku ? `keyUsage = ${ku.join(', ')}` : '无 keyUsage 扩展 (no keyUsage extension)');

  // revocation of every certificate below the anchor
  let signerStatus: RevocationStatus | undefined;
  for (let i = 0; i < path.path.length - 1; i++) {
    const cert = path.path[i]!;
    const status = checkRevocation(cert, path.path[i + 1]!, options.crls ?? [], options.ocspResponses ?? [], options.validationTime);
    builder.base.revocation.push(status.summary);
    if (i === 0) signerStatus = status;
    const who = i === 0 ? '签名证书 (signer certificate)' : `上级证书 "${cert.subjectText}" (CA certificate)`;
    if (status.summary.status === 'revoked' || status.summary.status === 'on-hold') {
      const revokedAt = new Date(status.summary.revocationTime!);
      if (poe && poe < revokedAt) {
        builder.pass('revocation', `${who} 于 ${isoTime(revokedAt)} 吊销，时间戳证明签名早于吊销 (revoked after the proven signing time)`);
      } else if (i > 0) {
        builder.fail('revocation', 'INDETERMINATE', 'REVOKED_CA_NO_POE', `${who} 已吊销 (revoked) ${isoTime(revokedAt)}`);
      } else if (status.summary.status === 'on-hold') {
        builder.fail('revocation', 'INDETERMINATE', 'TRY_LATER', `${who} 已冻结 (on hold since ${isoTime(revokedAt)})`);
      } else if (!poe && claimed && claimed < revokedAt) {
        builder.fail('revocation', 'INDETERMINATE', 'REVOKED_NO_POE', `${who} 于 ${isoTime(revokedAt)} 吊销，声明的签名时间更早但无时间戳证明 (revoked; the claimed earlier signing time is not proven)`);
      } else {
        builder.fail('revocation', 'TOTAL_FAILED', 'REVOKED', `${who} 于 ${isoTime(revokedAt)} 吊销 (revoked), reason ${status.summary.reason ?? 0}`);
      }
    } else if (status.summary.status === 'good') {
      builder.pass('revocation', `${who}: ${status.detail}`);
    } else if (options.requireRevocation) {
      builder.fail('revocation', 'INDETERMINATE', 'TRY_LATER', `${who}: ${status.detail}`);
    } else {
      builder.warn('revocation', `${who}: ${status.detail}`);
    }
  }

  if (expiredWithoutPoe) {
    const notRevoked = signerStatus?.summary.status === 'good';
    builder.fail('validity', 'INDETERMINATE', notRevoked ? 'OUT_OF_BOUNDS_NOT_REVOKED' : 'OUT_OF_BOUNDS_NO_POE', `${isoTime(at)} 证书链已过期且无时间戳 (the chain has expired, and no timestamp proves an earlier signing time)`);
  }
}

/** Validate a certificate alone (SOF_ValidateCert) at `validationTime`. */
export function validateCertificate(der: Uint8Array, options: Omit<ValidationOptions, 'content'>): ValidationReport {
  const validationTime = options.validationTime ?? new Date();
  const builder = new ReportBuilder({ bestSignatureTime: isoTime(validationTime), validationTime: isoTime(validationTime), chain: [], revocation: [] });
  let cert: ParsedCertificate;
  try {
    cert = parseCertificate(der);
  } catch {
    builder.fail('format', 'TOTAL_FAILED', 'FORMAT_FAILURE', '无法解析证书 (the certificate cannot be parsed)');
    return builder.finish();
  }
  builder.base.signer = summaryOf(cert);
  builder.pass('format', `X.509 v${cert.version}, ${cert.signatureAlgorithm}`);
  checkCertificatePath(builder, cert, { ...options, validationTime }, options.intermediates ?? [], validationTime, validationTime, undefined);
  return builder.finish();
}

/**
 * GM/T 0020 SOF_ValidateCert result: 0 valid, −1 not trusted, −2 expired, −3 revoked,
 * −4 frozen (on hold), −5 not yet valid, −6 other.
 */
export function sofValidateCertCode(report: ValidationReport): number {
  if (report.indication === 'TOTAL_PASSED') return 0;
  switch (report.subIndication) {
    case 'NO_CERTIFICATE_CHAIN_FOUND':
    case 'CERTIFICATE_CHAIN_GENERAL_FAILURE':
    case 'CHAIN_CONSTRAINTS_FAILURE':
      return -1;
    case 'EXPIRED':
    case 'OUT_OF_BOUNDS_NO_POE':
    case 'OUT_OF_BOUNDS_NOT_REVOKED':
      return -2;
    case 'REVOKED':
    case 'REVOKED_NO_POE':
    case 'REVOKED_CA_NO_POE':
      return -3;
    case 'TRY_LATER':
      return report.revocation.some((r) => r.status === 'on-hold') ? -4 : -6;
    case 'NOT_YET_VALID':
      return -5;
    default:
      return -6;
  }
}
