/**
 * examples/cdb-sql against the live stack (a cloud, the agent, an RSA-2048 nurse whose phone
 * approves each session after 250 ms): sign.mjs signs the unsigned nursing records with one
 * approval and writes certificate + compact records into SQLite in one transaction;
 * verify-all.mjs re-verifies every row offline; the openssl CLI checks rebuilt CMS files; then
 * the database is tampered with (content edited, a record byte flipped, a row pointed at another
 * certificate) and the job must name exactly those rows.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { fromCompact, parseCompact } from '@medsign/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpensslCli } from '../../../core/test/openssl-cli.js';
import { run, startLiveStack, type LiveStack } from '../../../native/test/live-stack.js';

const DIR = fileURLToPath(new URL('..', import.meta.url));
const node = (script: string, args: string[]) => run(process.execPath, [join(DIR, script), ...args], { timeoutMs: 90_000 });

const RECORDS = [
  ['P0001', '心内科 3 病区', '体温 36.8℃，脉搏 78 次/分，血压 126/80 mmHg。患者安睡。'],
  ['P0001', '心内科 3 病区', '遵医嘱予阿司匹林 100 mg 口服，无不良反应。'],
  ['P0002', '心内科 3 病区', '患者诉胸闷，已报告值班医生，予吸氧 2 L/min。'],
  ['P0003', '心内科 3 病区', '入院宣教完成，患者及家属表示理解。 "引号" \\ 反斜杠'],
  ['P0004', '心内科 3 病区', 'Ünïcödé 𝄞 与中文混排的记录。'],
];

describe('examples/cdb-sql: C/DB signing and the re-verification job', () => {
  let live: LiveStack;
  const cli = new OpensslCli();
  const work = mkdtempSync(join(tmpdir(), 'medsign-cdb-'));
  const dbFile = join(work, 'nursing.db');

  beforeAll(async () => {
    live = await startLiveStack('钱护士', cli);
    const db = new Database(dbFile);
    db.exec(readFileSync(join(DIR, 'schema.sqlite.sql'), 'utf8'));
    const ins = db.prepare('INSERT INTO nursing_record (patient_id, ward, content, recorded_at, author_no) VALUES (?, ?, ?, ?, ?)');
    for (const [p, w, c] of RECORDS) ins.run(p, w, c, new Date().toISOString(), 'N001');
    db.close();
  }, 60_000);

  afterAll(async () => {
    await live?.stop();
    cli.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('sign.mjs: one phone approval, the certificate once and a compact record per record, in the database', async () => {
    const before = live.phoneCodes.length;
    const r = await node('sign.mjs', ['--db', dbFile, '--cert', live.certId, '--agent', live.agent.url]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(live.phoneCodes.length - before).toBe(1);
    // the code it printed is the one the phone showed
    expect(r.out).toContain(`验证码 (verification code): ${live.phoneCodes.at(-1)}`);
    const db = new Database(dbFile, { readonly: true });
    // the nurse's certificate and the issuing CA the CMS carries, each once
    const certs = db.prepare('SELECT subject FROM certificate').all() as { subject: string }[];
    expect(certs.length).toBeLessThanOrEqual(2);
    expect(certs.filter((c) => c.subject.includes('钱护士'))).toHaveLength(1);
    const sigs = db.prepare('SELECT document_id, length(record) AS len FROM signature ORDER BY id').all() as { document_id: string; len: number }[];
    expect(sigs.map((s) => s.document_id)).toEqual(['1', '2', '3', '4', '5']);
    // RSA-2048 compact records: ~310 bytes, not the ~1.9 KB of a CMS with the certificate
    for (const s of sigs) expect(s.len).toBeLessThan(400);
    db.close();
    // a second run finds nothing to sign and asks no phone
    const again = await node('sign.mjs', ['--db', dbFile, '--cert', live.certId, '--agent', live.agent.url]);
    expect(again.code).toBe(0);
    expect(again.out).toContain('没有待签名');
    expect(live.phoneCodes.length - before).toBe(1);
  }, 120_000);

  it('verify-all.mjs: every row valid; openssl verifies the CMS rebuilt from the records', async () => {
    const exportDir = join(work, 'export');
    const r = await node('verify-all.mjs', ['--db', dbFile, '--ca', join(cli.dir, 'rsa-root.pem'), '--json', '--export-dir', exportDir]);
    if (r.code !== 0) console.log(r.out, r.err);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ checked: 5, valid: 5, invalid: [] });
    for (const id of [1, 4, 5]) {
      const res = await cli.runAsync(['cms', '-verify', '-inform', 'DER', '-in', join(exportDir, `${id}.p7s`), '-content', join(exportDir, `${id}.txt`), '-CAfile', 'rsa-root.pem', '-binary', '-purpose', 'any', '-out', '/dev/null']);
      expect(res.out).toMatch(/Verification successful/);
      expect(readFileSync(join(exportDir, `${id}.txt`), 'utf8')).toBe(RECORDS[id - 1]![2]);
    }
  }, 60_000);

  it('PostgreSQL (PGlite, the real server compiled to WASM): the DDL and grants load, hold the rows, and the app role cannot change a signature', async () => {
    const { PGlite } = await import('@electric-sql/pglite');
    const pg = new PGlite();
    try {
      await pg.exec(readFileSync(join(DIR, 'schema.postgres.sql'), 'utf8'));
      await pg.exec(readFileSync(join(DIR, 'grants.postgres.sql'), 'utf8'));
      // copy what sign.mjs wrote into SQLite
      const db = new Database(dbFile, { readonly: true });
      const recs = db.prepare('SELECT * FROM nursing_record ORDER BY id').all() as Record<string, unknown>[];
      const certs = db.prepare('SELECT * FROM certificate').all() as Record<string, unknown>[];
      const sigs = db.prepare('SELECT * FROM signature ORDER BY id').all() as Record<string, unknown>[];
      db.close();
      for (const r of recs) await pg.query('INSERT INTO nursing_record (id, patient_id, ward, content, recorded_at, author_no) VALUES ($1,$2,$3,$4,$5,$6)', [r.id, r.patient_id, r.ward, r.content, r.recorded_at, r.author_no]);
      for (const c of certs) await pg.query('INSERT INTO certificate (sha256, der, subject, serial_hex, not_before, not_after) VALUES ($1,$2,$3,$4,$5,$6)', [c.sha256, c.der, c.subject, c.serial_hex, c.not_before, c.not_after]);
      await pg.exec(`SET ROLE his_app`);
      for (const g of sigs) await pg.query('INSERT INTO signature (document_type, document_id, content_sha256, cert_sha256, signed_at, record) VALUES ($1,$2,$3,$4,$5,$6)', [g.document_type, g.document_id, g.content_sha256, g.cert_sha256, g.signed_at, g.record]);
      // the app role may add signatures but not change or delete them
      await expect(pg.query(`UPDATE signature SET record = '\\x00' WHERE id = 1`)).rejects.toThrow(/permission denied/);
      await expect(pg.query('DELETE FROM signature')).rejects.toThrow(/permission denied/);
      // the constraints: a record must name a certificate in the table; hashes are 32 bytes
      await expect(pg.query('INSERT INTO signature (document_type, document_id, content_sha256, cert_sha256, signed_at, record) VALUES ($1,$2,$3,$4,now(),$5)', ['nursing_record', '1', Buffer.alloc(32), Buffer.alloc(32, 9), Buffer.from('x')])).rejects.toThrow(/foreign key/);
      await expect(pg.query('INSERT INTO signature (document_type, document_id, content_sha256, cert_sha256, signed_at, record) VALUES ($1,$2,$3,$4,now(),$5)', ['nursing_record', '1', Buffer.alloc(31), sigs[0]!.cert_sha256, Buffer.from('x')])).rejects.toThrow(/check constraint/);
      await pg.exec('RESET ROLE');
      // read back from PostgreSQL: the CMS rebuilt from bytea columns verifies with openssl
      const row = (await pg.query<{ record: Uint8Array; content: string; der: Uint8Array }>(
        `SELECT s.record, r.content, c.der FROM signature s JOIN nursing_record r ON r.id::text = s.document_id JOIN certificate c ON c.sha256 = s.cert_sha256 WHERE s.document_id = '4'`,
      )).rows[0]!;
      const all = new Map(certs.map((c) => [Buffer.from(c.sha256 as Uint8Array).toString('hex'), new Uint8Array(c.der as Uint8Array)]));
      const cms = fromCompact(row.record, { content: Buffer.from(row.content, 'utf8'), certificates: (h) => all.get(h) });
      cli.write('pg.p7s', cms);
      cli.write('pg.txt', Buffer.from(row.content, 'utf8'));
      expect((await cli.runAsync(['cms', '-verify', '-inform', 'DER', '-in', 'pg.p7s', '-content', 'pg.txt', '-CAfile', 'rsa-root.pem', '-binary', '-purpose', 'any', '-out', '/dev/null'])).out).toMatch(/Verification successful/);
    } finally {
      await pg.close();
    }
  }, 60_000);

  it('tampering: the job reports exactly the edited, corrupted and mislinked rows, exit 1', async () => {
    const db = new Database(dbFile);
    db.prepare('UPDATE nursing_record SET content = ? WHERE id = 2').run('遵医嘱予阿司匹林 300 mg 口服，无不良反应。');
    const rec = db.prepare('SELECT record FROM signature WHERE id = 3').get() as { record: Buffer };
    const flipped = Buffer.from(rec.record);
    flipped[flipped.indexOf(Buffer.from(parseCompact(rec.record).signature)) + 100]! ^= 0x01; // inside the RSA signature value
    db.prepare('UPDATE signature SET record = ? WHERE id = 3').run(flipped);
    db.prepare('INSERT INTO certificate (sha256, der, subject, serial_hex, not_before, not_after) VALUES (?, ?, ?, ?, ?, ?)').run(Buffer.alloc(32, 7), Buffer.from('x'), 'CN=other', '01', '2026-01-01', '2027-01-01');
    db.prepare('UPDATE signature SET cert_sha256 = ? WHERE id = 5').run(Buffer.alloc(32, 7));
    db.close();

    const r = await node('verify-all.mjs', ['--db', dbFile, '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as { checked: number; valid: number; invalid: { id: number; reason: string }[] };
    expect(report.checked).toBe(5);
    expect(report.valid).toBe(2);
    expect(report.invalid.map((x) => x.id)).toEqual([2, 3, 5]);
    expect(report.invalid[0]!.reason).toContain('content changed');
    expect(report.invalid[1]!.reason).toContain('SIG_CRYPTO_FAILURE');
    expect(report.invalid[2]!.reason).toContain('another certificate');
    const text = await node('verify-all.mjs', ['--db', dbFile]);
    expect(text.out).toContain('无效 INVALID signature #2');
    expect(text.out).toContain('invalid 3');
  }, 60_000);

  it('bad input: no database, a missing file, the agent down — clear messages, nothing written', async () => {
    const usage = await node('verify-all.mjs', []);
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('usage');
    const missing = await node('verify-all.mjs', ['--db', join(work, 'nope.db')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('cannot open the database');
    const db = new Database(dbFile);
    db.prepare('INSERT INTO nursing_record (patient_id, ward, content, recorded_at, author_no) VALUES (?, ?, ?, ?, ?)').run('P0009', '心内科 3 病区', '新记录', new Date().toISOString(), 'N001');
    const count = () => (db.prepare('SELECT count(*) AS n FROM signature').get() as { n: number }).n;
    const before = count();
    const down = await node('sign.mjs', ['--db', dbFile, '--cert', live.certId, '--agent', 'http://127.0.0.1:9']);
    expect(down.code).toBe(1);
    expect(down.err).toContain('cannot reach the MedSign agent');
    const unknown = await node('sign.mjs', ['--db', dbFile, '--cert', '00ff00ff', '--agent', live.agent.url]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/CERT_NOT_FOUND|sor=0xb000310/);
    expect(count()).toBe(before);
    db.close();
  }, 60_000);
});
