/**
 * medsign-agent [flags]          start the agent on 127.0.0.1:17990
 * medsign-agent doctor [flags]   check the configuration, the cloud, the clock, the port and the credential
 * medsign-agent --version
 */
import { loadConfig } from './config.js';
import { AGENT_VERSION } from './context.js';
import { formatChecks, runDoctor } from './doctor.js';
import { startAgent } from './agent.js';

const USAGE = `医签助手 MedSign Agent ${AGENT_VERSION}

用法 usage:
  medsign-agent [flags]          启动 start (127.0.0.1:17990)
  medsign-agent doctor [flags]   自检 check configuration, cloud, clock, port, credential

flags (also a JSON file via --config, or MEDSIGN_* environment variables):
  --config FILE                  JSON configuration file
  --port N                       default 17990
  --cloud URL                    cloud URL; repeat for standbys (primary first)
  --registration-token TOKEN     one-time token from an administrator (first start)
  --allowed-origin ORIGIN        a browser origin allowed to call; repeat
  --data-dir DIR                 default ./data/agent
  --log-level LEVEL              fatal|error|warn|info|debug|silent
  --workstation NAME             shown on the doctor's phone (default: host name)
  --deferred-signing MODE        off|per-call|auto (补签)
  --credential CRED              a credential issued elsewhere (else the stored one)
  --health-interval-ms N         cloud health-check interval (default 1000)
  --max-body-bytes N             request size limit (default 33554432)
  --max-batch N                  items per signBatch (default 1000)
  --rate-limit N                 requests per minute per origin (default 6000)
`;

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (argv.includes('--version')) {
    process.stdout.write(`${AGENT_VERSION}\n`);
    return 0;
  }
  const doctor = argv[0] === 'doctor';
  const config = loadConfig({ argv: doctor ? argv.slice(1) : argv });
  if (doctor) {
    const checks = await runDoctor(config);
    process.stdout.write(formatChecks(checks) + '\n');
    return checks.every((c) => c.ok) ? 0 : 1;
  }
  const agent = await startAgent(config);
  process.stderr.write(`医签助手已启动 MedSign agent listening on ${agent.url}  (状态页 status: ${agent.url}/)\n`);
  await new Promise<void>((resolve) => {
    for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => resolve());
  });
  await agent.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
