/**
 * What the phone's home screen says about its certificate: who, which algorithm, until when,
 * and whether it is time to renew (the cloud's renewal window: the last third of the lifetime
 * by default, or the last `renewalDays` from GET /api/v1/mobile/policy) or too late.
 */
import { nameValues, parseCertificate, renewalOpensAt, rsaModulusBits } from '@medsign/core';

export interface CertificateStatus {
  name: string;
  employeeNo: string;
  algorithm: 'SM2' | 'RSA-1024' | 'RSA-2048' | 'RSA';
  serialNumber: string;
  notAfter: Date;
  /** whole days left (negative once expired) */
  daysLeft: number;
  level: 'ok' | 'renew-soon' | 'expired' | 'not-yet-valid';
  zh: string;
  en: string;
}

export function certificateStatus(der: Uint8Array, now = new Date(), renewalDays?: number | null): CertificateStatus {
  const c = parseCertificate(der);
  const pk = c.publicKey;
  const bits = pk.algorithm === 'rsa' ? rsaModulusBits(pk) : 0;
  const algorithm = pk.algorithm === 'sm2' ? 'SM2' : bits === 1024 ? 'RSA-1024' : bits === 2048 ? 'RSA-2048' : 'RSA';
  const daysLeft = Math.floor((c.notAfter.getTime() - now.getTime()) / 86_400_000);
  const date = c.notAfter.toISOString().slice(0, 10);
  const base = { name: nameValues(c.subject, 'CN')[0] ?? '', employeeNo: nameValues(c.subject, 'serialNumber')[0] ?? '', algorithm, serialNumber: c.serialNumber, notAfter: c.notAfter, daysLeft } as const;
  if (now < c.notBefore) return { ...base, level: 'not-yet-valid', zh: `证书尚未生效（${c.notBefore.toISOString().slice(0, 10)} 起）`, en: `the certificate is not valid before ${c.notBefore.toISOString().slice(0, 10)}` };
  if (now >= c.notAfter) return { ...base, level: 'expired', zh: `证书已于 ${date} 过期，请联系管理员重新申请`, en: `the certificate expired on ${date}; ask an administrator for a new one` };
  if (now.getTime() >= renewalOpensAt(c.notBefore.getTime(), c.notAfter.getTime(), renewalDays)) return { ...base, level: 'renew-soon', zh: `证书将于 ${daysLeft} 天后（${date}）到期，可以在线更新`, en: `the certificate expires in ${daysLeft} days (${date}); renew it online now` };
  return { ...base, level: 'ok', zh: `证书有效，至 ${date}（剩余 ${daysLeft} 天）`, en: `valid until ${date} (${daysLeft} days left)` };
}
