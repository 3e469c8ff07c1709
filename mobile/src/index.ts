export { MedSignPhone, type PendingSession, type PhoneNotification, type PhoneOptions } from './phone.js';
export { sealShare, openShare, memoryStorage, type VaultRecord, type VaultStorage } from './vault.js';
export { MobileError } from './errors.js';
export { certificateStatus, type CertificateStatus } from './cert-status.js';
export type { ApprovalWindow } from './phone.js';
