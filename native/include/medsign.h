/*
 * medsign.h - libmedsign, the GM/T 0020-2012 (SOF) C interface of MedSign.
 *
 * Every function is a thin call to the MedSign agent (医签助手) on this workstation,
 * POST http://127.0.0.1:<port>/v1/<method>; the library holds no key and does no crypto.
 *
 * Conventions (C-style GM/T 0020 binding):
 *  - every function returns an unsigned long SOR_* code, SOR_OK (0) on success; the code
 *    and a message (Chinese, English in brackets) are kept per thread for SOF_GetLastError /
 *    SOF_GetLastErrMsg;
 *  - outputs go to a caller buffer `out` with an in/out length `outLen`: on entry the buffer
 *    size, on return the length written WITHOUT the terminating NUL. In characters: bytes for
 *    char, wchar_t units for the W variants;
 *  - a too-small buffer (or out == NULL) returns MS_BUFFER_TOO_SMALL (== SOR_MemoryErr,
 *    0x0B000100) and sets *outLen to the size needed INCLUDING the terminating NUL. The
 *    result is kept for this thread: calling the same function again with the same
 *    arguments as the very next call on the thread (within 60 s) returns it without asking
 *    the agent (and the doctor's phone) again;
 *  - strings: the unsuffixed name is the A variant. A takes and returns strings in the system
 *    code page (CP_ACP, e.g. GBK on Chinese Windows; UTF-8 on Linux); W takes and returns
 *    wchar_t strings (UTF-16 on Windows, UTF-32 on Linux). Text given to a signing function
 *    is converted to Unicode and the bytes signed are its UTF-8 encoding (no BOM, no NUL);
 *  - `long` is the platform C long (32-bit on Windows, 64-bit on 64-bit Linux).
 * See native/README.md for the full table.
 */
#ifndef MEDSIGN_H
#define MEDSIGN_H

#include <stddef.h>
#include <wchar.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#  define MS_CALL __stdcall
#  if defined(MEDSIGN_STATIC) /* linked into another module (the COM server): nothing exported */
#    define MS_API
#  elif defined(MEDSIGN_BUILD)
#    define MS_API __declspec(dllexport)
#  else
#    define MS_API __declspec(dllimport)
#  endif
#else
#  define MS_CALL
#  if defined(MEDSIGN_BUILD)
#    define MS_API __attribute__((visibility("default")))
#  else
#    define MS_API
#  endif
#endif

#define MEDSIGN_LIB_VERSION "0.1.0"
#define MS_DEFAULT_PORT 17990
#define MS_DEFAULT_TIMEOUT_MS 300000L /* 5 minutes: covers the phone approval */

/* ---- SOR_* codes (GM/T 0020) ---- */
#define SOR_OK                     0x00000000UL
#define SOR_UnknownErr             0x0B000001UL
#define SOR_NotSupportYetErr       0x0B000002UL
#define SOR_FileErr                0x0B000003UL
#define SOR_NotInitializeErr       0x0B000011UL /* also: the agent is not running on the port */
#define SOR_ObjErr                 0x0B000012UL
#define SOR_MemoryErr              0x0B000100UL
#define SOR_TimeoutErr             0x0B000101UL
#define SOR_IndataLenErr           0x0B000200UL
#define SOR_IndataErr              0x0B000201UL
#define SOR_KeyNotFountErr         0x0B000309UL
#define SOR_CertNotFountErr        0x0B000310UL
#define SOR_CertInvalidErr         0x0B000406UL
#define SOR_CertHasExpiredErr      0x0B000407UL
#define SOR_CertRevokedErr         0x0B000408UL
#define SOR_SignDataErr            0x0B000409UL
#define SOR_VerifySignDataErr      0x0B000410UL
#define SOR_PKCS7EncodeErr         0x0B000417UL
#define SOR_ParameterNotSupportErr 0x0B000419UL
#define SOR_CTLNotFound            0x0B000420UL
#define SOR_AppNotFound            0x0B000421UL
#define SOR_CertNotYetValidErr     0x0B000501UL
#define SOR_CertFrozenErr          0x0B000502UL

/* The output buffer is NULL or too small: *outLen is set to the size needed, NUL included. */
#define MS_BUFFER_TOO_SMALL SOR_MemoryErr

/* GM/T 0006 sign methods (SOF_SetSignMethod) */
#define SGD_SM3_RSA    0x00010001L
#define SGD_SHA1_RSA   0x00010002L
#define SGD_SHA256_RSA 0x00010004L
#define SGD_SM3_SM2    0x00020201L

/* SOF_SignMessage flag */
#define MS_SIGN_ATTACHED 0L
#define MS_SIGN_DETACHED 1L

/* ---- A variants: system code page (UTF-8 on Linux) ---- */
MS_API unsigned long MS_CALL SOF_GetVersionA(char *out, long *outLen);
MS_API unsigned long MS_CALL SOF_GetUserListA(char *out, long *outLen);
MS_API unsigned long MS_CALL SOF_ExportUserCertA(const char *certId, char *out, long *outLen);
MS_API unsigned long MS_CALL SOF_LoginA(const char *certId, const char *passWd);
MS_API unsigned long MS_CALL SOF_LogoutA(const char *certId);
MS_API unsigned long MS_CALL SOF_GetCertInfoA(const char *cert, long type, char *out, long *outLen);
MS_API unsigned long MS_CALL SOF_GetCertInfoByOidA(const char *cert, const char *oid, char *out, long *outLen);
MS_API unsigned long MS_CALL SOF_ValidateCertA(const char *cert, long *result);
MS_API unsigned long MS_CALL SOF_SignDataA(const char *certId, const char *inData, char *out, long *outLen);
MS_API unsigned long MS_CALL SOF_VerifySignedDataA(const char *cert, const char *inData, const char *signValue);
MS_API unsigned long MS_CALL SOF_SignMessageA(long flag, const char *certId, const char *inData, char *out, long *outLen);
MS_API unsigned long MS_CALL SOF_VerifySignedMessageA(const char *messageData, const char *inData);
MS_API unsigned long MS_CALL SOF_GetInfoFromSignedMessageA(const char *messageData, long type, char *out, long *outLen);
MS_API unsigned long MS_CALL SOF_CreateTimeStampRequestA(const char *inData, char *out, long *outLen);
MS_API unsigned long MS_CALL SOF_CreateTimeStampResponseA(const char *tsRequest, char *out, long *outLen);
MS_API unsigned long MS_CALL SOF_VerifyTimeStampA(const char *inData, const char *tsResponse);
MS_API unsigned long MS_CALL SOF_GetTimeStampInfoA(const char *tsResponse, long type, char *out, long *outLen);
MS_API unsigned long MS_CALL SOF_GenRandomA(long len, char *out, long *outLen);
MS_API unsigned long MS_CALL SOF_GetLastErrMsgA(char *out, long *outLen);
MS_API unsigned long MS_CALL MS_SignBatchA(const char *certId, const char *itemsJoined, const char *separator, char *out, long *outLen);
MS_API unsigned long MS_CALL MS_GetVerificationCodeA(char *out, long *outLen);
MS_API unsigned long MS_CALL MS_LoginByEmployeeNoA(const char *employeeNo, char *certIdOut, long *outLen);
MS_API unsigned long MS_CALL MS_SetSignSummaryA(const char *summary);

/* ---- W variants: wchar_t (UTF-16 on Windows, UTF-32 on Linux); lengths in wchar_t units ---- */
MS_API unsigned long MS_CALL SOF_GetVersionW(wchar_t *out, long *outLen);
MS_API unsigned long MS_CALL SOF_GetUserListW(wchar_t *out, long *outLen);
MS_API unsigned long MS_CALL SOF_ExportUserCertW(const wchar_t *certId, wchar_t *out, long *outLen);
MS_API unsigned long MS_CALL SOF_LoginW(const wchar_t *certId, const wchar_t *passWd);
MS_API unsigned long MS_CALL SOF_LogoutW(const wchar_t *certId);
MS_API unsigned long MS_CALL SOF_GetCertInfoW(const wchar_t *cert, long type, wchar_t *out, long *outLen);
MS_API unsigned long MS_CALL SOF_GetCertInfoByOidW(const wchar_t *cert, const wchar_t *oid, wchar_t *out, long *outLen);
MS_API unsigned long MS_CALL SOF_ValidateCertW(const wchar_t *cert, long *result);
MS_API unsigned long MS_CALL SOF_SignDataW(const wchar_t *certId, const wchar_t *inData, wchar_t *out, long *outLen);
MS_API unsigned long MS_CALL SOF_VerifySignedDataW(const wchar_t *cert, const wchar_t *inData, const wchar_t *signValue);
MS_API unsigned long MS_CALL SOF_SignMessageW(long flag, const wchar_t *certId, const wchar_t *inData, wchar_t *out, long *outLen);
MS_API unsigned long MS_CALL SOF_VerifySignedMessageW(const wchar_t *messageData, const wchar_t *inData);
MS_API unsigned long MS_CALL SOF_GetInfoFromSignedMessageW(const wchar_t *messageData, long type, wchar_t *out, long *outLen);
MS_API unsigned long MS_CALL SOF_CreateTimeStampRequestW(const wchar_t *inData, wchar_t *out, long *outLen);
MS_API unsigned long MS_CALL SOF_CreateTimeStampResponseW(const wchar_t *tsRequest, wchar_t *out, long *outLen);
MS_API unsigned long MS_CALL SOF_VerifyTimeStampW(const wchar_t *inData, const wchar_t *tsResponse);
MS_API unsigned long MS_CALL SOF_GetTimeStampInfoW(const wchar_t *tsResponse, long type, wchar_t *out, long *outLen);
MS_API unsigned long MS_CALL SOF_GenRandomW(long len, wchar_t *out, long *outLen);
MS_API unsigned long MS_CALL SOF_GetLastErrMsgW(wchar_t *out, long *outLen);
MS_API unsigned long MS_CALL MS_SignBatchW(const wchar_t *certId, const wchar_t *itemsJoined, const wchar_t *separator, wchar_t *out, long *outLen);
MS_API unsigned long MS_CALL MS_GetVerificationCodeW(wchar_t *out, long *outLen);
MS_API unsigned long MS_CALL MS_LoginByEmployeeNoW(const wchar_t *employeeNo, wchar_t *certIdOut, long *outLen);
MS_API unsigned long MS_CALL MS_SetSignSummaryW(const wchar_t *summary);

/* ---- unsuffixed names = the A variants (exported under these names too) ---- */
MS_API unsigned long MS_CALL SOF_GetVersion(char *out, long *outLen);
MS_API unsigned long MS_CALL SOF_GetUserList(char *out, long *outLen);
MS_API unsigned long MS_CALL SOF_ExportUserCert(const char *certId, char *out, long *outLen);
MS_API unsigned long MS_CALL SOF_Login(const char *certId, const char *passWd);
MS_API unsigned long MS_CALL SOF_Logout(const char *certId);
MS_API unsigned long MS_CALL SOF_GetCertInfo(const char *cert, long type, char *out, long *outLen);
MS_API unsigned long MS_CALL SOF_GetCertInfoByOid(const char *cert, const char *oid, char *out, long *outLen);
MS_API unsigned long MS_CALL SOF_ValidateCert(const char *cert, long *result);
MS_API unsigned long MS_CALL SOF_SignData(const char *certId, const char *inData, char *out, long *outLen);
MS_API unsigned long MS_CALL SOF_VerifySignedData(const char *cert, const char *inData, const char *signValue);
MS_API unsigned long MS_CALL SOF_SignMessage(long flag, const char *certId, const char *inData, char *out, long *outLen);
MS_API unsigned long MS_CALL SOF_VerifySignedMessage(const char *messageData, const char *inData);
MS_API unsigned long MS_CALL SOF_GetInfoFromSignedMessage(const char *messageData, long type, char *out, long *outLen);
MS_API unsigned long MS_CALL SOF_CreateTimeStampRequest(const char *inData, char *out, long *outLen);
MS_API unsigned long MS_CALL SOF_CreateTimeStampResponse(const char *tsRequest, char *out, long *outLen);
MS_API unsigned long MS_CALL SOF_VerifyTimeStamp(const char *inData, const char *tsResponse);
MS_API unsigned long MS_CALL SOF_GetTimeStampInfo(const char *tsResponse, long type, char *out, long *outLen);
MS_API unsigned long MS_CALL SOF_GenRandom(long len, char *out, long *outLen);
MS_API unsigned long MS_CALL SOF_GetLastErrMsg(char *out, long *outLen);
MS_API unsigned long MS_CALL MS_SignBatch(const char *certId, const char *itemsJoined, const char *separator, char *out, long *outLen);
MS_API unsigned long MS_CALL MS_GetVerificationCode(char *out, long *outLen);
MS_API unsigned long MS_CALL MS_LoginByEmployeeNo(const char *employeeNo, char *certIdOut, long *outLen);
/* What the doctor's phone shows for this thread's NEXT signing call (SOF_SignData, SOF_SignMessage,
 * MS_SignBatch: every item), e.g. "医嘱 #1024 张三 阿司匹林 100 mg"; at most 200 characters, used
 * once; NULL or "" clears it. Without it the phone shows the program's name and the size. */
MS_API unsigned long MS_CALL MS_SetSignSummary(const char *summary);

/* ---- no strings ---- */
MS_API unsigned long MS_CALL SOF_SetSignMethod(long method);
MS_API unsigned long MS_CALL SOF_GetSignMethod(long *method);
MS_API unsigned long MS_CALL SOF_GetLastError(void);                /* this thread's last code */
MS_API unsigned long MS_CALL MS_SetAgentPort(long port);            /* 1..65535; default 17990; all threads */
MS_API unsigned long MS_CALL MS_SetTimeout(long ms);                /* per call; <= 0 restores 5 min; all threads */

#ifdef __cplusplus
}
#endif
#endif /* MEDSIGN_H */
