/**
 * Maven and the JDK from the vitest side, for bindings/java and examples/his-java: a clear error
 * when they are missing, and the surefire XML reports summed up.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../../native/test/live-stack.js';

/** Throws with what to install when `mvn` or `java` is not on the PATH. */
export async function requireMavenAndJava(): Promise<void> {
  const missing: string[] = [];
  const java = await run('java', ['-version']).catch(() => undefined);
  if (!java || java.code !== 0) missing.push('java (a JDK 8 or later; Debian: apt install default-jdk-headless)');
  const mvn = await run('mvn', ['-v']).catch(() => undefined);
  if (!mvn || mvn.code !== 0) missing.push('mvn (Apache Maven 3.6+; Debian: apt install maven)');
  if (missing.length) throw new Error(`bindings/java needs ${missing.join(' and ')}: not found on the PATH`);
}

/** `mvn -B -q …`; fails with Maven's output when it exits non-zero. */
export async function mvn(args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}) {
  const r = await run('mvn', ['-B', '-q', ...args], { timeoutMs: opts.timeoutMs ?? 240_000, env: opts.env });
  return { ...r, ok: r.code === 0, log: `mvn ${args.join(' ')} exited ${r.code}\n${r.out}\n${r.err}` };
}

export interface SurefireTotals {
  files: number;
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  testcases: string[];
}

/** The totals of every TEST-*.xml in a surefire-reports directory. */
export function surefireTotals(dir: string): SurefireTotals {
  const t: SurefireTotals = { files: 0, tests: 0, failures: 0, errors: 0, skipped: 0, testcases: [] };
  if (!existsSync(dir)) return t;
  for (const f of readdirSync(dir).filter((n) => /^TEST-.*\.xml$/.test(n))) {
    const xml = readFileSync(join(dir, f), 'utf8');
    const suite = /<testsuite\b[^>]*>/.exec(xml)?.[0] ?? '';
    const attr = (name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suite)?.[1] ?? NaN);
    t.files++;
    t.tests += attr('tests');
    t.failures += attr('failures');
    t.errors += attr('errors');
    t.skipped += attr('skipped');
    for (const m of xml.matchAll(/<testcase\b[^>]*\bname="([^"]+)"[^>]*\bclassname="([^"]+)"/g)) t.testcases.push(`${m[2]}.${m[1]}`);
  }
  return t;
}

/** How many @Test methods the Java sources declare. */
export function countJavaTests(dir: string): number {
  let n = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.java')) n += (readFileSync(join(d, e.name), 'utf8').match(/^\s*@Test\b/gm) ?? []).length;
    }
  };
  walk(dir);
  return n;
}
