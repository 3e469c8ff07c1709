/** The SDK's types are generated from the agent's registry: this fails when they drift. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { methodCatalogue } from '../../agent/src/agent.js';
import { generate } from '../scripts/gen-api.js';
import { METHODS } from '../src/index.js';

it('api.generated.ts is what the agent’s registry generates now (run npm run gen -w @medsign/sdk)', () => {
  const file = readFileSync(fileURLToPath(new URL('../src/api.generated.ts', import.meta.url)), 'utf8');
  expect(file).toBe(generate());
  expect([...METHODS].sort()).toEqual(methodCatalogue().map((m) => m.name).sort());
});
