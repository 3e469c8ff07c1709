/**
 * When online renewal (在线更新) opens for a certificate — one rule for the cloud, which
 * enforces it, and the phone, which shows it: `renewalDays` before the end when configured,
 * else at two thirds of the lifetime (REFERENCE.md: step-ca's rule). Times in ms since the epoch.
 */
export function renewalOpensAt(notBefore: number, notAfter: number, renewalDays?: number | null): number {
  if (renewalDays != null) return Math.max(notBefore, notAfter - renewalDays * 86_400_000);
  return notBefore + Math.floor(((notAfter - notBefore) * 2) / 3);
}
