import { medsignError } from './errors.js';
import { runtime } from './runtime/current.js';
import type { HashAlgorithm, Hasher } from './runtime/types.js';

export type { HashAlgorithm, Hasher };

export const HASH_ALGORITHMS: readonly HashAlgorithm[] = ['sm3', 'sha256', 'sha1'];

/** Output length in bytes of each supported hash. */
export const HASH_LENGTH: Readonly<Record<HashAlgorithm, number>> = { sm3: 32, sha256: 32, sha1: 20 };

export function assertHashAlgorithm(value: unknown): asserts value is HashAlgorithm {
  if (typeof value !== 'string' || !(HASH_ALGORITHMS as readonly string[]).includes(value)) {
    throw medsignError('ALGORITHM_UNSUPPORTED', { en: `hash must be one of ${HASH_ALGORITHMS.join(', ')}` });
  }
}

export function createHasher(algorithm: HashAlgorithm): Hasher {
  return runtime().createHasher(algorithm);
}

export function hash(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array {
  return runtime().createHasher(algorithm).update(data).digest();
}

export const sm3 = (data: Uint8Array): Uint8Array => hash('sm3', data);
export const sha256 = (data: Uint8Array): Uint8Array => hash('sha256', data);
