$PBExportHeader$n_medsign.sru
$PBExportComments$generated from native/include/medsign.h by bindings/gen-declarations.ts -- do not edit
forward
global type n_medsign from nonvisualobject
end type
end forward

global type n_medsign from nonvisualobject
end type
global n_medsign n_medsign

type prototypes
function ulong SOF_GetVersion (ref string outBuf, ref long outLen) library "medsign.dll" alias for "SOF_GetVersion;Ansi"
function ulong SOF_GetUserList (ref string outBuf, ref long outLen) library "medsign.dll" alias for "SOF_GetUserList;Ansi"
function ulong SOF_ExportUserCert (string certId, ref string outBuf, ref long outLen) library "medsign.dll" alias for "SOF_ExportUserCert;Ansi"
function ulong SOF_Login (string certId, string passWd) library "medsign.dll" alias for "SOF_Login;Ansi"
function ulong SOF_Logout (string certId) library "medsign.dll" alias for "SOF_Logout;Ansi"
function ulong SOF_GetCertInfo (string cert, long infoType, ref string outBuf, ref long outLen) library "medsign.dll" alias for "SOF_GetCertInfo;Ansi"
function ulong SOF_GetCertInfoByOid (string cert, string oid, ref string outBuf, ref long outLen) library "medsign.dll" alias for "SOF_GetCertInfoByOid;Ansi"
function ulong SOF_ValidateCert (string cert, ref long validity) library "medsign.dll" alias for "SOF_ValidateCert;Ansi"
function ulong SOF_SignData (string certId, string inData, ref string outBuf, ref long outLen) library "medsign.dll" alias for "SOF_SignData;Ansi"
function ulong SOF_VerifySignedData (string cert, string inData, string signValue) library "medsign.dll" alias for "SOF_VerifySignedData;Ansi"
function ulong SOF_SignMessage (long flag, string certId, string inData, ref string outBuf, ref long outLen) library "medsign.dll" alias for "SOF_SignMessage;Ansi"
function ulong SOF_VerifySignedMessage (string messageData, string inData) library "medsign.dll" alias for "SOF_VerifySignedMessage;Ansi"
function ulong SOF_GetInfoFromSignedMessage (string messageData, long infoType, ref string outBuf, ref long outLen) library "medsign.dll" alias for "SOF_GetInfoFromSignedMessage;Ansi"
function ulong SOF_CreateTimeStampRequest (string inData, ref string outBuf, ref long outLen) library "medsign.dll" alias for "SOF_CreateTimeStampRequest;Ansi"
function ulong SOF_CreateTimeStampResponse (string tsRequest, ref string outBuf, ref long outLen) library "medsign.dll" alias for "SOF_CreateTimeStampResponse;Ansi"
function ulong SOF_VerifyTimeStamp (string inData, string tsResponse) library "medsign.dll" alias for "SOF_VerifyTimeStamp;Ansi"
function ulong SOF_GetTimeStampInfo (string tsResponse, long infoType, ref string outBuf, ref long outLen) library "medsign.dll" alias for "SOF_GetTimeStampInfo;Ansi"
function ulong SOF_GenRandom (long numBytes, ref string outBuf, ref long outLen) library "medsign.dll" alias for "SOF_GenRandom;Ansi"
function ulong SOF_GetLastErrMsg (ref string outBuf, ref long outLen) library "medsign.dll" alias for "SOF_GetLastErrMsg;Ansi"
function ulong MS_SignBatch (string certId, string itemsJoined, string separator, ref string outBuf, ref long outLen) library "medsign.dll" alias for "MS_SignBatch;Ansi"
function ulong MS_GetVerificationCode (ref string outBuf, ref long outLen) library "medsign.dll" alias for "MS_GetVerificationCode;Ansi"
function ulong MS_LoginByEmployeeNo (string employeeNo, ref string certIdOut, ref long outLen) library "medsign.dll" alias for "MS_LoginByEmployeeNo;Ansi"
function ulong MS_SetSignSummary (string summary) library "medsign.dll" alias for "MS_SetSignSummary;Ansi"
function ulong SOF_SetSignMethod (long method) library "medsign.dll" alias for "SOF_SetSignMethod;Ansi"
function ulong SOF_GetSignMethod (ref long method) library "medsign.dll" alias for "SOF_GetSignMethod;Ansi"
function ulong SOF_GetLastError () library "medsign.dll" alias for "SOF_GetLastError;Ansi"
function ulong MS_SetAgentPort (long port) library "medsign.dll" alias for "MS_SetAgentPort;Ansi"
function ulong MS_SetTimeout (long ms) library "medsign.dll" alias for "MS_SetTimeout;Ansi"
function ulong SOF_GetVersionW (ref string outBuf, ref long outLen) library "medsign.dll"
function ulong SOF_GetUserListW (ref string outBuf, ref long outLen) library "medsign.dll"
function ulong SOF_ExportUserCertW (string certId, ref string outBuf, ref long outLen) library "medsign.dll"
function ulong SOF_LoginW (string certId, string passWd) library "medsign.dll"
function ulong SOF_LogoutW (string certId) library "medsign.dll"
function ulong SOF_GetCertInfoW (string cert, long infoType, ref string outBuf, ref long outLen) library "medsign.dll"
function ulong SOF_GetCertInfoByOidW (string cert, string oid, ref string outBuf, ref long outLen) library "medsign.dll"
function ulong SOF_ValidateCertW (string cert, ref long validity) library "medsign.dll"
function ulong SOF_SignDataW (string certId, string inData, ref string outBuf, ref long outLen) library "medsign.dll"
function ulong SOF_VerifySignedDataW (string cert, string inData, string signValue) library "medsign.dll"
function ulong SOF_SignMessageW (long flag, string certId, string inData, ref string outBuf, ref long outLen) library "medsign.dll"
function ulong SOF_VerifySignedMessageW (string messageData, string inData) library "medsign.dll"
function ulong SOF_GetInfoFromSignedMessageW (string messageData, long infoType, ref string outBuf, ref long outLen) library "medsign.dll"
function ulong SOF_CreateTimeStampRequestW (string inData, ref string outBuf, ref long outLen) library "medsign.dll"
function ulong SOF_CreateTimeStampResponseW (string tsRequest, ref string outBuf, ref long outLen) library "medsign.dll"
function ulong SOF_VerifyTimeStampW (string inData, string tsResponse) library "medsign.dll"
function ulong SOF_GetTimeStampInfoW (string tsResponse, long infoType, ref string outBuf, ref long outLen) library "medsign.dll"
function ulong SOF_GenRandomW (long numBytes, ref string outBuf, ref long outLen) library "medsign.dll"
function ulong SOF_GetLastErrMsgW (ref string outBuf, ref long outLen) library "medsign.dll"
function ulong MS_SignBatchW (string certId, string itemsJoined, string separator, ref string outBuf, ref long outLen) library "medsign.dll"
function ulong MS_GetVerificationCodeW (ref string outBuf, ref long outLen) library "medsign.dll"
function ulong MS_LoginByEmployeeNoW (string employeeNo, ref string certIdOut, ref long outLen) library "medsign.dll"
function ulong MS_SetSignSummaryW (string summary) library "medsign.dll"
end prototypes

type variables
// libmedsign (MedSign GM/T 0020 SOF) for PowerBuilder: copy the x86 medsign.dll next to the exe.
// The unsuffixed functions use ";Ansi" (strings in the system code page, GBK on Chinese Windows),
// for PowerBuilder 9 and 10+ alike; the ...W ones take PowerBuilder 10+ Unicode strings.
// The of_* functions size the buffers (Space), retry on MS_BUFFER_TOO_SMALL (the library keeps
// the result: the doctor approves once) and return "" or false on failure; then of_last_error()
// gives the SOR code and of_last_message() the library's message (Chinese, English in brackets).
constant long MS_DEFAULT_PORT = 17990
constant long MS_DEFAULT_TIMEOUT_MS = 300000 // 5 minutes: covers the phone approval
constant ulong SOR_OK = 0 // 0x00000000
constant ulong SOR_UnknownErr = 184549377 // 0x0B000001
constant ulong SOR_NotSupportYetErr = 184549378 // 0x0B000002
constant ulong SOR_FileErr = 184549379 // 0x0B000003
constant ulong SOR_NotInitializeErr = 184549393 // 0x0B000011 also: the agent is not running on the port
constant ulong SOR_ObjErr = 184549394 // 0x0B000012
constant ulong SOR_MemoryErr = 184549632 // 0x0B000100
constant ulong SOR_TimeoutErr = 184549633 // 0x0B000101
constant ulong SOR_IndataLenErr = 184549888 // 0x0B000200
constant ulong SOR_IndataErr = 184549889 // 0x0B000201
constant ulong SOR_KeyNotFountErr = 184550153 // 0x0B000309
constant ulong SOR_CertNotFountErr = 184550160 // 0x0B000310
constant ulong SOR_CertInvalidErr = 184550406 // 0x0B000406
constant ulong SOR_CertHasExpiredErr = 184550407 // 0x0B000407
constant ulong SOR_CertRevokedErr = 184550408 // 0x0B000408
constant ulong SOR_SignDataErr = 184550409 // 0x0B000409
constant ulong SOR_VerifySignDataErr = 184550416 // 0x0B000410
constant ulong SOR_PKCS7EncodeErr = 184550423 // 0x0B000417
constant ulong SOR_ParameterNotSupportErr = 184550425 // 0x0B000419
constant ulong SOR_CTLNotFound = 184550432 // 0x0B000420
constant ulong SOR_AppNotFound = 184550433 // 0x0B000421
constant ulong SOR_CertNotYetValidErr = 184550657 // 0x0B000501
constant ulong SOR_CertFrozenErr = 184550658 // 0x0B000502
constant ulong MS_BUFFER_TOO_SMALL = 184549632 // 0x0B000100 = SOR_MemoryErr
constant long SGD_SM3_RSA = 65537 // 0x00010001
constant long SGD_SHA1_RSA = 65538 // 0x00010002
constant long SGD_SHA256_RSA = 65540 // 0x00010004
constant long SGD_SM3_SM2 = 131585 // 0x00020201
constant long MS_SIGN_ATTACHED = 0
constant long MS_SIGN_DETACHED = 1
// start size of the output buffers
long il_buffer_size = 8192
protected ulong iul_last_error = 0
protected string is_last_message = ""
end variables

forward prototypes
public function ulong of_last_error ()
public function string of_last_message ()
public function boolean of_check (ulong aul_rc, string as_function)
public function string of_get_version ()
public function string of_get_user_list ()
public function string of_export_user_cert (string as_cert_id)
public function boolean of_login (string as_cert_id, string as_pass_wd)
public function boolean of_logout (string as_cert_id)
public function string of_get_cert_info (string as_cert, long al_info_type)
public function string of_get_cert_info_by_oid (string as_cert, string as_oid)
public function boolean of_validate_cert (string as_cert, ref long al_validity)
public function string of_sign_data (string as_cert_id, string as_in_data)
public function boolean of_verify_signed_data (string as_cert, string as_in_data, string as_sign_value)
public function string of_sign_message (long al_flag, string as_cert_id, string as_in_data)
public function boolean of_verify_signed_message (string as_message_data, string as_in_data)
public function string of_get_info_from_signed_message (string as_message_data, long al_info_type)
public function string of_create_time_stamp_request (string as_in_data)
public function string of_create_time_stamp_response (string as_ts_request)
public function boolean of_verify_time_stamp (string as_in_data, string as_ts_response)
public function string of_get_time_stamp_info (string as_ts_response, long al_info_type)
public function string of_gen_random (long al_num_bytes)
public function string of_sign_batch (string as_cert_id, string as_items_joined, string as_separator)
public function string of_get_verification_code ()
public function string of_login_by_employee_no (string as_employee_no)
public function boolean of_set_sign_summary (string as_summary)
public function boolean of_set_sign_method (long al_method)
public function boolean of_get_sign_method (ref long al_method)
public function boolean of_set_agent_port (long al_port)
public function boolean of_set_timeout (long al_ms)
end prototypes

public function ulong of_last_error ();// the SOR code of the last of_* call (SOR_OK after a success)
return iul_last_error
end function

public function string of_last_message ();// the message of the last failed of_* call
return is_last_message
end function

public function boolean of_check (ulong aul_rc, string as_function);// keeps the code and the message of a call; true for SOR_OK
string ls_msg
long ll_len
integer li_try

iul_last_error = aul_rc
is_last_message = ""
if aul_rc = SOR_OK then return true
ll_len = 1024
for li_try = 1 to 3
	ls_msg = Space(ll_len)
	if SOF_GetLastErrMsg(ls_msg, ll_len) <> MS_BUFFER_TOO_SMALL then exit
next
is_last_message = as_function + ": " + ls_msg
return false
end function

public function string of_get_version ();// SOF_GetVersion
string ls_out
long ll_len
ulong lul_rc
integer li_try

ll_len = il_buffer_size
for li_try = 1 to 3
	ls_out = Space(ll_len)
	lul_rc = SOF_GetVersion(ls_out, ll_len)
	if lul_rc <> MS_BUFFER_TOO_SMALL then exit
next
if of_check(lul_rc, "SOF_GetVersion") then return ls_out
return ""
end function

public function string of_get_user_list ();// SOF_GetUserList
string ls_out
long ll_len
ulong lul_rc
integer li_try

ll_len = il_buffer_size
for li_try = 1 to 3
	ls_out = Space(ll_len)
	lul_rc = SOF_GetUserList(ls_out, ll_len)
	if lul_rc <> MS_BUFFER_TOO_SMALL then exit
next
if of_check(lul_rc, "SOF_GetUserList") then return ls_out
return ""
end function

public function string of_export_user_cert (string as_cert_id);// SOF_ExportUserCert
string ls_out
long ll_len
ulong lul_rc
integer li_try

ll_len = il_buffer_size
for li_try = 1 to 3
	ls_out = Space(ll_len)
	lul_rc = SOF_ExportUserCert(as_cert_id, ls_out, ll_len)
	if lul_rc <> MS_BUFFER_TOO_SMALL then exit
next
if of_check(lul_rc, "SOF_ExportUserCert") then return ls_out
return ""
end function

public function boolean of_login (string as_cert_id, string as_pass_wd);// SOF_Login
return of_check(SOF_Login(as_cert_id, as_pass_wd), "SOF_Login")
end function

public function boolean of_logout (string as_cert_id);// SOF_Logout
return of_check(SOF_Logout(as_cert_id), "SOF_Logout")
end function

public function string of_get_cert_info (string as_cert, long al_info_type);// SOF_GetCertInfo
string ls_out
long ll_len
ulong lul_rc
integer li_try

ll_len = il_buffer_size
for li_try = 1 to 3
	ls_out = Space(ll_len)
	lul_rc = SOF_GetCertInfo(as_cert, al_info_type, ls_out, ll_len)
	if lul_rc <> MS_BUFFER_TOO_SMALL then exit
next
if of_check(lul_rc, "SOF_GetCertInfo") then return ls_out
return ""
end function

public function string of_get_cert_info_by_oid (string as_cert, string as_oid);// SOF_GetCertInfoByOid
string ls_out
long ll_len
ulong lul_rc
integer li_try

ll_len = il_buffer_size
for li_try = 1 to 3
	ls_out = Space(ll_len)
	lul_rc = SOF_GetCertInfoByOid(as_cert, as_oid, ls_out, ll_len)
	if lul_rc <> MS_BUFFER_TOO_SMALL then exit
next
if of_check(lul_rc, "SOF_GetCertInfoByOid") then return ls_out
return ""
end function

public function boolean of_validate_cert (string as_cert, ref long al_validity);// SOF_ValidateCert
return of_check(SOF_ValidateCert(as_cert, al_validity), "SOF_ValidateCert")
end function

public function string of_sign_data (string as_cert_id, string as_in_data);// SOF_SignData
string ls_out
long ll_len
ulong lul_rc
integer li_try

ll_len = il_buffer_size
for li_try = 1 to 3
	ls_out = Space(ll_len)
	lul_rc = SOF_SignData(as_cert_id, as_in_data, ls_out, ll_len)
	if lul_rc <> MS_BUFFER_TOO_SMALL then exit
next
if of_check(lul_rc, "SOF_SignData") then return ls_out
return ""
end function

public function boolean of_verify_signed_data (string as_cert, string as_in_data, string as_sign_value);// SOF_VerifySignedData
// true: valid; false: not valid (of_last_error() = SOR_VerifySignDataErr) or another error
return of_check(SOF_VerifySignedData(as_cert, as_in_data, as_sign_value), "SOF_VerifySignedData")
end function

public function string of_sign_message (long al_flag, string as_cert_id, string as_in_data);// SOF_SignMessage
string ls_out
long ll_len
ulong lul_rc
integer li_try

ll_len = il_buffer_size
for li_try = 1 to 3
	ls_out = Space(ll_len)
	lul_rc = SOF_SignMessage(al_flag, as_cert_id, as_in_data, ls_out, ll_len)
	if lul_rc <> MS_BUFFER_TOO_SMALL then exit
next
if of_check(lul_rc, "SOF_SignMessage") then return ls_out
return ""
end function

public function boolean of_verify_signed_message (string as_message_data, string as_in_data);// SOF_VerifySignedMessage
// true: valid; false: not valid (of_last_error() = SOR_VerifySignDataErr) or another error
return of_check(SOF_VerifySignedMessage(as_message_data, as_in_data), "SOF_VerifySignedMessage")
end function

public function string of_get_info_from_signed_message (string as_message_data, long al_info_type);// SOF_GetInfoFromSignedMessage
string ls_out
long ll_len
ulong lul_rc
integer li_try

ll_len = il_buffer_size
for li_try = 1 to 3
	ls_out = Space(ll_len)
	lul_rc = SOF_GetInfoFromSignedMessage(as_message_data, al_info_type, ls_out, ll_len)
	if lul_rc <> MS_BUFFER_TOO_SMALL then exit
next
if of_check(lul_rc, "SOF_GetInfoFromSignedMessage") then return ls_out
return ""
end function

public function string of_create_time_stamp_request (string as_in_data);// SOF_CreateTimeStampRequest
string ls_out
long ll_len
ulong lul_rc
integer li_try

ll_len = il_buffer_size
for li_try = 1 to 3
	ls_out = Space(ll_len)
	lul_rc = SOF_CreateTimeStampRequest(as_in_data, ls_out, ll_len)
	if lul_rc <> MS_BUFFER_TOO_SMALL then exit
next
if of_check(lul_rc, "SOF_CreateTimeStampRequest") then return ls_out
return ""
end function

public function string of_create_time_stamp_response (string as_ts_request);// SOF_CreateTimeStampResponse
string ls_out
long ll_len
ulong lul_rc
integer li_try

ll_len = il_buffer_size
for li_try = 1 to 3
	ls_out = Space(ll_len)
	lul_rc = SOF_CreateTimeStampResponse(as_ts_request, ls_out, ll_len)
	if lul_rc <> MS_BUFFER_TOO_SMALL then exit
next
if of_check(lul_rc, "SOF_CreateTimeStampResponse") then return ls_out
return ""
end function

public function boolean of_verify_time_stamp (string as_in_data, string as_ts_response);// SOF_VerifyTimeStamp
// true: valid; false: not valid (of_last_error() = SOR_VerifySignDataErr) or another error
return of_check(SOF_VerifyTimeStamp(as_in_data, as_ts_response), "SOF_VerifyTimeStamp")
end function

public function string of_get_time_stamp_info (string as_ts_response, long al_info_type);// SOF_GetTimeStampInfo
string ls_out
long ll_len
ulong lul_rc
integer li_try

ll_len = il_buffer_size
for li_try = 1 to 3
	ls_out = Space(ll_len)
	lul_rc = SOF_GetTimeStampInfo(as_ts_response, al_info_type, ls_out, ll_len)
	if lul_rc <> MS_BUFFER_TOO_SMALL then exit
next
if of_check(lul_rc, "SOF_GetTimeStampInfo") then return ls_out
return ""
end function

public function string of_gen_random (long al_num_bytes);// SOF_GenRandom
string ls_out
long ll_len
ulong lul_rc
integer li_try

ll_len = il_buffer_size
for li_try = 1 to 3
	ls_out = Space(ll_len)
	lul_rc = SOF_GenRandom(al_num_bytes, ls_out, ll_len)
	if lul_rc <> MS_BUFFER_TOO_SMALL then exit
next
if of_check(lul_rc, "SOF_GenRandom") then return ls_out
return ""
end function

public function string of_sign_batch (string as_cert_id, string as_items_joined, string as_separator);// MS_SignBatch
string ls_out
long ll_len
ulong lul_rc
integer li_try

ll_len = il_buffer_size
for li_try = 1 to 3
	ls_out = Space(ll_len)
	lul_rc = MS_SignBatch(as_cert_id, as_items_joined, as_separator, ls_out, ll_len)
	if lul_rc <> MS_BUFFER_TOO_SMALL then exit
next
if of_check(lul_rc, "MS_SignBatch") then return ls_out
return ""
end function

public function string of_get_verification_code ();// MS_GetVerificationCode
string ls_out
long ll_len
ulong lul_rc
integer li_try

ll_len = il_buffer_size
for li_try = 1 to 3
	ls_out = Space(ll_len)
	lul_rc = MS_GetVerificationCode(ls_out, ll_len)
	if lul_rc <> MS_BUFFER_TOO_SMALL then exit
next
if of_check(lul_rc, "MS_GetVerificationCode") then return ls_out
return ""
end function

public function string of_login_by_employee_no (string as_employee_no);// MS_LoginByEmployeeNo
string ls_out
long ll_len
ulong lul_rc
integer li_try

ll_len = il_buffer_size
for li_try = 1 to 3
	ls_out = Space(ll_len)
	lul_rc = MS_LoginByEmployeeNo(as_employee_no, ls_out, ll_len)
	if lul_rc <> MS_BUFFER_TOO_SMALL then exit
next
if of_check(lul_rc, "MS_LoginByEmployeeNo") then return ls_out
return ""
end function

public function boolean of_set_sign_summary (string as_summary);// MS_SetSignSummary
return of_check(MS_SetSignSummary(as_summary), "MS_SetSignSummary")
end function

public function boolean of_set_sign_method (long al_method);// SOF_SetSignMethod
return of_check(SOF_SetSignMethod(al_method), "SOF_SetSignMethod")
end function

public function boolean of_get_sign_method (ref long al_method);// SOF_GetSignMethod
return of_check(SOF_GetSignMethod(al_method), "SOF_GetSignMethod")
end function

public function boolean of_set_agent_port (long al_port);// MS_SetAgentPort
return of_check(MS_SetAgentPort(al_port), "MS_SetAgentPort")
end function

public function boolean of_set_timeout (long al_ms);// MS_SetTimeout
return of_check(MS_SetTimeout(al_ms), "MS_SetTimeout")
end function

on n_medsign.create
call super::create
TriggerEvent( this, "constructor" )
end on

on n_medsign.destroy
TriggerEvent( this, "destructor" )
call super::destroy
end on

