import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nodeRuntime } from '../src/runtime/node.js';
import { N, Sm2Point } from '../src/sm2/curve.js';
import { invN, modN } from '../src/sm2/scalar.js';
import { RUNTIMES } from './runtimes.js';

const rnd = () => (BigInt('0x' + randomBytes(32).toString('hex')) % (N - 1n)) + 1n;

describe('SM2 point arithmetic backends', () => {
  it('the Node runtime uses the sm2_ec addon (built by npm install)', () => {
    expect(nodeRuntime.sm2.backend).toBe('openssl-addon');
  });

  it('all backends agree with noble on k·G and x(a·G + b·P)', () => {
    for (let i = 0; i < 20; i++) {
      const k = rnd();
      const a = rnd();
      const b = rnd();
      const P = Sm2Point.BASE.multiply(rnd());
      const expectedBase = Sm2Point.BASE.multiply(k);
      const expectedX = Sm2Point.BASE.multiply(a).add(P.multiply(b)).toAffine().x;
      for (const [name, rt] of RUNTIMES) {
        expect(rt.sm2.mulBase(k).equals(expectedBase), name).toBe(true);
        expect(rt.sm2.mulAddX(a, b, P), name).toBe(expectedX);
      }
    }
  });

  it('all backends return null when a·G + b·P is the identity', () => {
    const a = rnd();
    const b = rnd();
    // P = −(a/b)·G makes a·G + b·P = O
    const Pb = Sm2Point.BASE.multiply(modN(-a * invN(b)));
    for (const [name, rt] of RUNTIMES) expect(rt.sm2.mulAddX(a, b, Pb), name).toBeNull();
  });
});
