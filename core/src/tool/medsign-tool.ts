/**
 * medsign-tool: what an IT engineer runs on a saved signature.
 *   medsign-tool inspect FILE [--json]
 *   medsign-tool verify --sig S [--data F] [--trust ca.pem …] [--cert c.pem …] [--crl f …] [--ocsp f …]
 *                       [--at ISO-TIME] [--require-revocation] [--json]
 * Exit codes: 0 valid (TOTAL_PASSED) / inspected; 1 not valid; 2 unreadable input or bad usage.
 * Errors are one line in Chinese and English; never a stack trace.
 */
import { Command, CommanderError, Option } from 'commander';
import { fromCompact, parseCompact } from '../compact/record.js';
import { hash } from '../digest.js';
import { toHex } from '../encoding.js';
import { MedSignError } from '../errors.js';
import { validateSignedMessage } from '../validation/validate.js';
import type { ValidationReport } from '../validation/report.js';
import { describe } from './inspect.js';
import { readBytes, readCertificates, readInputFile } from './input.js';

const VERSION = '0.1.0';

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function printReport(report: ValidationReport, io: Io): void {
  io.out(`结论 Result: ${report.indication}${report.subIndication ? ` / ${report.subIndication}` : ''}`);
  io.out(`  ${report.summary}`);
  if (report.signer) io.out(`签名者 Signer: ${report.signer.subject} (serial ${report.signer.serialNumber})`);
  if (report.claimedSigningTime) io.out(`声明的签名时间 Claimed signing time: ${report.claimedSigningTime}`);
  if (report.timestampTime) io.out(`时间戳 Timestamp: ${report.timestampTime}`);
  io.out(`检查时间 Checked at: ${report.bestSignatureTime} (validation time ${report.validationTime})`);
  if (report.chain.length) io.out(`证书链 Chain: ${report.chain.map((c) => c.subject).join('  ←  ')}`);
  io.out('检查项 Checks:');
  const mark = { passed: '✔', failed: '✘', warning: '!', skipped: '-' } as const;
  for (const c of report.checks) io.out(`  ${mark[c.result]} ${c.name.padEnd(20)} ${c.detail}`);
}

export async function run(argv: readonly string[], io: Io = { out: (t) => process.stdout.write(t + '\n'), err: (t) => process.stderr.write(t + '\n') }): Promise<number> {
  let exitCode = 0;
  const program = new Command('medsign-tool')
    .description('MedSign 签名检查工具 — inspect and verify certificates, signatures, timestamps, CRLs and OCSP')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  program
    .command('inspect')
    .description('识别并显示 (recognise and show) a certificate, CSR, CMS, timestamp, CRL, OCSP message or compact record; PEM, DER or base64')
    .argument('<file>')
    .option('--json', 'JSON output')
    .action((file: string, opts: { json?: boolean }) => {
      const input = readInputFile(file);
      const d = describe(input.der);
      if (opts.json) {
        io.out(JSON.stringify({ type: d.type, title: d.title, encoding: input.encoding, fields: Object.fromEntries(d.fields.map(([k, v]) => [k.trim(), v])) }, null, 2));
        return;
      }
      io.out(`${d.title}  [${input.encoding}${input.pemLabel ? ` ${input.pemLabel}` : ''}, ${input.der.length} bytes]`);
      const width = Math.max(...d.fields.map(([k]) => displayWidth(k)));
      for (const [k, v] of d.fields) io.out(`  ${k}${' '.repeat(width - displayWidth(k))}  ${v}`);
    });

  program
    .command('verify')
    .description('验证签名 (validate a signature): prints the validation report; exits 0 only for TOTAL_PASSED')
    .requiredOption('--sig <file>', 'the signature: PKCS#7/CMS (PEM, DER, base64) or a compact record')
    .option('--data <file>', 'the signed data (required for detached signatures and compact records)')
    .option('--trust <file>', 'trusted root certificate(s); repeatable; PEM bundles allowed', collect, [])
    .option('--cert <file>', 'other certificates (issuing CAs, the signer for compact records); repeatable', collect, [])
    .option('--crl <file>', 'a CRL; repeatable', collect, [])
    .option('--ocsp <file>', 'an OCSP response; repeatable', collect, [])
    .addOption(new Option('--at <time>', 'validation time, ISO 8601 (default now)'))
    .option('--require-revocation', 'INDETERMINATE unless every certificate has revocation information')
    .option('--json', 'JSON output (the report)')
    .action((opts: { sig: string; data?: string; trust: string[]; cert: string[]; crl: string[]; ocsp: string[]; at?: string; requireRevocation?: boolean; json?: boolean }) => {
      if (opts.trust.length === 0) throw new UsageError('至少需要一个 --trust 根证书 (give at least one --trust root certificate)');
      const validationTime = opts.at ? new Date(opts.at) : undefined;
      if (validationTime && Number.isNaN(validationTime.getTime())) throw new UsageError(`--at 时间格式错误 (not an ISO 8601 time): ${opts.at}`);
      const content = opts.data ? readBytes(opts.data, true) : undefined; // empty data can be signed
      const trustAnchors = opts.trust.flatMap(readCertificates);
      const others = opts.cert.flatMap(readCertificates);
      let sig = readInputFile(opts.sig).der;
      if (isCompact(sig)) {
        if (!content) throw new UsageError('压缩签名记录需要 --data 原文 (a compact record needs --data)');
        const store = new Map([...others, ...trustAnchors].map((c) => [toHex(hash('sha256', c)), c]));
        sig = fromCompact(sig, { content, certificates: (h) => store.get(h) });
      }
      const report = validateSignedMessage(sig, {
        ...(content ? { content } : {}),
        trustAnchors,
        intermediates: others,
        crls: opts.crl.map((f) => readInputFile(f).der),
        ocspResponses: opts.ocsp.map((f) => readInputFile(f).der),
        ...(validationTime ? { validationTime } : {}),
        ...(opts.requireRevocation ? { requireRevocation: true } : {}),
      });
      if (opts.json) io.out(JSON.stringify(report, null, 2));
      else printReport(report, io);
      exitCode = report.indication === 'TOTAL_PASSED' ? 0 : 1;
    });

  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version also end here, with exit code 0
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof MedSignError || err instanceof UsageError) {
      io.err(`错误 Error: ${err.message}`);
      return 2;
    }
    io.err(`错误 Error: 内部错误 (internal error): ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
}

class UsageError extends Error {}

/** Terminal columns: CJK characters take two. */
function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += /[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/.test(ch) ? 2 : 1;
  return w;
}

function isCompact(der: Uint8Array): boolean {
  try {
    parseCompact(der);
    return true;
  } catch {
    return false;
  }
}
