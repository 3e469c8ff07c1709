import { SOR } from './sor-codes.js';

/**
 * Every error core raises. `code` is a stable string (documented in core/README.md),
 * `sor` the nearest GM/T 0020 code for C/COM callers, and the message is Chinese with
 * English beside it, because clinicians and hospital IT staff read it.
 *
 * Messages never contain key material, PINs or nonces: callers may log them.
 */
export class MedSignError extends Error {
  override readonly name = 'MedSignError';
  constructor(
    readonly code: ErrorCode,
    readonly sor: number,
    readonly zh: string,
    readonly en: string,
    readonly details?: Record<string, string | number | boolean>,
  ) {
    super(`${zh} (${en})`);
  }
  toJSON(): { code: ErrorCode; sor: number; message: string; details?: Record<string, string | number | boolean> } {
    return { code: this.code, sor: this.sor, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

const catalogue = {
  INPUT_INVALID: [SOR.IndataErr, '输入数据格式错误', 'input data is malformed'],
  INPUT_LENGTH: [SOR.IndataLenErr, '输入数据长度错误', 'input data has the wrong length'],
  ALGORITHM_UNSUPPORTED: [SOR.ParameterNotSupportErr, '不支持的算法或参数', 'algorithm or parameter not supported'],
  KEY_INVALID: [SOR.KeyNotFountErr, '密钥无效', 'key is invalid'],
  POINT_INVALID: [SOR.IndataErr, '椭圆曲线点无效（不在曲线上或为无穷远点）', 'elliptic-curve point is invalid (not on the curve, or the identity)'],
  SCALAR_OUT_OF_RANGE: [SOR.IndataErr, '数值超出范围 [1, n-1]', 'value is outside [1, n-1]'],
  PROOF_INVALID: [SOR.VerifySignDataErr, '密钥协商证明校验失败，请重新发起', 'proof of knowledge failed; start key generation again'],
  PUBLIC_KEY_MISMATCH: [SOR.SignDataErr, '双方计算的公钥不一致，请重新发起', 'the two parties computed different public keys; start again'],
  SESSION_MISMATCH: [SOR.IndataErr, '会话不匹配，请重新发起签名', 'message belongs to another session; start the signing again'],
  SESSION_REPLAY: [SOR.IndataErr, '会话步骤已执行过，拒绝重放', 'this session step has already run; replay refused'],
  COSIGN_REPLY_INVALID: [SOR.SignDataErr, '云端协同签名应答无效，签名已拒绝', 'the cloud co-signing reply is invalid; signature refused'],
  SIGNATURE_CHECK_FAILED: [SOR.SignDataErr, '签名结果自检失败，未输出签名', 'the signature failed its final check and was not released'],
  NOT_SUPPORTED: [SOR.NotSupportYetErr, '暂不支持该功能或类型', 'not supported'],
  CERT_INVALID: [SOR.CertInvalidErr, '证书无效', 'certificate is invalid'],
  INTERNAL: [SOR.UnknownErr, '内部错误', 'internal error'],
} as const satisfies Record<string, readonly [number, string, string]>;

export type ErrorCode = keyof typeof catalogue;

/** Build the catalogued error for `code`, optionally with extra (non-secret) context. */
export function medsignError(
  code: ErrorCode,
  context?: { zh?: string; en?: string; details?: Record<string, string | number | boolean> },
): MedSignError {
  const [sor, zh, en] = catalogue[code];
  return new MedSignError(
    code,
    sor,
    context?.zh ? `${zh}：${context.zh}` : zh,
    context?.en ? `${en}: ${context.en}` : en,
    context?.details,
  );
}

export const errorCatalogue: Readonly<Record<ErrorCode, readonly [number, string, string]>> = catalogue;
