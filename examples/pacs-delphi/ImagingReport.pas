{ The imaging report (影像报告) of the PACS example: its text, and the bytes on disk.

  Strings in this program are AnsiStrings in the system code page, as the A functions of
  libmedsign take them: GBK on Chinese Windows, UTF-8 on Linux. The report file holds the
  UTF-8 bytes, because those are the bytes libmedsign signs for a text (whatever the code page),
  so `openssl cms -verify -content <report>` checks the file as it is. }
unit ImagingReport;

{$IFDEF FPC}{$MODE DELPHI}{$H+}{$ENDIF}

interface

type
  TImagingReport = record
    AccessionNo: AnsiString;   { 检查号 }
    PatientName: AnsiString;
    Sex: AnsiString;
    Age: AnsiString;
    Exam: AnsiString;          { 检查项目 }
    ExamTime: AnsiString;
    Findings: AnsiString;      { 影像所见 }
    Impression: AnsiString;    { 诊断意见 }
    Physician: AnsiString;     { 报告医师: the signer }
    ReportTime: AnsiString;
  end;

{ the text that is signed and stored; lines end with CR LF, as on the Windows workstation }
function ReportText(const R: TImagingReport): AnsiString;

{ code-page text <-> the UTF-8 bytes of the file (on Linux the code page is UTF-8 already) }
function TextToUtf8(const S: AnsiString): AnsiString;
function Utf8ToText(const B: AnsiString): AnsiString;

function BytesToBase64(const B: AnsiString): AnsiString;
function Base64ToBytes(const S: AnsiString): AnsiString;

procedure WriteFileBytes(const Path: string; const B: AnsiString);
function ReadFileBytes(const Path: string): AnsiString;

implementation

uses SysUtils, Classes;

function ReportText(const R: TImagingReport): AnsiString;
const
  CRLF = #13#10;
begin
  Result :=
    '影像诊断报告 (Imaging Report)' + CRLF +
    '检查号 Accession No: ' + R.AccessionNo + CRLF +
    '患者 Patient: ' + R.PatientName + '  性别 Sex: ' + R.Sex + '  年龄 Age: ' + R.Age + CRLF +
    '检查项目 Exam: ' + R.Exam + CRLF +
    '检查时间 Exam time: ' + R.ExamTime + CRLF +
    '影像所见 Findings:' + CRLF + '  ' + R.Findings + CRLF +
    '诊断意见 Impression:' + CRLF + '  ' + R.Impression + CRLF +
    '报告医师 Reporting physician: ' + R.Physician + CRLF +
    '报告时间 Report time: ' + R.ReportTime + CRLF;
end;

function TextToUtf8(const S: AnsiString): AnsiString;
begin
  {$IFDEF MSWINDOWS}
  Result := UTF8Encode(WideString(S));   { code page (GBK) -> UTF-16 -> UTF-8 }
  {$ELSE}
  Result := S;
  {$ENDIF}
end;

function Utf8ToText(const B: AnsiString): AnsiString;
begin
  {$IFDEF MSWINDOWS}
  Result := AnsiString(UTF8Decode(B));
  {$ELSE}
  Result := B;
  {$ENDIF}
end;

const
  B64: AnsiString = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

{ RFC 4648 base64, no line breaks (the agent takes it on one line) }
function BytesToBase64(const B: AnsiString): AnsiString;
var
  i, n, v: Integer;
begin
  Result := '';
  i := 1;
  n := Length(B);
  while i <= n do
  begin
    v := Ord(B[i]) shl 16;
    if i + 1 <= n then v := v or (Ord(B[i + 1]) shl 8);
    if i + 2 <= n then v := v or Ord(B[i + 2]);
    Result := Result + B64[(v shr 18) and 63 + 1] + B64[(v shr 12) and 63 + 1];
    if i + 1 <= n then Result := Result + B64[(v shr 6) and 63 + 1] else Result := Result + '=';
    if i + 2 <= n then Result := Result + B64[v and 63 + 1] else Result := Result + '=';
    Inc(i, 3);
  end;
end;

function Base64ToBytes(const S: AnsiString): AnsiString;
var
  i, v, bits, d: Integer;
begin
  Result := '';
  v := 0;
  bits := 0;
  for i := 1 to Length(S) do
  begin
    d := Pos(S[i], B64) - 1;
    if d < 0 then Continue;   { '=', line breaks }
    v := (v shl 6) or d;
    Inc(bits, 6);
    if bits >= 8 then
    begin
      Dec(bits, 8);
      Result := Result + AnsiChar((v shr bits) and $FF);
      v := v and ((1 shl bits) - 1);   { keep only the bits not used yet }
    end;
  end;
end;

procedure WriteFileBytes(const Path: string; const B: AnsiString);
var
  f: TFileStream;
begin
  f := TFileStream.Create(Path, fmCreate);
  try
    if Length(B) > 0 then f.WriteBuffer(B[1], Length(B));
  finally
    f.Free;
  end;
end;

function ReadFileBytes(const Path: string): AnsiString;
var
  f: TFileStream;
begin
  f := TFileStream.Create(Path, fmOpenRead or fmShareDenyWrite);
  try
    SetLength(Result, f.Size);
    if f.Size > 0 then f.ReadBuffer(Result[1], f.Size);
  finally
    f.Free;
  end;
end;

end.
