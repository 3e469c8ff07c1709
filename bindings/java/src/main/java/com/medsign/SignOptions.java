package com.medsign;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Optional parameters of the signing methods (agent/README.md, Parameters). Only what is set is
 * sent; setting one that the method does not take (e.g. {@code deferred} for signBatch) is an
 * {@link IllegalArgumentException} before anything is sent.
 */
public final class SignOptions {
    /** GM/T 0006 sign methods ({@code signMethod}). */
    public static final int SGD_SM3_SM2 = 0x00020201;
    public static final int SGD_SM3_RSA = 0x00010001;
    public static final int SGD_SHA1_RSA = 0x00010002;
    public static final int SGD_SHA256_RSA = 0x00010004;

    private final Map<String, Object> values = new LinkedHashMap<String, Object>();

    public static SignOptions defaults() {
        return new SignOptions();
    }

    /** Shown on the phone (≤ 64 chars); the agent's default is "本机应用 (native app)". */
    public SignOptions app(String app) {
        return set("app", app);
    }

    /** Shown on the phone (≤ 200 chars), e.g. "门诊处方 RX-001 张三". */
    public SignOptions summary(String summary) {
        return set("summary", summary);
    }

    public SignOptions signMethod(int signMethod) {
        return set("signMethod", signMethod);
    }

    /** false: return at once with the operation id and the verification code (see MedSignClient#awaitResult). */
    public SignOptions waitForPhone(boolean wait) {
        return set("wait", wait);
    }

    /** 补签: journal the call when no cloud answers (signData, signHash, signMessage). */
    public SignOptions deferred(boolean deferred) {
        return set("deferred", deferred);
    }

    /** PKCS#7 without the content (signMessage, signBatch). */
    public SignOptions detached(boolean detached) {
        return set("detached", detached);
    }

    /** "rfc5652" (default; openssl cms verifies it) or "gmt0010". */
    public SignOptions profile(String profile) {
        return set("profile", profile);
    }

    /** Add an RFC 3161 token from the cloud TSA over the signature value. */
    public SignOptions timestamp(boolean timestamp) {
        return set("timestamp", timestamp);
    }

    /** Also return the compact storage record (signMessage). */
    public SignOptions compact(boolean compact) {
        return set("compact", compact);
    }

    /** signBatch: "raw", "cms" or "compact". */
    public SignOptions format(String format) {
        return set("format", format);
    }

    private SignOptions set(String name, Object value) {
        if (value == null) values.remove(name);
        else values.put(name, value);
        return this;
    }

    boolean waitsForPhone() {
        return !Boolean.FALSE.equals(values.get("wait"));
    }

    void putInto(String method, Map<String, Object> params) {
        AgentMethods.Method m = AgentMethods.get(method);
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (!m.params.contains(e.getKey())) {
                throw new IllegalArgumentException(method + " 不接受参数 " + e.getKey() + " (" + method + " does not take '" + e.getKey() + "')");
            }
            params.put(e.getKey(), e.getValue());
        }
    }
}
