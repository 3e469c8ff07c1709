/** Thin adapters from HTTP to the domain services. */
import { Router, raw, type Request } from 'express';
import { z } from 'zod';
import { CRL_REASON, PIN_CHECK_NONCE } from '@medsign/core';
import { Errors } from '../domain/errors.js';
import type { AdminService } from '../domain/admins.js';
import type { PkiService } from '../domain/pki.js';
import type { EnrollmentService } from '../domain/enrollment.js';
import type { DeviceAuthService } from '../domain/devices.js';
import type { SessionService } from '../domain/sessions.js';
import { defineJson, mountJson, openApiDocument, type RawRoute, type RouteTable } from './api.js';
import { mountReportExports, reportRawRoutes, reportRoutes, type ReportServices } from './routes-reports.js';
import type { AuditService } from '../domain/audit.js';
import { auditRoutes } from './routes-audit.js';
import { adminRoutes, checkPasswordChanged } from './routes-admin.js';
import type { SettingsService } from '../domain/settings.js';
import type { TemplateService } from '../domain/templates.js';
import { templateRoutes } from './routes-templates.js';
import { activationFor, type WorkflowService } from '../domain/workflows.js';
import { StaffRowSchema } from '../domain/staff-import.js';
import { workflowRoutes } from './routes-workflows.js';
import type { EmergencyService } from '../domain/emergency.js';
import { emergencyRoutes } from './routes-emergency.js';

export interface Services {
  pki: PkiService;
  admins: AdminService;
  enrollment: EnrollmentService;
  devices: DeviceAuthService;
  sessions: SessionService;
  policy: { maxApprovalWindowMinutes: number; renewalDays: number | null };
  reporting: ReportServices; // issue 7: queries, exports, monthly report, expiry reminders
  audit: AuditService; // issue 7: services.audit.record(...) — the hash-chained audit log
  settings: SettingsService;
  templates: TemplateService; // issue 7: certificate templates
  workflows: WorkflowService; // issue 7: approval workflows and requests
  emergency: EmergencyService; // issue 7: emergency certificates (应急证书)
}

const SessionId = z.string().uuid();
const AgentView = z.object({
  sessionId: z.string(),
  kind: z.enum(['login', 'sign']),
  status: z.enum(['PENDING', 'COSIGNING', 'OK', 'USER_REFUSED', 'TIMEOUT', 'CANCELLED', 'CERT_REVOKED', 'LOCKED', 'ERROR']),
  verificationCode: z.string(),
  expiresAt: z.string(),
  userSessionToken: z.string().optional(),
  signatures: z.array(z.string()).optional(),
  certificate: z.string().optional(),
});
const PhoneView = z.object({
  sessionId: z.string(),
  kind: z.string(),
  app: z.string(),
  agent: z.string(),
  agentId: z.string(),
  workstation: z.string(),
  count: z.number(),
  summaries: z.array(z.string()),
  hash: z.string(),
  digests: z.array(z.string()),
  verificationCode: z.string(),
  expiresAt: z.string(),
});
const Opened = z.object({ sessionId: z.string(), verificationCode: z.string(), expiresAt: z.string() });
const opened = (s: { id: string; verificationCode: string; expiresAt: number }) => ({ sessionId: s.id, verificationCode: s.verificationCode, expiresAt: new Date(s.expiresAt).toISOString() });
const Ok = z.object({ ok: z.literal(true) });
const ok = { ok: true as const };

const b64 = z.string().min(4).max(16_384).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64');
const fromB64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
const ProtocolMessage = z.record(z.string(), z.unknown()); // checked field by field by core

/** The exact request bytes (express.json keeps them for device signatures). */
const rawBody = (req: Request): Uint8Array => (req as Request & { rawBody?: Buffer }).rawBody ?? new Uint8Array(0);

const bearer = (req: Request): string | undefined => {
  const h = req.get('authorization');
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
};

const Serial = z.string().regex(/^[0-9A-Fa-f]{1,40}$/);
const CertificateView = z.object({
  serial: z.string(),
  caName: z.string(),
  subject: z.string(),
  status: z.enum(['good', 'revoked', 'hold']),
  revokedAt: z.string().nullable(),
  reason: z.number().int().nullable(),
});

const REVOCATION_REASONS = [CRL_REASON.unspecified, CRL_REASON.keyCompromise, CRL_REASON.affiliationChanged, CRL_REASON.superseded, CRL_REASON.cessationOfOperation, CRL_REASON.privilegeWithdrawn] as const;

/** Every endpoint, declared once: mounted by buildRouter and described by the OpenAPI document. */
export function defineRoutes(services: Services): RouteTable {
  const view = (serial: string) => {
    const c = services.pki.certificate(serial);
    return { serial: c.serial, caName: c.caName, subject: c.subject, status: c.status, revokedAt: c.revokedAt ? new Date(c.revokedAt).toISOString() : null, reason: c.reason };
  };

  const json = [
    defineJson({
      method: 'get',
      path: '/api/v1/health',
      summary: '健康检查 (liveness, and the cloud clock: agents fail over and check clock skew with it)',
      auth: 'none',
      response: z.object({ status: z.literal('ok'), time: z.string() }),
      handler: () => {
        services.pki.caPem('sm2-root'); // a database read: a cloud whose store is gone is not healthy
        return { status: 'ok' as const, time: new Date().toISOString() };
      },
    }),
    ...reportRoutes(services.reporting), // issue 7: queries, statistics, notifications
    ...adminRoutes(services), // issue 7: administrator accounts, own account, TOTP, system settings
    ...auditRoutes(services), // issue 7: the audit log (read, verify, checkpoint)
    ...templateRoutes(services), // issue 7: certificate templates
    ...workflowRoutes(() => services.workflows), // issue 7: workflows, requests, workflow events
    ...emergencyRoutes(() => services.emergency), // issue 7: emergency grants (console) and the agent's emergency login/signing
    defineJson({
      method: 'post',
      path: '/api/v1/admin/login',
      summary: '管理员登录 (administrator login): a bearer token valid for 8 hours; totp once the account has TOTP on',
      auth: 'none',
      body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256), totp: z.string().regex(/^\d{6}$/).optional() }).strict(),
      response: z.object({ token: z.string(), expiresAt: z.string(), role: z.string(), mustChangePassword: z.boolean() }),
      handler: ({ body }) => {
        const r = services.admins.login(body.username, body.password, body.totp);
        return { token: r.token, expiresAt: new Date(r.expiresAt).toISOString(), role: r.role, mustChangePassword: r.mustChangePassword };
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/logout',
      summary: '注销 (end the administrator session)',
      auth: 'admin',
      roles: ['ra_officer', 'dept_approver', 'auditor'], // every administrator may end their own session
      response: z.object({ ok: z.literal(true) }),
      handler: ({ req, admin }) => {
        services.audit.asAdmin(admin, 'admin.logout', admin?.username, () => services.admins.logout(bearer(req)!));
        return { ok: true as const };
      },
    }),
    defineJson({
      method: 'get',
      path: '/api/v1/admin/certificates/{serial}',
      summary: '查询证书 (look up an issued certificate)',
      auth: 'admin',
      response: CertificateView,
      handler: ({ params }) => view(Serial.parse(params.serial)),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/certificates/{serial}/revoke',
      summary: '吊销证书 (revoke with an RFC 5280 reason; final)',
      auth: 'admin',
      body: z.object({ reason: z.literal(REVOCATION_REASONS) }).strict(),
      response: CertificateView,
      handler: async ({ params, body, admin }) =>
        (services.workflows.assertDirect('revoke'), view((await services.audit.asAdminAsync(admin, 'certificate.revoke', params.serial?.toUpperCase(), (done) => services.pki.setRevocation(Serial.parse(params.serial), { action: 'revoke', reason: body.reason }, new Date(), (c) => done({ reason: body.reason, was: c.status })))).serial)),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/certificates/{serial}/hold',
      summary: '冻结证书 (certificateHold: unusable until released)',
      auth: 'admin',
      response: CertificateView,
      handler: async ({ params, admin }) => (services.workflows.assertDirect('hold'), view((await services.audit.asAdminAsync(admin, 'certificate.hold', params.serial?.toUpperCase(), (done) => services.pki.setRevocation(Serial.parse(params.serial), { action: 'hold' }, new Date(), () => done()))).serial)),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/certificates/{serial}/release',
      summary: '解冻证书 (release a hold)',
      auth: 'admin',
      response: CertificateView,
      handler: async ({ params, admin }) => (services.workflows.assertDirect('release'), view((await services.audit.asAdminAsync(admin, 'certificate.release', params.serial?.toUpperCase(), (done) => services.pki.setRevocation(Serial.parse(params.serial), { action: 'release' }, new Date(), () => done()))).serial)),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/staff',
      summary: '登记医务人员 (register a staff member)',
      auth: 'admin',
      body: StaffRowSchema, // the same rules as a row of the CSV import
      response: z.object({ id: z.string(), employeeNo: z.string() }),
      handler: ({ body, admin }) => {
        const r = services.audit.asAdmin(admin, 'staff.create', body.employeeNo, () => services.enrollment.createStaff(body), (st) => ({ staffId: st.id, name: st.name, department: st.department }));
        return { id: r.id, employeeNo: r.employeeNo };
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/enrollments',
      summary: '发放激活码 (open an enrollment: a one-time activation code and its QR payload)',
      auth: 'admin',
      body: z.object({ staffId: z.string().uuid(), algorithm: z.enum(['sm2', 'rsa-2048', 'rsa-1024']), validMinutes: z.number().int().min(1).max(7 * 24 * 60).optional(), templateId: z.string().regex(/^[a-z][a-z0-9-]{1,47}$/).optional() }).strict(),
      response: z.object({ enrollmentId: z.string(), activationCode: z.string(), expiresAt: z.string(), qr: z.string(), legacy: z.boolean(), template: z.object({ id: z.string(), version: z.number().int() }) }),
      handler: ({ body, admin }) => {
        services.workflows.assertDirect('apply');
        const r = services.audit.asAdmin(admin, 'enrollment.create', body.staffId, () => services.enrollment.createEnrollment(body.staffId, body.algorithm, body.validMinutes, undefined, body.templateId), (e) => ({ enrollmentId: e.enrollment.id, algorithm: body.algorithm, expiresAt: new Date(e.enrollment.expiresAt) }));
        return { ...activationFor(services.pki, r, body.algorithm), legacy: r.legacy, template: r.template };
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/mobile/enroll/start',
      summary: '手机激活 (redeem the activation code, register the device key, key generation round)',
      auth: 'none',
      body: z
        .object({
          enrollmentId: z.string().uuid(),
          activationCode: z.string().min(8).max(40),
          devicePublicKey: b64,
          keygen: z.discriminatedUnion('type', [
            z.object({ type: z.literal('sm2'), hello: ProtocolMessage }).strict(),
            z
              .object({
                type: z.literal('rsa'),
                n: z.string().max(1024),
                e: z.string().max(16),
                /** d2 sealed to the share-transport key (never in clear) */
                sealedD2: z.object({ wrappedKey: b64, iv: b64, ciphertext: b64 }).strict(),
              })
              .strict(),
          ]),
        })
        .strict(),
      response: z.object({ enrollmentId: z.string(), deviceId: z.string(), algorithm: z.string(), keygenReply: z.unknown().optional() }),
      handler: async ({ body }) => {
        const k = body.keygen;
        const keygen = k.type === 'sm2' ? k : { type: 'rsa' as const, n: k.n, e: k.e, d2: new TextDecoder().decode(await services.pki.openShare(body.enrollmentId, k.sealedD2)) };
        return services.enrollment.start({ enrollmentId: body.enrollmentId, activationCode: body.activationCode, devicePublicKey: fromB64(body.devicePublicKey), keygen });
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/mobile/renew/open',
      summary: '在线更新：开始 (online renewal: open it for this device’s certificate, in the renewal window, after a successful PIN check)',
      auth: 'device',
      body: z.object({ pinCheckId: SessionId }).strict(),
      response: z.object({ enrollmentId: z.string().uuid(), algorithm: z.enum(['sm2', 'rsa-2048', 'rsa-1024']), serial: z.string() }),
      handler: ({ body, deviceId }) => {
        services.sessions.consumeVerifiedPinCheck(deviceId, body.pinCheckId);
        // issue 7: a renew workflow that needs approval files a request first (RENEWAL_PENDING_APPROVAL)
        const gate = services.workflows.renewalGate(services.enrollment.renewableSerial(deviceId));
        const opened = services.enrollment.renewOpen(deviceId);
        gate.consume();
        return opened;
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/mobile/renew/start',
      summary: '在线更新：密钥生成 (online renewal: the key generation round; then enroll/finish and enroll/complete)',
      auth: 'device',
      body: z
        .object({
          enrollmentId: z.string().uuid(),
          keygen: z.discriminatedUnion('type', [
            z.object({ type: z.literal('sm2'), hello: ProtocolMessage }).strict(),
            z.object({ type: z.literal('rsa'), n: z.string().max(1024), e: z.string().max(16), sealedD2: z.object({ wrappedKey: b64, iv: b64, ciphertext: b64 }).strict() }).strict(),
          ]),
        })
        .strict(),
      response: z.object({ enrollmentId: z.string(), algorithm: z.string(), keygenReply: z.unknown().optional() }),
      handler: async ({ body, deviceId }) => {
        const k = body.keygen;
        const keygen = k.type === 'sm2' ? k : { type: 'rsa' as const, n: k.n, e: k.e, d2: new TextDecoder().decode(await services.pki.openShare(body.enrollmentId, k.sealedD2)) };
        return services.enrollment.renewStart(deviceId, { enrollmentId: body.enrollmentId, keygen });
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/mobile/enroll/lookup',
      summary: '查询激活码 (a typed-in code: its enrollment and key algorithm; the code is not used up)',
      auth: 'none',
      body: z.object({ activationCode: z.string().min(8).max(40) }).strict(),
      response: z.object({ enrollmentId: z.string(), algorithm: z.enum(['sm2', 'rsa-2048', 'rsa-1024']), transportKeySha256: z.string() }),
      handler: ({ body }) => ({ ...services.enrollment.lookup(body.activationCode), transportKeySha256: services.pki.transportKey().fingerprint }),
    }),
    defineJson({
      method: 'get',
      path: '/api/v1/mobile/policy',
      summary: '手机策略 (policy the phone applies, e.g. the longest time-window authorisation)',
      auth: 'none',
      response: z.object({ maxApprovalWindowMinutes: z.number().int(), renewalDays: z.number().int().nullable() }),
      handler: () => ({ ...services.policy }),
    }),
    defineJson({
      method: 'get',
      path: '/api/v1/mobile/transport-key',
      summary: '密钥份额传输公钥 (the RSA-OAEP key phones seal mediated-RSA shares to; check its SHA-256 against the QR code’s tk)',
      auth: 'none',
      response: z.object({ spki: z.string(), sha256: z.string() }),
      handler: () => {
        const k = services.pki.transportKey();
        return { spki: Buffer.from(k.spki).toString('base64'), sha256: k.fingerprint };
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/mobile/enroll/finish',
      summary: '确认密钥并协同签署证书请求 (confirm the key; the cloud half of the CSR signature)',
      auth: 'device',
      body: z.object({ enrollmentId: z.string().uuid(), keygenConfirm: ProtocolMessage.optional(), csrInfo: b64, commit: ProtocolMessage }).strict(),
      response: z.object({ enrollmentId: z.string(), cosignReply: z.unknown() }),
      handler: ({ body, deviceId }) =>
        services.enrollment.finish(deviceId, { enrollmentId: body.enrollmentId, ...(body.keygenConfirm ? { keygenConfirm: body.keygenConfirm } : {}), csrInfo: fromB64(body.csrInfo), commit: body.commit }),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/mobile/enroll/complete',
      summary: '签发证书 (verify the co-signed CSR and issue the certificate)',
      auth: 'device',
      body: z.object({ enrollmentId: z.string().uuid(), csr: b64 }).strict(),
      response: z.object({ certificate: z.string(), chain: z.array(z.string()) }),
      handler: async ({ body, deviceId }) => {
        const r = await services.enrollment.complete(deviceId, { enrollmentId: body.enrollmentId, csr: fromB64(body.csr) });
        // a renewal: the new key replaces the old one (its cloud share destroyed, so one key per person
        // signs); the old certificate stays valid until its end unless the revokeOnRenewal setting
        // says to revoke it as superseded (an administrator's revocation racing this one must not
        // lose the phone its new certificate)
        if (r.supersedes && !services.settings.current().revokeOnRenewal) {
          services.sessions.onCertificateStatus(r.supersedes, 'revoke'); // the share only: the certificate stays good
          services.audit.record({ actorType: 'system', actor: 'medsign-cloud', action: 'certificate.supersede', target: r.supersedes, result: 'ok', details: { keyRetired: true, certificateRevoked: false, renewedBy: deviceId } });
        } else if (r.supersedes) {
          await services.pki
            .setRevocation(r.supersedes, { action: 'revoke', reason: CRL_REASON.superseded }, new Date(), (c) => services.audit.record({ actorType: 'system', actor: 'medsign-cloud', action: 'certificate.revoke', target: c.serial, result: 'ok', details: { reason: CRL_REASON.superseded, renewedBy: deviceId } }))
            .catch(() => services.sessions.onCertificateStatus(r.supersedes!, 'revoke'));
        }
        return { certificate: Buffer.from(r.certificate).toString('base64'), chain: r.chain.map((c) => Buffer.from(c).toString('base64')) };
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/certificates/{serial}/unlock',
      summary: '解锁签名密钥 (unlock a key share locked after repeated failures)',
      auth: 'admin',
      response: Ok,
      handler: ({ params, admin }) => {
        services.workflows.assertDirect('pin_unlock');
        services.audit.asAdmin(admin, 'key.unlock', params.serial?.toUpperCase(), () => services.sessions.unlock(Serial.parse(params.serial).toUpperCase()));
        return ok;
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/agent-tokens',
      summary: '签名助手注册令牌 (a one-time token a workstation agent registers with)',
      auth: 'admin',
      body: z.object({ ttlHours: z.number().int().min(1).max(24 * 30).optional() }).strict(),
      response: z.object({ registrationToken: z.string(), expiresAt: z.string() }),
      handler: ({ body, admin }) => {
        const t = services.audit.asAdmin(admin, 'agent.token.create', undefined, () => services.sessions.createRegistrationToken(body.ttlHours), (x) => ({ expiresAt: new Date(x.expiresAt) }));
        return { registrationToken: t.token, expiresAt: new Date(t.expiresAt).toISOString() };
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/agent/register',
      summary: '签名助手注册 (register an agent: returns its own credential, shown once)',
      auth: 'none',
      body: z.object({ registrationToken: z.string().min(16).max(128), name: z.string().min(1).max(64) }).strict(),
      response: z.object({ agentId: z.string(), credential: z.string() }),
      handler: ({ body }) => services.sessions.registerAgent(body.registrationToken, body.name),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/agent/logins',
      summary: '登录 (with employeeNo: pushed to that phone; without: a QR login the agent shows)',
      auth: 'agent',
      body: z.object({ employeeNo: z.string().regex(/^[A-Za-z0-9-]{1,32}$/).optional(), workstation: z.string().min(1).max(64) }).strict(),
      response: Opened.extend({ qr: z.string().optional() }),
      handler: ({ body, agentId }) => {
        const s = services.sessions.openLogin(agentId, body.employeeNo, body.workstation);
        return { ...opened(s), ...(s.qr ? { qr: s.qr } : {}) };
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/agent/logout',
      summary: '退出登录 (end a user session)',
      auth: 'agent',
      body: z.object({ userSessionToken: z.string().min(16).max(128) }).strict(),
      response: Ok,
      handler: ({ body, agentId }) => {
        services.sessions.logout(agentId, body.userSessionToken);
        return ok;
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/agent/lost',
      summary: '本人挂失手机 (the logged-in doctor reports their phone lost: the certificate goes on hold at once, a replacement request waits for an administrator)',
      auth: 'agent',
      body: z.object({ userSessionToken: z.string().min(16).max(128) }).strict(),
      response: z.object({ requestId: z.string(), serial: z.string(), held: z.boolean() }),
      handler: async ({ body, agentId }) => {
        const r = await services.workflows.reportLostFromAgent(agentId, body.userSessionToken);
        return { requestId: r.id, serial: r.payload.serial as string, held: services.pki.certificate(r.payload.serial as string).status === 'hold' };
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/agent/sessions',
      summary: '发起签名 (open a sign session: 1–1000 digests, one summary each)',
      auth: 'agent',
      body: z
        .object({
          userSessionToken: z.string().min(16).max(128),
          hash: z.enum(['sm3', 'sha256', 'sha1']).optional(),
          digests: z.array(z.string().max(64)).min(1).max(1000),
          app: z.string().min(1).max(64),
          summaries: z.array(z.string().min(1).max(200)).min(1).max(1000),
          workstation: z.string().min(1).max(64),
        })
        .strict(),
      response: Opened,
      handler: ({ body, agentId }) => opened(services.sessions.openSign(agentId, { ...body, ...(body.hash ? { hash: body.hash } : {}) })),
    }),
    defineJson({
      method: 'get',
      path: '/api/v1/agent/sessions/{id}',
      summary: '查询会话结果 (session state; ?wait=N long-polls up to N ≤ 30 seconds for the end, or with &changes=1 for the next change)',
      auth: 'agent',
      response: AgentView,
      handler: ({ params, req, agentId }) => {
        const wait = z.coerce.number().int().min(0).max(30).catch(0).parse(req.query.wait ?? 0);
        return services.sessions.poll(agentId, SessionId.parse(params.id), wait * 1000, req.query.changes === '1');
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/agent/sessions/{id}/cancel',
      summary: '取消会话 (cancel an open session)',
      auth: 'agent',
      response: Ok,
      handler: ({ params, agentId }) => {
        services.sessions.cancel(agentId, SessionId.parse(params.id));
        return ok;
      },
    }),
    defineJson({
      method: 'get',
      path: '/api/v1/mobile/pending',
      summary: '待确认的登录与签名 (what waits for this phone: app, workstation, summaries, count, code, digests)',
      auth: 'device',
      response: z.object({ sessions: z.array(PhoneView) }),
      handler: ({ deviceId }) => ({ sessions: services.sessions.pending(deviceId).map((s) => services.sessions.phoneView(s)) }),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/mobile/logins/{id}/claim',
      summary: '扫码登录 (claim a scanned QR login; returns what to show and sign)',
      auth: 'device',
      response: PhoneView,
      handler: ({ params, deviceId }) => services.sessions.phoneView(services.sessions.claimLogin(deviceId, SessionId.parse(params.id))),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/mobile/sessions/{id}/commit',
      summary: '确认签名：协同签名第一轮 (approve: the cloud’s co-sign step)',
      auth: 'device',
      body: z.object({ commit: ProtocolMessage }).strict(),
      response: z.object({ reply: z.unknown() }),
      handler: ({ params, body, deviceId }) => ({ reply: services.sessions.commit(deviceId, SessionId.parse(params.id), body.commit) }),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/mobile/sessions/{id}/complete',
      summary: '提交签名 (the final signatures; the cloud verifies each against the certificate)',
      auth: 'device',
      body: z.object({ signatures: z.array(b64).min(1).max(1000) }).strict(),
      response: z.object({ status: z.string() }),
      handler: ({ params, body, deviceId }) => services.sessions.complete(deviceId, SessionId.parse(params.id), body.signatures.map(fromB64)),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/mobile/pin-check',
      summary: 'PIN 在线校验：协同签名第一轮 (online PIN check before a PIN change: the cloud’s co-sign step; counts as an attempt)',
      auth: 'device',
      body: z.object({ checkId: SessionId, nonce: z.string().regex(PIN_CHECK_NONCE), commit: ProtocolMessage }).strict(),
      response: z.object({ reply: z.unknown() }),
      handler: ({ body, deviceId }) => services.sessions.pinCheckCommit(deviceId, body.checkId, body.nonce, body.commit),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/mobile/pin-check/{id}/finish',
      summary: 'PIN 在线校验结果 (the PIN check’s signature, or none when the phone found it wrong; says whether the PIN was right and the attempts left)',
      auth: 'device',
      body: z.object({ signature: b64.optional() }).strict(),
      response: z.object({ ok: z.boolean(), attemptsLeft: z.number().int().min(0) }),
      handler: ({ params, body, deviceId }) => services.sessions.pinCheckFinish(deviceId, SessionId.parse(params.id), body.signature === undefined ? undefined : fromB64(body.signature)),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/mobile/sessions/{id}/reject',
      summary: '拒绝 (refuse the session; after the co-sign step it counts towards the lock)',
      auth: 'device',
      response: z.object({ ok: z.literal(true), attemptsLeft: z.number().int().min(0).nullable() }),
      handler: ({ params, deviceId }) => ({ ...ok, ...services.sessions.reject(deviceId, SessionId.parse(params.id)) }),
    }),
  ];
  const raw: RawRoute[] = [
    { method: 'get', path: '/pki/ca/{name}.pem', summary: 'CA 证书 (CA certificate, PEM)', responseType: 'application/x-pem-file' },
    { method: 'get', path: '/pki/crl/{name}.crl', summary: '证书吊销列表 (CRL, DER)', responseType: 'application/pkix-crl' },
    { method: 'post', path: '/pki/ocsp', summary: 'OCSP 响应器 (RFC 6960)', requestType: 'application/ocsp-request', responseType: 'application/ocsp-response' },
    { method: 'get', path: '/pki/ocsp/{request}', summary: 'OCSP over GET (RFC 6960 §A.1: base64 of the DER request)', responseType: 'application/ocsp-response' },
    { method: 'post', path: '/pki/tsa', summary: '时间戳服务 (RFC 3161 TSA)', requestType: 'application/timestamp-query', responseType: 'application/timestamp-reply' },
    { method: 'get', path: '/api/v1/openapi.json', summary: 'OpenAPI 3.1 document', responseType: 'application/json' },
    ...reportRawRoutes, // issue 7: exports and the monthly PDF
  ];
  return { json, raw };
}

export function buildRouter(services: Services): Router {
  const router = Router();
  const table = defineRoutes(services);
  const auth = {
    admin: (req: Request) => checkPasswordChanged(services.admins.authenticate(bearer(req)), req.path),
    agent: (req: Request) => services.sessions.authenticateAgent(bearer(req)).id,
    device: (req: Request) => services.devices.authenticate(req.method, req.originalUrl, rawBody(req), {
      device: req.get('x-medsign-device'),
      time: req.get('x-medsign-time'),
      nonce: req.get('x-medsign-nonce'),
      signature: req.get('x-medsign-signature'),
    }),
  };
  for (const r of table.json) mountJson(router, r, auth);

  // ---- the binary PKI endpoints (declared in the table above) ----
  const caFile = /^([a-z0-9-]{1,32})\.pem$/;
  const crlFile = /^([a-z0-9-]{1,32})\.crl$/;
  router.get('/pki/ca/:file', (req, res) => {
    const m = caFile.exec(String(req.params.file));
    if (!m) throw Errors.notFound();
    res.type('application/x-pem-file').send(services.pki.caPem(m[1]!));
  });
  router.get('/pki/crl/:file', async (req, res) => {
    const m = crlFile.exec(String(req.params.file));
    if (!m) throw Errors.notFound();
    res.type('application/pkix-crl').send(Buffer.from(await services.pki.crl(m[1]!)));
  });
  const binary = (type: string) => raw({ type, limit: '16kb' });
  const requireType = (req: Request, type: string) => {
    if (!req.is(type)) throw Errors.unsupportedMedia({ en: `send ${type}`, zh: `请使用 ${type}` });
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw Errors.badRequest({ en: 'empty body', zh: '请求体为空' });
    return new Uint8Array(req.body);
  };
  router.post('/pki/ocsp', binary('application/ocsp-request'), async (req, res) => {
    res.type('application/ocsp-response').send(Buffer.from(await services.pki.ocsp(requireType(req, 'application/ocsp-request'))));
  });
  router.get('/pki/ocsp/*request', async (req, res) => {
    const parts = (req.params as { request: string[] }).request;
    const encoded = decodeURIComponent(parts.join('/'));
    if (encoded.length > 4096 || !/^[A-Za-z0-9+/=_-]+$/.test(encoded)) throw Errors.badRequest({ en: 'the path is not a base64 OCSP request' });
    res.type('application/ocsp-response').send(Buffer.from(await services.pki.ocsp(new Uint8Array(Buffer.from(encoded, 'base64')))));
  });
  router.post('/pki/tsa', binary('application/timestamp-query'), async (req, res) => {
    res.type('application/timestamp-reply').send(Buffer.from(await services.pki.timestamp(requireType(req, 'application/timestamp-query'))));
  });
  mountReportExports(router, services.reporting, auth); // issue 7: exports and the monthly PDF (admin bearer)
  router.get('/api/v1/openapi.json', (_req, res) => {
    res.json(openApiDocument(table));
  });
  return router;
}
