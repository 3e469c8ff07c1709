#!/usr/bin/env node
/**
 * The C/DB client's signing step: sign every nursing record that has no signature for its
 * current content, with ONE phone approval, and write the signatures straight into the
 * database — the certificate once, each signature as a compact record — in one transaction.
 *
 *   node examples/cdb-sql/sign.mjs --db nursing.db --cert <certId> [--agent http://127.0.0.1:17990]
 *
 * Exit code 0 when everything was signed (or nothing was waiting), 1 on an error (nothing is
 * written then), 2 on a usage error. Messages in Chinese with English.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { parseCertificate, parseCompact, parseSignedMessage } from '@medsign/core';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
if (!args.db || !args.cert) {
  console.error('用法 (usage): node sign.mjs --db <file> --cert <certId> [--agent http://127.0.0.1:17990]');
  process.exit(2);
}
const agent = args.agent ?? 'http://127.0.0.1:17990';
const sha256 = (b) => createHash('sha256').update(b).digest();

async function call(method, params) {
  let res;
  try {
    res = await fetch(`${agent}/v1/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-medsign-app': 'cdb-sql' }, body: JSON.stringify(params) });
  } catch {
    throw new Error(`无法连接医签助手 (cannot reach the MedSign agent at ${agent})`);
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${body.message ?? res.status} [${body.code ?? 'HTTP'} sor=0x${(body.sor ?? 0).toString(16)}]`);
  return body;
}

const db = new Database(args.db);
db.pragma('foreign_keys = ON');
db.exec(readFileSync(new URL('./schema.sqlite.sql', import.meta.url), 'utf8'));

// the records whose current content has no signature yet
const signedKeys = new Set(db.prepare(`SELECT document_id, hex(content_sha256) AS h FROM signature WHERE document_type = 'nursing_record'`).all().map((r) => `${r.document_id}:${r.h}`));
const todo = db
  .prepare('SELECT id, patient_id, ward, content FROM nursing_record ORDER BY id')
  .all()
  .filter((r) => !signedKeys.has(`${r.id}:${sha256(Buffer.from(r.content, 'utf8')).toString('hex').toUpperCase()}`));
if (todo.length === 0) {
  console.log('没有待签名的护理记录 (no nursing record waits for a signature)');
  process.exit(0);
}
if (todo.length > 1000) {
  console.error(`一次最多签 1000 条，本次 ${todo.length} 条：请分批 (at most 1,000 per approval; ${todo.length} waiting: run again after this batch)`);
  todo.length = 1000;
}

try {
  // the certificates go into their table once; the records refer to them by SHA-256
  const { certificate } = await call('exportUserCert', { certId: args.cert });
  const certDer = Buffer.from(certificate, 'base64');
  const cert = parseCertificate(certDer);

  console.log(`待签名 ${todo.length} 条护理记录，请在手机上确认 (${todo.length} records to sign: approve on the phone)`);
  const started = await call('signBatch', {
    certId: args.cert,
    items: todo.map((r) => ({ text: r.content, summary: `护理记录 #${r.id} ${r.ward} 患者 ${r.patient_id}` })),
    format: 'compact',
    detached: true,
    wait: false,
  });
  console.log(`验证码 (verification code): ${started.verificationCode} — 请核对手机上显示的是否一致 (check the phone shows the same)`);
  let op;
  for (;;) {
    ({ operation: op } = await call('getStatus', { operationId: started.operationId, wait: 25 }));
    if (op.status !== 'PENDING') break;
    process.stdout.write('.');
  }
  if (op.status !== 'OK') throw new Error(`${op.error?.message ?? '签名失败 (signing failed)'} [${op.error?.code ?? ''}]`);
  const results = op.result.results;
  if (results.length !== todo.length) throw new Error(`签名数量不符 (got ${results.length} signatures for ${todo.length} records)`);

  const insertCert = db.prepare('INSERT OR IGNORE INTO certificate (sha256, der, subject, serial_hex, not_before, not_after) VALUES (?, ?, ?, ?, ?, ?)');
  const insertSig = db.prepare('INSERT INTO signature (document_type, document_id, content_sha256, cert_sha256, signed_at, record) VALUES (?, ?, ?, ?, ?, ?)');
  const storeCert = (c) => insertCert.run(Buffer.from(c.sha256, 'hex'), Buffer.from(c.der), c.subjectText, c.serialNumber, c.notBefore.toISOString(), c.notAfter.toISOString());
  db.transaction(() => {
    storeCert(cert);
    todo.forEach((r, i) => {
      const record = Buffer.from(results[i].compact, 'base64');
      const info = parseCompact(record);
      if (info.certificateSha256 !== cert.sha256) throw new Error(`第 ${i + 1} 条签名的证书不是 ${args.cert} (signature ${i + 1} is not by this certificate)`);
      // the other certificates the CMS carries (the issuing CA): the record refers to them by hash too
      if (info.extraCertificateSha256.length) for (const der of parseSignedMessage(Buffer.from(results[i].signedMessage, 'base64')).certificates) storeCert(parseCertificate(der));
      insertSig.run('nursing_record', String(r.id), sha256(Buffer.from(r.content, 'utf8')), Buffer.from(cert.sha256, 'hex'), info.signingTime.toISOString(), record);
    });
  })();
  console.log(`\n已签名并写入数据库 ${todo.length} 条 (signed and stored ${todo.length} records, ${results.reduce((n, x) => n + Buffer.from(x.compact, 'base64').length, 0)} bytes of compact records)`);
} catch (e) {
  console.error(`\n签名未完成，数据库未改动 (nothing was stored): ${e.message}`);
  process.exit(1);
}
