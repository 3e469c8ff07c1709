import { portableRuntime } from './portable.js';
import type { Runtime } from './types.js';

let current: Runtime = portableRuntime;

/** The runtime in use. The package entry installs node:crypto in Node; browsers keep the portable one. */
export function runtime(): Runtime {
  return current;
}

/** Switch runtime (entries do this once; tests use it to run the same code on both). */
export function useRuntime(next: Runtime): void {
  current = next;
}
