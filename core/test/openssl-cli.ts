import { spawnSync } from 'node:child_process';
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

  /** Returns { ok, out }: ok is exit status 0; out is stdout followed by stderr. */
  run(args: string[], input?: Uint8Array): { ok: boolean; out: string } {
    const r = spawnSync('openssl', args, { cwd: this.dir, input, stdio: ['pipe', 'pipe', 'pipe'] });
    return { ok: r.status === 0, out: `${r.stdout?.toString() ?? ''}${r.stderr?.toString() ?? ''}` };
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
