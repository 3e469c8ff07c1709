import { nodeEcdhRuntime, nodeRuntime } from '../src/runtime/node.js';
import { portableRuntime } from '../src/runtime/portable.js';
import type { Runtime } from '../src/runtime/types.js';

/** Every implementation behind the runtime seam; tests that touch arithmetic or hashing run on each. */
export const RUNTIMES: ReadonlyArray<readonly [string, Runtime]> = [
  [`node (${nodeRuntime.sm2.backend})`, nodeRuntime],
  ['node (openssl-ecdh)', nodeEcdhRuntime],
  ['portable (noble)', portableRuntime],
];
