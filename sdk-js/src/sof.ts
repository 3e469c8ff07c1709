/**
 * The GM/T 0020 (SOF_*) facade, for pages migrating from vendors' scripts: global functions
 * with the standard's argument order and string conventions (docs/sdk-sof.md has the mapping).
 *
 * - Data results are strings (base64 unless noted); a failure gives "" (or false, or the
 *   number the standard names), and SOF_GetLastError() / SOF_GetLastErrMsg() tell why.
 * - Each function returns a Promise, and also calls a callback given as the last argument.
 * - InData is text: what is signed is its UTF-8 encoding, the same bytes as the agent's `text`,
 *   the C library's A/W functions and the HTTP API.
 */
import type { SetSignMethodParams } from './api.generated.js';
import type { MedSignClient } from './client.js';
import { MedSignError } from './errors.js';

type Callback<T> = (result: T) => void;

export interface SofFacade {
  SOF_GetVersion(cb?: Callback<string>): Promise<string>;
  SOF_SetSignMethod(method: number, cb?: Callback<boolean>): Promise<boolean>;
  SOF_GetSignMethod(cb?: Callback<number>): Promise<number>;
  SOF_GetUserList(cb?: Callback<string>): Promise<string>;
  SOF_ExportUserCert(containerName: string, cb?: Callback<string>): Promise<string>;
  SOF_Login(containerName: string, passWd?: string, cb?: Callback<boolean>): Promise<boolean>;
  SOF_Logout(containerName: string, cb?: Callback<boolean>): Promise<boolean>;
  SOF_GetCertInfo(cert: string, type: number, cb?: Callback<string>): Promise<string>;
  SOF_GetCertInfoByOid(cert: string, oid: string, cb?: Callback<string>): Promise<string>;
  SOF_ValidateCert(cert: string, cb?: Callback<number>): Promise<number>;
  SOF_SignData(containerName: string, inData: string, cb?: Callback<string>): Promise<string>;
  SOF_SignHashData(containerName: string, b64Hash: string, hashAlg?: number, cb?: Callback<string>): Promise<string>;
  SOF_VerifySignedData(cert: string, inData: string, signValue: string, cb?: Callback<boolean>): Promise<boolean>;
  SOF_SignMessage(flag: number, containerName: string, inData: string, cb?: Callback<string>): Promise<string>;
  SOF_VerifySignedMessage(messageData: string, inData: string, cb?: Callback<boolean>): Promise<boolean>;
  SOF_GetInfoFromSignedMessage(messageData: string, type: number, cb?: Callback<string>): Promise<string>;
  SOF_CreateTimeStampRequest(inData: string, cb?: Callback<string>): Promise<string>;
  SOF_CreateTimeStampResponse(request: string, cb?: Callback<string>): Promise<string>;
  SOF_VerifyTimeStamp(inData: string, tsResponse: string, cb?: Callback<boolean>): Promise<boolean>;
  SOF_GetTimeStampInfo(tsResponse: string, type: number, cb?: Callback<string>): Promise<string>;
  SOF_GenRandom(len: number, cb?: Callback<string>): Promise<string>;
  SOF_GetLastError(): number;
  SOF_GetLastErrMsg(): string;
}

const SOR_OK = 0;

/** Build the facade over a client. `install` also puts the functions on `target` (window). */
export function createSofFacade(client: MedSignClient): SofFacade {
  let lastError = SOR_OK;
  let lastMessage = '';

  /** Run one call: the value on success, `failed` on error (with the error kept for SOF_GetLastError). */
  const run = async <T>(failed: T, cb: Callback<T> | undefined, f: () => Promise<T>): Promise<T> => {
    let out: T;
    try {
      out = await f();
      lastError = SOR_OK;
      lastMessage = '';
    } catch (err) {
      lastError = err instanceof MedSignError ? err.sor : 0x0b000001;
      lastMessage = err instanceof Error ? err.message : String(err);
      out = failed;
    }
    if (typeof cb === 'function') {
      try {
        cb(out);
      } catch {
        /* the page's callback threw: not this call's failure, and callback-style pages never catch */
      }
    }
    return out;
  };
  /** GM/T 0020 passes certificates as base64; so does the agent (it also takes PEM). */
  const cert = (c: string) => ({ cert: c.trim() });
  const text = (s: string) => ({ text: s });

  return {
    SOF_GetVersion: (cb) => run('', cb, async () => (await client.getVersion()).version),
    SOF_SetSignMethod: (method, cb) => run(false, cb, async () => (await client.setSignMethod({ method: method as SetSignMethodParams['method'] }), true)),
    SOF_GetSignMethod: (cb) => run(0, cb, async () => (await client.getSignMethod()).method),
    SOF_GetUserList: (cb) => run('', cb, async () => (await client.getUserList()).userList),
    SOF_ExportUserCert: (c, cb) => run('', cb, async () => (await client.exportUserCert({ certId: c })).certificate),
    // the PIN never leaves the phone: SOF_Login pushes an approval to the certificate holder's phone
    SOF_Login: (c, _pw, cb) => run(false, cb, async () => (await client.login({ certId: c, wait: true })).status === 'OK'),
    SOF_Logout: (c, cb) => run(false, cb, async () => (await client.logout({ certId: c })).ok),
    SOF_GetCertInfo: (c, type, cb) => run('', cb, async () => (await client.getCertInfo({ ...cert(c), type })).info),
    SOF_GetCertInfoByOid: (c, oid, cb) => run('', cb, async () => (await client.getCertInfoByOid({ ...cert(c), oid })).info),
    SOF_ValidateCert: (c, cb) => run(-6, cb, async () => (await client.validateCert(cert(c))).code),
    // deferred:false: the SOF functions return a signature or fail, never a 补签 ticket (agent in auto mode)
    SOF_SignData: (c, d, cb) => run('', cb, async () => signatureOf(await client.signData({ certId: c, ...text(d), deferred: false }))),
    // hashAlg (GM/T 0006 SGD_SM3 1, SGD_SHA1 2, SGD_SHA256 4) picks the RSA method; SM3 leaves it to the certificate
    SOF_SignHashData: (c, h, hashAlg, cb) =>
      run('', cb, async () => signatureOf(await client.signHash({ certId: c, hash: h, ...(hashAlg === 2 ? { signMethod: 0x00010002 } : hashAlg === 4 ? { signMethod: 0x00010004 } : {}) }))),
    SOF_VerifySignedData: (c, d, sig, cb) => run(false, cb, async () => (await client.verifySignedData({ ...cert(c), ...text(d), signature: sig })).valid),
    SOF_SignMessage: (flag, c, d, cb) =>
      run('', cb, async () => {
        const r = await client.signMessage({ certId: c, ...text(d), detached: flag === 1, deferred: false });
        if (!('signedMessage' in r)) throw notSigned();
        return r.signedMessage;
      }),
    SOF_VerifySignedMessage: (m, d, cb) => run(false, cb, async () => (await client.verifySignedMessage({ signedMessage: m, ...(d ? text(d) : {}) })).valid),
    SOF_GetInfoFromSignedMessage: (m, type, cb) => run('', cb, async () => (await client.getInfoFromSignedMessage({ signedMessage: m, type: type as 1 | 2 | 3 })).info),
    SOF_CreateTimeStampRequest: (d, cb) => run('', cb, async () => (await client.createTimeStampRequest(text(d))).request),
    SOF_CreateTimeStampResponse: (r, cb) => run('', cb, async () => (await client.createTimeStampResponse({ request: r })).response),
    SOF_VerifyTimeStamp: (d, resp, cb) => run(false, cb, async () => (await client.verifyTimeStamp({ response: resp, ...text(d) })).valid),
    SOF_GetTimeStampInfo: (resp, type, cb) => run('', cb, async () => (await client.getTimeStampInfo({ response: resp, type })).info),
    SOF_GenRandom: (len, cb) => run('', cb, async () => (await client.genRandom({ length: len })).random),
    SOF_GetLastError: () => lastError,
    SOF_GetLastErrMsg: () => lastMessage,
  };
}

/** A result without a signature: the agent journalled it (补签, its deferredSigning is "auto"). */
const notSigned = () => new MedSignError({ code: 'NOT_SIGNED', sor: 0x0b000409, retryable: true, message: '签名未完成（已转为补签）(not signed now: journalled for deferred signing)' });

function signatureOf(r: { signature: string } | { operationId: string } | { deferred: true; ticket: string }): string {
  if ('signature' in r) return r.signature;
  throw notSigned();
}

/** Define the SOF_* functions on `target` (default: globalThis, i.e. window). */
export function installSof(client: MedSignClient, target: object = globalThis): SofFacade {
  const facade = createSofFacade(client);
  Object.assign(target, facade);
  return facade;
}
