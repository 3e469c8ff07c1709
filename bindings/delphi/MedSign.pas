{ generated from native/include/medsign.h by bindings/gen-declarations.ts -- do not edit.
  Regenerate: npx tsx bindings/gen-declarations.ts }
unit MedSign;

{ libmedsign, the MedSign GM/T 0020 (SOF) C library, for Delphi 7 and later and for Free Pascal
  (-Mdelphi). Every function returns an SOR code (SOR_OK = 0); outputs go to a caller buffer
  with an in/out length (MS_BUFFER_TOO_SMALL sets the size needed, NUL included). The
  unsuffixed names are the A variants: strings in the system code page (GBK on Chinese
  Windows, UTF-8 on Linux); the W variants take wchar_t (UTF-16 on Windows, UTF-32 elsewhere).
  TMedSign below wraps the A functions: buffers sized for you, EMedSign on failure.
  See bindings/delphi/README.md and native/README.md. }

{$IFDEF FPC}{$MODE DELPHI}{$H+}{$ENDIF}

interface

uses SysUtils;

const
  MEDSIGN_LIB = {$IFDEF MSWINDOWS}'medsign.dll'{$ELSE}'libmedsign.so'{$ENDIF};

type
  { C long: 32-bit on Windows (Win64 too), 64-bit on 64-bit Linux (LP64) }
  MSLong = {$IFDEF MSWINDOWS}Longint{$ELSE}{$IFDEF FPC}PtrInt{$ELSE}Longint{$ENDIF}{$ENDIF};
  MSULong = {$IFDEF MSWINDOWS}Longword{$ELSE}{$IFDEF FPC}PtrUInt{$ELSE}Longword{$ENDIF}{$ENDIF};
  { wchar_t: UTF-16 on Windows, UTF-32 elsewhere }
  PMSWideChar = {$IFDEF MSWINDOWS}PWideChar{$ELSE}PUCS4Char{$ENDIF};

const
  MS_DEFAULT_PORT = 17990;
  MS_DEFAULT_TIMEOUT_MS = 300000; { 5 minutes: covers the phone approval }
  SOR_OK = $00000000;
  SOR_UnknownErr = $0B000001;
  SOR_NotSupportYetErr = $0B000002;
  SOR_FileErr = $0B000003;
  SOR_NotInitializeErr = $0B000011; { also: the agent is not running on the port }
  SOR_ObjErr = $0B000012;
  SOR_MemoryErr = $0B000100;
  SOR_TimeoutErr = $0B000101;
  SOR_IndataLenErr = $0B000200;
  SOR_IndataErr = $0B000201;
  SOR_KeyNotFountErr = $0B000309;
  SOR_CertNotFountErr = $0B000310;
  SOR_CertInvalidErr = $0B000406;
  SOR_CertHasExpiredErr = $0B000407;
  SOR_CertRevokedErr = $0B000408;
  SOR_SignDataErr = $0B000409;
  SOR_VerifySignDataErr = $0B000410;
  SOR_PKCS7EncodeErr = $0B000417;
  SOR_ParameterNotSupportErr = $0B000419;
  SOR_CTLNotFound = $0B000420;
  SOR_AppNotFound = $0B000421;
  SOR_CertNotYetValidErr = $0B000501;
  SOR_CertFrozenErr = $0B000502;
  MS_BUFFER_TOO_SMALL = SOR_MemoryErr;
  SGD_SM3_RSA = $00010001;
  SGD_SHA1_RSA = $00010002;
  SGD_SHA256_RSA = $00010004;
  SGD_SM3_SM2 = $00020201;
  MS_SIGN_ATTACHED = 0;
  MS_SIGN_DETACHED = 1;

{ ---- A variants: system code page ---- }
function SOF_GetVersionA(outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GetVersionA';
function SOF_GetUserListA(outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GetUserListA';
function SOF_ExportUserCertA(certId: PAnsiChar; outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_ExportUserCertA';
function SOF_LoginA(certId: PAnsiChar; passWd: PAnsiChar): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_LoginA';
function SOF_LogoutA(certId: PAnsiChar): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_LogoutA';
function SOF_GetCertInfoA(cert: PAnsiChar; infoType: MSLong; outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GetCertInfoA';
function SOF_GetCertInfoByOidA(cert: PAnsiChar; oid: PAnsiChar; outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GetCertInfoByOidA';
function SOF_ValidateCertA(cert: PAnsiChar; var validity: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_ValidateCertA';
function SOF_SignDataA(certId: PAnsiChar; inData: PAnsiChar; outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_SignDataA';
function SOF_VerifySignedDataA(cert: PAnsiChar; inData: PAnsiChar; signValue: PAnsiChar): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_VerifySignedDataA';
function SOF_SignMessageA(flag: MSLong; certId: PAnsiChar; inData: PAnsiChar; outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_SignMessageA';
function SOF_VerifySignedMessageA(messageData: PAnsiChar; inData: PAnsiChar): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_VerifySignedMessageA';
function SOF_GetInfoFromSignedMessageA(messageData: PAnsiChar; infoType: MSLong; outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GetInfoFromSignedMessageA';
function SOF_CreateTimeStampRequestA(inData: PAnsiChar; outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_CreateTimeStampRequestA';
function SOF_CreateTimeStampResponseA(tsRequest: PAnsiChar; outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_CreateTimeStampResponseA';
function SOF_VerifyTimeStampA(inData: PAnsiChar; tsResponse: PAnsiChar): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_VerifyTimeStampA';
function SOF_GetTimeStampInfoA(tsResponse: PAnsiChar; infoType: MSLong; outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GetTimeStampInfoA';
function SOF_GenRandomA(numBytes: MSLong; outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GenRandomA';
function SOF_GetLastErrMsgA(outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GetLastErrMsgA';
function MS_SignBatchA(certId: PAnsiChar; itemsJoined: PAnsiChar; separator: PAnsiChar; outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'MS_SignBatchA';
function MS_GetVerificationCodeA(outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'MS_GetVerificationCodeA';
function MS_LoginByEmployeeNoA(employeeNo: PAnsiChar; certIdOut: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'MS_LoginByEmployeeNoA';
function MS_SetSignSummaryA(summary: PAnsiChar): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'MS_SetSignSummaryA';

{ ---- W variants: wchar_t, lengths in wchar_t units ---- }
function SOF_GetVersionW(outBuf: PMSWideChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GetVersionW';
function SOF_GetUserListW(outBuf: PMSWideChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GetUserListW';
function SOF_ExportUserCertW(certId: PMSWideChar; outBuf: PMSWideChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_ExportUserCertW';
function SOF_LoginW(certId: PMSWideChar; passWd: PMSWideChar): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_LoginW';
function SOF_LogoutW(certId: PMSWideChar): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_LogoutW';
function SOF_GetCertInfoW(cert: PMSWideChar; infoType: MSLong; outBuf: PMSWideChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GetCertInfoW';
function SOF_GetCertInfoByOidW(cert: PMSWideChar; oid: PMSWideChar; outBuf: PMSWideChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GetCertInfoByOidW';
function SOF_ValidateCertW(cert: PMSWideChar; var validity: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_ValidateCertW';
function SOF_SignDataW(certId: PMSWideChar; inData: PMSWideChar; outBuf: PMSWideChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_SignDataW';
function SOF_VerifySignedDataW(cert: PMSWideChar; inData: PMSWideChar; signValue: PMSWideChar): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_VerifySignedDataW';
function SOF_SignMessageW(flag: MSLong; certId: PMSWideChar; inData: PMSWideChar; outBuf: PMSWideChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_SignMessageW';
function SOF_VerifySignedMessageW(messageData: PMSWideChar; inData: PMSWideChar): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_VerifySignedMessageW';
function SOF_GetInfoFromSignedMessageW(messageData: PMSWideChar; infoType: MSLong; outBuf: PMSWideChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GetInfoFromSignedMessageW';
function SOF_CreateTimeStampRequestW(inData: PMSWideChar; outBuf: PMSWideChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_CreateTimeStampRequestW';
function SOF_CreateTimeStampResponseW(tsRequest: PMSWideChar; outBuf: PMSWideChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_CreateTimeStampResponseW';
function SOF_VerifyTimeStampW(inData: PMSWideChar; tsResponse: PMSWideChar): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_VerifyTimeStampW';
function SOF_GetTimeStampInfoW(tsResponse: PMSWideChar; infoType: MSLong; outBuf: PMSWideChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GetTimeStampInfoW';
function SOF_GenRandomW(numBytes: MSLong; outBuf: PMSWideChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GenRandomW';
function SOF_GetLastErrMsgW(outBuf: PMSWideChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GetLastErrMsgW';
function MS_SignBatchW(certId: PMSWideChar; itemsJoined: PMSWideChar; separator: PMSWideChar; outBuf: PMSWideChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'MS_SignBatchW';
function MS_GetVerificationCodeW(outBuf: PMSWideChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'MS_GetVerificationCodeW';
function MS_LoginByEmployeeNoW(employeeNo: PMSWideChar; certIdOut: PMSWideChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'MS_LoginByEmployeeNoW';
function MS_SetSignSummaryW(summary: PMSWideChar): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'MS_SetSignSummaryW';

{ ---- unsuffixed names = the A variants ---- }
function SOF_GetVersion(outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GetVersion';
function SOF_GetUserList(outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GetUserList';
function SOF_ExportUserCert(certId: PAnsiChar; outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_ExportUserCert';
function SOF_Login(certId: PAnsiChar; passWd: PAnsiChar): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_Login';
function SOF_Logout(certId: PAnsiChar): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_Logout';
function SOF_GetCertInfo(cert: PAnsiChar; infoType: MSLong; outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GetCertInfo';
function SOF_GetCertInfoByOid(cert: PAnsiChar; oid: PAnsiChar; outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GetCertInfoByOid';
function SOF_ValidateCert(cert: PAnsiChar; var validity: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_ValidateCert';
function SOF_SignData(certId: PAnsiChar; inData: PAnsiChar; outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_SignData';
function SOF_VerifySignedData(cert: PAnsiChar; inData: PAnsiChar; signValue: PAnsiChar): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_VerifySignedData';
function SOF_SignMessage(flag: MSLong; certId: PAnsiChar; inData: PAnsiChar; outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_SignMessage';
function SOF_VerifySignedMessage(messageData: PAnsiChar; inData: PAnsiChar): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_VerifySignedMessage';
function SOF_GetInfoFromSignedMessage(messageData: PAnsiChar; infoType: MSLong; outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GetInfoFromSignedMessage';
function SOF_CreateTimeStampRequest(inData: PAnsiChar; outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_CreateTimeStampRequest';
function SOF_CreateTimeStampResponse(tsRequest: PAnsiChar; outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_CreateTimeStampResponse';
function SOF_VerifyTimeStamp(inData: PAnsiChar; tsResponse: PAnsiChar): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_VerifyTimeStamp';
function SOF_GetTimeStampInfo(tsResponse: PAnsiChar; infoType: MSLong; outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GetTimeStampInfo';
function SOF_GenRandom(numBytes: MSLong; outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GenRandom';
function SOF_GetLastErrMsg(outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GetLastErrMsg';
function MS_SignBatch(certId: PAnsiChar; itemsJoined: PAnsiChar; separator: PAnsiChar; outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'MS_SignBatch';
function MS_GetVerificationCode(outBuf: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'MS_GetVerificationCode';
function MS_LoginByEmployeeNo(employeeNo: PAnsiChar; certIdOut: PAnsiChar; var outLen: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'MS_LoginByEmployeeNo';
function MS_SetSignSummary(summary: PAnsiChar): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'MS_SetSignSummary';

{ ---- no strings ---- }
function SOF_SetSignMethod(method: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_SetSignMethod';
function SOF_GetSignMethod(var method: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GetSignMethod';
function SOF_GetLastError: MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'SOF_GetLastError';
function MS_SetAgentPort(port: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'MS_SetAgentPort';
function MS_SetTimeout(ms: MSLong): MSULong; {$IFDEF MSWINDOWS}stdcall{$ELSE}cdecl{$ENDIF}; external MEDSIGN_LIB name 'MS_SetTimeout';

type
  { A failed call: Code is the SOR code, Message names the function and carries the
    library's message (Chinese, English in brackets). }
  EMedSign = class(Exception)
  private
    FCode: MSULong;
    FFunctionName: string;
  public
    constructor CreateCode(ACode: MSULong; const AFunctionName, ADetail: string);
    property Code: MSULong read FCode;
    property FunctionName: string read FFunctionName;
  end;

  { The A functions with the buffers handled: each output starts in a buffer of BufferSize
    bytes (0: ask for the size first); on MS_BUFFER_TOO_SMALL the same call is made again
    with the size the library asked for. The library keeps the result of the too-small call,
    so the doctor approves a signature once. Verify* return False for SOR_VerifySignDataErr;
    every other failure raises EMedSign. Thread-safe: the library keeps errors per thread. }
  TMedSign = class
  private
    FBufferSize: MSLong;
  public
    constructor Create;
    procedure Check(rc: MSULong; const FunctionName: string);
    function LastError: MSULong;
    function LastErrorMessage: AnsiString;
    function GetVersion: AnsiString;
    function GetUserList: AnsiString;
    function ExportUserCert(const certId: AnsiString): AnsiString;
    procedure Login(const certId: AnsiString; const passWd: AnsiString);
    procedure Logout(const certId: AnsiString);
    function GetCertInfo(const cert: AnsiString; infoType: Integer): AnsiString;
    function GetCertInfoByOid(const cert: AnsiString; const oid: AnsiString): AnsiString;
    function ValidateCert(const cert: AnsiString): Integer;
    function SignData(const certId: AnsiString; const inData: AnsiString): AnsiString;
    function VerifySignedData(const cert: AnsiString; const inData: AnsiString; const signValue: AnsiString): Boolean;
    function SignMessage(flag: Integer; const certId: AnsiString; const inData: AnsiString): AnsiString;
    function VerifySignedMessage(const messageData: AnsiString; const inData: AnsiString): Boolean;
    function GetInfoFromSignedMessage(const messageData: AnsiString; infoType: Integer): AnsiString;
    function CreateTimeStampRequest(const inData: AnsiString): AnsiString;
    function CreateTimeStampResponse(const tsRequest: AnsiString): AnsiString;
    function VerifyTimeStamp(const inData: AnsiString; const tsResponse: AnsiString): Boolean;
    function GetTimeStampInfo(const tsResponse: AnsiString; infoType: Integer): AnsiString;
    function GenRandom(numBytes: Integer): AnsiString;
    function SignBatch(const certId: AnsiString; const itemsJoined: AnsiString; const separator: AnsiString): AnsiString;
    function GetVerificationCode: AnsiString;
    function LoginByEmployeeNo(const employeeNo: AnsiString): AnsiString;
    procedure SetSignSummary(const summary: AnsiString);
    procedure SetSignMethod(method: Integer);
    function GetSignMethod: Integer;
    procedure SetAgentPort(port: Integer);
    procedure SetTimeout(ms: Integer);
    property BufferSize: MSLong read FBufferSize write FBufferSize;
  end;

{ SOR_CertNotFountErr for $0B000310; "SOR_?" for a code the header does not name }
function MedSignCodeName(Code: MSULong): string;

implementation

function MedSignCodeName(Code: MSULong): string;
begin
  case Code of
    SOR_OK: Result := 'SOR_OK';
    SOR_UnknownErr: Result := 'SOR_UnknownErr';
    SOR_NotSupportYetErr: Result := 'SOR_NotSupportYetErr';
    SOR_FileErr: Result := 'SOR_FileErr';
    SOR_NotInitializeErr: Result := 'SOR_NotInitializeErr';
    SOR_ObjErr: Result := 'SOR_ObjErr';
    SOR_MemoryErr: Result := 'SOR_MemoryErr';
    SOR_TimeoutErr: Result := 'SOR_TimeoutErr';
    SOR_IndataLenErr: Result := 'SOR_IndataLenErr';
    SOR_IndataErr: Result := 'SOR_IndataErr';
    SOR_KeyNotFountErr: Result := 'SOR_KeyNotFountErr';
    SOR_CertNotFountErr: Result := 'SOR_CertNotFountErr';
    SOR_CertInvalidErr: Result := 'SOR_CertInvalidErr';
    SOR_CertHasExpiredErr: Result := 'SOR_CertHasExpiredErr';
    SOR_CertRevokedErr: Result := 'SOR_CertRevokedErr';
    SOR_SignDataErr: Result := 'SOR_SignDataErr';
    SOR_VerifySignDataErr: Result := 'SOR_VerifySignDataErr';
    SOR_PKCS7EncodeErr: Result := 'SOR_PKCS7EncodeErr';
    SOR_ParameterNotSupportErr: Result := 'SOR_ParameterNotSupportErr';
    SOR_CTLNotFound: Result := 'SOR_CTLNotFound';
    SOR_AppNotFound: Result := 'SOR_AppNotFound';
    SOR_CertNotYetValidErr: Result := 'SOR_CertNotYetValidErr';
    SOR_CertFrozenErr: Result := 'SOR_CertFrozenErr';
  else Result := 'SOR_?';
  end;
end;

constructor EMedSign.CreateCode(ACode: MSULong; const AFunctionName, ADetail: string);
begin
  inherited Create(AFunctionName + ': ' + MedSignCodeName(ACode) + ' (0x' + IntToHex(ACode, 8) + ') ' + ADetail);
  FCode := ACode;
  FFunctionName := AFunctionName;
end;

constructor TMedSign.Create;
begin
  inherited Create;
  FBufferSize := 8192;
end;

function TMedSign.LastError: MSULong;
begin
  Result := SOF_GetLastError;
end;

{ this thread's last message; SOF_GetLastErrMsg does not change the last error }
function TMedSign.LastErrorMessage: AnsiString;
var
  buf: AnsiString;
  n: MSLong;
  tries: Integer;
begin
  Result := '';
  n := 1024;
  for tries := 1 to 3 do
  begin
    SetLength(buf, n);
    case SOF_GetLastErrMsg(PAnsiChar(Pointer(buf)), n) of
      SOR_OK: begin SetLength(buf, n); Result := buf; Exit; end;
      MS_BUFFER_TOO_SMALL: ;
    else Exit;
    end;
  end;
end;

procedure TMedSign.Check(rc: MSULong; const FunctionName: string);
begin
  if rc <> SOR_OK then raise EMedSign.CreateCode(rc, FunctionName, string(LastErrorMessage));
end;

function TMedSign.GetVersion: AnsiString;
var
  buf: AnsiString;
  n: MSLong;
  rc: MSULong;
  tries: Integer;
begin
  n := FBufferSize;
  tries := 0;
  repeat
    Inc(tries);
    SetLength(buf, n);
    rc := SOF_GetVersion(PAnsiChar(Pointer(buf)), n);
  until (rc <> MS_BUFFER_TOO_SMALL) or (tries = 3);
  Check(rc, 'SOF_GetVersion');
  SetLength(buf, n);
  Result := buf;
end;

function TMedSign.GetUserList: AnsiString;
var
  buf: AnsiString;
  n: MSLong;
  rc: MSULong;
  tries: Integer;
begin
  n := FBufferSize;
  tries := 0;
  repeat
    Inc(tries);
    SetLength(buf, n);
    rc := SOF_GetUserList(PAnsiChar(Pointer(buf)), n);
  until (rc <> MS_BUFFER_TOO_SMALL) or (tries = 3);
  Check(rc, 'SOF_GetUserList');
  SetLength(buf, n);
  Result := buf;
end;

function TMedSign.ExportUserCert(const certId: AnsiString): AnsiString;
var
  buf: AnsiString;
  n: MSLong;
  rc: MSULong;
  tries: Integer;
begin
  n := FBufferSize;
  tries := 0;
  repeat
    Inc(tries);
    SetLength(buf, n);
    rc := SOF_ExportUserCert(PAnsiChar(certId), PAnsiChar(Pointer(buf)), n);
  until (rc <> MS_BUFFER_TOO_SMALL) or (tries = 3);
  Check(rc, 'SOF_ExportUserCert');
  SetLength(buf, n);
  Result := buf;
end;

procedure TMedSign.Login(const certId: AnsiString; const passWd: AnsiString);
begin
  Check(SOF_Login(PAnsiChar(certId), PAnsiChar(passWd)), 'SOF_Login');
end;

procedure TMedSign.Logout(const certId: AnsiString);
begin
  Check(SOF_Logout(PAnsiChar(certId)), 'SOF_Logout');
end;

function TMedSign.GetCertInfo(const cert: AnsiString; infoType: Integer): AnsiString;
var
  buf: AnsiString;
  n: MSLong;
  rc: MSULong;
  tries: Integer;
begin
  n := FBufferSize;
  tries := 0;
  repeat
    Inc(tries);
    SetLength(buf, n);
    rc := SOF_GetCertInfo(PAnsiChar(cert), MSLong(infoType), PAnsiChar(Pointer(buf)), n);
  until (rc <> MS_BUFFER_TOO_SMALL) or (tries = 3);
  Check(rc, 'SOF_GetCertInfo');
  SetLength(buf, n);
  Result := buf;
end;

function TMedSign.GetCertInfoByOid(const cert: AnsiString; const oid: AnsiString): AnsiString;
var
  buf: AnsiString;
  n: MSLong;
  rc: MSULong;
  tries: Integer;
begin
  n := FBufferSize;
  tries := 0;
  repeat
    Inc(tries);
    SetLength(buf, n);
    rc := SOF_GetCertInfoByOid(PAnsiChar(cert), PAnsiChar(oid), PAnsiChar(Pointer(buf)), n);
  until (rc <> MS_BUFFER_TOO_SMALL) or (tries = 3);
  Check(rc, 'SOF_GetCertInfoByOid');
  SetLength(buf, n);
  Result := buf;
end;

function TMedSign.ValidateCert(const cert: AnsiString): Integer;
var
  v: MSLong;
begin
  v := 0;
  Check(SOF_ValidateCert(PAnsiChar(cert), v), 'SOF_ValidateCert');
  Result := Integer(v);
end;

function TMedSign.SignData(const certId: AnsiString; const inData: AnsiString): AnsiString;
var
  buf: AnsiString;
  n: MSLong;
  rc: MSULong;
  tries: Integer;
begin
  n := FBufferSize;
  tries := 0;
  repeat
    Inc(tries);
    SetLength(buf, n);
    rc := SOF_SignData(PAnsiChar(certId), PAnsiChar(inData), PAnsiChar(Pointer(buf)), n);
  until (rc <> MS_BUFFER_TOO_SMALL) or (tries = 3);
  Check(rc, 'SOF_SignData');
  SetLength(buf, n);
  Result := buf;
end;

function TMedSign.VerifySignedData(const cert: AnsiString; const inData: AnsiString; const signValue: AnsiString): Boolean;
var
  rc: MSULong;
begin
  rc := SOF_VerifySignedData(PAnsiChar(cert), PAnsiChar(inData), PAnsiChar(signValue));
  Result := rc = SOR_OK;
  if rc <> SOR_VerifySignDataErr then Check(rc, 'SOF_VerifySignedData');
end;

function TMedSign.SignMessage(flag: Integer; const certId: AnsiString; const inData: AnsiString): AnsiString;
var
  buf: AnsiString;
  n: MSLong;
  rc: MSULong;
  tries: Integer;
begin
  n := FBufferSize;
  tries := 0;
  repeat
    Inc(tries);
    SetLength(buf, n);
    rc := SOF_SignMessage(MSLong(flag), PAnsiChar(certId), PAnsiChar(inData), PAnsiChar(Pointer(buf)), n);
  until (rc <> MS_BUFFER_TOO_SMALL) or (tries = 3);
  Check(rc, 'SOF_SignMessage');
  SetLength(buf, n);
  Result := buf;
end;

function TMedSign.VerifySignedMessage(const messageData: AnsiString; const inData: AnsiString): Boolean;
var
  rc: MSULong;
begin
  rc := SOF_VerifySignedMessage(PAnsiChar(messageData), PAnsiChar(inData));
  Result := rc = SOR_OK;
  if rc <> SOR_VerifySignDataErr then Check(rc, 'SOF_VerifySignedMessage');
end;

function TMedSign.GetInfoFromSignedMessage(const messageData: AnsiString; infoType: Integer): AnsiString;
var
  buf: AnsiString;
  n: MSLong;
  rc: MSULong;
  tries: Integer;
begin
  n := FBufferSize;
  tries := 0;
  repeat
    Inc(tries);
    SetLength(buf, n);
    rc := SOF_GetInfoFromSignedMessage(PAnsiChar(messageData), MSLong(infoType), PAnsiChar(Pointer(buf)), n);
  until (rc <> MS_BUFFER_TOO_SMALL) or (tries = 3);
  Check(rc, 'SOF_GetInfoFromSignedMessage');
  SetLength(buf, n);
  Result := buf;
end;

function TMedSign.CreateTimeStampRequest(const inData: AnsiString): AnsiString;
var
  buf: AnsiString;
  n: MSLong;
  rc: MSULong;
  tries: Integer;
begin
  n := FBufferSize;
  tries := 0;
  repeat
    Inc(tries);
    SetLength(buf, n);
    rc := SOF_CreateTimeStampRequest(PAnsiChar(inData), PAnsiChar(Pointer(buf)), n);
  until (rc <> MS_BUFFER_TOO_SMALL) or (tries = 3);
  Check(rc, 'SOF_CreateTimeStampRequest');
  SetLength(buf, n);
  Result := buf;
end;

function TMedSign.CreateTimeStampResponse(const tsRequest: AnsiString): AnsiString;
var
  buf: AnsiString;
  n: MSLong;
  rc: MSULong;
  tries: Integer;
begin
  n := FBufferSize;
  tries := 0;
  repeat
    Inc(tries);
    SetLength(buf, n);
    rc := SOF_CreateTimeStampResponse(PAnsiChar(tsRequest), PAnsiChar(Pointer(buf)), n);
  until (rc <> MS_BUFFER_TOO_SMALL) or (tries = 3);
  Check(rc, 'SOF_CreateTimeStampResponse');
  SetLength(buf, n);
  Result := buf;
end;

function TMedSign.VerifyTimeStamp(const inData: AnsiString; const tsResponse: AnsiString): Boolean;
var
  rc: MSULong;
begin
  rc := SOF_VerifyTimeStamp(PAnsiChar(inData), PAnsiChar(tsResponse));
  Result := rc = SOR_OK;
  if rc <> SOR_VerifySignDataErr then Check(rc, 'SOF_VerifyTimeStamp');
end;

function TMedSign.GetTimeStampInfo(const tsResponse: AnsiString; infoType: Integer): AnsiString;
var
  buf: AnsiString;
  n: MSLong;
  rc: MSULong;
  tries: Integer;
begin
  n := FBufferSize;
  tries := 0;
  repeat
    Inc(tries);
    SetLength(buf, n);
    rc := SOF_GetTimeStampInfo(PAnsiChar(tsResponse), MSLong(infoType), PAnsiChar(Pointer(buf)), n);
  until (rc <> MS_BUFFER_TOO_SMALL) or (tries = 3);
  Check(rc, 'SOF_GetTimeStampInfo');
  SetLength(buf, n);
  Result := buf;
end;

function TMedSign.GenRandom(numBytes: Integer): AnsiString;
var
  buf: AnsiString;
  n: MSLong;
  rc: MSULong;
  tries: Integer;
begin
  n := FBufferSize;
  tries := 0;
  repeat
    Inc(tries);
    SetLength(buf, n);
    rc := SOF_GenRandom(MSLong(numBytes), PAnsiChar(Pointer(buf)), n);
  until (rc <> MS_BUFFER_TOO_SMALL) or (tries = 3);
  Check(rc, 'SOF_GenRandom');
  SetLength(buf, n);
  Result := buf;
end;

function TMedSign.SignBatch(const certId: AnsiString; const itemsJoined: AnsiString; const separator: AnsiString): AnsiString;
var
  buf: AnsiString;
  n: MSLong;
  rc: MSULong;
  tries: Integer;
begin
  n := FBufferSize;
  tries := 0;
  repeat
    Inc(tries);
    SetLength(buf, n);
    rc := MS_SignBatch(PAnsiChar(certId), PAnsiChar(itemsJoined), PAnsiChar(separator), PAnsiChar(Pointer(buf)), n);
  until (rc <> MS_BUFFER_TOO_SMALL) or (tries = 3);
  Check(rc, 'MS_SignBatch');
  SetLength(buf, n);
  Result := buf;
end;

function TMedSign.GetVerificationCode: AnsiString;
var
  buf: AnsiString;
  n: MSLong;
  rc: MSULong;
  tries: Integer;
begin
  n := FBufferSize;
  tries := 0;
  repeat
    Inc(tries);
    SetLength(buf, n);
    rc := MS_GetVerificationCode(PAnsiChar(Pointer(buf)), n);
  until (rc <> MS_BUFFER_TOO_SMALL) or (tries = 3);
  Check(rc, 'MS_GetVerificationCode');
  SetLength(buf, n);
  Result := buf;
end;

function TMedSign.LoginByEmployeeNo(const employeeNo: AnsiString): AnsiString;
var
  buf: AnsiString;
  n: MSLong;
  rc: MSULong;
  tries: Integer;
begin
  n := FBufferSize;
  tries := 0;
  repeat
    Inc(tries);
    SetLength(buf, n);
    rc := MS_LoginByEmployeeNo(PAnsiChar(employeeNo), PAnsiChar(Pointer(buf)), n);
  until (rc <> MS_BUFFER_TOO_SMALL) or (tries = 3);
  Check(rc, 'MS_LoginByEmployeeNo');
  SetLength(buf, n);
  Result := buf;
end;

procedure TMedSign.SetSignSummary(const summary: AnsiString);
begin
  Check(MS_SetSignSummary(PAnsiChar(summary)), 'MS_SetSignSummary');
end;

procedure TMedSign.SetSignMethod(method: Integer);
begin
  Check(SOF_SetSignMethod(MSLong(method)), 'SOF_SetSignMethod');
end;

function TMedSign.GetSignMethod: Integer;
var
  v: MSLong;
begin
  v := 0;
  Check(SOF_GetSignMethod(v), 'SOF_GetSignMethod');
  Result := Integer(v);
end;

procedure TMedSign.SetAgentPort(port: Integer);
begin
  Check(MS_SetAgentPort(MSLong(port)), 'MS_SetAgentPort');
end;

procedure TMedSign.SetTimeout(ms: Integer);
begin
  Check(MS_SetTimeout(MSLong(ms)), 'MS_SetTimeout');
end;

end.
