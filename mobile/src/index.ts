export { MedSignPhone, type PendingSession, type PhoneOptions } from './phone.js';
export { sealShare, openShare, memoryStorage, type VaultRecord, type VaultStorage } from './vault.js';
export { MobileError } from './errors.js';
