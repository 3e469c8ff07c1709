' com_test.vbs <port> <certId> <text>
' What a VB6 or ASP page does with MedSign.SOF, late bound through IDispatch; run by wine's
' cscript in native/test/com.test.ts. TAP on stdout; values on "# name value" lines.
Option Explicit
Dim n, failed, o, port, certId, text, sig, p7, r
n = 0 : failed = 0
Sub Check(cond, name)
  n = n + 1
  If cond Then
    WScript.Echo "ok " & n & " - " & name
  Else
    failed = failed + 1
    WScript.Echo "not ok " & n & " - " & name
  End If
End Sub

port = CLng(WScript.Arguments(0))
certId = WScript.Arguments(1)
text = WScript.Arguments(2)

Set o = CreateObject("MedSign.SOF")
Check IsObject(o), "CreateObject(""MedSign.SOF"")"
Check o.MS_SetAgentPort(port), "MS_SetAgentPort"
Check Len(o.SOF_GetVersion()) > 0, "SOF_GetVersion"
Check InStr(o.SOF_GetUserList(), certId & "&&&") > 0, "SOF_GetUserList has the certId"
Check o.SOF_Login(certId, ""), "SOF_Login"
sig = o.SOF_SignData(certId, text)
Check Len(sig) > 100, "SOF_SignData"
WScript.Echo "# signature " & sig
Check o.SOF_VerifySignedData(certId, text, sig), "SOF_VerifySignedData True"
Check Not o.SOF_VerifySignedData(certId, text & "x", sig), "SOF_VerifySignedData False on other text"
Check o.SOF_GetLastError() = &H0B000410, "SOF_GetLastError = SOR_VerifySignDataErr"
p7 = o.SOF_SignMessage(1, certId, text)
Check Len(p7) > 500, "SOF_SignMessage detached"
WScript.Echo "# detached " & p7
Check o.SOF_VerifySignedMessage(p7, text), "SOF_VerifySignedMessage detached True"
r = o.SOF_SignData("00ff00ff", text)
Check r = "" And o.SOF_GetLastError() = &H0B000310, "unknown certId: empty, SOR_CertNotFountErr"
Check Len(o.SOF_GetLastErrMsg()) > 0, "SOF_GetLastErrMsg"
Set o = Nothing
WScript.Echo "1.." & n
If failed > 0 Then WScript.Quit 1
