/**
 * medsign-cloud backup / restore (issue 7): an online backup while a client keeps writing, restored
 * into a new directory and started (same KEK from the restored kek.key: the CA keys open and sign);
 * a wrong passphrase, a corrupted, truncated or re-headed archive and a non-empty target are refused.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTimeStampRequest, verifyTimeStamp } from '@medsign/core';
import { runBackupCli } from '../src/cli/backup.js';
import { adminToken, startTestCloud } from './cloud-fixture.js';

const BIN = fileURLToPath(new URL('../bin/medsign-cloud.mjs', import.meta.url));
const PASSPHRASE = 'backup-passphrase-for-tests-7';

type Cloud = Awaited<ReturnType<typeof startTestCloud>>;
let cloud: Cloud;
let work: string;
let archive: string;

/** The real command, in its own process (the cloud under test keeps serving in this one). */
function cli(args: string[], env: Record<string, string> = { MEDSIGN_BACKUP_PASSPHRASE: PASSPHRASE }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      ok({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** The same command in this process, for the refusals (faster: no tsx start-up). */
async function inProcess(args: string[], passphrase: string | null = PASSPHRASE) {
  let stdout = '';
  let stderr = '';
  const code = await runBackupCli(args, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), env: passphrase === null ? {} : { MEDSIGN_BACKUP_PASSPHRASE: passphrase } });
  return { code, stdout, stderr };
}

const post = async (path: string, token: string, body: unknown, url = cloud.url) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });

beforeAll(async () => {
  cloud = await startTestCloud();
  work = mkdtempSync(join(tmpdir(), 'medsign-backup-'));
  archive = join(work, 'cloud.msbk');
});
afterAll(async () => {
  await cloud.dispose();
  rmSync(work, { recursive: true, force: true });
});

describe('backup and restore', () => {
  let created = 0;
  let atStart = 0;
  let atEnd = 0;

  it('takes a consistent online copy while a client keeps writing', async () => {
    const token = await adminToken(cloud.url);
    let stop = false;
    const writer = (async () => {
      while (!stop) {
        const r = await post('/api/v1/admin/staff', token, { employeeNo: `BK-${created}`, name: '备份测试', department: '信息科' });
        if (r.status !== 200) throw new Error(`staff creation failed: ${r.status}`);
        created++;
      }
    })();
    while (created < 20) await new Promise((r) => setTimeout(r, 10));
    atStart = created;
    const b = await cli(['backup', '--data-dir', cloud.dataDir, '--out', archive]);
    atEnd = created;
    stop = true;
    await writer;
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/medsign\.db .* sha256 [0-9a-f]{64}/);
    expect(b.stdout).toMatch(/kek\.key .* sha256 [0-9a-f]{64}/);
    expect(b.stdout + b.stderr).not.toContain(PASSPHRASE);
    expect(atEnd).toBeGreaterThan(atStart); // the cloud kept writing during the backup
    // the archive is encrypted: neither the KEK nor the database's text is readable in it
    const bytes = readFileSync(archive);
    expect(bytes.subarray(0, 15).toString()).toBe('MEDSIGN-BACKUP\n');
    expect(bytes.includes(readFileSync(join(cloud.dataDir, 'kek.key')).subarray(0, 44))).toBe(false);
    expect(bytes.includes(Buffer.from('CREATE TABLE'))).toBe(false);
    expect(bytes.includes(Buffer.from('BK-1'))).toBe(false);
    // no staging files left next to the archive
    expect(readdirSync(work)).toEqual(['cloud.msbk']);
  });

  it('restores into a new directory; the restored cloud starts with the same KEK, data and CA keys', async () => {
    const target = join(work, 'restored');
    const r = await cli(['restore', '--from', archive, '--data-dir', target]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(PASSPHRASE);
    expect(readdirSync(target).sort()).toEqual(['kek.key', 'medsign.db']);
    expect(readFileSync(join(target, 'kek.key'))).toEqual(readFileSync(join(cloud.dataDir, 'kek.key')));

    // a snapshot of one moment: the staff created before it, each one, and none half-written
    const db = new Database(join(target, 'medsign.db'), { readonly: true });
    const nos = (db.prepare("SELECT employee_no FROM staff WHERE employee_no LIKE 'BK-%'").all() as { employee_no: string }[]).map((x) => Number(x.employee_no.slice(3)));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    expect(nos.length).toBeGreaterThanOrEqual(atStart);
    expect(nos.length).toBeLessThanOrEqual(atEnd);
    expect(nos.sort((a, b) => a - b)).toEqual(Array.from({ length: nos.length }, (_, i) => i));

    const restored = await startTestCloud(target);
    try {
      for (const name of ['sm2-root', 'rsa-issuing', 'sm2-tsa']) expect(restored.pki.caCertificate(name).sha256).toBe(cloud.pki.caCertificate(name).sha256);
      const token = await adminToken(restored.url);
      // the sealed CA keys open under the restored KEK: the TSA signs, and a CRL is signed anew after a revocation
      const data = new TextEncoder().encode('恢复演练 restore drill');
      const req = createTimeStampRequest({ data, hash: 'sm3' });
      const ts = await fetch(`${restored.url}/pki/tsa`, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: Buffer.from(req) });
      expect(verifyTimeStamp(new Uint8Array(await ts.arrayBuffer()), { data, request: req }).valid).toBe(true);
      const crl = await restored.pki.crl('rsa-issuing', new Date(Date.now() + 100 * 3_600_000)); // past its next update: signed again
      expect(crl.length).toBeGreaterThan(100);
      expect((await fetch(`${restored.url}/pki/crl/sm2-issuing.crl`)).status).toBe(200);
      // and it takes writes
      expect((await post('/api/v1/admin/staff', token, { employeeNo: 'AFTER-1', name: '恢复后', department: '信息科' }, restored.url)).status).toBe(200);
      expect((await post('/api/v1/admin/staff', token, { employeeNo: 'BK-0', name: 'dup', department: '信息科' }, restored.url)).status).toBe(409);
    } finally {
      await restored.close();
    }
  });

  it('refuses a non-empty target without --force; with --force the old directory is kept aside', async () => {
    const target = join(work, 'busy');
    mkdirSync(target);
    writeFileSync(join(target, 'something.txt'), 'keep me');
    const refused = await inProcess(['restore', '--from', archive, '--data-dir', target]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--force/);
    expect(readdirSync(target)).toEqual(['something.txt']);

    const forced = await cli(['restore', '--from', archive, '--data-dir', target, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readdirSync(target).sort()).toEqual(['kek.key', 'medsign.db']);
    const kept = readdirSync(work).filter((n) => n.startsWith('busy.pre-restore-'));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(work, kept[0]!, 'something.txt'), 'utf8')).toBe('keep me');
    // an empty directory is a fine target
    mkdirSync(join(work, 'empty'));
    expect((await inProcess(['restore', '--from', archive, '--data-dir', join(work, 'empty')])).code).toBe(0);
  });

  it('a wrong passphrase is a clear error, and the passphrase never shows', async () => {
    const target = join(work, 'wrong-pass');
    const r = await inProcess(['restore', '--from', archive, '--data-dir', target], 'not-the-right-passphrase');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/口令错误 \(wrong passphrase/);
    expect(r.stderr).not.toContain('not-the-right-passphrase');
    expect(existsSync(target)).toBe(false);
  });

  it('a corrupted, truncated or re-headed archive is refused and leaves nothing behind', async () => {
    const bytes = readFileSync(archive);
    const variants: Record<string, Buffer> = {};
    const flipped = Buffer.from(bytes);
    flipped[Math.floor(bytes.length / 2)]! ^= 0x01; // one bit in the database's ciphertext
    variants.flipped = flipped;
    const tag = Buffer.from(bytes);
    tag[bytes.length - 1]! ^= 0x80; // the GCM tag
    variants.tag = tag;
    variants.truncated = bytes.subarray(0, bytes.length - 1000);
    // the header is authenticated: a changed creation time (same length) breaks the tag
    const text = bytes.toString('latin1');
    const at = text.indexOf('"createdAt":"') + 13;
    const reheaded = Buffer.from(bytes);
    reheaded[at + 3] = reheaded[at + 3] === 0x39 ? 0x38 : reheaded[at + 3]! + 1; // a digit of the year
    variants.reheaded = reheaded;
    variants.notAnArchive = Buffer.from('PK\u0003\u0004 this is a zip file');
    for (const [name, content] of Object.entries(variants)) {
      const file = join(work, `${name}.msbk`);
      writeFileSync(file, content);
      const target = join(work, `target-${name}`);
      const r = await inProcess(['restore', '--from', file, '--data-dir', target]);
      expect(r.code, `${name}: ${r.stderr}`).toBe(1);
      expect(r.stderr, name).toMatch(name === 'notAnArchive' ? /not a MedSign backup/ : /corrupted or was modified/);
      expect(existsSync(target), name).toBe(false);
      expect(readdirSync(work).filter((n) => n.includes('.restore-')), name).toEqual([]);
    }
  });

  it('usage errors exit 2: no passphrase, a short one, missing or unknown flags, an existing output', async () => {
    const out = join(work, 'second.msbk');
    expect((await inProcess(['backup', '--data-dir', cloud.dataDir, '--out', out], null)).code).toBe(2);
    const short = await inProcess(['backup', '--data-dir', cloud.dataDir, '--out', out], 'short-11chr');
    expect(short.code).toBe(2);
    expect(short.stderr).not.toContain('short-11chr');
    expect((await inProcess(['backup', '--data-dir', cloud.dataDir])).code).toBe(2);
    expect((await inProcess(['backup', '--data-dir', cloud.dataDir, '--out', out, '--verbose'])).code).toBe(2);
    expect((await inProcess(['restore', '--data-dir', join(work, 'x')])).code).toBe(2);
    expect((await inProcess(['backup', '--data-dir', join(work, 'no-such-dir'), '--out', out])).code).toBe(2);
    expect((await inProcess(['backup', '--data-dir', cloud.dataDir, '--out', archive])).code).toBe(2); // exists
    expect(existsSync(out)).toBe(false);
    // through the real command too: the exit code reaches the shell
    const r = await cli(['restore', '--from', archive], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/MEDSIGN_BACKUP_PASSPHRASE/);
    // a second backup in process, over an existing file with --force
    copyFileSync(archive, out);
    const again = await inProcess(['backup', '--data-dir', cloud.dataDir, '--out', out, '--force']);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(out).equals(readFileSync(archive))).toBe(false);
  });
});
