/** The public API of @medsign/core, shared by the Node and browser entries. */
export { MedSignError, medsignError, errorCatalogue, type ErrorCode } from './errors.js';
export { SOR, type SorName } from './sor-codes.js';
export { OID, SGD } from './oids.js';
export * from './encoding.js';
export { toPem, fromPem } from './pem.js';
export { createHasher, hash, sm3, sha256, HASH_ALGORITHMS, HASH_LENGTH, type HashAlgorithm, type Hasher } from './digest.js';
export { Sm3, sm3Portable } from './sm3.js';
export { runtime, useRuntime } from './runtime/current.js';
export { portableRuntime } from './runtime/portable.js';
export type { Runtime, Sm2Arithmetic, RsaKeyParts } from './runtime/types.js';

export { SM2_PARAMS, Sm2Point } from './sm2/curve.js';
export { decodePoint, encodePoint, pointFromHex, pointToHex } from './sm2/point.js';
export { randomScalar, scalarFromHex, scalarToHex } from './sm2/scalar.js';
export { DEFAULT_SM2_USER_ID, computeZa, sm2Digest, type UserId } from './sm2/za.js';
export {
  sm2Sign,
  sm2Verify,
  sm2SignDigest,
  sm2VerifyDigest,
  encodeSm2SignatureDer,
  decodeSm2SignatureDer,
  encodeSm2SignatureRaw,
  decodeSm2SignatureRaw,
  type Sm2Signature,
  type Sm2SignOptions,
} from './sm2/signature.js';
export {
  generateSm2KeyPair,
  sm2PublicKeyFromPrivate,
  sm2PublicKeyToSpki,
  sm2PublicKeyFromSpki,
  sm2PrivateKeyToPkcs8,
  sm2PrivateKeyFromPkcs8,
  type Sm2KeyPair,
} from './sm2/keys.js';

export { digestInfo, emsaPkcs1v15 } from './rsa/pkcs1.js';

export * from './cosign/sm2-keygen.js';
export * from './cosign/sm2-sign.js';
export * from './cosign/mediated-rsa.js';
export { MAX_BATCH, PROTOCOL_VERSION } from './cosign/wire.js';
export type { SchnorrProof } from './cosign/schnorr.js';
export { verificationCode } from './verification-code.js';

// ---- certificates and signature formats ----
export * from './pki/algorithms.js';
export * from './pki/public-key.js';
export * from './pki/signer.js';
export * from './pki/name.js';
export { renewalOpensAt } from './pki/renewal.js';
export * from './pki/extensions.js';
export * from './pki/template-extension.js';
export * from './pki/certificate.js';
export * from './pki/csr.js';
export * from './pki/cert-info.js';
export {
  signMessage,
  assembleSignedMessage,
  signedAttributesToSign,
  parseSignedMessage,
  verifySignedMessage,
  findSignerCertificate,
  getInfoFromSignedMessage,
  setUnsignedAttribute,
  CMS_PROFILES,
  type CmsProfile,
  type SignedMessageParts,
  type SignMessageOptions,
  type ParsedSignedMessage,
  type SignedMessageVerification,
  type SignedMessageFailure,
} from './cms/signed-data.js';
export * from './tsp/timestamp.js';
export { CRL_REASON, isCrlReason, issueCrl, parseCrl, verifyCrlSignature, findRevokedEntry, normalizeSerialHex, type CrlReasonCode, type CrlRequest, type CrlEntryInput, type CrlEntry, type ParsedCrl } from './revocation/crl.js';
export {
  OCSP_OIDS,
  OCSP_CLOCK_SKEW_MS,
  ocspCertId,
  certIdMatchesIssuer,
  sameCertId,
  ocspNonce,
  buildOcspRequest,
  parseOcspRequest,
  buildOcspResponse,
  buildOcspErrorResponse,
  parseOcspResponse,
  verifyOcspResponse,
  type OcspCertId,
  type CertStatus,
  type OcspErrorStatus,
  type OcspResponseStatus,
  type OcspRequestOptions,
  type ParsedOcspRequest,
  type OcspResponseOptions,
  type OcspSingleResponseInput,
  type OcspSingleResponse,
  type OcspBasicResponse,
  type OcspErrorResponse,
  type ParsedOcspResponse,
  type OcspVerificationFailure,
  type OcspVerifyOptions,
  type OcspVerification,
} from './revocation/ocsp.js';
export * from './validation/report.js';
export { validateSignedMessage, validateCertificate, sofValidateCertCode, type ValidationOptions } from './validation/validate.js';
export { toCompact, fromCompact, parseCompact, compactToText, type CompactRecordInfo, type CertificateStore } from './compact/record.js';
export { normalizeOid } from './oids.js';
export type { Extension } from '@peculiar/asn1-x509';
export * from './protocol/device-auth.js';
export * from './protocol/share-transport.js';
export * from './protocol/pin-check.js';
