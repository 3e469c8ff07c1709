/** getUserList, exportUserCert, login, logout, reportLostPhone. */
import { z } from 'zod';
import type { AgentContext } from '../context.js';
import { AgentError, Errors, toAgentError } from '../errors.js';
import { defineMethod, type AnyMethod, type CallContext } from '../registry.js';
import type { User } from '../state.js';
import { CertId } from './params.js';

const EXPIRY_WARNING_DAYS = 30;

function afterLogin(a: AgentContext, user: User, ctx: CallContext): void {
  const daysLeft = Math.floor((user.cert.notAfter.getTime() - Date.now()) / 86_400_000);
  if (daysLeft <= EXPIRY_WARNING_DAYS) ctx.emit('certExpiring', { certId: user.certId, name: user.name, notAfter: user.cert.notAfter.toISOString(), daysLeft });
  void a.signing.resumeDeferred(user.certId); // journalled items of this user can go now
}

export function userMethods(a: AgentContext): AnyMethod[] {
  const LoginResult = z.object({
    operationId: z.string(),
    status: z.enum(['PENDING', 'OK']),
    qr: z.string().optional(),
    verificationCode: z.string().optional(),
    certId: z.string().optional(),
    name: z.string().optional(),
  });
  return [
    defineMethod({
      name: 'getUserList',
      summary: '用户列表 (SOF_GetUserList): the users logged in on this workstation, structured and as the GM/T 0020 string "name||certId&&&…"',
      params: z.object({}).strict(),
      result: z.object({ users: z.array(z.object({ name: z.string(), certId: z.string(), employeeNo: z.string(), algorithm: z.string(), notAfter: z.string() })), userList: z.string() }),
      handler: () => {
        const users = a.state.users();
        return {
          users: users.map((u) => ({ name: u.name, certId: u.certId, employeeNo: u.employeeNo, algorithm: u.cert.publicKey.algorithm === 'sm2' ? 'SM2' : 'RSA', notAfter: u.cert.notAfter.toISOString() })),
          userList: users.map((u) => `${u.name}||${u.certId}&&&`).join(''),
        };
      },
    }),
    defineMethod({
      name: 'exportUserCert',
      summary: '导出签名证书 (SOF_ExportUserCert): base64 DER',
      params: z.object({ certId: CertId }).strict(),
      result: z.object({ certificate: z.string() }),
      handler: (p) => ({ certificate: a.signing.user(p.certId).certificate }),
    }),
    defineMethod({
      name: 'login',
      summary:
        '登录 (SOF_Login): without employeeNo/certId a QR login (returns `qr` at once: show it, the doctor scans it with the phone); with one, a push to that doctor’s phone. `wait` (default: true for push, false for QR) waits for the phone; otherwise poll getStatus({operationId}) or listen for loginStatus',
      params: z.object({ employeeNo: z.string().regex(/^[A-Za-z0-9-]{1,32}$/).optional(), certId: CertId.optional(), wait: z.boolean().optional() }).strict(),
      result: LoginResult,
      handler: async (p, ctx) => {
        if (p.employeeNo && p.certId) throw Errors.badParams({ zh: 'employeeNo 与 certId 只能给一个', en: 'give employeeNo or certId, not both' });
        // by certId: a user logged in now, or one seen before (after a logout or an expired login)
        const known = p.certId ? (a.state.user(p.certId)?.cert ?? a.trust.bySerial(p.certId)) : undefined;
        if (p.certId && !known) throw Errors.certNotFound();
        const employeeNo = known ? known.subjectText.match(/serialNumber=([^,+]+)/)?.[1] : p.employeeNo;
        if (p.certId && !employeeNo) throw Errors.certNotFound({ zh: '证书中没有工号', en: 'the certificate carries no employee number' });
        const op = a.ops.create('login', 'login', ctx.client, 1, p.certId);
        let failure: AgentError | undefined;
        const done = a.sessions.login(op, employeeNo, ctx.emit).then(
          (user) => {
            a.ops.finish(op, { certId: user.certId, name: user.name });
            ctx.emit('loginStatus', { operationId: op.operationId, status: 'OK', certId: user.certId, name: user.name });
            afterLogin(a, user, ctx);
            return user;
          },
          (err: unknown) => {
            const e = (failure = toAgentError(err));
            a.ops.fail(op, e);
            ctx.emit('loginStatus', { operationId: op.operationId, status: 'FAILED', error: e.toJSON() });
            throw e;
          },
        );
        if (p.wait ?? (employeeNo !== undefined)) {
          const user = await done;
          return { operationId: op.operationId, status: 'OK' as const, certId: user.certId, name: user.name, ...(op.verificationCode ? { verificationCode: op.verificationCode } : {}) };
        }
        done.catch(() => undefined); // reported through the operation and the event
        await a.ops.whenShown(op);
        if (failure) throw failure;
        return { operationId: op.operationId, status: 'PENDING' as const, ...(op.qr ? { qr: op.qr } : {}), ...(op.verificationCode ? { verificationCode: op.verificationCode } : {}) };
      },
    }),
    defineMethod({
      name: 'logout',
      summary: '退出登录 (SOF_Logout): forget the user here and end the cloud session (an emergency user: the share leaves memory)',
      params: z.object({ certId: CertId }).strict(),
      result: z.object({ ok: z.literal(true) }),
      handler: async (p) => {
        const user = a.signing.user(p.certId);
        if (user.emergency) await a.emergency.logout(user.certId); // issue 7: emergency certificate
        else await a.sessions.logout(user);
        return { ok: true as const };
      },
    }),
    defineMethod({
      name: 'reportLostPhone',
      summary:
        '本人挂失手机 (report your phone lost): for a doctor still logged in here, the certificate goes on hold at once (nothing can be signed with it any more) and a replacement request waits for the hospital\'s administrators, who give the new activation code; the user is logged out here',
      params: z.object({ certId: CertId }).strict(),
      result: z.object({ requestId: z.string(), serial: z.string(), held: z.boolean() }),
      handler: async (p) => {
        const user = a.signing.user(p.certId);
        if (user.emergency) throw Errors.badParams({ zh: '应急证书没有手机，无需挂失', en: 'an emergency certificate has no phone to report' });
        const r = await a.cloud.request<{ requestId: string; serial: string; held: boolean }>('POST', '/api/v1/agent/lost', { auth: true, body: { userSessionToken: user.userSessionToken } });
        a.state.removeUser(user.certId);
        a.log.info({ certId: user.certId, requestId: r.requestId }, 'phone reported lost');
        return r;
      },
    }),
  ];
}
