/**
 * bindings/powerbuilder/n_medsign.sru: PowerBuilder cannot run here, so these are static checks
 * of the exported source against the C header and PowerScript's documented rules (see
 * ../README.md for the review):
 *  - it is the generator's output for the current header, ASCII, CRLF, in the export layout
 *    ($PBExportHeader$, forward, global type, type prototypes, type variables, forward
 *    prototypes, the functions, create/destroy);
 *  - every external function matches its C prototype: const char * -> string, char * -> ref
 *    string, long -> long, long * -> ref long, unsigned long -> ulong; every alias is
 *    `alias for "<export>;Ansi"` (the A export); the W ones have no alias;
 *  - the constants have the header's values; names are within 40 characters and not reserved;
 *  - each of_* function is prototyped and implemented once, calls the externals with their
 *    number of arguments, and fills each ref string with Space() before the call.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate } from '../../gen-declarations.js';
import { CONSTANTS, HEADER, NARROW, ROOT, WIDE } from '../../delphi/test/c-header.js';

const SRU = readFileSync(`${ROOT}bindings/powerbuilder/n_medsign.sru`, 'utf8');
const LINES = SRU.split('\r\n');

// PowerScript reserved words (PowerScript Reference, "Reserved words") and a few built-in
// functions a parameter should not shadow
const PB_RESERVED = new Set(
  `alias and autoinstantiate call case catch choose close commit connect constant continue create cursor declare delete describe descriptor destroy disconnect do dynamic else elseif end enumerated event execute exit external false fetch finally first for forward from function global goto halt if immediate indirect insert into intrinsic is last library loop namespace native next not of on open or parent post prepare prior private privateread privatewrite procedure protected protectedread protectedwrite prototypes public readonly ref return rollback rpcfunc select selectblob shared static step subroutine super system systemread systemwrite then this throw throws to trigger true try type until update updateblob using variables while with within xor _debug len space left right`.split(' '),
);

const section = (start: string, end: string) => {
  const a = LINES.indexOf(start);
  const b = LINES.indexOf(end, a + 1);
  expect(a, start).toBeGreaterThanOrEqual(0);
  expect(b, end).toBeGreaterThan(a);
  return LINES.slice(a + 1, b);
};

interface Proto {
  name: string;
  params: string[];
  alias?: string;
}
const PROTOS = new Map<string, Proto>();
for (const l of section('type prototypes', 'end prototypes')) {
  const m = /^function ulong (\w+) \((.*)\) library "medsign\.dll"(?: alias for "(\w+);Ansi")?$/.exec(l);
  if (!m) throw new Error(`not an external function declaration of the expected form: ${l}`);
  PROTOS.set(m[1]!.toLowerCase(), { name: m[1]!, params: m[2] ? m[2].split(', ') : [], ...(m[3] ? { alias: m[3] } : {}) });
}

describe('n_medsign.sru (PowerBuilder)', () => {
  it('is the generator output for the current header, ASCII with CRLF, in the export layout', () => {
    expect(SRU).toBe(generate(HEADER)['bindings/powerbuilder/n_medsign.sru']);
    expect(LINES[0]).toBe('$PBExportHeader$n_medsign.sru');
    expect(LINES[1]).toMatch(/^\$PBExportComments\$generated from native\/include\/medsign\.h by bindings\/gen-declarations\.ts -- do not edit$/);
    expect(/^[\x09\x0d\x0a\x20-\x7e]*$/.test(SRU)).toBe(true);
    expect(SRU.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const order = [
      'forward',
      'global type n_medsign from nonvisualobject',
      'end forward',
      'global type n_medsign from nonvisualobject',
      'global n_medsign n_medsign',
      'type prototypes',
      'end prototypes',
      'type variables',
      'end variables',
      'forward prototypes',
      'end prototypes',
      'on n_medsign.create',
      'on n_medsign.destroy',
    ];
    let at = 0;
    for (const l of order) {
      const i = LINES.indexOf(l, at);
      expect(i, l).toBeGreaterThanOrEqual(at);
      at = i + 1;
    }
  });

  it('declares the A (;Ansi) and W exports with the types of the C prototypes', () => {
    // every "alias for" in the file carries ;Ansi
    const aliases = SRU.match(/alias for "[^"]*"/gi) ?? [];
    expect(aliases.length).toBe(NARROW.length);
    for (const a of aliases) expect(a).toMatch(/^alias for "\w+;Ansi"$/);
    expect(PROTOS.size).toBe(NARROW.length + WIDE.length);
    const pb = (t: string) =>
      ({ 'const char *': 'string', 'const wchar_t *': 'string', 'char *': 'ref string', 'wchar_t *': 'ref string', long: 'long', 'long *': 'ref long' })[t] ?? `? ${t}`;
    for (const e of [...NARROW, ...WIDE]) {
      const p = PROTOS.get(e.name.toLowerCase());
      expect(p, e.name).toBeDefined();
      // the unsuffixed export is the A variant: ;Ansi makes PowerBuilder pass code-page strings;
      // W takes PowerBuilder 10+'s own UTF-16 strings, so no alias
      expect(p!.alias, e.name).toBe(e.name.endsWith('W') ? undefined : e.name);
      expect(p!.params.map((x) => x.replace(/ \w+$/, '')), e.name).toEqual(e.params.map((x) => pb(x.type)));
      for (const x of p!.params) expect(PB_RESERVED.has(/(\w+)$/.exec(x)![1]!.toLowerCase()), `${e.name}: ${x}`).toBe(false);
      expect(e.name.length).toBeLessThanOrEqual(40);
    }
  });

  it('has every constant with the header value (decimal: PowerScript has no hex literals)', () => {
    const got = new Map<string, number>();
    for (const l of section('type variables', 'end variables')) {
      const m = /^constant (ulong|long) (\w+) = (\d+)(?: \/\/ (0x[0-9A-F]{8})?.*)?$/.exec(l);
      if (!m) continue;
      got.set(m[2]!, Number(m[3]));
      if (m[4]) expect(parseInt(m[4], 16), m[2]).toBe(Number(m[3]));
      if (m[2]!.startsWith('SOR_')) expect(m[1], m[2]).toBe('ulong');
    }
    expect([...got.keys()].sort()).toEqual([...CONSTANTS.keys()].sort());
    for (const [k, v] of CONSTANTS) expect(got.get(k), k).toBe(v);
  });

  it('implements every prototyped of_* function once; calls match the externals; ref strings are sized with Space first', () => {
    const forward = section('forward prototypes', 'end prototypes');
    expect(forward.length).toBeGreaterThan(20);
    const bodies = [...SRU.matchAll(/^public function (\w+) (\w+) \(([^)]*)\);[^\r]*\r\n([\s\S]*?)^end function\r$/gm)];
    expect(bodies.length).toBe(forward.length);
    expect((SRU.match(/^end function\r$/gm) ?? []).length).toBe(forward.length);
    for (const f of forward) {
      const m = /^public function (\w+) (\w+) \((.*)\)$/.exec(f)!;
      expect(m, f).not.toBeNull();
      expect(m[2]!.length).toBeLessThanOrEqual(40);
      const impl = bodies.filter((b) => b[2] === m[2]);
      expect(impl, m[2]).toHaveLength(1);
      expect(`${impl[0]![1]} ${impl[0]![3]}`).toBe(`${m[1]} ${m[3]}`);
      for (const a of m[3] ? m[3].split(', ') : []) expect(PB_RESERVED.has(/(\w+)$/.exec(a)![1]!.toLowerCase()), a).toBe(false);
    }
    for (const b of bodies) {
      const body = b[4]!;
      const declared = new Map<string, string>();
      for (const a of b[3] ? b[3].split(', ') : []) {
        const x = /^(ref )?(\w+) (\w+)$/.exec(a)!;
        declared.set(x[3]!.toLowerCase(), `${x[1] ?? ''}${x[2]}`);
      }
      for (const d of body.matchAll(/^(string|long|ulong|integer) (\w+)\r$/gm)) declared.set(d[2]!.toLowerCase(), d[1]!);
      for (const c of body.matchAll(/\b((?:SOF|MS)_\w+)\(([^()]*)\)/g)) {
        const p = PROTOS.get(c[1]!.toLowerCase());
        expect(p, `${b[2]} calls ${c[1]}`).toBeDefined();
        const args = c[2]!.trim() ? c[2]!.split(',').map((s) => s.trim()) : [];
        expect(args.length, `${b[2]} -> ${c[1]}`).toBe(p!.params.length);
        p!.params.forEach((param, i) => {
          const arg = args[i]!;
          const type = param.replace(/ \w+$/, '');
          const have = declared.get(arg.toLowerCase()) ?? '';
          if (type.startsWith('ref ')) {
            // a variable of that type (a literal cannot be passed by reference)
            expect(have.replace(/^ref /, ''), `${b[2]}: ${arg} for ${param}`).toBe(type.slice(4));
            if (type === 'ref string') expect(body.slice(0, body.indexOf(c[0]!)), `${b[2]}: ${arg} = Space(...) before ${c[1]}`).toMatch(new RegExp(`${arg} = Space\\(`));
          } else {
            expect(have.replace(/^ref /, ''), `${b[2]}: ${arg} for ${param}`).toBe(type);
          }
        });
      }
    }
  });

  it('has a wrapper for every A and string-less function', () => {
    const names = new Set([...SRU.matchAll(/^public function \w+ (of_\w+) \(/gm)].map((m) => m[1]!));
    const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
    for (const e of NARROW) {
      if (e.name === 'SOF_GetLastError' || e.name === 'SOF_GetLastErrMsg') continue;
      const of = `of_${snake(e.name.replace(/^(SOF|MS)_/, ''))}`;
      expect(names.has(of), of).toBe(true);
    }
    expect(names.has('of_last_error') && names.has('of_last_message')).toBe(true);
  });
});
