/**
 * `medsign-cloud report monthly --month YYYY-MM --out FILE [--data-dir D] [--config FILE]`: the
 * monthly PDF summary, straight from the data directory (safe beside a running cloud: SQLite WAL
 * readers do not block it). Exit 0: written; 1: could not build it; 2: usage.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { ReportService } from '../domain/reports.js';
import { SettingsService, settingsDefaults } from '../domain/settings.js';
import { monthlyPdf } from '../http/routes-reports.js';
import { openSqliteStore } from '../store/sqlite.js';

const USAGE = `用法 (usage): medsign-cloud report monthly --month YYYY-MM --out 文件 FILE [--data-dir 目录 DIR] [--config FILE]
  生成月度电子签名报表 PDF (write the monthly e-signature summary as a PDF)
`;

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}
const defaultIo: CliIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };

export async function runReportCli(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let values: { month?: string | undefined; out?: string | undefined; 'data-dir'?: string | undefined; config?: string | undefined; help?: boolean | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { month: { type: 'string' }, out: { type: 'string' }, 'data-dir': { type: 'string' }, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    io.stderr(`错误 Error: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'monthly' || !values.month || !values.out) {
    io.stderr(USAGE);
    return 2;
  }
  try {
    const config = loadConfig({ argv: [...(values['data-dir'] ? ['--data-dir', values['data-dir']] : []), ...(values.config ? ['--config', values.config] : [])] });
    const dbPath = join(config.dataDir, 'medsign.db');
    if (!existsSync(dbPath)) throw new Error(`数据目录中没有数据库 (no database in the data directory): ${dbPath}`);
    const store = openSqliteStore(dbPath);
    try {
      const settings = new SettingsService(store, settingsDefaults(config));
      const reports = new ReportService(store.reports, { utcOffsetMinutes: config.utcOffsetMinutes });
      const pdf = await monthlyPdf({ reports, hospitalName: () => settings.current().hospitalName }, values.month, null);
      const out = resolve(values.out);
      writeFileSync(out, pdf);
      io.stdout(`月度报表已生成 (monthly report written): ${out}\n`);
      return 0;
    } finally {
      store.close();
    }
  } catch (err) {
    io.stderr(`错误 Error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
