/**
 * Certificate path building (RFC 5280 §6, simplified to what MedSign's PKIs use): from the
 * signer up to a trust anchor, matching issuer name to subject (and AKI to SKI when both are
 * present) and checking every signature and CA constraint on the way.
 */
import { parseCertificate, verifyCertificateSignature, type ParsedCertificate } from '../pki/certificate.js';
import { namesEqual } from '../pki/name.js';

export interface PathResult {
  /** signer first, trust anchor last; present when a path was found */
  path?: ParsedCertificate[];
  failure?: 'NO_CERTIFICATE_CHAIN_FOUND' | 'CERTIFICATE_CHAIN_GENERAL_FAILURE' | 'CHAIN_CONSTRAINTS_FAILURE';
  detail: string;
}

const MAX_DEPTH = 8;

function parseAll(ders: readonly Uint8Array[]): ParsedCertificate[] {
  const out: ParsedCertificate[] = [];
  for (const d of ders) {
    try {
      out.push(parseCertificate(d));
    } catch {
      /* an unreadable certificate in a pool is skipped, not fatal */
    }
  }
  return out;
}

function mayIssue(candidate: ParsedCertificate, child: ParsedCertificate): boolean {
  if (!namesEqual(candidate.subject, child.issuer)) return false;
  if (child.authorityKeyId && candidate.subjectKeyId && child.authorityKeyId !== candidate.subjectKeyId) return false;
  return true;
}

function isCa(cert: ParsedCertificate): boolean {
  return cert.basicConstraints?.ca === true && (cert.keyUsage === undefined || cert.keyUsage.includes('keyCertSign'));
}

export function buildPath(leaf: ParsedCertificate, trustAnchors: readonly Uint8Array[], pool: readonly Uint8Array[]): PathResult {
  const anchors = parseAll(trustAnchors);
  const candidates = [...parseAll(pool), ...anchors];
  const path: ParsedCertificate[] = [leaf];
  let current = leaf;
  let sawBadSignature = false;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (anchors.some((a) => a.sha256 === current.sha256)) break; // the leaf itself is trusted, or we reached an anchor
    const issuers = candidates.filter((c) => c.sha256 !== current.sha256 && mayIssue(c, current));
    const issuer = issuers.find((c) => verifyCertificateSignature(current, c.publicKey));
    if (!issuer) {
      if (issuers.length > 0) sawBadSignature = true;
      return sawBadSignature
        ? { failure: 'CERTIFICATE_CHAIN_GENERAL_FAILURE', detail: `证书签名无效 (signature of "${current.subjectText}" does not verify with its issuer key)` }
        : { failure: 'NO_CERTIFICATE_CHAIN_FOUND', detail: `找不到颁发者 (no issuer found for "${current.subjectText}")` };
    }
    if (!isCa(issuer)) return { failure: 'CHAIN_CONSTRAINTS_FAILURE', detail: `"${issuer.subjectText}" 不是 CA 证书 (is not a CA certificate)` };
    path.push(issuer);
    current = issuer;
  }
  const top = path[path.length - 1]!;
  if (!anchors.some((a) => a.sha256 === top.sha256)) return { failure: 'NO_CERTIFICATE_CHAIN_FOUND', detail: '证书链未到达受信任根 (the chain does not reach a trust anchor)' };
  // pathLenConstraint (RFC 5280 §4.2.1.9): CA certificates that may follow each CA
  for (let i = 1; i < path.length; i++) {
    const limit = path[i]!.basicConstraints?.pathLen;
    const casBelow = i - 1; // intermediate CAs between this CA and the leaf
    if (limit !== undefined && casBelow > limit) return { failure: 'CHAIN_CONSTRAINTS_FAILURE', detail: `pathLenConstraint ${limit} of "${path[i]!.subjectText}" exceeded` };
  }
  return { path, detail: path.map((c) => c.subjectText).join(' ← ') };
}
