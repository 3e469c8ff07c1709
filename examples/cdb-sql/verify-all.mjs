#!/usr/bin/env node
/**
 * The batch job of the C/DB example: re-verify every signature row of the database and report
 * the invalid ones. Offline — no agent, no cloud: each row's CMS is rebuilt from its compact
 * record, the content in the business table and the certificate table (docs/storage.md), then
 * checked: the content still has the hash that was signed, the rebuilt CMS verifies, the signer
 * is the certificate the row names, and, with --ca, the certificate was issued by that CA and
 * valid when it signed.
 *
 *   node examples/cdb-sql/verify-all.mjs --db nursing.db [--ca ca.pem] [--json] [--export-dir DIR]
 *
 * Prints one line per invalid row and a summary (or, with --json, a JSON report); exit code 0
 * when every row is valid, 1 when one is not, 2 on a usage or database error. --export-dir
 * writes each valid row's rebuilt CMS (<id>.p7s) and content (<id>.txt), for other tools.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { fromCompact, parseCertificate, parseCompact, verifyCertificateSignature, verifySignedMessage } from '@medsign/core';

const argv = process.argv.slice(2);
const opt = (name) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : undefined);
if (!opt('db')) {
  console.error('用法 (usage): node verify-all.mjs --db <file> [--ca ca.pem] [--json] [--export-dir DIR]');
  process.exit(2);
}
const sha256 = (b) => createHash('sha256').update(b).digest();

let ca;
if (opt('ca')) {
  const pem = readFileSync(opt('ca'), 'utf8');
  ca = parseCertificate(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
}

let db;
try {
  db = new Database(opt('db'), { readonly: true, fileMustExist: true });
} catch (e) {
  console.error(`无法打开数据库 (cannot open the database): ${e.message}`);
  process.exit(2);
}
const certs = new Map(db.prepare('SELECT sha256, der FROM certificate').all().map((c) => [Buffer.from(c.sha256).toString('hex'), new Uint8Array(c.der)]));
const certsBySubject = new Map([...certs.values()].flatMap((der) => {
  try {
    const c = parseCertificate(der);
    return [[c.subjectText, c]];
  } catch {
    return []; // a broken certificate row: the rows that name it fail on their own
  }
}));
const content = db.prepare('SELECT content FROM nursing_record WHERE id = ?');
const rows = db.prepare('SELECT id, document_type, document_id, content_sha256, cert_sha256, signed_at, record FROM signature ORDER BY id').all();

/** why a row is invalid (Chinese and English), or undefined when it is valid */
function check(row) {
  if (row.document_type !== 'nursing_record') return `未知的文档类型 (unknown document type ${row.document_type})`;
  const doc = content.get(Number(row.document_id));
  if (!doc) return '被签名的记录已不存在 (the signed record is gone)';
  const data = Buffer.from(doc.content, 'utf8');
  if (!sha256(data).equals(Buffer.from(row.content_sha256))) return '记录内容在签名后被修改 (the content changed after it was signed)';
  let info;
  try {
    info = parseCompact(new Uint8Array(row.record));
  } catch {
    return '签名记录无法解析 (the compact record is malformed)';
  }
  const certHex = Buffer.from(row.cert_sha256).toString('hex');
  if (info.certificateSha256 !== certHex) return '签名记录与证书列不一致 (the record names another certificate than the row)';
  const certDer = certs.get(certHex);
  if (!certDer) return '证书表中缺少签名证书 (the signer certificate is missing from the certificate table)';
  let cms;
  try {
    cms = fromCompact(new Uint8Array(row.record), { content: data, certificates: (h) => certs.get(h) });
  } catch (e) {
    return `无法由签名记录重建 CMS (the CMS cannot be rebuilt from the record: ${e.message})`;
  }
  const v = verifySignedMessage(cms, { content: data, certificates: [certDer] });
  if (!v.valid) return `签名无效 (signature invalid: ${v.failure})`;
  if (new Date(row.signed_at).getTime() !== info.signingTime.getTime()) return '签名时间列与签名记录不一致 (signed_at differs from the record)';
  if (ca) {
    // the chain, through the CA certificates in the certificate table, up to the given root;
    // every certificate on it valid at signing time
    let cert = v.signerCertificate;
    for (let depth = 0; ; depth++) {
      if (info.signingTime < cert.notBefore || info.signingTime > cert.notAfter) return '签名时证书不在有效期内 (a certificate of the chain was not valid at signing time)';
      if (cert.issuerText === ca.subjectText) {
        if (!verifyCertificateSignature(cert, ca.publicKey)) return '签名证书不是该 CA 签发的 (the chain does not end at this CA)';
        break;
      }
      const issuer = depth < 5 ? certsBySubject.get(cert.issuerText) : undefined;
      if (!issuer || !verifyCertificateSignature(cert, issuer.publicKey)) return '签名证书不是该 CA 签发的 (the chain does not end at this CA)';
      cert = issuer;
    }
  }
  if (opt('export-dir')) {
    mkdirSync(opt('export-dir'), { recursive: true });
    writeFileSync(join(opt('export-dir'), `${row.id}.p7s`), cms);
    writeFileSync(join(opt('export-dir'), `${row.id}.txt`), data);
  }
  return undefined;
}

const invalid = [];
rows.forEach((row, i) => {
  const reason = check(row);
  if (reason) invalid.push({ id: row.id, documentType: row.document_type, documentId: row.document_id, reason });
  if (!argv.includes('--json') && rows.length >= 1000 && (i + 1) % 1000 === 0) process.stderr.write(`已校验 ${i + 1}/${rows.length} (checked)\n`);
});

if (argv.includes('--json')) {
  console.log(JSON.stringify({ checked: rows.length, valid: rows.length - invalid.length, invalid }, null, 2));
} else {
  for (const r of invalid) console.log(`无效 INVALID signature #${r.id} (${r.documentType} ${r.documentId}): ${r.reason}`);
  console.log(`共校验 ${rows.length} 条签名，有效 ${rows.length - invalid.length} 条，无效 ${invalid.length} 条 (checked ${rows.length}, valid ${rows.length - invalid.length}, invalid ${invalid.length})`);
}
process.exit(invalid.length ? 1 : 0);
