/*
 * com_client.exe <port> <certId> <text as hex UTF-8>: a COM client of MedSign.SOF, as VB6,
 * PowerBuilder OLE and VBScript use it. It finds the class by ProgID, creates it in-process and
 * calls every method through IDispatch (GetIDsOfNames + Invoke, late binding), and a few through
 * the vtable (early binding, the dual interface). Output is TAP; values for the test (signatures,
 * the PKCS#7) on `# name value` lines.
 */
#define COBJMACROS
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <ole2.h>
#include <oleauto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include "medsign_com.h"

static int n_test, n_fail;
static void ok(int cond, const char *name) {
    n_test++;
    if (!cond) n_fail++;
    printf("%s %d - %s\n", cond ? "ok" : "not ok", n_test, name);
    fflush(stdout);
}

static IDispatch *disp;
static HRESULT last_hr;

/* obj.name(args...) through IDispatch::Invoke; args in call order */
static VARIANT call(const wchar_t *name, int argc, VARIANT *args) {
    VARIANT ret, rev[8];
    DISPID id;
    DISPPARAMS dp = {rev, NULL, (UINT)argc, 0};
    EXCEPINFO ex;
    UINT argErr = 0;
    LPOLESTR names[1] = {(LPOLESTR)name};
    VariantInit(&ret);
    memset(&ex, 0, sizeof ex);
    for (int i = 0; i < argc; i++) rev[argc - 1 - i] = args[i]; /* DISPPARAMS are right to left */
    last_hr = IDispatch_GetIDsOfNames(disp, &IID_NULL, names, 1, LOCALE_USER_DEFAULT, &id);
    if (SUCCEEDED(last_hr))
        last_hr = IDispatch_Invoke(disp, id, &IID_NULL, LOCALE_USER_DEFAULT, DISPATCH_METHOD, &dp, &ret, &ex, &argErr);
    return ret;
}

static VARIANT bstr(const wchar_t *s) {
    VARIANT v;
    VariantInit(&v);
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = SysAllocString(s);
    return v;
}
static VARIANT i4(long n) {
    VARIANT v;
    VariantInit(&v);
    V_VT(&v) = VT_I4;
    V_I4(&v) = n;
    return v;
}
static VARIANT i2(short n) { /* what PowerBuilder passes for an integer */
    VARIANT v;
    VariantInit(&v);
    V_VT(&v) = VT_I2;
    V_I2(&v) = n;
    return v;
}
static void clear(int argc, VARIANT *args) {
    for (int i = 0; i < argc; i++) VariantClear(&args[i]);
}

static int is_str(VARIANT *v) { return V_VT(v) == VT_BSTR; }
static int str_len(VARIANT *v) { return is_str(v) ? (int)SysStringLen(V_BSTR(v)) : -1; }
static int is_true(VARIANT *v) { return V_VT(v) == VT_BOOL && V_BOOL(v) == VARIANT_TRUE; }
static int is_false(VARIANT *v) { return V_VT(v) == VT_BOOL && V_BOOL(v) == VARIANT_FALSE; }

static long last_error(void) {
    VARIANT r = call(L"SOF_GetLastError", 0, NULL);
    long e = V_VT(&r) == VT_I4 ? V_I4(&r) : -1;
    VariantClear(&r);
    return e;
}

/* print a BSTR as UTF-8 on a `# name value` line */
static void show(const char *name, BSTR s) {
    int n = WideCharToMultiByte(CP_UTF8, 0, s, (int)SysStringLen(s), NULL, 0, NULL, NULL);
    char *u = malloc((size_t)n + 1);
    WideCharToMultiByte(CP_UTF8, 0, s, (int)SysStringLen(s), u, n, NULL, NULL);
    u[n] = 0;
    printf("# %s %s\n", name, u);
    free(u);
}

static wchar_t *from_hex_utf8(const wchar_t *hex) {
    size_t n = wcslen(hex) / 2;
    char *bytes = malloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        swscanf(hex + 2 * i, L"%2x", &v);
        bytes[i] = (char)v;
    }
    int w = MultiByteToWideChar(CP_UTF8, 0, bytes, (int)n, NULL, 0);
    wchar_t *out = calloc((size_t)w + 1, sizeof(wchar_t));
    MultiByteToWideChar(CP_UTF8, 0, bytes, (int)n, out, w);
    free(bytes);
    return out;
}

int wmain(int argc, wchar_t **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: com_client <port> <certId> <text-hex-utf8>\n");
        return 2;
    }
    long port = wcstol(argv[1], NULL, 10);
    const wchar_t *certId = argv[2];
    wchar_t *text = from_hex_utf8(argv[3]);
    CLSID clsid;
    VARIANT a[4], r;

    ok(SUCCEEDED(CoInitializeEx(NULL, COINIT_APARTMENTTHREADED)), "CoInitializeEx (STA, like VB6)");
    HRESULT hr = CLSIDFromProgID(L"MedSign.SOF", &clsid);
    ok(SUCCEEDED(hr) && IsEqualCLSID(&clsid, &CLSID_MedSignSOF), "CLSIDFromProgID(\"MedSign.SOF\") gives the registered CLSID");
    hr = CoCreateInstance(&clsid, NULL, CLSCTX_INPROC_SERVER, &IID_IDispatch, (void **)&disp);
    ok(SUCCEEDED(hr) && disp, "CoCreateInstance(IDispatch)");
    if (!disp) {
        printf("# CoCreateInstance hr 0x%08lx\n1..%d\n", (unsigned long)hr, n_test);
        return 1;
    }

    UINT tc = 0;
    ITypeInfo *ti = NULL;
    ok(SUCCEEDED(IDispatch_GetTypeInfoCount(disp, &tc)) && tc == 1 && SUCCEEDED(IDispatch_GetTypeInfo(disp, 0, 0, &ti)) && ti,
       "GetTypeInfoCount 1, GetTypeInfo");
    if (ti) ITypeInfo_Release(ti);

    a[0] = i4(port);
    r = call(L"MS_SetAgentPort", 1, a);
    ok(SUCCEEDED(last_hr) && is_true(&r), "MS_SetAgentPort(port) = True");

    r = call(L"SOF_GetVersion", 0, NULL);
    ok(SUCCEEDED(last_hr) && str_len(&r) > 0, "SOF_GetVersion returns a non-empty BSTR");
    if (is_str(&r)) show("version", V_BSTR(&r));
    VariantClear(&r);

    r = call(L"SOF_GetUserList", 0, NULL);
    ok(is_str(&r) && wcsstr(V_BSTR(&r), certId) != NULL && wcsstr(V_BSTR(&r), L"&&&") != NULL, "SOF_GetUserList lists the certId as name||certId&&&");
    if (is_str(&r)) show("userlist", V_BSTR(&r));
    VariantClear(&r);

    a[0] = bstr(certId), a[1] = bstr(L"");
    r = call(L"SOF_Login", 2, a);
    ok(is_true(&r) && last_error() == 0, "SOF_Login(certId, \"\") = True, SOF_GetLastError 0");
    clear(2, a);

    /* sign: the result is a BSTR holding base64 */
    a[0] = bstr(certId), a[1] = bstr(text);
    r = call(L"SOF_SignData", 2, a);
    ok(SUCCEEDED(last_hr) && str_len(&r) > 100, "SOF_SignData(certId, text) returns a base64 signature");
    BSTR sig = is_str(&r) ? SysAllocString(V_BSTR(&r)) : SysAllocString(L"");
    show("signature", sig);
    VariantClear(&r);
    clear(2, a);

    a[0] = bstr(certId), a[1] = bstr(text), a[2] = bstr(sig);
    r = call(L"SOF_VerifySignedData", 3, a);
    ok(is_true(&r), "SOF_VerifySignedData = True");
    clear(3, a);
    a[0] = bstr(certId), a[1] = bstr(L"tampered"), a[2] = bstr(sig);
    r = call(L"SOF_VerifySignedData", 3, a);
    ok(is_false(&r) && last_error() == 0x0B000410, "a tampered text: False, SOF_GetLastError = SOR_VerifySignDataErr");
    clear(3, a);

    /* early binding: the same object through the dual vtable */
    IMedSignSOF *sof = NULL;
    ok(SUCCEEDED(IDispatch_QueryInterface(disp, &IID_IMedSignSOF, (void **)&sof)) && sof, "QueryInterface(IID_IMedSignSOF)");
    if (sof) {
        BSTR c = SysAllocString(certId), t = SysAllocString(text), s2 = NULL;
        HRESULT h = IMedSignSOF_SOF_SignData(sof, c, t, &s2);
        ok(SUCCEEDED(h) && s2 && wcscmp(s2, sig) == 0, "vtable SOF_SignData gives the same (RSA, deterministic) signature");
        SysFreeString(s2);
        VARIANT_BOOL b = VARIANT_FALSE;
        h = IMedSignSOF_SOF_VerifySignedData(sof, c, t, sig, &b);
        ok(SUCCEEDED(h) && b == VARIANT_TRUE, "vtable SOF_VerifySignedData = VARIANT_TRUE");
        SysFreeString(c), SysFreeString(t);
        IMedSignSOF_Release(sof);
    }

    /* what the phone shows for the next signing call */
    a[0] = bstr(L"\x51fa\x9662\x5c0f\x7ed3 #77"); /* 出院小结 #77 */
    r = call(L"MS_SetSignSummary", 1, a);
    ok(is_true(&r), "MS_SetSignSummary = True");
    clear(1, a);

    /* PKCS#7 attached; the flag as VT_I2 (PowerBuilder integer) is coerced by DispInvoke */
    a[0] = i2(0), a[1] = bstr(certId), a[2] = bstr(text);
    r = call(L"SOF_SignMessage", 3, a);
    ok(SUCCEEDED(last_hr) && str_len(&r) > 500, "SOF_SignMessage(0 as VT_I2, certId, text): attached PKCS#7");
    BSTR p7 = is_str(&r) ? SysAllocString(V_BSTR(&r)) : SysAllocString(L"");
    show("signed-message", p7);
    VariantClear(&r);
    clear(3, a);
    a[0] = bstr(p7), a[1] = bstr(L"");
    r = call(L"SOF_VerifySignedMessage", 2, a);
    ok(is_true(&r), "SOF_VerifySignedMessage(p7, \"\") = True");
    clear(2, a);
    a[0] = bstr(p7), a[1] = i4(2);
    r = call(L"SOF_GetInfoFromSignedMessage", 2, a);
    ok(str_len(&r) > 100, "SOF_GetInfoFromSignedMessage(p7, 2): the signer certificate");
    VariantClear(&r);
    clear(2, a);

    /* batch: one phone approval, three signatures joined by the separator */
    a[0] = bstr(certId), a[1] = bstr(L"\x533b\x5631 1|\x533b\x5631 2|\x533b\x5631 3"), a[2] = bstr(L"|");
    r = call(L"MS_SignBatch", 3, a);
    int parts = 0;
    if (is_str(&r) && SysStringLen(V_BSTR(&r)) > 0) {
        parts = 1;
        for (const wchar_t *p = V_BSTR(&r); *p; p++) parts += *p == L'|';
        show("batch", V_BSTR(&r));
    }
    ok(parts == 3, "MS_SignBatch: 3 signatures");
    VariantClear(&r);
    clear(3, a);

    /* failures: "" and the code, never a COM error */
    a[0] = bstr(L"00ff00ff"), a[1] = bstr(text);
    r = call(L"SOF_SignData", 2, a);
    long e = last_error();
    ok(SUCCEEDED(last_hr) && str_len(&r) == 0 && e == 0x0B000310, "an unknown certId: \"\" and SOR_CertNotFountErr");
    printf("# unknown-cert-error 0x%08lx\n", (unsigned long)e);
    VariantClear(&r);
    clear(2, a);
    r = call(L"SOF_GetLastErrMsg", 0, NULL);
    ok(str_len(&r) > 0 && last_error() == 0x0B000310, "SOF_GetLastErrMsg has the message and leaves the code");
    if (is_str(&r)) show("errmsg", V_BSTR(&r));
    VariantClear(&r);

    a[0] = i4(0x12345);
    r = call(L"SOF_SetSignMethod", 1, a);
    ok(is_false(&r) && last_error() == 0x0B000419, "SOF_SetSignMethod(unknown) = False, SOR_ParameterNotSupportErr");

    /* dispatch errors for wrong use */
    r = call(L"SOF_NoSuchMethod", 0, NULL);
    ok(last_hr == DISP_E_UNKNOWNNAME, "an unknown name: DISP_E_UNKNOWNNAME");
    a[0] = bstr(certId);
    r = call(L"SOF_SignData", 1, a);
    ok(last_hr == DISP_E_BADPARAMCOUNT, "a missing argument: DISP_E_BADPARAMCOUNT");
    clear(1, a);

    /* the agent down: False and SOR_NotInitializeErr, no crash */
    a[0] = i4(argc > 4 ? wcstol(argv[4], NULL, 10) : 1);
    call(L"MS_SetAgentPort", 1, a);
    r = call(L"SOF_GetVersion", 0, NULL);
    ok(str_len(&r) == 0 && last_error() == 0x0B000011, "the agent not running: \"\" and SOR_NotInitializeErr");
    VariantClear(&r);

    SysFreeString(sig);
    SysFreeString(p7);
    ok(IDispatch_Release(disp) == 0, "the last Release frees the object");
    CoUninitialize();
    free(text);
    printf("1..%d\n", n_test);
    return n_fail ? 1 : 0;
}
