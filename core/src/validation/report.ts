/**
 * The validation report, modelled on ETSI EN 319 102-1 (§5.1.3): a main indication, a
 * sub-indication when it is not TOTAL_PASSED, and each check that was made, with the
 * signer, the times and the chain. Messages are Chinese with English beside them.
 */
export type Indication = 'TOTAL_PASSED' | 'TOTAL_FAILED' | 'INDETERMINATE';

export type SubIndication =
  // TOTAL_FAILED
  | 'FORMAT_FAILURE'
  | 'HASH_FAILURE'
  | 'SIG_CRYPTO_FAILURE'
  | 'REVOKED'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  // INDETERMINATE
  | 'SIGNED_DATA_NOT_FOUND'
  | 'NO_SIGNING_CERTIFICATE_FOUND'
  | 'NO_CERTIFICATE_CHAIN_FOUND'
  | 'CERTIFICATE_CHAIN_GENERAL_FAILURE'
  | 'CHAIN_CONSTRAINTS_FAILURE'
  | 'SIG_CONSTRAINTS_FAILURE'
  | 'REVOKED_NO_POE'
  | 'REVOKED_CA_NO_POE'
  | 'OUT_OF_BOUNDS_NO_POE'
  | 'OUT_OF_BOUNDS_NOT_REVOKED'
  | 'TIMESTAMP_ORDER_FAILURE'
  | 'TRY_LATER';

export type CheckName =
  | 'format'
  | 'content-digest'
  | 'signature'
  | 'signing-certificate'
  | 'chain'
  | 'validity'
  | 'key-usage'
  | 'revocation'
  | 'timestamp';

export interface Check {
  name: CheckName;
  result: 'passed' | 'failed' | 'warning' | 'skipped';
  detail: string;
}

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  sha256: string;
}

export interface RevocationSummary {
  serialNumber: string;
  source: 'crl' | 'ocsp' | 'none';
  status: 'good' | 'revoked' | 'on-hold' | 'unknown' | 'not-checked';
  revocationTime?: string;
  reason?: number;
}

export interface ValidationReport {
  indication: Indication;
  subIndication?: SubIndication;
  /** one line for people: Chinese (English) */
  summary: string;
  signer?: CertificateSummary;
  /** the signingTime attribute, as the signer claims it */
  claimedSigningTime?: string;
  /** genTime of a valid signature timestamp: a proof that the signature existed then */
  timestampTime?: string;
  /** the time the certificate checks were made for */
  bestSignatureTime: string;
  validationTime: string;
  chain: CertificateSummary[];
  revocation: RevocationSummary[];
  checks: Check[];
}

export const SUMMARY: Record<Indication | SubIndication, string> = {
  TOTAL_PASSED: '签名有效 (signature is valid)',
  TOTAL_FAILED: '签名无效 (signature is invalid)',
  INDETERMINATE: '无法确定签名是否有效 (validity could not be determined)',
  FORMAT_FAILURE: '签名格式错误 (the signature is malformed)',
  HASH_FAILURE: '原文已被篡改或不匹配 (the signed data was changed or does not match)',
  SIG_CRYPTO_FAILURE: '签名值校验失败 (the signature value does not verify)',
  REVOKED: '签名证书在签名时已被吊销 (the certificate was revoked at signing time)',
  EXPIRED: '签名证书在签名时已过期 (the certificate had expired at signing time)',
  NOT_YET_VALID: '签名证书在签名时尚未生效 (the certificate was not yet valid at signing time)',
  SIGNED_DATA_NOT_FOUND: '缺少签名原文 (the signed data is missing)',
  NO_SIGNING_CERTIFICATE_FOUND: '找不到签名证书 (the signing certificate was not found)',
  NO_CERTIFICATE_CHAIN_FOUND: '无法构建到受信任根证书的证书链 (no chain to a trusted root)',
  CERTIFICATE_CHAIN_GENERAL_FAILURE: '证书链中的证书签名无效 (a certificate in the chain does not verify)',
  CHAIN_CONSTRAINTS_FAILURE: '证书链约束不满足 (a chain constraint is not met)',
  SIG_CONSTRAINTS_FAILURE: '签名证书的密钥用途不允许签名 (the certificate key usage does not allow signing)',
  REVOKED_NO_POE: '证书已吊销且无法证明签名早于吊销 (revoked, and nothing proves the signature came first)',
  REVOKED_CA_NO_POE: '上级证书已吊销 (an issuing CA certificate is revoked)',
  OUT_OF_BOUNDS_NO_POE: '证书已过期且无时间戳证明签名时间 (expired, and no timestamp proves the signing time)',
  OUT_OF_BOUNDS_NOT_REVOKED: '证书已过期，未吊销，但无时间戳证明签名时间 (expired, not revoked, but no timestamp proves the signing time)',
  TIMESTAMP_ORDER_FAILURE: '时间戳早于声明的签名时间 (the timestamp is earlier than the claimed signing time)',
  TRY_LATER: '缺少有效的吊销信息，请稍后重试 (no usable revocation information; try later)',
};
