/** Object identifiers used by core (see ../../../shared/REFERENCE.md, "OIDs"). */
export const OID = {
  ecPublicKey: '1.2.840.10045.2.1',
  /** SM2 curve (and SM2 key in GM/T 0006) */
  sm2: '1.2.156.10197.1.301',
  /** sm2-1 signature algorithm, used by some vendors in SignerInfo */
  sm2Sign: '1.2.156.10197.1.301.1',
  sm3: '1.2.156.10197.1.401',
  sm3WithSm2: '1.2.156.10197.1.501',
  sm3WithRsa: '1.2.156.10197.1.504',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha1WithRsa: '1.2.840.113549.1.1.5',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  // CMS (RFC 5652) and GM/T 0010 content types
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  gmData: '1.2.156.10197.6.1.4.2.1',
  gmSignedData: '1.2.156.10197.6.1.4.2.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  // CMS attributes
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
} as const;

/** GM/T 0006 algorithm identifiers, as GM/T 0020 SOF_SetSignMethod takes them. */
export const SGD = {
  SM3_RSA: 0x00010001,
  SHA1_RSA: 0x00010002,
  SHA256_RSA: 0x00010004,
  SM3_SM2: 0x00020201,
  SM3: 0x00000001,
  SHA1: 0x00000002,
  SHA256: 0x00000004,
  RSA: 0x00010000,
  SM2_1: 0x00020100,
  SM2_2: 0x00020200,
  SM2_3: 0x00020400,
  SM4_ECB: 0x00000401,
  SM4_CBC: 0x00000402,
} as const;

/**
 * asn1js prints an OID arc above 2^53 as "{hex}" (the arc's 7-bit groups, one per byte).
 * UUID arcs under 2.25 (X.667), which MedSign's private extensions use, are 128-bit, so
 * every OID read from a parsed structure goes through this to get its dotted decimal form.
 */
export function normalizeOid(oid: string): string {
  if (!oid.includes('{')) return oid;
  return oid.replace(/\{([0-9a-fA-F]+)\}/g, (_, hex: string) => {
    let v = 0n;
    for (let i = 0; i < hex.length; i += 2) v = (v << 7n) | BigInt(parseInt(hex.slice(i, i + 2), 16) & 0x7f);
    return v.toString();
  });
}
