{ PACS 影像报告签名示例 (imaging-report signing with MedSign), Delphi 7 / Free Pascal.

  PacsReport <outDir> [certId] [agentPort]

  1. finds the reporting physician among the doctors logged in on the MedSign agent (医签助手);
  2. builds the report text, writes it as <outDir>/<accession>.txt (UTF-8);
  3. signs it as a detached CMS (PKCS#7) in a worker thread, while this thread shows the
     4-digit verification code the doctor must see on the phone (MS_GetVerificationCode);
  4. writes the CMS next to the report, <outDir>/<accession>.p7s (DER);
  5. reads both back from disk and verifies them (SOF_VerifySignedMessage), and shows that a
     changed report fails.
  Exit code 0 when all went well, 1 when signing or verification failed, 2 for bad usage, 3 when
  no doctor is logged in.

  The source is UTF-8; for Delphi 7 on Chinese Windows save it as ANSI (GBK) first, as the
  Chinese literals are given to the A functions in the system code page (see README.md). }
program PacsReport;

{$IFDEF FPC}{$MODE DELPHI}{$H+}{$ENDIF}

uses
  {$IFDEF UNIX}cthreads,{$ENDIF}
  {$IFDEF MSWINDOWS}Windows,{$ENDIF}
  SysUtils, Classes, MedSign, ImagingReport;

type
  { SOF_SignMessage waits until the doctor approves on the phone: not on the UI thread }
  TSignThread = class(TThread)
  private
    FMedSign: TMedSign;
    FCertId, FText: AnsiString;
  protected
    procedure Execute; override;
  public
    Cms: AnsiString;
    ErrorText: string;
    Done: Boolean;
    constructor Create(AMedSign: TMedSign; const ACertId, AText: AnsiString);
  end;

constructor TSignThread.Create(AMedSign: TMedSign; const ACertId, AText: AnsiString);
begin
  FMedSign := AMedSign;   { set before the thread starts }
  FCertId := ACertId;
  FText := AText;
  inherited Create(False);
end;

procedure TSignThread.Execute;
begin
  try
    try
      Cms := FMedSign.SignMessage(MS_SIGN_DETACHED, FCertId, FText);
    except
      on E: Exception do ErrorText := E.Message;
    end;
  finally
    Done := True;
  end;
end;

{ "name1||certId1&&&name2||certId2&&&": the name of certId, or of the first doctor when certId is '' }
function FindDoctor(const Users: AnsiString; var CertId: AnsiString): AnsiString;
var
  rest, entry, id: AnsiString;
  p, q: Integer;
begin
  Result := '';
  rest := Users;
  while rest <> '' do
  begin
    p := Pos('&&&', rest);
    if p = 0 then p := Length(rest) + 1;
    entry := Copy(rest, 1, p - 1);
    Delete(rest, 1, p + 2);
    q := Pos('||', entry);
    if q = 0 then Continue;
    id := Copy(entry, q + 2, MaxInt);
    if (CertId = '') or SameText(id, CertId) then
    begin
      CertId := id;
      Result := Copy(entry, 1, q - 1);
      Exit;
    end;
  end;
end;

var
  ms: TMedSign;
  signer: TSignThread;
  report: TImagingReport;
  outDir, reportPath, cmsPath: string;
  certId, doctor, text, code, shown, cms, storedText, storedCms: AnsiString;
begin
  if ParamCount < 1 then
  begin
    WriteLn('用法 (usage): PacsReport <outDir> [certId] [agentPort]');
    Halt(2);
  end;
  outDir := IncludeTrailingPathDelimiter(ParamStr(1));
  certId := '';
  if ParamCount >= 2 then certId := ParamStr(2);
  ms := TMedSign.Create;
  try
    try
      if ParamCount >= 3 then ms.SetAgentPort(StrToInt(ParamStr(3)));

      doctor := FindDoctor(ms.GetUserList, certId);
      if doctor = '' then
      begin
        WriteLn('没有已登录的医生，请先在医签助手中登录 (no doctor is logged in: log in on the MedSign agent first)');
        Halt(3);
      end;
      WriteLn('报告医师 (physician): ', doctor, ' ', certId);

      report.AccessionNo := 'CT' + FormatDateTime('yyyymmdd', Now) + '0031';
      report.PatientName := '张三';
      report.Sex := '男';
      report.Age := '56岁';
      report.Exam := '胸部CT平扫 (chest CT, non-contrast)';
      report.ExamTime := FormatDateTime('yyyy-mm-dd hh:nn', Now);
      report.Findings := '双肺纹理清晰，未见明确实质性病变；纵隔内未见肿大淋巴结。';
      report.Impression := '胸部CT平扫未见明显异常。';
      report.Physician := doctor;
      report.ReportTime := FormatDateTime('yyyy-mm-dd hh:nn:ss', Now);
      text := ReportText(report);

      reportPath := outDir + report.AccessionNo + '.txt';
      cmsPath := outDir + report.AccessionNo + '.p7s';
      WriteFileBytes(reportPath, TextToUtf8(text));
      WriteLn('报告 (report): ', reportPath);

      { sign in a worker thread; meanwhile show the code the phone shows }
      signer := TSignThread.Create(ms, certId, text);
      shown := '';
      while not signer.Done do
      begin
        try
          code := ms.GetVerificationCode;
        except
          code := '';
        end;
        if (code <> '') and (code <> shown) then
        begin
          WriteLn('请核对手机上的验证码 (verification code on the phone): ', code);
          shown := code;
        end;
        Sleep(100);
      end;
      signer.WaitFor;
      cms := signer.Cms;
      if signer.ErrorText <> '' then
      begin
        WriteLn('签名失败 (signing failed): ', signer.ErrorText);
        signer.Free;
        Halt(1);
      end;
      signer.Free;
      WriteFileBytes(cmsPath, Base64ToBytes(cms));
      WriteLn('签名 (CMS signature): ', cmsPath);

      { verify what is on disk now, as a reviewer would later }
      storedText := Utf8ToText(ReadFileBytes(reportPath));
      storedCms := BytesToBase64(ReadFileBytes(cmsPath));
      if ms.VerifySignedMessage(storedCms, storedText) then
        WriteLn('验签通过 (verified): ', reportPath)
      else
      begin
        WriteLn('验签失败 (verification failed): ', ms.LastErrorMessage);
        Halt(1);
      end;
      if ms.VerifySignedMessage(storedCms, storedText + ' ') then
      begin
        WriteLn('错误：修改后的报告仍验签通过 (error: a changed report verified)');
        Halt(1);
      end;
      WriteLn('篡改检测 (tamper check): 修改后的报告验签失败 (a changed report fails)');
    except
      on E: EMedSign do
      begin
        WriteLn('医签调用失败 (MedSign call failed): ', E.Message);
        Halt(1);
      end;
    end;
  finally
    ms.Free;
  end;
end.
