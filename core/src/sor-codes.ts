/**
 * GM/T 0020-2012 SOF error codes (SOR_*), as C and COM callers see them.
 * Values are from the standard's table (see ../../../shared/REFERENCE.md).
 */
export const SOR = {
  OK: 0,
  UnknownErr: 0x0b000001,
  NotSupportYetErr: 0x0b000002,
  FileErr: 0x0b000003,
  NotInitializeErr: 0x0b000011,
  ObjErr: 0x0b000012,
  MemoryErr: 0x0b000100,
  TimeoutErr: 0x0b000101,
  IndataLenErr: 0x0b000200,
  IndataErr: 0x0b000201,
  KeyNotFountErr: 0x0b000309,
  CertNotFountErr: 0x0b000310,
  CertInvalidErr: 0x0b000406,
  CertHasExpiredErr: 0x0b000407,
  CertRevokedErr: 0x0b000408,
  SignDataErr: 0x0b000409,
  VerifySignDataErr: 0x0b000410,
  PKCS7EncodeErr: 0x0b000417,
  ParameterNotSupportErr: 0x0b000419,
  CTLNotFound: 0x0b000420,
  AppNotFound: 0x0b000421,
  ECCEncErr: 0x0b000427,
  P7SignErr: 0x0b000428,
  EnumDevErr: 0x0b000500,
  CertNotYetValidErr: 0x0b000501,
  CertFrozenErr: 0x0b000502,
} as const;

export type SorName = keyof typeof SOR;
