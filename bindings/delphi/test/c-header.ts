/**
 * The tests' own reading of native/include/medsign.h, kept apart from the generator's parser so
 * that a generator bug cannot hide itself: the exports with their C parameter types, and the
 * SOR_/SGD_/MS_ constants with their values. Shared by the Delphi, VB6 and PowerBuilder tests.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const HEADER = readFileSync(`${ROOT}native/include/medsign.h`, 'utf8');

export interface CParam {
  /** normalised C type: "const char *", "char *", "const wchar_t *", "wchar_t *", "long", "long *" */
  type: string;
  name: string;
}
export interface CExport {
  name: string;
  params: CParam[];
}

export const EXPORTS: CExport[] = [...HEADER.matchAll(/^MS_API\s+unsigned long\s+MS_CALL\s+(\w+)\s*\(([^)]*)\)\s*;/gm)].map((m) => ({
  name: m[1]!,
  params:
    m[2]!.trim() === 'void'
      ? []
      : m[2]!.split(',').map((p) => {
          const t = p.trim();
          const name = /(\w+)$/.exec(t)![1]!;
          const type = t.slice(0, -name.length).replace(/\s*\*\s*/g, ' *').replace(/\s+/g, ' ').trim();
          return { type, name };
        }),
}));

/** name -> value, aliases (MS_BUFFER_TOO_SMALL SOR_MemoryErr) resolved */
export const CONSTANTS = new Map<string, number>();
for (const m of HEADER.matchAll(/^#define\s+((?:SOR|SGD|MS)_\w+)\s+(\w+)/gm)) {
  const raw = m[2]!;
  const v = /^0x/i.test(raw) ? parseInt(raw.replace(/[UL]+$/i, ''), 16) : /^\d/.test(raw) ? parseInt(raw, 10) : CONSTANTS.get(raw);
  if (v === undefined) throw new Error(`the test cannot read ${m[1]} = ${raw}`);
  CONSTANTS.set(m[1]!, v);
}

const names = new Set(EXPORTS.map((e) => e.name));
/** SOF_SignDataA / SOF_SignDataW: a variant of an unsuffixed export */
export const isA = (n: string) => n.endsWith('A') && names.has(n.slice(0, -1));
export const isW = (n: string) => n.endsWith('W') && names.has(n.slice(0, -1));
/** the unsuffixed exports (= A) and those without strings */
export const NARROW = EXPORTS.filter((e) => !isA(e.name) && !isW(e.name));
export const WIDE = EXPORTS.filter((e) => isW(e.name));

/** sanity: the header the tests read is the one the bindings are about */
if (EXPORTS.length < 60 || !names.has('SOF_SignData') || CONSTANTS.get('SOR_NotInitializeErr') !== 0x0b000011) {
  throw new Error('native/include/medsign.h does not look like the libmedsign header');
}
