/**
 * What the domain services need from storage. SQLite implements it today (sqlite.ts);
 * PostgreSQL can implement the same interfaces without touching the domain code.
 * Times are epoch milliseconds; binary is Uint8Array.
 */
import type { ReportRepository } from '../domain/reports.js';
import type { WorkflowRepository } from '../domain/workflows.js';
import type { NotificationRepository } from '../domain/reminders.js';
import type { EmergencyRepository } from '../domain/emergency.js';

export type CaRole = 'root' | 'issuing' | 'tsa' | 'ocsp';
export type KeyKind = 'sm2' | 'rsa-2048' | 'rsa-1024';

export interface CaRecord {
  /** e.g. "sm2-root", "sm2-issuing", "rsa-tsa" */
  name: string;
  algorithm: KeyKind;
  role: CaRole;
  certificate: Uint8Array;
  /** PKCS#8, sealed under the KEK */
  sealedKey: Uint8Array;
  createdAt: number;
}

export type CertificateStatus = 'good' | 'revoked' | 'hold';

export interface CertificateRecord {
  /** uppercase hex, as core's ParsedCertificate.serialNumber */
  serial: string;
  caName: string;
  sha256: string;
  der: Uint8Array;
  subject: string;
  staffId: string | null;
  notBefore: number;
  notAfter: number;
  status: CertificateStatus;
  revokedAt: number | null;
  reason: number | null;
  /** issue 7, certificate templates: the template version that issued it (null: before templates) */
  templateId?: string | null;
  templateVersion?: number | null;
}

export interface CrlRecord {
  caName: string;
  number: bigint;
  der: Uint8Array;
  thisUpdate: number;
  nextUpdate: number;
}

export type AdminRole = 'sysadmin' | 'ra_officer' | 'dept_approver' | 'auditor';

export interface AdminRecord {
  username: string;
  passwordHash: string;
  role: AdminRole;
  createdAt: number;
  // ---- issue 7, administrator management (migration 11) ----
  /** the departments a dept_approver approves for; empty for the other roles */
  departments: string[];
  disabled: boolean;
  /** wrong passwords (or TOTP codes) in a row since the last success or lock */
  failedLogins: number;
  lockedUntil: number | null;
  /** the TOTP secret, sealed under the KEK; null when TOTP is off */
  totp: Uint8Array | null;
  /** TOTP is required at login once the enrolment was confirmed with a code */
  totpConfirmed: boolean;
  /** the last accepted TOTP time step (a code is accepted once) */
  totpLastStep: number | null;
  createdBy: string | null;
  passwordChangedAt: number | null;
  /** set by a sysadmin's password reset: only the own-password change is allowed until done */
  mustChangePassword: boolean;
}

export interface TokenRecord {
  /** SHA-256 of the bearer token, hex: the token itself is never stored */
  tokenHash: string;
  username: string;
  expiresAt: number;
}

/** Keys the service uses that are not CAs, e.g. the share-transport key. */
export interface ServiceKeyRecord {
  name: string;
  spki: Uint8Array;
  sealedKey: Uint8Array;
  createdAt: number;
}

export interface ServiceKeyRepository {
  get(name: string): ServiceKeyRecord | undefined;
  insert(record: ServiceKeyRecord): void;
}

export interface CaRepository {
  get(name: string): CaRecord | undefined;
  list(): CaRecord[];
  insert(record: CaRecord): void;
}

export interface CertificateRepository {
  insert(record: CertificateRecord): void;
  get(serial: string): CertificateRecord | undefined;
  listRevoked(caName: string): CertificateRecord[];
  setStatus(serial: string, status: CertificateStatus, revokedAt: number | null, reason: number | null): void;
}

export interface CrlRepository {
  get(caName: string): CrlRecord | undefined;
  put(record: CrlRecord): void;
}

export interface AdminRepository {
  get(username: string): AdminRecord | undefined;
  insert(record: AdminRecord): void;
  count(): number;
  list(): AdminRecord[];
  update(record: AdminRecord): void;
  /** removes the account and its tokens */
  delete(username: string): void;
  /** ends every token of an administrator except `keep` (a token hash) */
  deleteTokensOf(username: string, keep?: string): void;
  insertToken(record: TokenRecord): void;
  findToken(tokenHash: string): TokenRecord | undefined;
  deleteToken(tokenHash: string): void;
}

/** System settings (issue 7): one JSON value per key; the domain validates them. */
export interface SettingRepository {
  all(): Record<string, unknown>;
  put(key: string, value: unknown, updatedBy: string, at: number): void;
  delete(key: string): void;
}

export interface StaffRecord {
  id: string;
  employeeNo: string;
  name: string;
  department: string;
  title: string | null;
  licenceNo: string | null;
  idNumber: string | null;
  mobile: string | null;
  createdAt: number;
}

export interface DeviceRecord {
  id: string;
  staffId: string;
  /** SM2 SubjectPublicKeyInfo DER */
  publicKey: Uint8Array;
  createdAt: number;
  status: 'active' | 'retired';
}

export type EnrollmentStatus = 'pending' | 'keygen' | 'csr' | 'completed';

export interface EnrollmentRecord {
  id: string;
  staffId: string;
  algorithm: KeyKind;
  /** SHA-256 of the activation code: the code itself is never stored */
  codeHash: string;
  expiresAt: number;
  status: EnrollmentStatus;
  deviceId: string | null;
  /** protocol state holding the cloud's share while enrollment runs, sealed */
  sealedState: Uint8Array | null;
  /** SHA-256 of the CertificationRequestInfo the cloud co-signed */
  csrInfoHash: string | null;
  createdAt: number;
  /** online renewal (在线更新): the certificate this one replaces (revoked as superseded once issued) */
  renewsSerial: string | null;
  /** issue 7: the certificate template to issue from (null: the default of the algorithm) */
  templateId?: string | null;
}

export interface KeyShareRecord {
  id: string;
  staffId: string;
  deviceId: string;
  algorithm: KeyKind;
  /** the cloud's share, sealed; null once destroyed */
  sealedShare: Uint8Array | null;
  /** SubjectPublicKeyInfo DER of the whole key */
  publicKey: Uint8Array;
  certificateSerial: string | null;
  status: 'active' | 'locked' | 'destroyed';
  failures: number;
  createdAt: number;
}

export interface AgentRecord {
  id: string;
  name: string;
  credentialHash: string;
  createdAt: number;
}

export interface UserSessionRecord {
  id: string;
  tokenHash: string;
  agentId: string;
  staffId: string;
  shareId: string;
  createdAt: number;
  expiresAt: number;
  endedAt: number | null;
}

/** End results of a session (issue 4): OK, USER_REFUSED, TIMEOUT, CANCELLED, CERT_REVOKED, LOCKED, ERROR. */
export type SessionStatus = 'PENDING' | 'COSIGNING' | 'OK' | 'USER_REFUSED' | 'TIMEOUT' | 'CANCELLED' | 'CERT_REVOKED' | 'LOCKED' | 'ERROR';

export interface CosignSessionRecord {
  id: string;
  kind: 'login' | 'sign';
  agentId: string;
  /** null for a QR login until a phone claims it */
  staffId: string | null;
  shareId: string | null;
  userSessionId: string | null;
  hash: 'sm3' | 'sha256' | 'sha1';
  /** hex digests the phone and cloud co-sign (e for SM2, hash(data) for RSA) */
  digests: string[];
  app: string;
  summaries: string[];
  workstation: string;
  verificationCode: string;
  status: SessionStatus;
  /** the cloud has run its co-sign step */
  answered: boolean;
  /** base64 signatures when OK; the user-session token (login) is returned once and not stored */
  result: string[] | null;
  createdAt: number;
  expiresAt: number;
  endedAt: number | null;
}

export interface AgentRepository {
  insert(record: AgentRecord): void;
  get(id: string): AgentRecord | undefined;
  getByCredential(hash: string): AgentRecord | undefined;
  insertToken(tokenHash: string, expiresAt: number): void;
  /** marks the registration token used; false if unknown, used or expired */
  useToken(tokenHash: string, agentId: string, now: number): boolean;
}

export interface UserSessionRepository {
  insert(record: UserSessionRecord): void;
  getByToken(hash: string): UserSessionRecord | undefined;
  end(id: string, at: number): void;
}

export interface CosignSessionRepository {
  insert(record: CosignSessionRecord): void;
  get(id: string): CosignSessionRecord | undefined;
  update(record: CosignSessionRecord): void;
  /** open sessions (PENDING/COSIGNING) of a staff member, or of QR logins nobody claimed */
  openForStaff(staffId: string): CosignSessionRecord[];
  openForShare(shareId: string): CosignSessionRecord[];
  expired(now: number): CosignSessionRecord[];
}

export interface StaffRepository {
  insert(record: StaffRecord): void;
  get(id: string): StaffRecord | undefined;
  getByEmployeeNo(employeeNo: string): StaffRecord | undefined;
}

export interface DeviceRepository {
  insert(record: DeviceRecord): void;
  get(id: string): DeviceRecord | undefined;
  /** false if this nonce was already used by the device (a replay) */
  useNonce(deviceId: string, nonce: string, expiresAt: number, now: number): boolean;
}

export interface EnrollmentRepository {
  insert(record: EnrollmentRecord): void;
  get(id: string): EnrollmentRecord | undefined;
  getByCodeHash(codeHash: string): EnrollmentRecord | undefined;
  update(record: EnrollmentRecord): void;
}

export interface KeyShareRepository {
  insert(record: KeyShareRecord): void;
  /** the active (or locked) share of a staff member, newest first */
  currentForStaff(staffId: string): KeyShareRecord | undefined;
  get(id: string): KeyShareRecord | undefined;
  getByCertificate(serial: string): KeyShareRecord | undefined;
  update(record: KeyShareRecord): void;
}

export interface Store {
  // ---- issue 7, reports and expiry reminders (reports-sqlite.ts, migration 13) ----
  readonly reports: ReportRepository;
  readonly notifications: NotificationRepository;
  readonly serviceKeys: ServiceKeyRepository;
  readonly agents: AgentRepository;
  readonly userSessions: UserSessionRepository;
  readonly sessions: CosignSessionRepository;
  readonly staff: StaffRepository;
  readonly devices: DeviceRepository;
  readonly enrollments: EnrollmentRepository;
  readonly shares: KeyShareRepository;
  readonly cas: CaRepository;
  readonly certificates: CertificateRepository;
  readonly crls: CrlRepository;
  readonly admins: AdminRepository;
  readonly templates: TemplateRepository; // issue 7: certificate templates (store/templates-sqlite.ts)
  readonly audit: AuditRepository; // issue 7: the hash-chained audit log (domain/audit.ts)
  readonly settings: SettingRepository;
  readonly workflows: WorkflowRepository; // issue 7: approval workflows (domain/workflows.ts)
  readonly emergency: EmergencyRepository; // issue 7: emergency grants (domain/emergency.ts, store/emergency-sqlite.ts)
  /** Run `fn` in one transaction: every state change is all-or-nothing. */
  transaction<T>(fn: () => T): T;
  close(): void;
}

// ---- issue 7: the tamper-evident audit log (domain/audit.ts, store/audit-sqlite.ts) ----

export type AuditAlgorithm = 'sha256' | 'sm3';

/** One audit entry as stored: the query columns, and the canonical JSON that is hashed. */
export interface AuditEntryRecord {
  seq: number;
  at: number;
  actorType: string;
  actor: string;
  action: string;
  target: string | null;
  result: string;
  /** canonical JSON of the details object */
  details: string;
  alg: AuditAlgorithm;
  /** canonical JSON of the whole entry (every field above but prev/hash): what is hashed */
  entry: string;
  /** hex hash of the previous entry (64 zeros for the first) */
  prev: string;
  /** hex H(prev ‖ entry) */
  hash: string;
}

/** A chain head timestamped by the TSA. */
export interface AuditCheckpointRecord {
  id: number;
  seq: number;
  hash: string;
  alg: AuditAlgorithm;
  at: number;
  /** the RFC 3161 TimeStampToken (DER) over the head hash */
  token: Uint8Array;
}

export interface AuditQuery {
  from?: number | undefined;
  to?: number | undefined;
  actor?: string | undefined;
  action?: string | undefined;
  target?: string | undefined;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

export interface AuditRepository {
  head(): { seq: number; hash: string; alg: AuditAlgorithm } | undefined;
  append(entry: AuditEntryRecord): void;
  query(q: AuditQuery): { total: number; entries: AuditEntryRecord[] };
  count(): number;
  /** every entry in sequence order, streamed */
  scan(): Iterable<AuditEntryRecord>;
  insertCheckpoint(c: Omit<AuditCheckpointRecord, 'id'>): AuditCheckpointRecord;
  lastCheckpoint(): AuditCheckpointRecord | undefined;
  checkpoints(): AuditCheckpointRecord[];
}

// ---- issue 7: certificate templates (domain/templates.ts, store/templates-sqlite.ts) ----

export interface TemplateRecord {
  /** a slug, e.g. staff-sm2 */
  id: string;
  status: 'active' | 'disabled';
  currentVersion: number;
  builtin: boolean;
  createdAt: number;
  updatedAt: number;
}

/** One immutable version of a template; `definition` is the validated TemplateDefinition. */
export interface TemplateVersionRecord {
  templateId: string;
  version: number;
  definition: unknown;
  createdAt: number;
  /** the administrator's username, or "system" for the built-ins */
  createdBy: string;
}

export interface TemplateRepository {
  insert(template: TemplateRecord, first: TemplateVersionRecord): void;
  get(id: string): TemplateRecord | undefined;
  list(): TemplateRecord[];
  version(id: string, version: number): TemplateVersionRecord | undefined;
  /** oldest first */
  versions(id: string): TemplateVersionRecord[];
  /** adds the version and makes it current */
  addVersion(version: TemplateVersionRecord): void;
  setStatus(id: string, status: TemplateRecord['status'], at: number): void;
}
