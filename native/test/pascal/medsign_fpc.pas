{ A Delphi-mode (fpc -Mdelphi) program calling libmedsign the way a Delphi 7 or PowerBuilder
  client does: external declarations of the GM/T 0020 functions, caller-owned buffers with an
  in/out length, SOR codes. On Windows the same declarations are stdcall against medsign.dll;
  on Linux the library uses the C convention.

  usage: medsign_fpc <agentPort> <certId> <doctorName> <text>
  prints TAP lines, and "# signature <base64>" for the caller to check with openssl. }
program medsign_fpc;

{$mode delphi}{$H+}
{$IFDEF WINDOWS}{$CALLING stdcall}{$ELSE}{$CALLING cdecl}{$ENDIF}

uses SysUtils, ctypes;

const
  LIB = {$IFDEF WINDOWS}'medsign.dll'{$ELSE}'medsign'{$ENDIF};
  SOR_OK = 0;
  SOR_MemoryErr = $0B000100;        { MS_BUFFER_TOO_SMALL }
  SOR_CertNotFountErr = $0B000310;

{ C "long" is 32-bit on Windows and 64-bit on Linux x64: ctypes' clong follows the platform }
function MS_SetAgentPort(port: clong): culong; external LIB;
function SOF_GetVersion(outBuf: PAnsiChar; var outLen: clong): culong; external LIB;
function SOF_GetUserList(outBuf: PAnsiChar; var outLen: clong): culong; external LIB;
function SOF_ExportUserCert(certId: PAnsiChar; outBuf: PAnsiChar; var outLen: clong): culong; external LIB;
function SOF_SignData(certId, inData: PAnsiChar; outBuf: PAnsiChar; var outLen: clong): culong; external LIB;
function SOF_VerifySignedData(cert, inData, signValue: PAnsiChar): culong; external LIB;
function SOF_GetLastError: culong; external LIB;

var
  failures: Integer = 0;
  n: Integer = 0;

procedure Check(ok: Boolean; const what: string);
begin
  Inc(n);
  if ok then WriteLn('ok ', n, ' - ', what)
  else begin
    WriteLn('not ok ', n, ' - ', what);
    Inc(failures);
  end;
end;

{ Call twice, as the standard intends: once to learn the size, once with a buffer that fits. }
function GetString(call: Integer; const a1, a2: AnsiString; out rc: culong): AnsiString;
var
  len: clong;
  buf: AnsiString;
begin
  Result := '';
  len := 0;
  case call of
    0: rc := SOF_GetVersion(nil, len);
    1: rc := SOF_GetUserList(nil, len);
    2: rc := SOF_ExportUserCert(PAnsiChar(a1), nil, len);
    3: rc := SOF_SignData(PAnsiChar(a1), PAnsiChar(a2), nil, len);
  end;
  if rc <> SOR_MemoryErr then Exit;
  SetLength(buf, len);
  case call of
    0: rc := SOF_GetVersion(PAnsiChar(buf), len);
    1: rc := SOF_GetUserList(PAnsiChar(buf), len);
    2: rc := SOF_ExportUserCert(PAnsiChar(a1), PAnsiChar(buf), len);
    3: rc := SOF_SignData(PAnsiChar(a1), PAnsiChar(a2), PAnsiChar(buf), len);
  end;
  if rc = SOR_OK then Result := PAnsiChar(buf);
end;

var
  certId, name, text, version, users, cert, sig: AnsiString;
  rc: culong;
  small: array[0..3] of AnsiChar;
  len: clong;
begin
  if ParamCount < 4 then begin
    WriteLn('usage: medsign_fpc <agentPort> <certId> <doctorName> <text>');
    Halt(2);
  end;
  certId := ParamStr(2);
  name := ParamStr(3);
  text := ParamStr(4);   { the bytes as given: UTF-8 on Linux }
  Check(MS_SetAgentPort(StrToInt(ParamStr(1))) = SOR_OK, 'MS_SetAgentPort');

  version := GetString(0, '', '', rc);
  Check((rc = SOR_OK) and (version = '0.1.0'), 'SOF_GetVersion = 0.1.0');

  users := GetString(1, '', '', rc);
  Check((rc = SOR_OK) and (Pos(name + '||' + certId + '&&&', users) > 0), 'SOF_GetUserList has name||certId&&&');

  len := SizeOf(small);
  rc := SOF_GetVersion(@small[0], len);
  Check((rc = SOR_MemoryErr) and (len = Length(version) + 1), 'a 4-byte buffer: MS_BUFFER_TOO_SMALL and the size needed');

  cert := GetString(2, certId, '', rc);
  Check((rc = SOR_OK) and (Length(cert) > 100), 'SOF_ExportUserCert');

  sig := GetString(3, certId, text, rc);
  Check((rc = SOR_OK) and (Length(sig) > 100), 'SOF_SignData (the phone approves)');
  WriteLn('# signature ', sig);

  Check(SOF_VerifySignedData(PAnsiChar(cert), PAnsiChar(text), PAnsiChar(sig)) = SOR_OK, 'SOF_VerifySignedData: valid');
  Check(SOF_VerifySignedData(PAnsiChar(cert), PAnsiChar(text + '!'), PAnsiChar(sig)) <> SOR_OK, 'SOF_VerifySignedData: altered text fails');

  len := 0;
  rc := SOF_SignData('FFFF', PAnsiChar(text), nil, len);
  Check((rc = SOR_CertNotFountErr) and (SOF_GetLastError = SOR_CertNotFountErr), 'unknown certId: SOR_CertNotFountErr, and SOF_GetLastError says so');

  WriteLn('1..', n);
  if failures > 0 then Halt(1);
end.
