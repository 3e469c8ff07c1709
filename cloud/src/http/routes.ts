/** Thin adapters from HTTP to the domain services. */
import { Router, raw, type Request } from 'express';
import { z } from 'zod';
import { CRL_REASON } from '@medsign/core';
import { Errors } from '../domain/errors.js';
import type { AdminService } from '../domain/admins.js';
import type { PkiService } from '../domain/pki.js';
import { defineJson, mountJson, openApiDocument, type RawRoute, type RouteTable } from './api.js';

export interface Services {
  pki: PkiService;
  admins: AdminService;
}

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
      method: 'post',
      path: '/api/v1/admin/login',
      summary: '管理员登录 (administrator login): a bearer token valid for 8 hours',
      auth: 'none',
      body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }).strict(),
      response: z.object({ token: z.string(), expiresAt: z.string(), role: z.string() }),
      handler: ({ body }) => {
        const r = services.admins.login(body.username, body.password);
        return { token: r.token, expiresAt: new Date(r.expiresAt).toISOString(), role: r.role };
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/logout',
      summary: '注销 (end the administrator session)',
      auth: 'admin',
      response: z.object({ ok: z.literal(true) }),
      handler: ({ req }) => {
        services.admins.logout(bearer(req)!);
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
      handler: async ({ params, body }) => view((await services.pki.setRevocation(Serial.parse(params.serial), { action: 'revoke', reason: body.reason })).serial),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/certificates/{serial}/hold',
      summary: '冻结证书 (certificateHold: unusable until released)',
      auth: 'admin',
      response: CertificateView,
      handler: async ({ params }) => view((await services.pki.setRevocation(Serial.parse(params.serial), { action: 'hold' })).serial),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/certificates/{serial}/release',
      summary: '解冻证书 (release a hold)',
      auth: 'admin',
      response: CertificateView,
      handler: async ({ params }) => view((await services.pki.setRevocation(Serial.parse(params.serial), { action: 'release' })).serial),
    }),
  ];
  const raw: RawRoute[] = [
    { method: 'get', path: '/pki/ca/{name}.pem', summary: 'CA 证书 (CA certificate, PEM)', responseType: 'application/x-pem-file' },
    { method: 'get', path: '/pki/crl/{name}.crl', summary: '证书吊销列表 (CRL, DER)', responseType: 'application/pkix-crl' },
    { method: 'post', path: '/pki/ocsp', summary: 'OCSP 响应器 (RFC 6960)', requestType: 'application/ocsp-request', responseType: 'application/ocsp-response' },
    { method: 'get', path: '/pki/ocsp/{request}', summary: 'OCSP over GET (RFC 6960 §A.1: base64 of the DER request)', responseType: 'application/ocsp-response' },
    { method: 'post', path: '/pki/tsa', summary: '时间戳服务 (RFC 3161 TSA)', requestType: 'application/timestamp-query', responseType: 'application/timestamp-reply' },
    { method: 'get', path: '/api/v1/openapi.json', summary: 'OpenAPI 3.1 document', responseType: 'application/json' },
  ];
  return { json, raw };
}

export function buildRouter(services: Services): Router {
  const router = Router();
  const table = defineRoutes(services);
  const authenticate = (req: Request) => void services.admins.authenticate(bearer(req));
  for (const r of table.json) mountJson(router, r, authenticate);

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
  router.get('/api/v1/openapi.json', (_req, res) => {
    res.json(openApiDocument(table));
  });
  return router;
}
