import { spawn, spawnSync } from 'node:child_process';
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

  /**
   * Like run(), without blocking the event loop: needed when openssl talks to a server running
   * in this same process (spawnSync would deadlock it).
   */
  runAsync(args: string[]): Promise<{ ok: boolean; out: string }> {
    return new Promise((resolve) => {
      const child = spawn('openssl', args, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ ok: code === 0, out: out + err });
      });
    });
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
