/**
 * Certificate templates (证书模板): what the CA writes into a staff certificate — key
 * algorithms, validity, the subject DN from staff attributes, key usage and EKU, policies, the
 * renewal window and custom extensions (EJBCA's certificate + end-entity profile in one).
 *
 * Templates are versioned: every change adds a version and old versions never change (the
 * store refuses it), so a certificate's (templateId, templateVersion) says exactly how it was
 * made. Issuance and renewal use the template's current version. The four built-ins are
 * created at first start and reproduce the staff profile of issue 4 exactly.
 * See docs/templates.md.
 */
import {
  EKU,
  EXT_OIDS,
  IDENTITY_OIDS,
  MedSignError,
  buildName,
  certificatePoliciesExtension,
  extendedKeyUsageExtension,
  extensionValueDer,
  keyUsageExtension,
  nameToString,
  subjectKeyIdentifierExtension,
  templateExtension,
  TEMPLATE_VALUE_TYPES,
  toHex,
  type Extension,
  type NameEntry,
} from '@medsign/core';
import { z } from 'zod';
import { CloudError } from './errors.js';
import type { KeyKind, StaffRecord, Store, TemplateRecord, TemplateVersionRecord } from '../store/repositories.js';

// ---- the model ----

export const KEY_ALGORITHMS = ['sm2', 'rsa-2048', 'rsa-1024'] as const satisfies readonly KeyKind[];
/** Staff attributes a template may use; idNumber only SM3-hashed, in an extension. */
export const STAFF_ATTRIBUTES = ['name', 'employeeNo', 'department', 'title', 'licenceNo', 'idNumber', 'mobile'] as const;
/** Placeholders of the subject DN pattern: the staff attributes (but idNumber) and the hospital. */
export const DN_PLACEHOLDERS = ['hospital', 'name', 'employeeNo', 'department', 'title', 'licenceNo', 'mobile'] as const;
/** End-entity key usages (keyCertSign, cRLSign belong to CAs). */
export const KEY_USAGES = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement'] as const;
/** EKU names accepted besides dotted OIDs. */
export const EKU_NAMES: Record<string, string> = {
  clientAuth: EKU.clientAuth,
  emailProtection: EKU.emailProtection,
  documentSigning: EKU.documentSigning,
  serverAuth: '1.3.6.1.5.5.7.3.1',
  codeSigning: '1.3.6.1.5.5.7.3.3',
};
/** Example policy OID of the staff certificates (docs/decisions.md #6). */
export const STAFF_POLICY = '2.25.190385213373104719302455126829584356121';
/** The marker of an emergency (应急) certificate: non-critical, UTF8String "emergency". */
export const EMERGENCY_OID = IDENTITY_OIDS.emergencyCertificate;
export const EMERGENCY_MAX_DAYS = 3; // 72 h (ARCHITECTURE.md, flow 7)

/** A dotted OID: first arc 0–2, second arc 0–39 under 0 and 1, at least three arcs. */
export const Oid = z
  .string()
  .max(128)
  .regex(/^(?:[01]\.(?:[0-9]|[1-3][0-9])|2\.(?:0|[1-9][0-9]*))(?:\.(?:0|[1-9][0-9]*))+$/, 'OID');

const CustomExtension = z
  .object({
    oid: Oid,
    critical: z.boolean().default(false),
    type: z.enum(TEMPLATE_VALUE_TYPES),
    value: z.union([z.object({ attribute: z.enum(STAFF_ATTRIBUTES) }).strict(), z.object({ constant: z.string().min(1).max(1024) }).strict()]),
    /** write SM3(UTF-8 value): 32 bytes in an OCTET STRING, 64 uppercase hex digits in a string type */
    hashSm3: z.boolean().default(false),
    /** when the staff record lacks the attribute: true refuses issuance, false (default) leaves the extension out */
    required: z.boolean().default(false),
  })
  .strict();

/** What an administrator sends to create a template or a new version (the whole definition). */
export const TemplateDefinitionInput = z
  .object({
    name: z.string().trim().min(1).max(64),
    description: z.string().max(500).optional(),
    allowedAlgorithms: z.array(z.enum(KEY_ALGORITHMS)).min(1).max(3),
    validityDays: z.number().int().min(1).max(3 * 366).default(365),
    subjectDn: z.string().min(3).max(512),
    keyUsage: z.array(z.enum(KEY_USAGES)).min(1).max(KEY_USAGES.length),
    extKeyUsage: z.array(z.string().min(1).max(128)).max(16).default([]),
    certificatePolicies: z
      .array(z.object({ oid: Oid, cps: z.string().max(256).regex(/^https?:\/\/[\x21-\x7e]+$/, 'http(s) URL').optional() }).strict())
      .max(8)
      .default([]),
    /** online renewal opens this many days before the end; null: the cloud's default; 0: no online renewal */
    renewalWindowDays: z.number().int().min(0).max(3 * 366).nullable().default(null),
    customExtensions: z.array(CustomExtension).max(16).default([]),
    /** a short-lived emergency certificate (≤ 72 h), marked by the emergency extension */
    emergency: z.boolean().default(false),
    /** derived from allowedAlgorithms (RSA-1024 is legacy); accepted when it agrees */
    legacy: z.boolean().optional(),
  })
  .strict();

export type TemplateDefinitionInput = z.input<typeof TemplateDefinitionInput>;
export type TemplateDefinition = Omit<z.output<typeof TemplateDefinitionInput>, 'legacy'> & { legacy: boolean };
export type CustomExtensionDefinition = TemplateDefinition['customExtensions'][number];

export const TemplateId = z.string().regex(/^[a-z][a-z0-9-]{1,47}$/, 'slug');

// ---- errors ----

export const TemplateErrors = {
  notFound: (id: string) => new CloudError('TEMPLATE_NOT_FOUND', 404, `找不到证书模板 ${id}`, `no certificate template ${id}`),
  exists: (id: string) => new CloudError('TEMPLATE_EXISTS', 409, `证书模板 ${id} 已存在，修改请提交新版本`, `template ${id} exists; submit a new version to change it`),
  invalid: (zh: string, en: string) => new CloudError('TEMPLATE_INVALID', 400, `证书模板无效：${zh}`, `invalid certificate template: ${en}`),
  disabled: (id: string) => new CloudError('TEMPLATE_DISABLED', 409, `证书模板 ${id} 已停用，请选择其他模板或先启用`, `template ${id} is disabled; choose another or enable it first`),
  algorithm: (id: string, algorithm: string, allowed: readonly string[]) =>
    new CloudError('TEMPLATE_ALGORITHM_NOT_ALLOWED', 400, `证书模板 ${id} 不允许 ${algorithm} 密钥，允许：${allowed.join('、')}`, `template ${id} does not allow ${algorithm} keys; allowed: ${allowed.join(', ')}`),
  staleVersion: (id: string, current: number) => new CloudError('TEMPLATE_VERSION_CONFLICT', 409, `证书模板 ${id} 已被修改（当前版本 ${current}），请刷新后重试`, `template ${id} changed meanwhile (now version ${current}); reload and retry`),
  value: (zh: string, en: string) => new CloudError('TEMPLATE_VALUE_INVALID', 409, `无法按证书模板生成证书内容：${zh}`, `the template cannot be applied to this staff member: ${en}`),
};

// ---- validation (what zod cannot say: cross-field rules, with messages a person can act on) ----

interface DnPart {
  type: string;
  /** literal text and placeholders, in order */
  pieces: ({ text: string } | { placeholder: (typeof DN_PLACEHOLDERS)[number] })[];
}

const DN_TYPES = new Set(['C', 'ST', 'L', 'O', 'OU', 'CN', 'title', 'serialNumber', 'GN', 'SN', 'dnQualifier', 'emailAddress', 'UID']);

/** Parse "C=CN, O={hospital}, OU={department}, CN={name}"; unknown types and placeholders are refused. */
export function parseSubjectPattern(pattern: string): DnPart[] {
  const parts = pattern.split(',').map((p) => p.trim());
  if (parts.length > 12) throw TemplateErrors.invalid('主题最多 12 个属性', 'at most 12 subject attributes');
  const out: DnPart[] = [];
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw TemplateErrors.invalid(`主题属性 "${part}" 应为 类型=值`, `subject attribute "${part}" is not TYPE=value`);
    const type = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!DN_TYPES.has(type) && !Oid.safeParse(type).success) throw TemplateErrors.invalid(`未知的主题属性类型 ${type}`, `unknown subject attribute type ${type}`);
    if (value === '') throw TemplateErrors.invalid(`主题属性 ${type} 没有值`, `subject attribute ${type} has no value`);
    const pieces: DnPart['pieces'] = [];
    const re = /\{([^{}]*)\}|([^{}]+)|([{}])/g;
    for (let m = re.exec(value); m; m = re.exec(value)) {
      if (m[3]) throw TemplateErrors.invalid(`主题属性 ${type} 的花括号不成对`, `unbalanced braces in subject attribute ${type}`);
      if (m[2] !== undefined) {
        pieces.push({ text: m[2] });
        continue;
      }
      const name = m[1]!;
      if (name === 'idNumber') throw TemplateErrors.invalid('身份证号不能明文写入主题，只能以 SM3 摘要写入扩展', 'the ID number may not appear in the subject; use an SM3-hashed extension');
      if (!(DN_PLACEHOLDERS as readonly string[]).includes(name)) {
        throw TemplateErrors.invalid(`未知的占位符 {${name}}，可用：${DN_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`, `unknown placeholder {${name}}; known: ${DN_PLACEHOLDERS.join(', ')}`);
      }
      pieces.push({ placeholder: name as (typeof DN_PLACEHOLDERS)[number] });
    }
    if (type === 'C' && !(pieces.length === 1 && 'text' in pieces[0]! && /^[A-Z]{2}$/.test(pieces[0].text))) {
      throw TemplateErrors.invalid('C 应为两位大写国家代码常量，如 CN', 'C must be a two-letter country code constant, e.g. CN');
    }
    out.push({ type, pieces });
  }
  if (!out.some((p) => p.type === 'CN')) throw TemplateErrors.invalid('主题必须包含 CN', 'the subject needs a CN');
  return out;
}

/** Extensions the CA or the template sets itself: id-ce (2.5.29.*), id-pe (1.3.6.1.5.5.7.1.*), the standard ones, the emergency marker. */
function reservedOid(oid: string): boolean {
  return oid.startsWith('2.5.29.') || oid.startsWith('1.3.6.1.5.5.7.1.') || (Object.values(EXT_OIDS) as string[]).includes(oid) || oid === EMERGENCY_OID;
}

/** Check an input definition and normalise it (EKU names → OIDs, legacy derived). */
export function validateDefinition(input: z.output<typeof TemplateDefinitionInput>): TemplateDefinition {
  const d = input;
  if (new Set(d.allowedAlgorithms).size !== d.allowedAlgorithms.length) throw TemplateErrors.invalid('密钥算法重复', 'duplicate key algorithms');
  const legacy = d.allowedAlgorithms.includes('rsa-1024');
  if (d.legacy !== undefined && d.legacy !== legacy) throw TemplateErrors.invalid('legacy 由是否允许 RSA-1024 决定', 'legacy is true exactly when RSA-1024 is allowed');
  if (d.emergency && d.validityDays > EMERGENCY_MAX_DAYS) throw TemplateErrors.invalid('应急证书有效期不能超过 3 天（72 小时）', 'an emergency certificate lasts at most 3 days (72 h)');
  parseSubjectPattern(d.subjectDn);
  if (new Set(d.keyUsage).size !== d.keyUsage.length) throw TemplateErrors.invalid('密钥用法重复', 'duplicate key usages');
  const eku = d.extKeyUsage.map((e) => {
    const oid = EKU_NAMES[e] ?? (Oid.safeParse(e).success ? e : undefined);
    if (!oid) throw TemplateErrors.invalid(`未知的扩展密钥用法 ${e}（可用名称：${Object.keys(EKU_NAMES).join('、')}，或 OID）`, `unknown extended key usage ${e} (names: ${Object.keys(EKU_NAMES).join(', ')}, or an OID)`);
    return oid;
  });
  if (new Set(eku).size !== eku.length) throw TemplateErrors.invalid('扩展密钥用法重复', 'duplicate extended key usages');
  if (new Set(d.certificatePolicies.map((p) => p.oid)).size !== d.certificatePolicies.length) throw TemplateErrors.invalid('证书策略 OID 重复', 'duplicate certificate policy OIDs');
  const seen = new Set<string>();
  for (const x of d.customExtensions) {
    if (reservedOid(x.oid)) throw TemplateErrors.invalid(`扩展 ${x.oid} 是标准扩展或系统保留扩展，不能自定义（密钥用法、策略等请用模板的对应字段）`, `extension ${x.oid} is a standard or reserved extension and cannot be a custom one (use the template's own fields for key usage, policies, …)`);
    if (seen.has(x.oid)) throw TemplateErrors.invalid(`自定义扩展 ${x.oid} 重复`, `duplicate custom extension ${x.oid}`);
    seen.add(x.oid);
    const attribute = 'attribute' in x.value ? x.value.attribute : undefined;
    if (attribute === 'idNumber' && !x.hashSm3) throw TemplateErrors.invalid(`扩展 ${x.oid}：身份证号只能以 SM3 摘要写入（hashSm3: true）`, `extension ${x.oid}: the ID number is written only SM3-hashed (hashSm3: true)`);
    if (x.hashSm3 && (x.type === 'integer' || x.type === 'boolean')) throw TemplateErrors.invalid(`扩展 ${x.oid}：${x.type} 类型不能做 SM3 摘要`, `extension ${x.oid}: a ${x.type} value cannot be SM3-hashed`);
    if (x.type === 'boolean' && attribute) throw TemplateErrors.invalid(`扩展 ${x.oid}：BOOLEAN 只能取常量 true/false`, `extension ${x.oid}: a BOOLEAN takes a constant, true or false`);
    if (!attribute) {
      // a constant is encoded now, so a value the type cannot hold is refused at save time
      try {
        templateExtension(x, {});
      } catch (err) {
        if (err instanceof MedSignError) throw TemplateErrors.invalid(`扩展 ${x.oid} 的常量不符合类型 ${x.type}`, `the constant of extension ${x.oid} is not a valid ${x.type}`);
        throw err;
      }
    }
  }
  const { legacy: _ignored, ...rest } = d;
  return { ...rest, extKeyUsage: eku, legacy };
}

// ---- rendering: the subject and extensions for one staff member ----

export type StaffAttributeMap = Record<(typeof DN_PLACEHOLDERS)[number] | (typeof STAFF_ATTRIBUTES)[number], string | undefined>;

export function staffAttributes(staff: StaffRecord, hospital: string): StaffAttributeMap {
  return {
    hospital,
    name: staff.name,
    employeeNo: staff.employeeNo,
    department: staff.department,
    title: staff.title ?? undefined,
    licenceNo: staff.licenceNo ?? undefined,
    idNumber: staff.idNumber ?? undefined,
    mobile: staff.mobile ?? undefined,
  };
}

export interface RenderedProfile {
  subject: NameEntry[];
  /** in certificate order; the CA adds AKI, CRL distribution points and AIA before them */
  extensions: Extension[];
  /** custom extensions left out because the staff record lacks their attribute */
  omitted: { oid: string; attribute: string }[];
  validityDays: number;
}

/**
 * Apply a template version to a staff member. An RDN whose placeholder the staff record lacks
 * is left out; so is a custom extension (unless `required`, which refuses). `spki` gives the
 * subject key identifier (left out for a preview without a key).
 */
export function renderProfile(def: TemplateDefinition, staff: StaffRecord, hospital: string, spki?: Uint8Array): RenderedProfile {
  const attrs = staffAttributes(staff, hospital);
  const subject: NameEntry[] = [];
  for (const part of parseSubjectPattern(def.subjectDn)) {
    let value = '';
    let missing = false;
    for (const p of part.pieces) {
      if ('text' in p) value += p.text;
      else if (attrs[p.placeholder]) value += attrs[p.placeholder];
      else missing = true;
    }
    if (!missing && value !== '') subject.push({ type: part.type, value });
  }
  const extensions: Extension[] = [keyUsageExtension(def.keyUsage)];
  if (def.extKeyUsage.length > 0) extensions.push(extendedKeyUsageExtension(def.extKeyUsage));
  if (spki) extensions.push(subjectKeyIdentifierExtension(spki));
  if (def.certificatePolicies.length > 0) extensions.push(certificatePoliciesExtension(def.certificatePolicies.map((p) => ({ oid: p.oid, ...(p.cps ? { cps: p.cps } : {}) }))));
  const omitted: RenderedProfile['omitted'] = [];
  for (const x of def.customExtensions) {
    if ('attribute' in x.value && !attrs[x.value.attribute]) {
      if (x.required) throw TemplateErrors.value(`人员缺少属性 ${x.value.attribute}（扩展 ${x.oid} 必填）`, `the staff record has no ${x.value.attribute}, which extension ${x.oid} requires`);
      omitted.push({ oid: x.oid, attribute: x.value.attribute });
      continue;
    }
    try {
      extensions.push(templateExtension(x, attrs));
    } catch (err) {
      if (err instanceof MedSignError) throw TemplateErrors.value(`扩展 ${x.oid} 的值不符合类型 ${x.type}`, `the value of extension ${x.oid} is not a valid ${x.type}`);
      throw err;
    }
  }
  if (def.emergency) extensions.push(templateExtension({ oid: EMERGENCY_OID, critical: false, type: 'utf8String', value: { constant: 'emergency' } }, {}));
  try {
    buildName(subject); // refuse now, with the template's error, what the CA would refuse later
  } catch (err) {
    if (err instanceof MedSignError) throw TemplateErrors.value('主题属性值无效', `the subject cannot be built: ${err.en}`);
    throw err;
  }
  return { subject, extensions, omitted, validityDays: def.validityDays };
}

/** An extension as the preview shows it. */
export function describeExtension(e: Extension): { oid: string; critical: boolean; valueHex: string } {
  return { oid: e.extnID, critical: e.critical, valueHex: toHex(extensionValueDer(e)) };
}

// ---- the built-ins: issue 4's staff profile, exactly ----

function staffProfile(name: string, allowedAlgorithms: KeyKind[], validityDays: number): z.input<typeof TemplateDefinitionInput> {
  return {
    name,
    allowedAlgorithms,
    validityDays,
    subjectDn: 'C=CN, O={hospital}, OU={department}, CN={name}, serialNumber={employeeNo}',
    keyUsage: ['digitalSignature', 'nonRepudiation'],
    extKeyUsage: ['clientAuth', 'emailProtection'],
    certificatePolicies: [{ oid: STAFF_POLICY }],
    renewalWindowDays: null,
    customExtensions: [
      { oid: IDENTITY_OIDS.idNumber, critical: false, type: 'printableString', value: { attribute: 'idNumber' }, hashSm3: true },
      { oid: IDENTITY_OIDS.practitionerLicence, critical: false, type: 'utf8String', value: { attribute: 'licenceNo' } },
    ],
  };
}

/** `validityDays`: the configured staff certificate validity (MEDSIGN certificateDays, default 365) at first start. */
export function builtinTemplates(validityDays: number): { id: string; definition: z.input<typeof TemplateDefinitionInput> }[] {
  return [
    { id: 'staff-sm2', definition: { ...staffProfile('医务人员签名证书（SM2）', ['sm2'], validityDays) } },
    { id: 'staff-rsa2048', definition: { ...staffProfile('医务人员签名证书（RSA-2048）', ['rsa-2048'], validityDays) } },
    { id: 'staff-rsa1024-legacy', definition: { ...staffProfile('医务人员签名证书（RSA-1024，仅兼容旧系统）', ['rsa-1024'], validityDays) } },
    {
      id: 'emergency',
      definition: { ...staffProfile('应急证书（72 小时）', ['sm2', 'rsa-2048'], EMERGENCY_MAX_DAYS), renewalWindowDays: 0, emergency: true },
    },
  ];
}

/** The template an enrollment uses when none is named. */
export const DEFAULT_TEMPLATE: Record<KeyKind, string> = { sm2: 'staff-sm2', 'rsa-2048': 'staff-rsa2048', 'rsa-1024': 'staff-rsa1024-legacy' };

export interface TemplateVersionView {
  templateId: string;
  version: number;
  definition: TemplateDefinition;
  createdAt: number;
  createdBy: string;
}

const versionView = (v: TemplateVersionRecord): TemplateVersionView => ({ templateId: v.templateId, version: v.version, definition: v.definition as TemplateDefinition, createdAt: v.createdAt, createdBy: v.createdBy });

/**
 * The current version of a template for issuing a certificate with `algorithm` (the default
 * template of the algorithm when `templateId` is null): it must exist, be active and allow it.
 */
export function templateForIssue(store: Store, templateId: string | null, algorithm: KeyKind): TemplateVersionView {
  const id = templateId ?? DEFAULT_TEMPLATE[algorithm];
  const t = store.templates.get(id);
  if (!t) throw TemplateErrors.notFound(id);
  if (t.status !== 'active') throw TemplateErrors.disabled(id);
  const v = versionView(store.templates.version(id, t.currentVersion)!);
  if (!v.definition.allowedAlgorithms.includes(algorithm)) throw TemplateErrors.algorithm(id, algorithm, v.definition.allowedAlgorithms);
  return v;
}

export const LEGACY_WARNING = {
  code: 'LEGACY_ALGORITHM',
  message: 'RSA-1024 已不安全，仅用于兼容无法升级的旧系统，请尽快迁移到 SM2 或 RSA-2048 (RSA-1024 is legacy: only for systems that cannot be upgraded; migrate to SM2 or RSA-2048)',
} as const;

// ---- the service behind the admin API ----

export interface TemplateSummary {
  id: string;
  name: string;
  status: TemplateRecord['status'];
  builtin: boolean;
  currentVersion: number;
  allowedAlgorithms: KeyKind[];
  legacy: boolean;
  emergency: boolean;
  createdAt: number;
  updatedAt: number;
}

export class TemplateService {
  constructor(
    private readonly store: Store,
    private readonly options: { organization: string },
  ) {}

  /** First start: create the built-ins that do not exist yet. Returns the ids created. */
  bootstrap(validityDays: number, now = Date.now()): string[] {
    return this.store.transaction(() => {
      const created: string[] = [];
      for (const b of builtinTemplates(validityDays)) {
        if (this.store.templates.get(b.id)) continue;
        const definition = validateDefinition(TemplateDefinitionInput.parse(b.definition));
        this.store.templates.insert({ id: b.id, status: 'active', currentVersion: 1, builtin: true, createdAt: now, updatedAt: now }, { templateId: b.id, version: 1, definition, createdAt: now, createdBy: 'system' });
        created.push(b.id);
      }
      return created;
    });
  }

  private summary(t: TemplateRecord): TemplateSummary {
    const d = this.store.templates.version(t.id, t.currentVersion)!.definition as TemplateDefinition;
    return { id: t.id, name: d.name, status: t.status, builtin: t.builtin, currentVersion: t.currentVersion, allowedAlgorithms: d.allowedAlgorithms, legacy: d.legacy, emergency: d.emergency, createdAt: t.createdAt, updatedAt: t.updatedAt };
  }

  list(): TemplateSummary[] {
    return this.store.templates.list().map((t) => this.summary(t));
  }

  get(id: string): TemplateSummary & { current: TemplateDefinition; versions: TemplateVersionView[] } {
    const t = this.store.templates.get(id);
    if (!t) throw TemplateErrors.notFound(id);
    const versions = this.store.templates.versions(id).map(versionView);
    return { ...this.summary(t), current: versions.find((v) => v.version === t.currentVersion)!.definition, versions };
  }

  create(id: string, input: z.output<typeof TemplateDefinitionInput>, actor: string, now = Date.now()): { template: TemplateSummary; warnings: (typeof LEGACY_WARNING)[] } {
    const definition = validateDefinition(input);
    this.store.transaction(() => {
      if (this.store.templates.get(id)) throw TemplateErrors.exists(id);
      this.store.templates.insert({ id, status: 'active', currentVersion: 1, builtin: false, createdAt: now, updatedAt: now }, { templateId: id, version: 1, definition, createdAt: now, createdBy: actor });
    });
    return { template: this.summary(this.store.templates.get(id)!), warnings: definition.legacy ? [LEGACY_WARNING] : [] };
  }

  /** A new version with the whole definition; `expectedVersion` guards against a concurrent change. */
  update(id: string, input: z.output<typeof TemplateDefinitionInput>, actor: string, expectedVersion?: number, now = Date.now()): { template: TemplateSummary; warnings: (typeof LEGACY_WARNING)[] } {
    const definition = validateDefinition(input);
    this.store.transaction(() => {
      const t = this.store.templates.get(id);
      if (!t) throw TemplateErrors.notFound(id);
      if (expectedVersion !== undefined && expectedVersion !== t.currentVersion) throw TemplateErrors.staleVersion(id, t.currentVersion);
      this.store.templates.addVersion({ templateId: id, version: t.currentVersion + 1, definition, createdAt: now, createdBy: actor });
    });
    return { template: this.summary(this.store.templates.get(id)!), warnings: definition.legacy ? [LEGACY_WARNING] : [] };
  }

  setStatus(id: string, status: TemplateRecord['status'], now = Date.now()): TemplateSummary {
    this.store.transaction(() => {
      if (!this.store.templates.get(id)) throw TemplateErrors.notFound(id);
      this.store.templates.setStatus(id, status, now);
    });
    return this.summary(this.store.templates.get(id)!);
  }

  /** Render a version (default: the current one) for a staff member, without issuing anything. */
  preview(id: string, staffId: string, version?: number) {
    const t = this.store.templates.get(id);
    if (!t) throw TemplateErrors.notFound(id);
    const v = this.store.templates.version(id, version ?? t.currentVersion);
    if (!v) throw new CloudError('TEMPLATE_VERSION_NOT_FOUND', 404, `证书模板 ${id} 没有版本 ${version}`, `template ${id} has no version ${version}`);
    const staff = this.store.staff.get(staffId);
    if (!staff) throw new CloudError('NOT_FOUND', 404, '找不到该对象：人员', 'not found: staff member');
    const def = v.definition as TemplateDefinition;
    const r = renderProfile(def, staff, this.options.organization);
    return {
      templateId: id,
      version: v.version,
      status: t.status,
      subject: nameToString(buildName(r.subject)),
      validityDays: r.validityDays,
      allowedAlgorithms: def.allowedAlgorithms,
      legacy: def.legacy,
      emergency: def.emergency,
      extensions: r.extensions.map(describeExtension),
      omitted: r.omitted,
      // the certificate also carries these, which depend on the key and the issuing CA
      addedAtIssue: ['subjectKeyIdentifier (2.5.29.14)', 'authorityKeyIdentifier (2.5.29.35)', 'cRLDistributionPoints (2.5.29.31)', 'authorityInfoAccess (1.3.6.1.5.5.7.1.1)'],
    };
  }
}
