/**
 * Errors from the SDK: the agent's own (code, GM/T 0020 SOR code, message in Chinese with
 * English, retryable) and the SDK's connection errors, with the same shape.
 */
export interface AgentErrorData {
  code: string;
  sor: number;
  message: string;
  retryable: boolean;
}

export class MedSignError extends Error implements AgentErrorData {
  override readonly name = 'MedSignError';
  readonly code: string;
  readonly sor: number;
  readonly retryable: boolean;
  constructor(data: AgentErrorData) {
    super(data.message);
    this.code = data.code;
    this.sor = data.sor;
    this.retryable = data.retryable;
  }
}

/** GM/T 0020 codes the SDK itself uses. */
export const SOR_UnknownErr = 0x0b000001;
export const SOR_NotInitializeErr = 0x0b000011;
export const SOR_TimeoutErr = 0x0b000101;

export const sdkError = {
  /** no agent answered on any configured port */
  unavailable: () =>
    new MedSignError({ code: 'AGENT_UNAVAILABLE', sor: SOR_NotInitializeErr, retryable: true, message: '请安装并启动医签助手 (install and start the MedSign agent)' }),
  /** an agent answers on the port but refuses this page's origin (its allow-list) */
  originRefused: () =>
    new MedSignError({
      code: 'ORIGIN_REFUSED',
      sor: 0x0b000421,
      retryable: false,
      message: `医签助手未允许本网页调用，请联系信息科把本网页地址加入医签助手的允许列表 (the agent does not allow this page's origin${typeof location !== 'undefined' ? ` ${location.origin}` : ''}: ask IT to add it)`,
    }),
  /** the connection dropped with the call in flight: it was not resent, and may have been signed */
  connectionLost: () =>
    new MedSignError({ code: 'CONNECTION_LOST', sor: SOR_UnknownErr, retryable: true, message: '与医签助手的连接中断，请求未重发，请确认后重试 (the connection to the agent dropped; the call was not resent: check, then retry)' }),
  timeout: () => new MedSignError({ code: 'CALL_TIMEOUT', sor: SOR_TimeoutErr, retryable: true, message: '医签助手未在时限内应答 (the agent did not answer in time)' }),
  versionMismatch: (agent: string, sdk: string) =>
    new MedSignError({
      code: 'VERSION_MISMATCH',
      sor: SOR_NotInitializeErr,
      retryable: false,
      message:
        Number(agent.split('.')[0]) > Number(sdk.split('.')[0])
          ? `网页使用的签名 SDK 版本过旧，请联系系统厂商更新 SDK (the page's SDK speaks API ${sdk}, the agent ${agent}: update the SDK)`
          : `医签助手版本过旧，请联系信息科升级医签助手 (the agent speaks API ${agent}, the page's SDK ${sdk}: update the agent)`,
    }),
};
