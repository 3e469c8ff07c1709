/**
 * bindings/vb6: VB6 cannot run here, so these are static checks against the C header and the
 * COM IDL — each of them fails if the generator or a hand edit gets a declaration wrong:
 *  - MedSign.bas is the generator's output for the current header;
 *  - every Declare matches its C prototype: const char * and char * are `ByVal … As String`
 *    (VB6 passes an ANSI copy and copies it back), long is `ByVal … As Long`, long * is
 *    `ByRef … As Long`; W pointers are `ByVal … As Long` (StrPtr); the A functions go through
 *    `Alias "…A"`; every export of the header is named;
 *  - the constants have the header's values; the helpers call each Declare with its number of
 *    arguments and allocate output buffers before the call;
 *  - com-sample.vbs only calls methods of the MedSign.SOF IDL, with their number of arguments.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate } from '../../gen-declarations.js';
import { CONSTANTS, EXPORTS, HEADER, NARROW, ROOT, WIDE, isA, isW } from '../../delphi/test/c-header.js';

const BAS = readFileSync(`${ROOT}bindings/vb6/MedSign.bas`, 'utf8');
const LINES = BAS.split('\r\n');

// VB6 keywords and statement names that cannot be parameter names
const VB_RESERVED = new Set(
  `and any as binary boolean byref byte byval call case close const currency date debug declare dim do double each else elseif empty end enum eqv erase error event exit false for friend function get global gosub goto if imp implements in input integer is len let lib like line lock long loop lset me mod name new next not nothing null object on open option optional or output paramarray preserve print private property public put raiseevent random read redim rem resume return rset seek select set shared single static step stop string sub then to true type typeof unlock until variant wend while with withevents write xor`.split(' '),
);

interface Declare {
  name: string;
  alias?: string;
  params: string[];
}
const DECLARES: Declare[] = [];
for (const l of LINES) {
  if (!/^Public Declare /.test(l)) continue;
  const m = /^Public Declare Function (\w+) Lib "medsign\.dll"(?: Alias "(\w+)")? \((.*)\) As Long$/.exec(l);
  expect(m, l).not.toBeNull();
  DECLARES.push({ name: m![1]!, ...(m![2] ? { alias: m![2] } : {}), params: m![3] ? m![3].split(', ') : [] });
}

describe('MedSign.bas (VB6)', () => {
  it('is the generator output for the current header; VB_Name first, then the notice; ASCII, CRLF, lines under 1024', () => {
    expect(BAS).toBe(generate(HEADER)['bindings/vb6/MedSign.bas']);
    // VB6 wants the Attribute line first; the "generated" notice is the first comment
    expect(LINES[0]).toBe('Attribute VB_Name = "MedSign"');
    expect(LINES[1]).toMatch(/^' generated from native\/include\/medsign\.h by bindings\/gen-declarations\.ts -- do not edit/);
    expect(/^[\x09\x0d\x0a\x20-\x7e]*$/.test(BAS)).toBe(true);
    expect(BAS.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const l of LINES) expect(l.length).toBeLessThan(1024);
    expect(LINES).toContain('Option Explicit');
  });

  it('declares every export with VB6 types that match the C prototype', () => {
    const byTarget = new Map(DECLARES.map((d) => [d.alias ?? d.name, d]));
    expect(new Set(DECLARES.map((d) => d.name.toLowerCase())).size).toBe(DECLARES.length);
    for (const e of EXPORTS) {
      if (isA(e.name)) {
        // the A export is reached through the unsuffixed name's Alias
        const d = byTarget.get(e.name);
        expect(d?.name, e.name).toBe(e.name.slice(0, -1));
        continue;
      }
      const d = DECLARES.find((x) => x.name === e.name);
      expect(d, e.name).toBeDefined();
      const ansi = !isW(e.name) && e.params.some((p) => p.type.includes('char'));
      expect(d!.alias, e.name).toBe(ansi ? `${e.name}A` : undefined);
      expect(d!.params).toHaveLength(e.params.length);
      e.params.forEach((p, i) => {
        const vb = d!.params[i]!;
        const m = /^(ByVal|ByRef) (\w+) As (String|Long)$/.exec(vb);
        expect(m, `${e.name}: ${vb}`).not.toBeNull();
        expect(VB_RESERVED.has(m![2]!.toLowerCase()), `${e.name}: parameter name ${m![2]}`).toBe(false);
        const want =
          p.type === 'const char *' || p.type === 'char *'
            ? 'ByVal String'
            : p.type === 'const wchar_t *' || p.type === 'wchar_t *'
              ? 'ByVal Long' // StrPtr(s)
              : p.type === 'long'
                ? 'ByVal Long'
                : p.type === 'long *'
                  ? 'ByRef Long'
                  : `? ${p.type}`;
        expect(`${m![1]} ${m![3]}`, `${e.name} parameter ${p.name} (${p.type})`).toBe(want);
      });
    }
    expect(DECLARES).toHaveLength(NARROW.length + WIDE.length);
  });

  it('has every constant with the header value (&H hex)', () => {
    const got = new Map<string, number>();
    for (const l of LINES) {
      const m = /^Public Const (\w+) As Long = (&H[0-9A-F]+|\d+|\w+)(?: '.*)?$/.exec(l);
      if (!m) continue;
      const raw = m[2]!;
      got.set(m[1]!, raw.startsWith('&H') ? parseInt(raw.slice(2), 16) : /^\d/.test(raw) ? Number(raw) : got.get(raw)!);
    }
    expect([...got.keys()].sort()).toEqual([...CONSTANTS.keys()].sort());
    for (const [k, v] of CONSTANTS) expect(got.get(k), k).toBe(v);
    // a hex literal of more than 4 digits is a Long in VB6; 0xFFFF and below would be an Integer
    for (const l of LINES) if (/^Public Const .* = &H/.test(l)) expect(/&H([0-9A-F]+)/.exec(l)![1]!.length).toBe(8);
  });

  it('has a helper for every A function, calling the Declares with their argument counts and allocating before the call', () => {
    const bodies = [...BAS.matchAll(/^(?:Public|Private) (?:Function|Sub) (\w+)\(([^)]*)\)[^\r]*\r\n([\s\S]*?)^End (?:Function|Sub)/gm)];
    const helpers = new Map(bodies.map((b) => [b[1]!, b[3]!]));
    const arity = new Map(DECLARES.map((d) => [d.name, d.params.length]));
    for (const e of NARROW) {
      if (e.name === 'SOF_GetLastError' || e.name === 'SOF_GetLastErrMsg') continue;
      const h = `Ms${e.name.replace(/^(SOF|MS)_/, '')}`;
      expect(helpers.has(h), h).toBe(true);
      expect(helpers.get(h)!).toContain(`${e.name}(`);
    }
    for (const [name, body] of helpers) {
      for (const c of body.matchAll(/\b((?:SOF|MS)_\w+)\(([^()]*)\)/g)) {
        expect(arity.get(c[1]!), `${name} calls ${c[1]}`).toBe(c[2]!.trim() === '' ? 0 : c[2]!.split(',').length);
        if (/outBuf As String/.test(DECLARES.find((d) => d.name === c[1])!.params.join())) {
          // the ANSI copy VB6 makes must already have the room: String$ first, retry when too small
          const at = body.indexOf(c[0]!);
          expect(body.slice(0, at), name).toMatch(/buf = String\$\(n, vbNullChar\)/);
          expect(body, name).toMatch(/Loop While rc = MS_BUFFER_TOO_SMALL And tries < 3/);
        }
      }
    }
  });
});

describe('com-sample.vbs', () => {
  const vbs = readFileSync(`${ROOT}bindings/vb6/com-sample.vbs`, 'utf8');
  const idl = readFileSync(`${ROOT}native/com/medsign_com.idl`, 'utf8');
  const methods = new Map<string, number>();
  for (const m of idl.matchAll(/HRESULT (\w+)\(([^)]*)\);/g)) methods.set(m[1]!, (m[2]!.match(/\[in\]/g) ?? []).length);

  it('creates MedSign.SOF and calls only IDL methods, with the IDL number of [in] arguments', () => {
    expect(methods.size).toBeGreaterThan(20);
    expect(vbs).toMatch(/CreateObject\("MedSign\.SOF"\)/);
    expect(vbs).toMatch(/WScript\.Arguments\(0\)/);
    const calls = [...vbs.matchAll(/\bsof\.(\w+)(?:\(([^()]*)\))?/g)];
    const called = new Set(calls.map((c) => c[1]!));
    for (const m of ['SOF_GetVersion', 'SOF_GetUserList', 'SOF_SignData', 'SOF_GetLastError']) expect(called.has(m), m).toBe(true);
    for (const c of calls) {
      expect(methods.has(c[1]!), `${c[1]} is not a method of IMedSignSOF`).toBe(true);
      const n = c[2] === undefined || c[2].trim() === '' ? 0 : c[2].split(',').length;
      expect(n, c[0]).toBe(methods.get(c[1]!));
    }
    // ASCII: cscript reads a script without a BOM in the ANSI code page
    expect(/^[\x09\x0d\x0a\x20-\x7e]*$/.test(vbs)).toBe(true);
  });
});
