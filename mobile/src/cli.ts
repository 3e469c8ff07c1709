/**
 * medsign-mobile: a phone simulator for demos, tests and integrators without a phone at hand.
 *   enroll  (--qr PAYLOAD | --cloud URL --code CODE) --pin PIN [--profile NAME]
 *   pending [--json]
 *   approve (SESSION | --all) --pin PIN
 *   reject  SESSION
 *   login   --qr PAYLOAD --pin PIN
 *   auto    --pin PIN [--window 30m]    approve as sessions arrive, showing each code
 *   status
 * Profiles live in $MEDSIGN_MOBILE_HOME (default ~/.medsign-mobile), one JSON file each.
 * Exit codes: 0 done; 1 refused (wrong PIN, cloud refusal); 2 bad usage or input.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { parseCertificate } from '@medsign/core';
import { MobileError } from './errors.js';
import { fileStorage } from './file-storage.js';
import { certificateStatus } from './cert-status.js';
import { MedSignPhone, type PendingSession } from './phone.js';

/** "30m", "90s", "2h" → milliseconds. */
function duration(text: string): number {
  const m = /^(\d{1,5})(s|m|h)$/.exec(text);
  if (!m) throw new MobileError('USAGE', '时长格式如 30m、90s、2h', 'a duration looks like 30m, 90s or 2h');
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'];
}

interface Io {
  out(s: string): void;
  err(s: string): void;
}

export async function run(argv: readonly string[], io: Io = { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n') }, env = process.env): Promise<number> {
  const home = env.MEDSIGN_MOBILE_HOME ?? join(homedir(), '.medsign-mobile');
  const storageOf = (profile: string) => {
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(profile)) throw new MobileError('USAGE', '配置名只能包含字母、数字、- 和 _', 'a profile name has letters, digits, - and _ only');
    return fileStorage(join(home, `${profile}.json`));
  };
  const describe = (s: PendingSession) =>
    `${s.sessionId}  ${s.kind === 'login' ? '登录 login' : '签名 sign'}  ${s.app} @ ${s.workstation}  ${s.count} 项 items  校验码 code ${s.verificationCode}\n    ${s.summaries.slice(0, 3).join(' | ')}${s.count > 3 ? ' …' : ''}`;
  const program = new Command('medsign-mobile')
    .description('MedSign 手机模拟器 (phone simulator)')
    .option('--profile <name>', 'which enrolled phone (profile file)', 'default')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  const profile = () => storageOf(program.opts<{ profile: string }>().profile);

  program
    .command('enroll')
    .description('激活 (enroll with the activation QR payload, or the cloud URL and the code)')
    .option('--qr <payload>')
    .option('--cloud <url>')
    .option('--code <code>')
    .requiredOption('--pin <pin>', '6-digit PIN')
    .option('--pin-iterations <n>', 'PBKDF2 iterations (default 600000)', (v) => Number(v))
    .action(async (o: { qr?: string; cloud?: string; code?: string; pin: string; pinIterations?: number }) => {
      const options = { storage: profile(), ...(o.pinIterations ? { pinIterations: o.pinIterations } : {}) };
      let phone: MedSignPhone;
      if (o.qr) phone = await MedSignPhone.enroll(o.qr, o.pin, options);
      else if (o.cloud && o.code) phone = await MedSignPhone.enrollWithCode(o.cloud, o.code, o.pin, options);
      else throw new MobileError('USAGE', '需要 --qr，或 --cloud 与 --code', 'give --qr, or --cloud and --code');
      io.out(`已激活 enrolled: ${phone.cloud}  (${phone.certificate.length} bytes certificate)`);
    });

  program
    .command('pending')
    .description('待确认 (sessions waiting for this phone)')
    .option('--json')
    .action(async (o: { json?: boolean }) => {
      const list = await (await MedSignPhone.load({ storage: profile() })).pending();
      if (o.json) io.out(JSON.stringify(list, null, 2));
      else if (list.length === 0) io.out('没有待确认的请求 (nothing waiting)');
      else for (const s of list) io.out(describe(s));
    });

  program
    .command('approve')
    .description('确认 (approve one session, or --all)')
    .argument('[session]')
    .option('--all')
    .requiredOption('--pin <pin>')
    .action(async (session: string | undefined, o: { all?: boolean; pin: string }) => {
      const phone = await MedSignPhone.load({ storage: profile() });
      const list = await phone.pending();
      const chosen = o.all ? list : list.filter((s) => s.sessionId === session);
      if (!o.all && !session) throw new MobileError('USAGE', '请给出会话号或 --all', 'give a session id or --all');
      if (chosen.length === 0) throw new MobileError('NOT_FOUND', '没有这个待确认的请求', 'no such pending session');
      for (const s of chosen) {
        io.out(`确认 approving ${describe(s)}`);
        await phone.approve(s, o.pin);
        io.out('  已签名 signed');
      }
    });

  program
    .command('reject')
    .description('拒绝 (refuse a session)')
    .argument('<session>')
    .action(async (session: string) => {
      await (await MedSignPhone.load({ storage: profile() })).reject(session);
      io.out('已拒绝 refused');
    });

  program
    .command('status')
    .description('状态 (this phone: cloud, certificate, expiry)')
    .action(async () => {
      const phone = await MedSignPhone.load({ storage: profile() });
      const cert = parseCertificate(phone.certificate);
      const st = certificateStatus(phone.certificate, new Date(), (await phone.policy()).renewalDays);
      io.out(`云端 cloud: ${phone.cloud}`);
      io.out(`证书 certificate: ${cert.subjectText} (${st.algorithm}, serial ${st.serialNumber})`);
      io.out(`有效期至 valid until: ${cert.notAfter.toISOString()} (${st.daysLeft} 天 days)`);
      io.out(`状态 state: ${st.zh} (${st.en})`);
      io.out(`待确认 waiting: ${(await phone.pending()).length}`);
      // issue 7: the cloud's notifications for this doctor (expiry reminders); shown, then marked read
      const unread = await phone.notifications(true);
      for (const n of unread) io.out(`通知 notice: ${n.title} — ${n.message}`);
      await phone.markNotificationsRead(unread.map((n) => n.id));
    });

  program
    .command('renew')
    .description('在线更新证书 (renew online in the renewal window: a new split key and certificate; the PIN is checked online)')
    .requiredOption('--pin <pin>')
    .action(async (o: { pin: string }) => {
      const phone = await MedSignPhone.load({ storage: profile() });
      io.out('正在更新：校验 PIN、生成新密钥、申请新证书… renewing: checking the PIN, generating the new key, requesting the certificate');
      const st = certificateStatus(await phone.renew(o.pin));
      io.out(`已更新 renewed: serial ${st.serialNumber}, ${st.zh} (${st.en})`);
    });

  program
    .command('change-pin')
    .description('修改 PIN (change the PIN; the old one is checked online and counts as an attempt)')
    .requiredOption('--pin <pin>', 'the current PIN')
    .requiredOption('--new-pin <pin>', 'the new 6-digit PIN')
    .action(async (o: { pin: string; newPin: string }) => {
      await (await MedSignPhone.load({ storage: profile() })).changePin(o.pin, o.newPin);
      io.out('PIN 已修改 PIN changed');
    });

  program
    .command('auto')
    .description('自动确认 (keep running; approve each session as it arrives, showing its code)')
    .requiredOption('--pin <pin>')
    .option('--window <duration>', 'stop after this long, e.g. 30m, 90s, 2h (default: until interrupted)')
    .action(async (o: { pin: string; window?: string }) => {
      const phone = await MedSignPhone.load({ storage: profile() });
      const until = o.window ? Date.now() + duration(o.window) : Infinity;
      const done = new Set<string>();
      io.out(`自动确认中 approving automatically${o.window ? ` for ${o.window}` : ''} …`);
      while (Date.now() < until) {
        for (const s of await phone.pending()) {
          if (done.has(s.sessionId)) continue;
          done.add(s.sessionId);
          io.out(`校验码 code ${s.verificationCode}  ${describe(s)}`);
          try {
            await phone.approve(s, o.pin);
            io.out('  已签名 signed');
          } catch (err) {
            io.err(`  错误 Error: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      io.out('已停止 stopped');
    });

  program
    .command('login')
    .description('扫码登录 (approve a QR login from its payload)')
    .requiredOption('--qr <payload>')
    .requiredOption('--pin <pin>')
    .action(async (o: { qr: string; pin: string }) => {
      const phone = await MedSignPhone.load({ storage: profile() });
      const s = await phone.claimLogin(o.qr);
      io.out(`登录 login ${s.workstation} (${s.agent})`);
      await phone.approve(s, o.pin);
      io.out('已登录 logged in');
    });

  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof MobileError) {
      io.err(`错误 Error: ${err.message}`);
      return ['USAGE', 'QR_INVALID', 'NOT_ENROLLED', 'PIN_FORMAT'].includes(err.code) ? 2 : 1;
    }
    io.err(`错误 Error: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
}
