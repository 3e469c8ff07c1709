/**
 * Errors the cloud's domain services raise. `code` is stable (clients and the agent switch on
 * it), `status` is the HTTP status the route layer answers with, and the message is Chinese
 * with English beside it. Messages never carry secrets (codes, shares, tokens, passwords).
 */
export class CloudError extends Error {
  override readonly name = 'CloudError';
  constructor(
    readonly code: string,
    readonly status: number,
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${zh} (${en})`);
  }
}

const E = (code: string, status: number, zh: string, en: string) => (detail?: { zh?: string; en?: string }) =>
  new CloudError(code, status, detail?.zh ? `${zh}：${detail.zh}` : zh, detail?.en ? `${en}: ${detail.en}` : en);

export const Errors = {
  badRequest: E('BAD_REQUEST', 400, '请求格式错误', 'the request is malformed'),
  unauthorized: E('UNAUTHORIZED', 401, '未登录或凭据无效', 'not authenticated, or the credential is invalid'),
  forbidden: E('FORBIDDEN', 403, '无权执行此操作', 'not allowed'),
  notFound: E('NOT_FOUND', 404, '找不到该对象', 'not found'),
  conflict: E('CONFLICT', 409, '状态冲突', 'conflicts with the current state'),
  tooLarge: E('PAYLOAD_TOO_LARGE', 413, '请求内容过大', 'the request body is too large'),
  unsupportedMedia: E('UNSUPPORTED_MEDIA_TYPE', 415, '不支持的内容类型', 'unsupported content type'),
  certRevoked: E('CERT_REVOKED', 409, '证书已吊销', 'the certificate is revoked'),
  internal: E('INTERNAL', 500, '服务器内部错误', 'internal server error'),
} as const;
