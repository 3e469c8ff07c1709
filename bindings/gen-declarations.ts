/**
 * Generates the Delphi unit, the VB6 module and the PowerBuilder object from the C header, so
 * the declarations cannot drift from libmedsign:
 *
 *   npx tsx bindings/gen-declarations.ts          write the three files
 *   npx tsx bindings/gen-declarations.ts --check  exit 1 if a committed file differs
 *
 * Input: every `MS_API unsigned long MS_CALL Name(params);` line of native/include/medsign.h
 * and its `#define SOR_* / SGD_* / MS_*` constants. A header line this script does not
 * understand is an error, not a silent omission.
 *
 * The generated files are ASCII only: VB6, PowerBuilder and Delphi 7 read source files in the
 * machine's ANSI code page, so a Chinese literal would turn into mojibake on a machine with
 * another code page. The Chinese (and English) text users see comes from the library itself
 * (SOF_GetLastErrMsg).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const HEADER_PATH = 'native/include/medsign.h';
export const NOTICE = `generated from ${HEADER_PATH} by bindings/gen-declarations.ts -- do not edit`;
/** Start size of the wrappers' output buffers; a larger result costs one more call, not another phone approval. */
export const DEFAULT_BUFFER = 8192;

/** The C parameter types the header uses. */
export type ParamKind =
  | 'in' // const char *
  | 'out' // char *
  | 'win' // const wchar_t *
  | 'wout' // wchar_t *
  | 'long' // long
  | 'longPtr'; // long *

export interface Param {
  kind: ParamKind;
  /** the C name */
  cName: string;
  /** the name in the bindings: C names that are keywords in Pascal, VB6 or PowerScript are renamed */
  name: string;
}

export type Variant = 'A' | 'W' | 'ansi' | 'plain';

export interface CFunction {
  name: string;
  params: Param[];
  /** A: ...A; W: ...W; ansi: the unsuffixed name (= A); plain: no string parameter */
  variant: Variant;
}

export interface Constant {
  name: string;
  value: number;
  /** how the header writes it: hex or decimal */
  hex: boolean;
  /** another constant's name when the header defines it as that constant */
  alias?: string;
  comment?: string;
}

export interface Header {
  functions: CFunction[];
  constants: Constant[];
}

const C_TYPES: Record<string, ParamKind> = {
  'const char *': 'in',
  'char *': 'out',
  'const wchar_t *': 'win',
  'wchar_t *': 'wout',
  long: 'long',
  'long *': 'longPtr',
};

// out: Pascal keyword; type: Pascal/VB6/PowerScript keyword; result: Delphi's function result;
// len: VB6 keyword (Len), PowerScript function
const RENAME: Record<string, string> = { out: 'outBuf', type: 'infoType', result: 'validity', len: 'numBytes' };

export function parseHeader(text: string): Header {
  const functions: CFunction[] = [];
  const constants: Constant[] = [];
  const lines = text.split(/\r?\n/);
  for (const line of lines) {
    if (line.startsWith('MS_API ')) {
      const m = /^MS_API unsigned long MS_CALL (\w+)\((.*)\);/.exec(line);
      if (!m) throw new Error(`gen-declarations: cannot read this export of ${HEADER_PATH}:\n  ${line}`);
      const params: Param[] = [];
      if (m[2]!.trim() !== 'void') {
        for (const p of m[2]!.split(',')) {
          const pm = /^\s*(.*?)\s*(\w+)\s*$/.exec(p.replace(/\*/g, ' * ').replace(/\s+/g, ' '));
          const ctype = pm?.[1]?.replace(/ \*/g, ' *').trim() ?? '';
          const kind = C_TYPES[ctype];
          if (!pm || !kind) throw new Error(`gen-declarations: parameter type "${ctype}" of ${m[1]} is not supported (${p.trim()})`);
          params.push({ kind, cName: pm[2]!, name: RENAME[pm[2]!] ?? pm[2]! });
        }
      }
      functions.push({ name: m[1]!, params, variant: 'plain' });
      continue;
    }
    const d = /^#define\s+((?:SOR|SGD|MS)_\w+)\s+([^\s/]+)\s*(?:\/\*\s*(.*?)\s*\*\/)?\s*$/.exec(line);
    if (d) {
      const [, name, raw, comment] = d as unknown as [string, string, string, string | undefined];
      const num = /^(0x[0-9A-Fa-f]+|\d+)[UL]*$/.exec(raw);
      const ref = constants.find((c) => c.name === raw);
      if (num) constants.push({ name, value: Number(num[1]), hex: num[1]!.startsWith('0x'), ...(comment ? { comment } : {}) });
      else if (ref) constants.push({ name, value: ref.value, hex: ref.hex, alias: ref.name, ...(comment ? { comment } : {}) });
      else throw new Error(`gen-declarations: cannot read the value of ${name} (${raw})`);
    }
  }
  const names = new Set(functions.map((f) => f.name));
  for (const f of functions) {
    const base = f.name.slice(0, -1);
    const strings = f.params.some((p) => p.kind !== 'long' && p.kind !== 'longPtr');
    if (/[AW]$/.test(f.name) && names.has(base)) f.variant = f.name.endsWith('A') ? 'A' : 'W';
    else f.variant = strings ? 'ansi' : 'plain';
  }
  if (functions.length === 0) throw new Error(`gen-declarations: no MS_API function in ${HEADER_PATH}`);
  return { functions, constants };
}

// ---- what the wrappers do with a function ----

/** string: returns the (out, outLen) result; bool: a verification (SOR_VerifySignDataErr = False); long: returns its long *; call: nothing */
export type WrapperShape = 'string' | 'bool' | 'long' | 'call';

export interface Wrapped {
  fn: CFunction;
  shape: WrapperShape;
  /** SignData for SOF_SignData, SignBatch for MS_SignBatch */
  method: string;
  /** the inputs the wrapper takes (not out, outLen or the long * result) */
  inputs: Param[];
}

/** The wrappers cover the unsuffixed (A) and the string-less functions, except the error functions. */
export function wrapped(h: Header): Wrapped[] {
  const out: Wrapped[] = [];
  for (const fn of h.functions) {
    if (fn.variant !== 'ansi' && fn.variant !== 'plain') continue;
    if (fn.name === 'SOF_GetLastError' || fn.name === 'SOF_GetLastErrMsg') continue;
    const ps = fn.params;
    const last = ps[ps.length - 1];
    const prev = ps[ps.length - 2];
    let shape: WrapperShape = 'call';
    let inputs = ps;
    if (prev?.kind === 'out' && last?.kind === 'longPtr') {
      shape = 'string';
      inputs = ps.slice(0, -2);
    } else if (last?.kind === 'longPtr') {
      shape = 'long';
      inputs = ps.slice(0, -1);
    } else if (/^SOF_Verify/.test(fn.name)) shape = 'bool';
    if (inputs.some((p) => p.kind === 'out' || p.kind === 'longPtr')) throw new Error(`gen-declarations: no wrapper shape for ${fn.name}`);
    out.push({ fn, shape, method: fn.name.replace(/^(SOF|MS)_/, ''), inputs });
  }
  return out;
}

const hex8 = (v: number) => v.toString(16).toUpperCase().padStart(8, '0');
const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2').toLowerCase();
const sorCodes = (h: Header) => h.constants.filter((c) => c.name.startsWith('SOR_'));

// ---- Delphi / Free Pascal ----

function delphiType(p: Param): string {
  switch (p.kind) {
    case 'in':
    case 'out':
      return `${p.name}: PAnsiChar`;
    case 'win':
    case 'wout':
      return `${p.name}: PMSWideChar`;
    case 'long':
      return `${p.name}: MSLong`;
    case 'longPtr':
      return `var ${p.name}: MSLong`;
  }
}

export function delphiUnit(h: Header): string {
  const o: string[] = [];
  const w = (s = '') => o.push(s);
  w(`{ ${NOTICE}.`);
  w('  Regenerate: npx tsx bindings/gen-declarations.ts }');
  w('unit MedSign;');
  w();
  w('{ libmedsign, the MedSign GM/T 0020 (SOF) C library, for Delphi 7 and later and for Free Pascal');
  w('  (-Mdelphi). Every function returns an SOR code (SOR_OK = 0); outputs go to a caller buffer');
  w('  with an in/out length (MS_BUFFER_TOO_SMALL sets the size needed, NUL included). The');
  w('  unsuffixed names are the A variants: strings in the system code page (GBK on Chinese');
  w('  Windows, UTF-8 on Linux); the W variants take wchar_t (UTF-16 on Windows, UTF-32 elsewhere).');
  w('  TMedSign below wraps the A functions: buffers sized for you, EMedSign on failure.');
  w('  See bindings/delphi/README.md and native/README.md. }');
  w();
  w('{$IFDEF FPC}{$MODE DELPHI}{$H+}{$ENDIF}');
  w();
  w('interface');
  w();
  w('uses SysUtils;');
  w();
  w('const');
  w("  MEDSIGN_LIB = {$IFDEF MSWINDOWS}'medsign.dll'{$ELSE}'libmedsign.so'{$ENDIF};");
  w();
  w('type');
  w('  { C long: 32-bit on Windows (Win64 too), 64-bit on 64-bit Linux (LP64) }');
  w('  MSLong = {$IFDEF MSWINDOWS}Longint{$ELSE}{$IFDEF FPC}PtrInt{$ELSE}Longint{$ENDIF}{$ENDIF};');
  w('  MSULong = {$IFDEF MSWINDOWS}Longword{$ELSE}{$IFDEF FPC}PtrUInt{$ELSE}Longword{$ENDIF}{$ENDIF};');
  w('  { wchar_t: UTF-16 on Windows, UTF-32 elsewhere }');
  w('  PMSWideChar = {$IFDEF MSWINDOWS}PWideChar{$ELSE}PUCS4Char{$ENDIF};');
  w();
  w('const');
  for (const c of h.constants) {
    const v = c.alias ?? (c.hex ? `$${hex8(c.value)}` : String(c.value));
    w(`  ${c.name} = ${v};${c.comment ? ` { ${c.comment} }` : ''}`);
  }
  w();
  const cc = '{$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}';
  const groups: [Variant, string][] = [
    ['A', 'A variants: system code page'],
    ['W', 'W variants: wchar_t, lengths in wchar_t units'],
    ['ansi', 'unsuffixed names = the A variants'],
    ['plain', 'no strings'],
  ];
  for (const [variant, title] of groups) {
    w(`{ ---- ${title} ---- }`);
    for (const f of h.functions.filter((x) => x.variant === variant)) {
      const ps = f.params.length ? `(${f.params.map(delphiType).join('; ')})` : '';
      w(`function ${f.name}${ps}: MSULong; ${cc}; external MEDSIGN_LIB name '${f.name}';`);
    }
    w();
  }
  const ws = wrapped(h);
  const pasArgs = (x: Wrapped) =>
    x.inputs.length ? `(${x.inputs.map((p) => (p.kind === 'in' ? `const ${p.name}: AnsiString` : `${p.name}: Integer`)).join('; ')})` : '';
  const callArgs = (x: Wrapped, extra: string[]) =>
    [...x.inputs.map((p) => (p.kind === 'in' ? `PAnsiChar(${p.name})` : `MSLong(${p.name})`)), ...extra].join(', ');
  const header = (x: Wrapped, cls: string) => {
    const args = pasArgs(x);
    switch (x.shape) {
      case 'string':
        return `function ${cls}${x.method}${args}: AnsiString;`;
      case 'bool':
        return `function ${cls}${x.method}${args}: Boolean;`;
      case 'long':
        return `function ${cls}${x.method}${args}: Integer;`;
      case 'call':
        return `procedure ${cls}${x.method}${args};`;
    }
  };
  w('type');
  w('  { A failed call: Code is the SOR code, Message names the function and carries the');
  w("    library's message (Chinese, English in brackets). }");
  w('  EMedSign = class(Exception)');
  w('  private');
  w('    FCode: MSULong;');
  w('    FFunctionName: string;');
  w('  public');
  w('    constructor CreateCode(ACode: MSULong; const AFunctionName, ADetail: string);');
  w('    property Code: MSULong read FCode;');
  w('    property FunctionName: string read FFunctionName;');
  w('  end;');
  w();
  w('  { The A functions with the buffers handled: each output starts in a buffer of BufferSize');
  w('    bytes (0: ask for the size first); on MS_BUFFER_TOO_SMALL the same call is made again');
  w('    with the size the library asked for. The library keeps the result of the too-small call,');
  w('    so the doctor approves a signature once. Verify* return False for SOR_VerifySignDataErr;');
  w('    every other failure raises EMedSign. Thread-safe: the library keeps errors per thread. }');
  w('  TMedSign = class');
  w('  private');
  w('    FBufferSize: MSLong;');
  w('  public');
  w('    constructor Create;');
  w('    procedure Check(rc: MSULong; const FunctionName: string);');
  w('    function LastError: MSULong;');
  w('    function LastErrorMessage: AnsiString;');
  for (const x of ws) w(`    ${header(x, '')}`);
  w(`    property BufferSize: MSLong read FBufferSize write FBufferSize;`);
  w('  end;');
  w();
  w('{ SOR_CertNotFountErr for $0B000310; "SOR_?" for a code the header does not name }');
  w('function MedSignCodeName(Code: MSULong): string;');
  w();
  w('implementation');
  w();
  w('function MedSignCodeName(Code: MSULong): string;');
  w('begin');
  w('  case Code of');
  for (const c of sorCodes(h)) w(`    ${c.name}: Result := '${c.name}';`);
  w("  else Result := 'SOR_?';");
  w('  end;');
  w('end;');
  w();
  w('constructor EMedSign.CreateCode(ACode: MSULong; const AFunctionName, ADetail: string);');
  w('begin');
  w("  inherited Create(AFunctionName + ': ' + MedSignCodeName(ACode) + ' (0x' + IntToHex(ACode, 8) + ') ' + ADetail);");
  w('  FCode := ACode;');
  w('  FFunctionName := AFunctionName;');
  w('end;');
  w();
  w('constructor TMedSign.Create;');
  w('begin');
  w('  inherited Create;');
  w(`  FBufferSize := ${DEFAULT_BUFFER};`);
  w('end;');
  w();
  w('function TMedSign.LastError: MSULong;');
  w('begin');
  w('  Result := SOF_GetLastError;');
  w('end;');
  w();
  w("{ this thread's last message; SOF_GetLastErrMsg does not change the last error }");
  w('function TMedSign.LastErrorMessage: AnsiString;');
  w('var');
  w('  buf: AnsiString;');
  w('  n: MSLong;');
  w('  tries: Integer;');
  w('begin');
  w('  Result := \'\';');
  w('  n := 1024;');
  w('  for tries := 1 to 3 do');
  w('  begin');
  w('    SetLength(buf, n);');
  w('    case SOF_GetLastErrMsg(PAnsiChar(Pointer(buf)), n) of');
  w('      SOR_OK: begin SetLength(buf, n); Result := buf; Exit; end;');
  w('      MS_BUFFER_TOO_SMALL: ;');
  w('    else Exit;');
  w('    end;');
  w('  end;');
  w('end;');
  w();
  w('procedure TMedSign.Check(rc: MSULong; const FunctionName: string);');
  w('begin');
  w('  if rc <> SOR_OK then raise EMedSign.CreateCode(rc, FunctionName, string(LastErrorMessage));');
  w('end;');
  for (const x of ws) {
    w();
    w(header(x, 'TMedSign.'));
    switch (x.shape) {
      case 'string':
        w('var');
        w('  buf: AnsiString;');
        w('  n: MSLong;');
        w('  rc: MSULong;');
        w('  tries: Integer;');
        w('begin');
        w('  n := FBufferSize;');
        w('  tries := 0;');
        w('  repeat');
        w('    Inc(tries);');
        w('    SetLength(buf, n);');
        w(`    rc := ${x.fn.name}(${callArgs(x, ['PAnsiChar(Pointer(buf))', 'n'])});`);
        w('  until (rc <> MS_BUFFER_TOO_SMALL) or (tries = 3);');
        w(`  Check(rc, '${x.fn.name}');`);
        w('  SetLength(buf, n);');
        w('  Result := buf;');
        w('end;');
        break;
      case 'bool':
        w('var');
        w('  rc: MSULong;');
        w('begin');
        w(`  rc := ${x.fn.name}(${callArgs(x, [])});`);
        w('  Result := rc = SOR_OK;');
        w(`  if rc <> SOR_VerifySignDataErr then Check(rc, '${x.fn.name}');`);
        w('end;');
        break;
      case 'long':
        w('var');
        w('  v: MSLong;');
        w('begin');
        w('  v := 0;');
        w(`  Check(${x.fn.name}(${callArgs(x, ['v'])}), '${x.fn.name}');`);
        w('  Result := Integer(v);');
        w('end;');
        break;
      case 'call':
        w('begin');
        w(`  Check(${x.fn.name}(${callArgs(x, [])}), '${x.fn.name}');`);
        w('end;');
        break;
    }
  }
  w();
  w('end.');
  return o.join('\n') + '\n';
}

// ---- VB6 ----

function vbParam(p: Param, unicode: boolean): string {
  switch (p.kind) {
    case 'in':
    case 'out':
      return `ByVal ${p.name} As String`;
    case 'win':
    case 'wout':
      return unicode ? `ByVal ${p.name} As Long` : `ByVal ${p.name} As String`;
    case 'long':
      return `ByVal ${p.name} As Long`;
    case 'longPtr':
      return `ByRef ${p.name} As Long`;
  }
}

export function vb6Module(h: Header): string {
  const o: string[] = [];
  const w = (s = '') => o.push(s);
  w('Attribute VB_Name = "MedSign"');
  w(`' ${NOTICE}.`);
  w("' Regenerate: npx tsx bindings/gen-declarations.ts");
  w("'");
  w("' libmedsign (MedSign GM/T 0020 SOF) for VB6 and VBA (32-bit Office). Copy the x86 medsign.dll");
  w("' next to the exe (for the IDE: next to VB6.EXE, or in a folder on the PATH).");
  w("' The Declares of the unsuffixed names use the A exports: VB6 passes ByVal String as an ANSI");
  w("' copy (GBK on Chinese Windows) and copies it back after the call, so an output buffer must");
  w("' be allocated first (String$(n, vbNullChar)). The W Declares take pointers: pass StrPtr(s).");
  w("' The Ms* helpers below allocate, retry on MS_BUFFER_TOO_SMALL (the library keeps the result:");
  w("' the doctor approves once) and raise the SOR code as Err.Number, with the library's message");
  w("' (Chinese, English in brackets) in Err.Description. See bindings/vb6/README.md.");
  w('Option Explicit');
  w();
  for (const c of h.constants) {
    const v = c.alias ?? (c.hex ? `&H${hex8(c.value)}` : String(c.value));
    w(`Public Const ${c.name} As Long = ${v}${c.comment ? ` ' ${c.comment}` : ''}`);
  }
  w();
  w("' start size of the Ms* helpers' output buffers (<= 0: " + DEFAULT_BUFFER + ')');
  w('Public MsBufferSize As Long');
  w();
  w("' ---- unsuffixed names: the A exports (system code page) ----");
  for (const f of h.functions.filter((x) => x.variant === 'ansi')) {
    w(`Public Declare Function ${f.name} Lib "medsign.dll" Alias "${f.name}A" (${f.params.map((p) => vbParam(p, false)).join(', ')}) As Long`);
  }
  w("' ---- no strings ----");
  for (const f of h.functions.filter((x) => x.variant === 'plain')) {
    w(`Public Declare Function ${f.name} Lib "medsign.dll" (${f.params.map((p) => vbParam(p, false)).join(', ')}) As Long`);
  }
  w("' ---- W exports: UTF-16, pass StrPtr(s); lengths in characters ----");
  for (const f of h.functions.filter((x) => x.variant === 'W')) {
    w(`Public Declare Function ${f.name} Lib "medsign.dll" (${f.params.map((p) => vbParam(p, true)).join(', ')}) As Long`);
  }
  w();
  w("' SOR_CertNotFountErr for &H0B000310");
  w('Public Function MsCodeName(ByVal rc As Long) As String');
  w('    Select Case rc');
  for (const c of sorCodes(h)) w(`    Case ${c.name}: MsCodeName = "${c.name}"`);
  w('    Case Else: MsCodeName = "SOR_?"');
  w('    End Select');
  w('End Function');
  w();
  w("' this thread's last message (Chinese, English in brackets)");
  w('Public Function MsLastErrMsg() As String');
  w('    Dim buf As String, n As Long, rc As Long, tries As Long');
  w('    n = 1024');
  w('    Do');
  w('        tries = tries + 1');
  w('        buf = String$(n, vbNullChar)');
  w('        rc = SOF_GetLastErrMsg(buf, n)');
  w('    Loop While rc = MS_BUFFER_TOO_SMALL And tries < 3');
  w('    If rc = SOR_OK Then MsLastErrMsg = MsCut(buf)');
  w('End Function');
  w();
  w("' the text before the first NUL (outLen counts bytes, a VB string characters)");
  w('Private Function MsCut(ByVal s As String) As String');
  w('    Dim p As Long');
  w('    p = InStr(s, vbNullChar)');
  w('    If p > 0 Then MsCut = Left$(s, p - 1) Else MsCut = s');
  w('End Function');
  w();
  w('Private Function MsStartSize() As Long');
  w(`    If MsBufferSize > 0 Then MsStartSize = MsBufferSize Else MsStartSize = ${DEFAULT_BUFFER}`);
  w('End Function');
  w();
  w('Private Sub MsRaise(ByVal rc As Long, ByVal func As String)');
  w('    Err.Raise rc, "MedSign." & func, func & ": " & MsCodeName(rc) & " (0x" & Right$("0000000" & Hex$(rc), 8) & ") " & MsLastErrMsg()');
  w('End Sub');
  const args = (x: Wrapped) => x.inputs.map((p) => `ByVal ${p.name} As ${p.kind === 'in' ? 'String' : 'Long'}`).join(', ');
  const call = (x: Wrapped, extra: string[]) => [...x.inputs.map((p) => p.name), ...extra].join(', ');
  for (const x of wrapped(h)) {
    const name = `Ms${x.method}`;
    w();
    switch (x.shape) {
      case 'string':
        w(`Public Function ${name}(${args(x)}) As String`);
        w('    Dim buf As String, n As Long, rc As Long, tries As Long');
        w('    n = MsStartSize()');
        w('    Do');
        w('        tries = tries + 1');
        w('        buf = String$(n, vbNullChar)');
        w(`        rc = ${x.fn.name}(${call(x, ['buf', 'n'])})`);
        w('    Loop While rc = MS_BUFFER_TOO_SMALL And tries < 3');
        w(`    If rc <> SOR_OK Then MsRaise rc, "${x.fn.name}"`);
        w(`    ${name} = MsCut(buf)`);
        w('End Function');
        break;
      case 'bool':
        w(`' True: valid; False: SOR_VerifySignDataErr; other codes raise`);
        w(`Public Function ${name}(${args(x)}) As Boolean`);
        w('    Dim rc As Long');
        w(`    rc = ${x.fn.name}(${call(x, [])})`);
        w(`    If rc <> SOR_OK And rc <> SOR_VerifySignDataErr Then MsRaise rc, "${x.fn.name}"`);
        w(`    ${name} = (rc = SOR_OK)`);
        w('End Function');
        break;
      case 'long':
        w(`Public Function ${name}(${args(x)}) As Long`);
        w('    Dim v As Long, rc As Long');
        w(`    rc = ${x.fn.name}(${call(x, ['v'])})`);
        w(`    If rc <> SOR_OK Then MsRaise rc, "${x.fn.name}"`);
        w(`    ${name} = v`);
        w('End Function');
        break;
      case 'call':
        w(`Public Sub ${name}(${args(x)})`);
        w('    Dim rc As Long');
        w(`    rc = ${x.fn.name}(${call(x, [])})`);
        w(`    If rc <> SOR_OK Then MsRaise rc, "${x.fn.name}"`);
        w('End Sub');
        break;
    }
  }
  // VB6 source files use CRLF
  return o.join('\r\n') + '\r\n';
}

// ---- PowerBuilder ----

function pbParam(p: Param): string {
  switch (p.kind) {
    case 'in':
    case 'win':
      return `string ${p.name}`;
    case 'out':
    case 'wout':
      return `ref string ${p.name}`;
    case 'long':
      return `long ${p.name}`;
    case 'longPtr':
      return `ref long ${p.name}`;
  }
}

/** as_cert_id for a string certId, al_info_type for a long infoType */
export const pbArgName = (p: Param) => `${p.kind === 'in' ? 'as' : 'al'}_${snake(p.name)}`;

export function pbObject(h: Header): string {
  const o: string[] = [];
  const w = (s = '') => o.push(s);
  const ws = wrapped(h);
  const fname = (x: Wrapped) => `of_${snake(x.method)}`;
  const ret = (x: Wrapped) => (x.shape === 'string' ? 'string' : 'boolean');
  const args = (x: Wrapped) => {
    const a = x.inputs.map((p) => `${p.kind === 'in' ? 'string' : 'long'} ${pbArgName(p)}`);
    if (x.shape === 'long') a.push(`ref long al_${snake(x.fn.params[x.fn.params.length - 1]!.name)}`);
    return a.join(', ');
  };
  const sig = (x: Wrapped) => `public function ${ret(x)} ${fname(x)} (${args(x)})`;
  w('$PBExportHeader$n_medsign.sru');
  w(`$PBExportComments$${NOTICE}`);
  w('forward');
  w('global type n_medsign from nonvisualobject');
  w('end type');
  w('end forward');
  w();
  w('global type n_medsign from nonvisualobject');
  w('end type');
  w('global n_medsign n_medsign');
  w();
  w('type prototypes');
  for (const f of h.functions.filter((x) => x.variant === 'ansi' || x.variant === 'plain')) {
    w(`function ulong ${f.name} (${f.params.map(pbParam).join(', ')}) library "medsign.dll" alias for "${f.name};Ansi"`);
  }
  for (const f of h.functions.filter((x) => x.variant === 'W')) {
    w(`function ulong ${f.name} (${f.params.map(pbParam).join(', ')}) library "medsign.dll"`);
  }
  w('end prototypes');
  w();
  w('type variables');
  w('// libmedsign (MedSign GM/T 0020 SOF) for PowerBuilder: copy the x86 medsign.dll next to the exe.');
  w('// The unsuffixed functions use ";Ansi" (strings in the system code page, GBK on Chinese Windows),');
  w('// for PowerBuilder 9 and 10+ alike; the ...W ones take PowerBuilder 10+ Unicode strings.');
  w('// The of_* functions size the buffers (Space), retry on MS_BUFFER_TOO_SMALL (the library keeps');
  w('// the result: the doctor approves once) and return "" or false on failure; then of_last_error()');
  w("// gives the SOR code and of_last_message() the library's message (Chinese, English in brackets).");
  for (const c of h.constants) {
    const type = c.name.startsWith('SOR_') || c.alias?.startsWith('SOR_') ? 'ulong' : 'long';
    // PowerScript has no hex literals: the value in decimal, the header's hex in the comment
    const note = [c.hex ? `0x${hex8(c.value)}` : '', c.alias ? `= ${c.alias}` : '', c.comment ?? ''].filter(Boolean).join(' ');
    w(`constant ${type} ${c.name} = ${c.value}${note ? ` // ${note}` : ''}`);
  }
  w(`// start size of the output buffers`);
  w(`long il_buffer_size = ${DEFAULT_BUFFER}`);
  w('protected ulong iul_last_error = 0');
  w('protected string is_last_message = ""');
  w('end variables');
  w();
  w('forward prototypes');
  w('public function ulong of_last_error ()');
  w('public function string of_last_message ()');
  w('public function boolean of_check (ulong aul_rc, string as_function)');
  for (const x of ws) w(sig(x));
  w('end prototypes');
  w();
  w('public function ulong of_last_error ();// the SOR code of the last of_* call (SOR_OK after a success)');
  w('return iul_last_error');
  w('end function');
  w();
  w('public function string of_last_message ();// the message of the last failed of_* call');
  w('return is_last_message');
  w('end function');
  w();
  w('public function boolean of_check (ulong aul_rc, string as_function);// keeps the code and the message of a call; true for SOR_OK');
  w('string ls_msg');
  w('long ll_len');
  w('integer li_try');
  w();
  w('iul_last_error = aul_rc');
  w('is_last_message = ""');
  w('if aul_rc = SOR_OK then return true');
  w('ll_len = 1024');
  w('for li_try = 1 to 3');
  w('\tls_msg = Space(ll_len)');
  w('\tif SOF_GetLastErrMsg(ls_msg, ll_len) <> MS_BUFFER_TOO_SMALL then exit');
  w('next');
  w('is_last_message = as_function + ": " + ls_msg');
  w('return false');
  w('end function');
  for (const x of ws) {
    const inArgs = x.inputs.map(pbArgName);
    w();
    w(`${sig(x)};// ${x.fn.name}`);
    switch (x.shape) {
      case 'string':
        w('string ls_out');
        w('long ll_len');
        w('ulong lul_rc');
        w('integer li_try');
        w();
        w('ll_len = il_buffer_size');
        w('for li_try = 1 to 3');
        w('\tls_out = Space(ll_len)');
        w(`\tlul_rc = ${x.fn.name}(${[...inArgs, 'ls_out', 'll_len'].join(', ')})`);
        w('\tif lul_rc <> MS_BUFFER_TOO_SMALL then exit');
        w('next');
        w(`if of_check(lul_rc, "${x.fn.name}") then return ls_out`);
        w('return ""');
        break;
      case 'bool':
        w('// true: valid; false: not valid (of_last_error() = SOR_VerifySignDataErr) or another error');
        w(`return of_check(${x.fn.name}(${inArgs.join(', ')}), "${x.fn.name}")`);
        break;
      case 'long': {
        const res = `al_${snake(x.fn.params[x.fn.params.length - 1]!.name)}`;
        w(`return of_check(${x.fn.name}(${[...inArgs, res].join(', ')}), "${x.fn.name}")`);
        break;
      }
      case 'call':
        w(`return of_check(${x.fn.name}(${inArgs.join(', ')}), "${x.fn.name}")`);
        break;
    }
    w('end function');
  }
  w();
  w('on n_medsign.create');
  w('call super::create');
  w('TriggerEvent( this, "constructor" )');
  w('end on');
  w();
  w('on n_medsign.destroy');
  w('TriggerEvent( this, "destructor" )');
  w('call super::destroy');
  w('end on');
  w();
  // PowerBuilder export files use CRLF
  return o.join('\r\n') + '\r\n';
}

/** The generated files, by path from the repository root. */
export function generate(headerText: string): Record<string, string> {
  const h = parseHeader(headerText);
  return {
    'bindings/delphi/MedSign.pas': delphiUnit(h),
    'bindings/vb6/MedSign.bas': vb6Module(h),
    'bindings/powerbuilder/n_medsign.sru': pbObject(h),
  };
}

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const files = generate(readFileSync(ROOT + HEADER_PATH, 'utf8'));
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [path, text] of Object.entries(files)) {
    if (check) {
      let old = '';
      try {
        old = readFileSync(ROOT + path, 'utf8');
      } catch {
        /* missing */
      }
      if (old !== text) {
        console.error(`${path} differs from the header: run npx tsx bindings/gen-declarations.ts`);
        stale++;
      }
    } else {
      writeFileSync(ROOT + path, text);
      console.log(`wrote ${path}`);
    }
  }
  if (stale) process.exit(1);
}
