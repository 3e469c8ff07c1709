{ Drives bindings/delphi/MedSign.pas (the generated unit) against a live agent, as a Delphi 7
  client would: the TMedSign wrapper, a raw declaration or two, and EMedSign on failure.
  Built with fpc -Mdelphi by delphi.test.ts and run against the live stack.

  usage: medsign_unit_test <agentPort> <certId> <doctorName> <text>
  prints TAP lines, and "# <name> <value>" lines for the caller to check with openssl. }
program medsign_unit_test;

{$IFDEF FPC}{$MODE DELPHI}{$H+}{$ENDIF}

uses SysUtils, MedSign;

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

var
  ms: TMedSign;
  certId, name, text, version, users, cert, cert16, sig, cms, rnd: AnsiString;
  small: array[0..3] of AnsiChar;
  wide: array[0..63] of {$IFDEF MSWINDOWS}WideChar{$ELSE}UCS4Char{$ENDIF};
  wversion: AnsiString;
  len: MSLong;
  rc: MSULong;
  i: Integer;
  raised: Boolean;
begin
  if ParamCount < 4 then begin
    WriteLn('usage: medsign_unit_test <agentPort> <certId> <doctorName> <text>');
    Halt(2);
  end;
  certId := ParamStr(2);
  name := ParamStr(3);
  text := ParamStr(4);   { the bytes as given: UTF-8 on Linux }
  ms := TMedSign.Create;
  try
    ms.SetAgentPort(StrToInt(ParamStr(1)));
    Check(ms.LastError = SOR_OK, 'SetAgentPort (MS_SetAgentPort), LastError = SOR_OK');

    version := ms.GetVersion;
    Check(version <> '', 'GetVersion');
    WriteLn('# version ', version);

    users := ms.GetUserList;
    Check(Pos(name + '||' + certId + '&&&', users) > 0, 'GetUserList has name||certId&&&');

    { a raw declaration: the size needed, NUL included, and nothing written }
    small[0] := 'x';
    len := SizeOf(small);
    rc := SOF_GetVersion(@small[0], len);
    Check((rc = MS_BUFFER_TOO_SMALL) and (len = Length(version) + 1) and (small[0] = 'x'),
      'SOF_GetVersion into 4 bytes: MS_BUFFER_TOO_SMALL, the size needed, buffer untouched');

    { the W declaration: wchar_t is UTF-32 on Linux, UTF-16 on Windows }
    len := Length(wide);
    rc := SOF_GetVersionW(@wide[0], len);
    wversion := '';
    for i := 0 to len - 1 do wversion := wversion + AnsiChar(Ord(wide[i]));
    Check((rc = SOR_OK) and (len = Length(version)) and (wversion = version), 'SOF_GetVersionW gives the same version');

    cert := ms.ExportUserCert(certId);
    Check(Length(cert) > 100, 'ExportUserCert');
    ms.BufferSize := 16;   { too small: the wrapper calls again with the size asked for }
    cert16 := ms.ExportUserCert(certId);
    Check(cert16 = cert, 'ExportUserCert with a 16-byte start buffer: retried, same certificate');

    Check(ms.ValidateCert(cert) = 0, 'ValidateCert = 0 (valid)');
    Check(ms.GetSignMethod = SGD_SHA256_RSA, 'GetSignMethod = SGD_SHA256_RSA');
    rnd := ms.GenRandom(16);
    Check(Length(rnd) = 24, 'GenRandom(16): 24 base64 characters');

    ms.BufferSize := 0;    { ask for the size first, then call with a buffer that fits }
    sig := ms.SignData(certId, text);
    Check(Length(sig) > 100, 'SignData with a size query first (the phone approves once)');
    WriteLn('# signature ', sig);
    Check(ms.VerifySignedData(cert, text, sig), 'VerifySignedData: valid');
    Check(not ms.VerifySignedData(cert, text + '!', sig) and (ms.LastError = SOR_VerifySignDataErr),
      'VerifySignedData: altered text is False, LastError = SOR_VerifySignDataErr');

    ms.BufferSize := 64;   { a CMS is larger: MS_BUFFER_TOO_SMALL inside, one approval }
    cms := ms.SignMessage(MS_SIGN_ATTACHED, certId, text);
    Check(Length(cms) > 1000, 'SignMessage (attached) through a too-small buffer');
    WriteLn('# cms ', cms);
    Check(ms.VerifySignedMessage(cms, ''), 'VerifySignedMessage: valid');

    raised := False;
    try
      ms.SignData('FFFF', text);
    except
      on E: EMedSign do
      begin
        raised := True;
        WriteLn('# error ', E.Message);
        Check((E.Code = SOR_CertNotFountErr) and (E.FunctionName = 'SOF_SignData')
          and (Pos('SOR_CertNotFountErr (0x0B000310)', E.Message) > 0),
          'unknown certId: EMedSign with SOR_CertNotFountErr');
        Check(Length(E.Message) > Length('SOF_SignData: SOR_CertNotFountErr (0x0B000310) ') + 5,
          'EMedSign carries the library message');
        Check(ms.LastError = SOR_CertNotFountErr, 'LastError = SOR_CertNotFountErr');
      end;
    end;
    Check(raised, 'SignData with an unknown certId raised EMedSign');
  finally
    ms.Free;
  end;
  WriteLn('1..', n);
  if failures > 0 then Halt(1);
end.
