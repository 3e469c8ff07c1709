' MedSign.SOF (the COM object of native/com, medsign_com.dll) from VBScript.
'
'   cscript //nologo com-sample.vbs <certId> <text> [agentPort]
'
' Prints one "name value" line per step: version, users, signature, verified, lasterror; on a
' failure "error 0x<SOR code> <message>" and exit code 1. The COM methods return "" or False on
' failure (never a COM error); SOF_GetLastError / SOF_GetLastErrMsg then tell why.
' Register first (as administrator): %windir%\SysWOW64\regsvr32 medsign_com.dll for the x86
' DLL on 64-bit Windows (32-bit cscript: %windir%\SysWOW64\cscript.exe), regsvr32 for x64.
' This file is ASCII on purpose: cscript reads a script without a BOM in the ANSI code page.
Option Explicit

Dim sof, certId, text, port, users, cert, sig, ok

If WScript.Arguments.Count < 2 Then
    WScript.Echo "usage: cscript //nologo com-sample.vbs <certId> <text> [agentPort]"
    WScript.Quit 2
End If
certId = WScript.Arguments(0)
text = WScript.Arguments(1)

On Error Resume Next
Set sof = CreateObject("MedSign.SOF")
If Err.Number <> 0 Then
    ' 429 "ActiveX component can't create object": medsign_com.dll is not registered for this bitness
    WScript.Echo "error " & Err.Number & " MedSign.SOF is not registered: run regsvr32 medsign_com.dll as administrator (" & Err.Description & ")"
    WScript.Quit 3
End If
On Error GoTo 0

Sub Fail(ByVal what)
    WScript.Echo "error 0x" & Right("0000000" & Hex(sof.SOF_GetLastError()), 8) & " " & what & ": " & sof.SOF_GetLastErrMsg()
    WScript.Quit 1
End Sub

If WScript.Arguments.Count >= 3 Then
    port = CLng(WScript.Arguments(2))
    If Not sof.MS_SetAgentPort(port) Then Fail "MS_SetAgentPort"
End If

WScript.Echo "version " & sof.SOF_GetVersion()
If sof.SOF_GetLastError <> 0 Then Fail "SOF_GetVersion"

users = sof.SOF_GetUserList()
If sof.SOF_GetLastError <> 0 Then Fail "SOF_GetUserList"
WScript.Echo "users " & users

cert = sof.SOF_ExportUserCert(certId)
If cert = "" Then Fail "SOF_ExportUserCert"

' the doctor's phone is asked to approve; the call returns when it did
sig = sof.SOF_SignData(certId, text)
If sig = "" Then Fail "SOF_SignData"
WScript.Echo "signature " & sig

ok = sof.SOF_VerifySignedData(cert, text, sig)
WScript.Echo "verified " & ok
WScript.Echo "lasterror " & sof.SOF_GetLastError()
If Not ok Then WScript.Quit 1
