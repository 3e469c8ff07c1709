import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const JARS = ['bcprov', 'bcpkix', 'bcutil'].map((j) => `/usr/share/java/${j}.jar`).join(':');

/** BouncyCastle (Debian's jars) as an independent verifier; see test/bc/BcVerify.java. */
export class BouncyCastle {
  private readonly dir = mkdtempSync(join(tmpdir(), 'medsign-bc-'));
  private counter = 0;

  constructor() {
    const src = fileURLToPath(new URL('./bc/BcVerify.java', import.meta.url));
    const r = spawnSync('javac', ['-cp', JARS, '-d', this.dir, src], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`javac BcVerify failed: ${r.stderr}`);
  }

  private file(data: Uint8Array): string {
    const p = join(this.dir, `in-${++this.counter}.der`);
    writeFileSync(p, data);
    return p;
  }

  run(mode: 'cms' | 'cert' | 'tsp', ...inputs: Uint8Array[]): { ok: boolean; out: string } {
    const r = spawnSync('java', ['-cp', `${JARS}:${this.dir}`, 'BcVerify', mode, ...inputs.map((i) => this.file(i))], { encoding: 'utf8' });
    return { ok: r.status === 0 && r.stdout.startsWith('OK'), out: (r.stdout + r.stderr).trim() };
  }
}
