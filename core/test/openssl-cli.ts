import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Run the `openssl` CLI (an independent verifier) in a scratch directory. */
export class OpensslCli {
  readonly dir = mkdtempSync(join(tmpdir(), 'medsign-openssl-'));

  write(name: string, data: Uint8Array | string): string {
    const path = join(this.dir, name);
    writeFileSync(path, data);
    return path;
  }

  read(name: string): Uint8Array {
    return new Uint8Array(readFileSync(join(this.dir, name)));
  }

  /** Returns { ok, out }: ok is the exit status 0; out is stdout+stderr text. */
  run(args: string[]): { ok: boolean; out: string } {
    try {
      const out = execFileSync('openssl', args, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
      return { ok: true, out };
    } catch (err) {
      const e = err as { stdout?: Buffer; stderr?: Buffer };
      return { ok: false, out: `${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}` };
    }
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
