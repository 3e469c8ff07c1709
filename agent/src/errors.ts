/**
 * The agent's errors. `code` is stable (documented in agent/README.md), `sor` the GM/T 0020
 * SOR_* code that C/COM callers see from SOF_GetLastError, `status` the HTTP status, and the
 * message is Chinese with English beside it. `retryable` says the caller may try the same call
 * again: the agent itself never resends a signing call.
 *
 * Messages never carry PINs, tokens, credentials or the data being signed.
 */
import { MedSignError, SOR } from '@medsign/core';

export class AgentError extends Error {
  override readonly name = 'AgentError';
  constructor(
    readonly code: string,
    readonly sor: number,
    readonly status: number,
    readonly zh: string,
    readonly en: string,
    readonly retryable = false,
  ) {
    super(`${zh} (${en})`);
  }
  toJSON(): { code: string; sor: number; message: string; retryable: boolean } {
    return { code: this.code, sor: this.sor, message: this.message, retryable: this.retryable };
  }
}

type Detail = { zh?: string; en?: string };
const make =
  (code: string, sor: number, status: number, zh: string, en: string, retryable = false) =>
  (d: Detail = {}) =>
    new AgentError(code, sor, status, d.zh ? `${zh}：${d.zh}` : zh, d.en ? `${en}: ${d.en}` : en, retryable);

export const Errors = {
  badParams: make('BAD_PARAMS', SOR.IndataErr, 400, '参数错误', 'invalid parameters'),
  badJson: make('BAD_JSON', SOR.IndataErr, 400, '请求不是有效的 JSON', 'the request is not valid JSON'),
  tooLarge: make('TOO_LARGE', SOR.IndataLenErr, 413, '请求过大', 'the request is too large'),
  methodNotFound: make('METHOD_NOT_FOUND', SOR.NotSupportYetErr, 404, '没有这个接口方法', 'no such method'),
  unsupportedMedia: make('UNSUPPORTED_MEDIA', SOR.IndataErr, 415, '请使用 application/json', 'send application/json'),
  hostRejected: make('HOST_REJECTED', SOR.ObjErr, 403, '请求的 Host 不是本机地址，已拒绝（防 DNS 重绑定）', 'the Host header is not a loopback name; refused (DNS rebinding protection)'),
  originRejected: make('ORIGIN_REJECTED', SOR.AppNotFound, 403, '该网页来源未被允许调用医签助手，请联系信息科把它加入允许列表', 'this page origin may not call the agent; ask IT to add it to the allowed origins'),
  rateLimited: make('RATE_LIMITED', SOR.UnknownErr, 429, '请求过于频繁，请稍后再试', 'too many requests; try again shortly', true),
  notRegistered: make('NOT_REGISTERED', SOR.NotInitializeErr, 503, '医签助手尚未在云端注册，请用管理员提供的注册令牌启动（medsign-agent doctor 可检查）', 'the agent is not registered with the cloud: start it with the registration token from an administrator (run medsign-agent doctor)'),
  cloudUnreachable: make('CLOUD_UNREACHABLE', SOR.UnknownErr, 503, '无法连接签名云服务，请检查网络后重试', 'the signing cloud cannot be reached; check the network and try again', true),
  cloudError: (code: string, message: string, status: number) => new AgentError(`CLOUD_${code}`, SOR.UnknownErr, status >= 500 ? 502 : 409, message, `the cloud refused: ${code}`),
  certNotFound: make('CERT_NOT_FOUND', SOR.CertNotFountErr, 404, '没有这个证书（用户未登录或已退出）', 'no such certificate (the user is not logged in, or has logged out)'),
  notLoggedIn: make('NOT_LOGGED_IN', SOR.NotInitializeErr, 401, '登录已过期，请重新登录（手机扫码或推送）', 'the login has expired: log in again (QR code or push)'),
  userRefused: make('USER_REFUSED', SOR.SignDataErr, 409, '医生在手机上拒绝了签名', 'the doctor refused on the phone'),
  timeout: make('TIMEOUT', SOR.TimeoutErr, 408, '等待手机确认超时，请重新发起', 'timed out waiting for the phone; start again', true),
  cancelled: make('CANCELLED', SOR.SignDataErr, 409, '签名已取消', 'the signing was cancelled'),
  certRevoked: make('CERT_REVOKED', SOR.CertRevokedErr, 409, '签名证书已吊销或冻结，不能签名；请联系管理员', 'the signing certificate is revoked or on hold: no signing; contact an administrator'),
  certExpired: make('CERT_EXPIRED', SOR.CertHasExpiredErr, 409, '签名证书已过期，请在手机上在线更新或联系管理员', 'the signing certificate has expired: renew it on the phone or contact an administrator'),
  noKey: make('NO_ACTIVE_KEY', SOR.KeyNotFountErr, 409, '该医生没有可用的签名密钥（证书已吊销，或尚未激活），请联系管理员', 'this doctor has no usable signing key (the certificate was revoked, or is not enrolled): contact an administrator'),
  keyLocked: make('KEY_LOCKED', SOR.KeyNotFountErr, 409, 'PIN 错误次数过多，签名密钥已锁定，请联系管理员解锁', 'too many wrong PINs: the signing key is locked; ask an administrator to unlock it'),
  signFailed: make('SIGN_FAILED', SOR.SignDataErr, 502, '签名失败', 'signing failed', true),
  badSignatureFromCloud: make('SIGNATURE_INVALID', SOR.SignDataErr, 502, '云端返回的签名未通过本机校验，已丢弃', 'a signature from the cloud failed the local check and was discarded'),
  fileAccessDenied: make('FILE_ACCESS_DENIED', SOR.FileErr, 403, '网页不能按路径签名或验证本机文件，请在页面中读取文件后用 signData/signMessage', 'a web page may not sign or verify workstation files by path: read the file in the page and use signData/signMessage'),
  fileError: make('FILE_ERROR', SOR.FileErr, 400, '文件无法读取', 'the file cannot be read'),
  operationNotFound: make('OPERATION_NOT_FOUND', SOR.IndataErr, 404, '没有这个操作编号（可能已过期）', 'no such operation id (it may have expired)'),
  ticketNotFound: make('TICKET_NOT_FOUND', SOR.IndataErr, 404, '没有这个补签凭据', 'no such deferred-signing ticket'),
  notSupported: make('NOT_SUPPORTED', SOR.NotSupportYetErr, 400, '暂不支持', 'not supported'),
  busy: make('BUSY', SOR.UnknownErr, 503, '正在处理的请求过多，请稍后再试', 'too many requests in progress; try again shortly', true),
  internal: make('INTERNAL', SOR.UnknownErr, 500, '医签助手内部错误', 'internal agent error'),
};

/**
 * The cloud's words for what a user must see — its session statuses (USER_REFUSED, TIMEOUT, …)
 * and its error codes (USER_SESSION_INVALID, NO_ACTIVE_KEY, …) — as agent errors; undefined
 * for anything else.
 */
export function fromCloudCode(code: string | undefined): AgentError | undefined {
  switch (code) {
    case 'USER_REFUSED':
      return Errors.userRefused();
    case 'TIMEOUT':
      return Errors.timeout();
    case 'CANCELLED':
      return Errors.cancelled();
    case 'CERT_REVOKED':
      return Errors.certRevoked();
    case 'CERT_EXPIRED':
      return Errors.certExpired();
    case 'LOCKED':
    case 'KEY_LOCKED':
      return Errors.keyLocked();
    case 'NO_ACTIVE_KEY':
      return Errors.noKey();
    case 'USER_SESSION_INVALID':
      return Errors.notLoggedIn();
    case 'AGENT_UNKNOWN':
    case 'UNAUTHORIZED':
      return Errors.notRegistered({ zh: '云端不认可本机凭据', en: 'the cloud does not accept this credential' });
    default:
      return undefined;
  }
}

/** Any thrown value as an AgentError: core's MedSignErrors keep their code and SOR code. */
export function toAgentError(err: unknown): AgentError {
  if (err instanceof AgentError) return err;
  if (err instanceof MedSignError) return new AgentError(err.code, err.sor, 400, err.zh, err.en);
  const e = Errors.internal();
  Object.defineProperty(e, 'cause', { value: err, enumerable: false }); // for the log; never sent
  return e;
}
