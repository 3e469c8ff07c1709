/**
 * Certificate templates (证书模板) in the admin API: list, read with versions, create, new
 * version, disable/enable, and a preview of the subject and extensions for a staff member.
 * Every administrator reads; changes are for the sysadmin only (a template is CA policy), the
 * preview also for RA officers and auditors. Changes are recorded in the audit log.
 */
import { z } from 'zod';
import { defineJson, type AnyJsonRoute } from './api.js';
import type { Services } from './routes.js';
import { KEY_ALGORITHMS, TemplateDefinitionInput, TemplateId, type TemplateService } from '../domain/templates.js';

const Summary = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(['active', 'disabled']),
  builtin: z.boolean(),
  currentVersion: z.number().int(),
  allowedAlgorithms: z.array(z.enum(KEY_ALGORITHMS)),
  legacy: z.boolean(),
  emergency: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
/** A stored definition, as answered (the same fields as the input, normalised). */
const Definition = z.record(z.string(), z.unknown());
const Warning = z.object({ code: z.string(), message: z.string() });
const Changed = z.object({ template: Summary, warnings: z.array(Warning) });

const iso = (ms: number) => new Date(ms).toISOString();
const summary = (s: ReturnType<TemplateService['list']>[number]) => ({ ...s, createdAt: iso(s.createdAt), updatedAt: iso(s.updatedAt) });
const changed = (r: ReturnType<TemplateService['create']>) => ({ template: summary(r.template), warnings: r.warnings });
const idOf = (params: Record<string, string>) => TemplateId.parse(params.id);

export function templateRoutes(services: Services): AnyJsonRoute[] {
  const t = () => services.templates;
  return [
    defineJson({
      method: 'get',
      path: '/api/v1/admin/templates',
      summary: '证书模板列表 (certificate templates, with their current version and status)',
      auth: 'admin',
      response: z.object({ templates: z.array(Summary) }),
      handler: () => ({ templates: t().list().map(summary) }),
    }),
    defineJson({
      method: 'get',
      path: '/api/v1/admin/templates/{id}',
      summary: '证书模板详情 (a template: current definition and every version)',
      auth: 'admin',
      response: Summary.extend({
        current: Definition,
        versions: z.array(z.object({ version: z.number().int(), createdAt: z.string(), createdBy: z.string(), definition: Definition })),
      }),
      handler: ({ params }) => {
        const r = t().get(idOf(params));
        return { ...summary(r), current: r.current, versions: r.versions.map((v) => ({ version: v.version, createdAt: iso(v.createdAt), createdBy: v.createdBy, definition: v.definition })) };
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/templates',
      summary: '新建证书模板 (create a template: version 1; an RSA-1024 template answers with a legacy warning)',
      auth: 'admin',
      roles: [],
      body: z.object({ id: TemplateId, definition: TemplateDefinitionInput }).strict(),
      response: Changed,
      handler: ({ body, admin }) =>
        changed(services.audit.asAdmin(admin, 'template.create', body.id, () => t().create(body.id, body.definition, admin!.username), (r) => ({ version: r.template.currentVersion, legacy: r.template.legacy }))),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/templates/{id}/versions',
      summary: '修改证书模板 (a new version with the whole definition; old versions and the certificates they issued are unchanged)',
      auth: 'admin',
      roles: [],
      body: z.object({ definition: TemplateDefinitionInput, expectedVersion: z.number().int().min(1).optional() }).strict(),
      response: Changed,
      handler: ({ params, body, admin }) => {
        const id = idOf(params);
        return changed(services.audit.asAdmin(admin, 'template.update', id, () => t().update(id, body.definition, admin!.username, body.expectedVersion), (r) => ({ version: r.template.currentVersion, legacy: r.template.legacy })));
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/templates/{id}/disable',
      summary: '停用证书模板 (no new certificates or renewals from it; issued certificates stay valid)',
      auth: 'admin',
      roles: [],
      response: Summary,
      handler: ({ params, admin }) => {
        const id = idOf(params);
        return summary(services.audit.asAdmin(admin, 'template.disable', id, () => t().setStatus(id, 'disabled')));
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/templates/{id}/enable',
      summary: '启用证书模板 (enable a disabled template)',
      auth: 'admin',
      roles: [],
      response: Summary,
      handler: ({ params, admin }) => {
        const id = idOf(params);
        return summary(services.audit.asAdmin(admin, 'template.enable', id, () => t().setStatus(id, 'active')));
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/templates/{id}/preview',
      summary: '预览证书内容 (the subject and extensions a template version gives a staff member; nothing is issued)',
      auth: 'admin',
      roles: ['ra_officer', 'auditor'],
      body: z.object({ staffId: z.string().uuid(), version: z.number().int().min(1).optional() }).strict(),
      response: z.object({
        templateId: z.string(),
        version: z.number().int(),
        status: z.enum(['active', 'disabled']),
        subject: z.string(),
        validityDays: z.number().int(),
        allowedAlgorithms: z.array(z.enum(KEY_ALGORITHMS)),
        legacy: z.boolean(),
        emergency: z.boolean(),
        extensions: z.array(z.object({ oid: z.string(), critical: z.boolean(), valueHex: z.string() })),
        omitted: z.array(z.object({ oid: z.string(), attribute: z.string() })),
        addedAtIssue: z.array(z.string()),
      }),
      handler: ({ params, body }) => t().preview(idOf(params), body.staffId, body.version),
    }),
  ];
}
