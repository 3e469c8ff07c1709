/**
 * Secrets at rest. Server key shares and CA private keys are sealed with AES-256-GCM under a
 * key-encryption key (KEK) that lives outside the database: a key file created at bootstrap
 * (mode 0600) or MEDSIGN_KEK (base64, 32 bytes). A copied database without the KEK reveals
 * nothing. The record's identity is bound as associated data, so a sealed blob cannot be moved
 * to another row.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Errors } from './errors.js';

export interface Sealer {
  seal(plaintext: Uint8Array, context: string): Uint8Array;
  open(sealed: Uint8Array, context: string): Uint8Array;
}

const VERSION = 1;

export function aesGcmSealer(kek: Uint8Array): Sealer {
  if (kek.length !== 32) throw Errors.badRequest({ en: 'the key-encryption key must be 32 bytes', zh: '密钥加密密钥应为 32 字节' });
  return {
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', kek, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return new Uint8Array(Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]));
    },
    open(sealed, context) {
      if (sealed.length < 29 || sealed[0] !== VERSION) throw Errors.internal({ en: 'sealed secret has an unknown format' });
      const decipher = createDecipheriv('aes-256-gcm', kek, sealed.subarray(1, 13));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(sealed.subarray(13, 29));
      try {
        return new Uint8Array(Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]));
      } catch {
        throw Errors.internal({ en: 'a sealed secret does not open with this key-encryption key', zh: '无法用当前密钥加密密钥解开数据' });
      }
    },
  };
}

/** The KEK from MEDSIGN_KEK, else from the key file, which is created (0600) on first start. */
export function loadKek(keyFile: string, fromEnv: string | undefined): Uint8Array {
  if (fromEnv) {
    const k = Buffer.from(fromEnv, 'base64');
    if (k.length !== 32) throw Errors.badRequest({ en: 'MEDSIGN_KEK must be 32 bytes in base64', zh: 'MEDSIGN_KEK 应为 Base64 编码的 32 字节' });
    return new Uint8Array(k);
  }
  if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  const k = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64');
  if (k.length !== 32) throw Errors.badRequest({ en: `${keyFile} does not hold a 32-byte key`, zh: '密钥文件格式错误' });
  return new Uint8Array(k);
}
