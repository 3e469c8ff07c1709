import { nodeRuntime } from '../src/runtime/node.js';
import { portableRuntime } from '../src/runtime/portable.js';
import type { Runtime } from '../src/runtime/types.js';

/** Both runtimes behind the seam; tests that touch arithmetic or hashing run on each. */
export const RUNTIMES: ReadonlyArray<readonly [string, Runtime]> = [
  ['node', nodeRuntime],
  ['portable', portableRuntime],
];
