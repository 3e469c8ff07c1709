package com.medsign;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Every agent method this client calls, with the parameter names it may send and the result
 * members it reads. {@link MedSignClient} refuses to send a name that is not listed here, and the
 * drift test (OpenApiDriftTest) checks this table against the live agent's /v1/openapi.json, so a
 * renamed or removed method or parameter fails the build instead of a hospital's call.
 */
public final class AgentMethods {
    private AgentMethods() {}

    /** One method: what it may be sent and what is read from its reply. */
    public static final class Method {
        public final String name;
        public final Set<String> params;
        public final Set<String> results;
        /** Asks the doctor's phone (or pushes a login): never resent automatically. */
        public final boolean asksThePhone;

        Method(String name, boolean asksThePhone, String[] params, String[] results) {
            this.name = name;
            this.asksThePhone = asksThePhone;
            this.params = Collections.unmodifiableSet(new LinkedHashSet<String>(Arrays.asList(params)));
            this.results = Collections.unmodifiableSet(new LinkedHashSet<String>(Arrays.asList(results)));
        }
    }

    private static final Map<String, Method> METHODS = new LinkedHashMap<String, Method>();

    private static String[] p(String... names) {
        return names;
    }

    private static void add(String name, String[] params, String[] results) {
        METHODS.put(name, new Method(name, false, params, results));
    }

    private static void phone(String name, String[] params, String[] results) {
        METHODS.put(name, new Method(name, true, params, results));
    }

    private static final String[] PENDING = {"operationId", "status", "verificationCode"};

    private static String[] plus(String[] a, String... b) {
        String[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static {
        String[] signCommon = {"certId", "wait", "app", "summary", "signMethod"};
        add("getVersion", p(), p("version", "apiVersion", "product"));
        add("getStatus", p("operationId", "wait"), p("version", "cloud", "registered", "users", "pending", "deferred", "operation"));
        add("genRandom", p("length"), p("random"));
        add("setSignMethod", p("method"), p("method"));
        add("getSignMethod", p(), p("method"));
        add("getUserList", p(), p("users", "userList"));
        add("exportUserCert", p("certId"), p("certificate"));
        phone("login", p("employeeNo", "certId", "wait"), p("operationId", "status", "qr", "verificationCode", "certId", "name"));
        add("logout", p("certId"), p("ok"));
        // issue 7: an emergency certificate (no phone) and the doctor's own lost-phone report; neither is resent
        phone("emergencyLogin", p("employeeNo", "password"), p("status", "certId", "name", "employeeNo", "validTo", "activated", "emergency"));
        phone("reportLostPhone", p("certId"), p("requestId", "serial", "held"));
        add("getCertInfo", p("cert", "certId", "type"), p("info"));
        add("getCertInfoByOid", p("cert", "certId", "oid"), p("info"));
        add("validateCert", p("cert", "certId"), p("code", "valid", "report"));
        add("verifySignedData", p("cert", "certId", "data", "text", "signature", "signMethod"), p("valid"));
        add("verifySignedFile", p("cert", "certId", "path", "signature", "signMethod"), p("valid"));
        add("verifySignedMessage", p("signedMessage", "data", "text"), p("valid", "failure", "indication", "subIndication", "report"));
        add("getInfoFromSignedMessage", p("signedMessage", "type"), p("info"));
        add("toCompact", p("signedMessage", "data", "text"), p("compact", "bytes", "originalBytes"));
        add("fromCompact", p("compact", "data", "text"), p("signedMessage"));
        phone("signData", plus(signCommon, "data", "text", "deferred"), plus(PENDING, "signature", "deferred", "ticket"));
        phone("signHash", plus(signCommon, "hash", "deferred"), plus(PENDING, "signature", "deferred", "ticket"));
        phone("signMessage", plus(signCommon, "data", "text", "detached", "profile", "timestamp", "compact", "deferred"),
                plus(PENDING, "signedMessage", "compact", "deferred", "ticket"));
        phone("signBatch", plus(signCommon, "items", "format", "detached", "profile", "timestamp"), plus(PENDING, "results"));
        phone("signFile", plus(signCommon, "path"), plus(PENDING, "signature"));
        add("getDeferredResult", p("ticket"), p("ticket", "status", "createdAt", "finishedAt", "result", "error"));
        add("createTimeStampRequest", p("data", "text", "hashAlgorithm"), p("request"));
        add("createTimeStampResponse", p("request"), p("response"));
        add("verifyTimeStamp", p("response", "data", "text", "request"), p("valid", "failure", "genTime", "serialNumber"));
        add("getTimeStampInfo", p("response", "type"), p("info"));
    }

    /** The members of one {@code signBatch} item this client may send. */
    public static final Set<String> BATCH_ITEM_FIELDS =
            Collections.unmodifiableSet(new LinkedHashSet<String>(Arrays.asList("data", "text", "hash", "summary")));

    /** Every method, in the order of agent/README.md. */
    public static Map<String, Method> all() {
        return Collections.unmodifiableMap(METHODS);
    }

    public static Method get(String name) {
        return METHODS.get(name);
    }
}
