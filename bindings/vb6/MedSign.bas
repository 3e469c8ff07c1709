Attribute VB_Name = "MedSign"
' generated from native/include/medsign.h by bindings/gen-declarations.ts -- do not edit.
' Regenerate: npx tsx bindings/gen-declarations.ts
'
' libmedsign (MedSign GM/T 0020 SOF) for VB6 and VBA (32-bit Office). Copy the x86 medsign.dll
' next to the exe (for the IDE: next to VB6.EXE, or in a folder on the PATH).
' The Declares of the unsuffixed names use the A exports: VB6 passes ByVal String as an ANSI
' copy (GBK on Chinese Windows) and copies it back after the call, so an output buffer must
' be allocated first (String$(n, vbNullChar)). The W Declares take pointers: pass StrPtr(s).
' The Ms* helpers below allocate, retry on MS_BUFFER_TOO_SMALL (the library keeps the result:
' the doctor approves once) and raise the SOR code as Err.Number, with the library's message
' (Chinese, English in brackets) in Err.Description. See bindings/vb6/README.md.
Option Explicit

Public Const MS_DEFAULT_PORT As Long = 17990
Public Const MS_DEFAULT_TIMEOUT_MS As Long = 300000 ' 5 minutes: covers the phone approval
Public Const SOR_OK As Long = &H00000000
Public Const SOR_UnknownErr As Long = &H0B000001
Public Const SOR_NotSupportYetErr As Long = &H0B000002
Public Const SOR_FileErr As Long = &H0B000003
Public Const SOR_NotInitializeErr As Long = &H0B000011 ' also: the agent is not running on the port
Public Const SOR_ObjErr As Long = &H0B000012
Public Const SOR_MemoryErr As Long = &H0B000100
Public Const SOR_TimeoutErr As Long = &H0B000101
Public Const SOR_IndataLenErr As Long = &H0B000200
Public Const SOR_IndataErr As Long = &H0B000201
Public Const SOR_KeyNotFountErr As Long = &H0B000309
Public Const SOR_CertNotFountErr As Long = &H0B000310
Public Const SOR_CertInvalidErr As Long = &H0B000406
Public Const SOR_CertHasExpiredErr As Long = &H0B000407
Public Const SOR_CertRevokedErr As Long = &H0B000408
Public Const SOR_SignDataErr As Long = &H0B000409
Public Const SOR_VerifySignDataErr As Long = &H0B000410
Public Const SOR_PKCS7EncodeErr As Long = &H0B000417
Public Const SOR_ParameterNotSupportErr As Long = &H0B000419
Public Const SOR_CTLNotFound As Long = &H0B000420
Public Const SOR_AppNotFound As Long = &H0B000421
Public Const SOR_CertNotYetValidErr As Long = &H0B000501
Public Const SOR_CertFrozenErr As Long = &H0B000502
Public Const MS_BUFFER_TOO_SMALL As Long = SOR_MemoryErr
Public Const SGD_SM3_RSA As Long = &H00010001
Public Const SGD_SHA1_RSA As Long = &H00010002
Public Const SGD_SHA256_RSA As Long = &H00010004
Public Const SGD_SM3_SM2 As Long = &H00020201
Public Const MS_SIGN_ATTACHED As Long = 0
Public Const MS_SIGN_DETACHED As Long = 1

' start size of the Ms* helpers' output buffers (<= 0: 8192)
Public MsBufferSize As Long

' ---- unsuffixed names: the A exports (system code page) ----
Public Declare Function SOF_GetVersion Lib "medsign.dll" Alias "SOF_GetVersionA" (ByVal outBuf As String, ByRef outLen As Long) As Long
Public Declare Function SOF_GetUserList Lib "medsign.dll" Alias "SOF_GetUserListA" (ByVal outBuf As String, ByRef outLen As Long) As Long
Public Declare Function SOF_ExportUserCert Lib "medsign.dll" Alias "SOF_ExportUserCertA" (ByVal certId As String, ByVal outBuf As String, ByRef outLen As Long) As Long
Public Declare Function SOF_Login Lib "medsign.dll" Alias "SOF_LoginA" (ByVal certId As String, ByVal passWd As String) As Long
Public Declare Function SOF_Logout Lib "medsign.dll" Alias "SOF_LogoutA" (ByVal certId As String) As Long
Public Declare Function SOF_GetCertInfo Lib "medsign.dll" Alias "SOF_GetCertInfoA" (ByVal cert As String, ByVal infoType As Long, ByVal outBuf As String, ByRef outLen As Long) As Long
Public Declare Function SOF_GetCertInfoByOid Lib "medsign.dll" Alias "SOF_GetCertInfoByOidA" (ByVal cert As String, ByVal oid As String, ByVal outBuf As String, ByRef outLen As Long) As Long
Public Declare Function SOF_ValidateCert Lib "medsign.dll" Alias "SOF_ValidateCertA" (ByVal cert As String, ByRef validity As Long) As Long
Public Declare Function SOF_SignData Lib "medsign.dll" Alias "SOF_SignDataA" (ByVal certId As String, ByVal inData As String, ByVal outBuf As String, ByRef outLen As Long) As Long
Public Declare Function SOF_VerifySignedData Lib "medsign.dll" Alias "SOF_VerifySignedDataA" (ByVal cert As String, ByVal inData As String, ByVal signValue As String) As Long
Public Declare Function SOF_SignMessage Lib "medsign.dll" Alias "SOF_SignMessageA" (ByVal flag As Long, ByVal certId As String, ByVal inData As String, ByVal outBuf As String, ByRef outLen As Long) As Long
Public Declare Function SOF_VerifySignedMessage Lib "medsign.dll" Alias "SOF_VerifySignedMessageA" (ByVal messageData As String, ByVal inData As String) As Long
Public Declare Function SOF_GetInfoFromSignedMessage Lib "medsign.dll" Alias "SOF_GetInfoFromSignedMessageA" (ByVal messageData As String, ByVal infoType As Long, ByVal outBuf As String, ByRef outLen As Long) As Long
Public Declare Function SOF_CreateTimeStampRequest Lib "medsign.dll" Alias "SOF_CreateTimeStampRequestA" (ByVal inData As String, ByVal outBuf As String, ByRef outLen As Long) As Long
Public Declare Function SOF_CreateTimeStampResponse Lib "medsign.dll" Alias "SOF_CreateTimeStampResponseA" (ByVal tsRequest As String, ByVal outBuf As String, ByRef outLen As Long) As Long
Public Declare Function SOF_VerifyTimeStamp Lib "medsign.dll" Alias "SOF_VerifyTimeStampA" (ByVal inData As String, ByVal tsResponse As String) As Long
Public Declare Function SOF_GetTimeStampInfo Lib "medsign.dll" Alias "SOF_GetTimeStampInfoA" (ByVal tsResponse As String, ByVal infoType As Long, ByVal outBuf As String, ByRef outLen As Long) As Long
Public Declare Function SOF_GenRandom Lib "medsign.dll" Alias "SOF_GenRandomA" (ByVal numBytes As Long, ByVal outBuf As String, ByRef outLen As Long) As Long
Public Declare Function SOF_GetLastErrMsg Lib "medsign.dll" Alias "SOF_GetLastErrMsgA" (ByVal outBuf As String, ByRef outLen As Long) As Long
Public Declare Function MS_SignBatch Lib "medsign.dll" Alias "MS_SignBatchA" (ByVal certId As String, ByVal itemsJoined As String, ByVal separator As String, ByVal outBuf As String, ByRef outLen As Long) As Long
Public Declare Function MS_GetVerificationCode Lib "medsign.dll" Alias "MS_GetVerificationCodeA" (ByVal outBuf As String, ByRef outLen As Long) As Long
Public Declare Function MS_LoginByEmployeeNo Lib "medsign.dll" Alias "MS_LoginByEmployeeNoA" (ByVal employeeNo As String, ByVal certIdOut As String, ByRef outLen As Long) As Long
Public Declare Function MS_SetSignSummary Lib "medsign.dll" Alias "MS_SetSignSummaryA" (ByVal summary As String) As Long
' ---- no strings ----
Public Declare Function SOF_SetSignMethod Lib "medsign.dll" (ByVal method As Long) As Long
Public Declare Function SOF_GetSignMethod Lib "medsign.dll" (ByRef method As Long) As Long
Public Declare Function SOF_GetLastError Lib "medsign.dll" () As Long
Public Declare Function MS_SetAgentPort Lib "medsign.dll" (ByVal port As Long) As Long
Public Declare Function MS_SetTimeout Lib "medsign.dll" (ByVal ms As Long) As Long
' ---- W exports: UTF-16, pass StrPtr(s); lengths in characters ----
Public Declare Function SOF_GetVersionW Lib "medsign.dll" (ByVal outBuf As Long, ByRef outLen As Long) As Long
Public Declare Function SOF_GetUserListW Lib "medsign.dll" (ByVal outBuf As Long, ByRef outLen As Long) As Long
Public Declare Function SOF_ExportUserCertW Lib "medsign.dll" (ByVal certId As Long, ByVal outBuf As Long, ByRef outLen As Long) As Long
Public Declare Function SOF_LoginW Lib "medsign.dll" (ByVal certId As Long, ByVal passWd As Long) As Long
Public Declare Function SOF_LogoutW Lib "medsign.dll" (ByVal certId As Long) As Long
Public Declare Function SOF_GetCertInfoW Lib "medsign.dll" (ByVal cert As Long, ByVal infoType As Long, ByVal outBuf As Long, ByRef outLen As Long) As Long
Public Declare Function SOF_GetCertInfoByOidW Lib "medsign.dll" (ByVal cert As Long, ByVal oid As Long, ByVal outBuf As Long, ByRef outLen As Long) As Long
Public Declare Function SOF_ValidateCertW Lib "medsign.dll" (ByVal cert As Long, ByRef validity As Long) As Long
Public Declare Function SOF_SignDataW Lib "medsign.dll" (ByVal certId As Long, ByVal inData As Long, ByVal outBuf As Long, ByRef outLen As Long) As Long
Public Declare Function SOF_VerifySignedDataW Lib "medsign.dll" (ByVal cert As Long, ByVal inData As Long, ByVal signValue As Long) As Long
Public Declare Function SOF_SignMessageW Lib "medsign.dll" (ByVal flag As Long, ByVal certId As Long, ByVal inData As Long, ByVal outBuf As Long, ByRef outLen As Long) As Long
Public Declare Function SOF_VerifySignedMessageW Lib "medsign.dll" (ByVal messageData As Long, ByVal inData As Long) As Long
Public Declare Function SOF_GetInfoFromSignedMessageW Lib "medsign.dll" (ByVal messageData As Long, ByVal infoType As Long, ByVal outBuf As Long, ByRef outLen As Long) As Long
Public Declare Function SOF_CreateTimeStampRequestW Lib "medsign.dll" (ByVal inData As Long, ByVal outBuf As Long, ByRef outLen As Long) As Long
Public Declare Function SOF_CreateTimeStampResponseW Lib "medsign.dll" (ByVal tsRequest As Long, ByVal outBuf As Long, ByRef outLen As Long) As Long
Public Declare Function SOF_VerifyTimeStampW Lib "medsign.dll" (ByVal inData As Long, ByVal tsResponse As Long) As Long
Public Declare Function SOF_GetTimeStampInfoW Lib "medsign.dll" (ByVal tsResponse As Long, ByVal infoType As Long, ByVal outBuf As Long, ByRef outLen As Long) As Long
Public Declare Function SOF_GenRandomW Lib "medsign.dll" (ByVal numBytes As Long, ByVal outBuf As Long, ByRef outLen As Long) As Long
Public Declare Function SOF_GetLastErrMsgW Lib "medsign.dll" (ByVal outBuf As Long, ByRef outLen As Long) As Long
Public Declare Function MS_SignBatchW Lib "medsign.dll" (ByVal certId As Long, ByVal itemsJoined As Long, ByVal separator As Long, ByVal outBuf As Long, ByRef outLen As Long) As Long
Public Declare Function MS_GetVerificationCodeW Lib "medsign.dll" (ByVal outBuf As Long, ByRef outLen As Long) As Long
Public Declare Function MS_LoginByEmployeeNoW Lib "medsign.dll" (ByVal employeeNo As Long, ByVal certIdOut As Long, ByRef outLen As Long) As Long
Public Declare Function MS_SetSignSummaryW Lib "medsign.dll" (ByVal summary As Long) As Long

' SOR_CertNotFountErr for &H0B000310
Public Function MsCodeName(ByVal rc As Long) As String
    Select Case rc
    Case SOR_OK: MsCodeName = "SOR_OK"
    Case SOR_UnknownErr: MsCodeName = "SOR_UnknownErr"
    Case SOR_NotSupportYetErr: MsCodeName = "SOR_NotSupportYetErr"
    Case SOR_FileErr: MsCodeName = "SOR_FileErr"
    Case SOR_NotInitializeErr: MsCodeName = "SOR_NotInitializeErr"
    Case SOR_ObjErr: MsCodeName = "SOR_ObjErr"
    Case SOR_MemoryErr: MsCodeName = "SOR_MemoryErr"
    Case SOR_TimeoutErr: MsCodeName = "SOR_TimeoutErr"
    Case SOR_IndataLenErr: MsCodeName = "SOR_IndataLenErr"
    Case SOR_IndataErr: MsCodeName = "SOR_IndataErr"
    Case SOR_KeyNotFountErr: MsCodeName = "SOR_KeyNotFountErr"
    Case SOR_CertNotFountErr: MsCodeName = "SOR_CertNotFountErr"
    Case SOR_CertInvalidErr: MsCodeName = "SOR_CertInvalidErr"
    Case SOR_CertHasExpiredErr: MsCodeName = "SOR_CertHasExpiredErr"
    Case SOR_CertRevokedErr: MsCodeName = "SOR_CertRevokedErr"
    Case SOR_SignDataErr: MsCodeName = "SOR_SignDataErr"
    Case SOR_VerifySignDataErr: MsCodeName = "SOR_VerifySignDataErr"
    Case SOR_PKCS7EncodeErr: MsCodeName = "SOR_PKCS7EncodeErr"
    Case SOR_ParameterNotSupportErr: MsCodeName = "SOR_ParameterNotSupportErr"
    Case SOR_CTLNotFound: MsCodeName = "SOR_CTLNotFound"
    Case SOR_AppNotFound: MsCodeName = "SOR_AppNotFound"
    Case SOR_CertNotYetValidErr: MsCodeName = "SOR_CertNotYetValidErr"
    Case SOR_CertFrozenErr: MsCodeName = "SOR_CertFrozenErr"
    Case Else: MsCodeName = "SOR_?"
    End Select
End Function

' this thread's last message (Chinese, English in brackets)
Public Function MsLastErrMsg() As String
    Dim buf As String, n As Long, rc As Long, tries As Long
    n = 1024
    Do
        tries = tries + 1
        buf = String$(n, vbNullChar)
        rc = SOF_GetLastErrMsg(buf, n)
    Loop While rc = MS_BUFFER_TOO_SMALL And tries < 3
    If rc = SOR_OK Then MsLastErrMsg = MsCut(buf)
End Function

' the text before the first NUL (outLen counts bytes, a VB string characters)
Private Function MsCut(ByVal s As String) As String
    Dim p As Long
    p = InStr(s, vbNullChar)
    If p > 0 Then MsCut = Left$(s, p - 1) Else MsCut = s
End Function

Private Function MsStartSize() As Long
    If MsBufferSize > 0 Then MsStartSize = MsBufferSize Else MsStartSize = 8192
End Function

Private Sub MsRaise(ByVal rc As Long, ByVal func As String)
    Err.Raise rc, "MedSign." & func, func & ": " & MsCodeName(rc) & " (0x" & Right$("0000000" & Hex$(rc), 8) & ") " & MsLastErrMsg()
End Sub

Public Function MsGetVersion() As String
    Dim buf As String, n As Long, rc As Long, tries As Long
    n = MsStartSize()
    Do
        tries = tries + 1
        buf = String$(n, vbNullChar)
        rc = SOF_GetVersion(buf, n)
    Loop While rc = MS_BUFFER_TOO_SMALL And tries < 3
    If rc <> SOR_OK Then MsRaise rc, "SOF_GetVersion"
    MsGetVersion = MsCut(buf)
End Function

Public Function MsGetUserList() As String
    Dim buf As String, n As Long, rc As Long, tries As Long
    n = MsStartSize()
    Do
        tries = tries + 1
        buf = String$(n, vbNullChar)
        rc = SOF_GetUserList(buf, n)
    Loop While rc = MS_BUFFER_TOO_SMALL And tries < 3
    If rc <> SOR_OK Then MsRaise rc, "SOF_GetUserList"
    MsGetUserList = MsCut(buf)
End Function

Public Function MsExportUserCert(ByVal certId As String) As String
    Dim buf As String, n As Long, rc As Long, tries As Long
    n = MsStartSize()
    Do
        tries = tries + 1
        buf = String$(n, vbNullChar)
        rc = SOF_ExportUserCert(certId, buf, n)
    Loop While rc = MS_BUFFER_TOO_SMALL And tries < 3
    If rc <> SOR_OK Then MsRaise rc, "SOF_ExportUserCert"
    MsExportUserCert = MsCut(buf)
End Function

Public Sub MsLogin(ByVal certId As String, ByVal passWd As String)
    Dim rc As Long
    rc = SOF_Login(certId, passWd)
    If rc <> SOR_OK Then MsRaise rc, "SOF_Login"
End Sub

Public Sub MsLogout(ByVal certId As String)
    Dim rc As Long
    rc = SOF_Logout(certId)
    If rc <> SOR_OK Then MsRaise rc, "SOF_Logout"
End Sub

Public Function MsGetCertInfo(ByVal cert As String, ByVal infoType As Long) As String
    Dim buf As String, n As Long, rc As Long, tries As Long
    n = MsStartSize()
    Do
        tries = tries + 1
        buf = String$(n, vbNullChar)
        rc = SOF_GetCertInfo(cert, infoType, buf, n)
    Loop While rc = MS_BUFFER_TOO_SMALL And tries < 3
    If rc <> SOR_OK Then MsRaise rc, "SOF_GetCertInfo"
    MsGetCertInfo = MsCut(buf)
End Function

Public Function MsGetCertInfoByOid(ByVal cert As String, ByVal oid As String) As String
    Dim buf As String, n As Long, rc As Long, tries As Long
    n = MsStartSize()
    Do
        tries = tries + 1
        buf = String$(n, vbNullChar)
        rc = SOF_GetCertInfoByOid(cert, oid, buf, n)
    Loop While rc = MS_BUFFER_TOO_SMALL And tries < 3
    If rc <> SOR_OK Then MsRaise rc, "SOF_GetCertInfoByOid"
    MsGetCertInfoByOid = MsCut(buf)
End Function

Public Function MsValidateCert(ByVal cert As String) As Long
    Dim v As Long, rc As Long
    rc = SOF_ValidateCert(cert, v)
    If rc <> SOR_OK Then MsRaise rc, "SOF_ValidateCert"
    MsValidateCert = v
End Function

Public Function MsSignData(ByVal certId As String, ByVal inData As String) As String
    Dim buf As String, n As Long, rc As Long, tries As Long
    n = MsStartSize()
    Do
        tries = tries + 1
        buf = String$(n, vbNullChar)
        rc = SOF_SignData(certId, inData, buf, n)
    Loop While rc = MS_BUFFER_TOO_SMALL And tries < 3
    If rc <> SOR_OK Then MsRaise rc, "SOF_SignData"
    MsSignData = MsCut(buf)
End Function

' True: valid; False: SOR_VerifySignDataErr; other codes raise
Public Function MsVerifySignedData(ByVal cert As String, ByVal inData As String, ByVal signValue As String) As Boolean
    Dim rc As Long
    rc = SOF_VerifySignedData(cert, inData, signValue)
    If rc <> SOR_OK And rc <> SOR_VerifySignDataErr Then MsRaise rc, "SOF_VerifySignedData"
    MsVerifySignedData = (rc = SOR_OK)
End Function

Public Function MsSignMessage(ByVal flag As Long, ByVal certId As String, ByVal inData As String) As String
    Dim buf As String, n As Long, rc As Long, tries As Long
    n = MsStartSize()
    Do
        tries = tries + 1
        buf = String$(n, vbNullChar)
        rc = SOF_SignMessage(flag, certId, inData, buf, n)
    Loop While rc = MS_BUFFER_TOO_SMALL And tries < 3
    If rc <> SOR_OK Then MsRaise rc, "SOF_SignMessage"
    MsSignMessage = MsCut(buf)
End Function

' True: valid; False: SOR_VerifySignDataErr; other codes raise
Public Function MsVerifySignedMessage(ByVal messageData As String, ByVal inData As String) As Boolean
    Dim rc As Long
    rc = SOF_VerifySignedMessage(messageData, inData)
    If rc <> SOR_OK And rc <> SOR_VerifySignDataErr Then MsRaise rc, "SOF_VerifySignedMessage"
    MsVerifySignedMessage = (rc = SOR_OK)
End Function

Public Function MsGetInfoFromSignedMessage(ByVal messageData As String, ByVal infoType As Long) As String
    Dim buf As String, n As Long, rc As Long, tries As Long
    n = MsStartSize()
    Do
        tries = tries + 1
        buf = String$(n, vbNullChar)
        rc = SOF_GetInfoFromSignedMessage(messageData, infoType, buf, n)
    Loop While rc = MS_BUFFER_TOO_SMALL And tries < 3
    If rc <> SOR_OK Then MsRaise rc, "SOF_GetInfoFromSignedMessage"
    MsGetInfoFromSignedMessage = MsCut(buf)
End Function

Public Function MsCreateTimeStampRequest(ByVal inData As String) As String
    Dim buf As String, n As Long, rc As Long, tries As Long
    n = MsStartSize()
    Do
        tries = tries + 1
        buf = String$(n, vbNullChar)
        rc = SOF_CreateTimeStampRequest(inData, buf, n)
    Loop While rc = MS_BUFFER_TOO_SMALL And tries < 3
    If rc <> SOR_OK Then MsRaise rc, "SOF_CreateTimeStampRequest"
    MsCreateTimeStampRequest = MsCut(buf)
End Function

Public Function MsCreateTimeStampResponse(ByVal tsRequest As String) As String
    Dim buf As String, n As Long, rc As Long, tries As Long
    n = MsStartSize()
    Do
        tries = tries + 1
        buf = String$(n, vbNullChar)
        rc = SOF_CreateTimeStampResponse(tsRequest, buf, n)
    Loop While rc = MS_BUFFER_TOO_SMALL And tries < 3
    If rc <> SOR_OK Then MsRaise rc, "SOF_CreateTimeStampResponse"
    MsCreateTimeStampResponse = MsCut(buf)
End Function

' True: valid; False: SOR_VerifySignDataErr; other codes raise
Public Function MsVerifyTimeStamp(ByVal inData As String, ByVal tsResponse As String) As Boolean
    Dim rc As Long
    rc = SOF_VerifyTimeStamp(inData, tsResponse)
    If rc <> SOR_OK And rc <> SOR_VerifySignDataErr Then MsRaise rc, "SOF_VerifyTimeStamp"
    MsVerifyTimeStamp = (rc = SOR_OK)
End Function

Public Function MsGetTimeStampInfo(ByVal tsResponse As String, ByVal infoType As Long) As String
    Dim buf As String, n As Long, rc As Long, tries As Long
    n = MsStartSize()
    Do
        tries = tries + 1
        buf = String$(n, vbNullChar)
        rc = SOF_GetTimeStampInfo(tsResponse, infoType, buf, n)
    Loop While rc = MS_BUFFER_TOO_SMALL And tries < 3
    If rc <> SOR_OK Then MsRaise rc, "SOF_GetTimeStampInfo"
    MsGetTimeStampInfo = MsCut(buf)
End Function

Public Function MsGenRandom(ByVal numBytes As Long) As String
    Dim buf As String, n As Long, rc As Long, tries As Long
    n = MsStartSize()
    Do
        tries = tries + 1
        buf = String$(n, vbNullChar)
        rc = SOF_GenRandom(numBytes, buf, n)
    Loop While rc = MS_BUFFER_TOO_SMALL And tries < 3
    If rc <> SOR_OK Then MsRaise rc, "SOF_GenRandom"
    MsGenRandom = MsCut(buf)
End Function

Public Function MsSignBatch(ByVal certId As String, ByVal itemsJoined As String, ByVal separator As String) As String
    Dim buf As String, n As Long, rc As Long, tries As Long
    n = MsStartSize()
    Do
        tries = tries + 1
        buf = String$(n, vbNullChar)
        rc = MS_SignBatch(certId, itemsJoined, separator, buf, n)
    Loop While rc = MS_BUFFER_TOO_SMALL And tries < 3
    If rc <> SOR_OK Then MsRaise rc, "MS_SignBatch"
    MsSignBatch = MsCut(buf)
End Function

Public Function MsGetVerificationCode() As String
    Dim buf As String, n As Long, rc As Long, tries As Long
    n = MsStartSize()
    Do
        tries = tries + 1
        buf = String$(n, vbNullChar)
        rc = MS_GetVerificationCode(buf, n)
    Loop While rc = MS_BUFFER_TOO_SMALL And tries < 3
    If rc <> SOR_OK Then MsRaise rc, "MS_GetVerificationCode"
    MsGetVerificationCode = MsCut(buf)
End Function

Public Function MsLoginByEmployeeNo(ByVal employeeNo As String) As String
    Dim buf As String, n As Long, rc As Long, tries As Long
    n = MsStartSize()
    Do
        tries = tries + 1
        buf = String$(n, vbNullChar)
        rc = MS_LoginByEmployeeNo(employeeNo, buf, n)
    Loop While rc = MS_BUFFER_TOO_SMALL And tries < 3
    If rc <> SOR_OK Then MsRaise rc, "MS_LoginByEmployeeNo"
    MsLoginByEmployeeNo = MsCut(buf)
End Function

Public Sub MsSetSignSummary(ByVal summary As String)
    Dim rc As Long
    rc = MS_SetSignSummary(summary)
    If rc <> SOR_OK Then MsRaise rc, "MS_SetSignSummary"
End Sub

Public Sub MsSetSignMethod(ByVal method As Long)
    Dim rc As Long
    rc = SOF_SetSignMethod(method)
    If rc <> SOR_OK Then MsRaise rc, "SOF_SetSignMethod"
End Sub

Public Function MsGetSignMethod() As Long
    Dim v As Long, rc As Long
    rc = SOF_GetSignMethod(v)
    If rc <> SOR_OK Then MsRaise rc, "SOF_GetSignMethod"
    MsGetSignMethod = v
End Function

Public Sub MsSetAgentPort(ByVal port As Long)
    Dim rc As Long
    rc = MS_SetAgentPort(port)
    If rc <> SOR_OK Then MsRaise rc, "MS_SetAgentPort"
End Sub

Public Sub MsSetTimeout(ByVal ms As Long)
    Dim rc As Long
    rc = MS_SetTimeout(ms)
    If rc <> SOR_OK Then MsRaise rc, "MS_SetTimeout"
End Sub
