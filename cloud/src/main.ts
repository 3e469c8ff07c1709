#!/usr/bin/env node
// medsign-cloud: start the cloud service (npx medsign-cloud, npm start -w cloud).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './config.js';
import { startCloud } from './server.js';

// medsign-cloud audit verify [--data-dir D] [--json] (issue 7): exit 0 intact, 1 tampered, 2 usage/I/O
if (process.argv[2] === 'audit') {
  const { runAuditCli } = await import('./cli/audit.js');
  process.exit(runAuditCli(process.argv.slice(3)));
}

// medsign-cloud report monthly --month YYYY-MM --out FILE [--data-dir D] (issue 7): the monthly PDF
if (process.argv[2] === 'report') {
  const { runReportCli } = await import('./cli/report.js');
  process.exit(await runReportCli(process.argv.slice(3)));
}

// medsign-cloud backup --out FILE | restore --from FILE [--data-dir D] [--force] (issue 7): exit 0 done, 1 failed, 2 usage/refused
if (process.argv[2] === 'backup' || process.argv[2] === 'restore') {
  const { runBackupCli } = await import('./cli/backup.js');
  process.exit(await runBackupCli(process.argv.slice(2)));
}

try {
  const config = loadConfig({ argv: process.argv.slice(2) });
  // in the source tree, serve the phone's H5 app (npm run build:h5 -w @medsign/mobile) at /m/
  const workspaceH5 = fileURLToPath(new URL('../../mobile/dist/h5', import.meta.url));
  if (!config.h5Dir && existsSync(`${workspaceH5}/index.html`)) config.h5Dir = workspaceH5;
  const cloud = await startCloud(config);
  process.stdout.write(`MedSign 云端服务已启动 (cloud started): ${cloud.url}  data: ${config.dataDir}\n`);
  if (config.h5Dir) process.stdout.write(`手机 H5 应用 (phone H5 app): ${cloud.url}/m/\n`);
  if (cloud.generatedAdminPassword) {
    // printed once, on the first start only; set MEDSIGN_ADMIN_PASSWORD to choose it instead
    process.stdout.write(`初始管理员 (initial administrator): admin / ${cloud.generatedAdminPassword}\n请立即记录，此密码不会再次显示 (write it down: it is not shown again)\n`);
  }
  const stop = () => void cloud.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (err) {
  process.stderr.write(`错误 Error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
