package com.medsign;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.MalformedURLException;
import java.net.NoRouteToHostException;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The MedSign agent (医签助手) on this workstation, over its local HTTP API:
 * {@code POST http://127.0.0.1:<port>/v1/<method>} with a JSON body (agent/README.md).
 *
 * <p>One instance is safe to share between threads; connections are kept alive by the JDK
 * (HttpURLConnection's cache). A signing call blocks until the doctor approves on the phone (up
 * to the cloud's session timeout, 120 s by default, plus 10 s), so the default read timeout is
 * 180 s. Errors are {@link MedSignException}s with the agent's stable code and SOR code.
 *
 * <p>Calls that ask the doctor's phone (signing, login) are sent in fixed-length streaming mode,
 * so HttpURLConnection never resends them on its own (for a buffered POST it does, once, when a
 * kept-alive connection breaks before the reply: a second approval on the phone). Before such a
 * call, after an idle pause, the client first makes a cheap getVersion call, so that a kept-alive
 * connection the agent has closed meanwhile is found and replaced by that call instead. Other
 * calls are buffered and repeated once after a broken connection. (In streaming mode the JDK
 * drops the body of an HTTP 401, the agent's NOT_LOGGED_IN; the client restores that error.)
 */
public class MedSignClient {
    public static final int DEFAULT_PORT = 17990;
    public static final int DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
    /** Above the agent's wait for the phone (cloud session 120 s + 10 s). */
    public static final int DEFAULT_READ_TIMEOUT_MS = 180_000;
    /** getInfoFromSignedMessage types. */
    public static final int INFO_CONTENT = 1;
    public static final int INFO_SIGNER_CERT = 2;
    public static final int INFO_SIGNATURE = 3;
    /** A kept-alive connection idle longer than this is checked before a call that asks the phone. */
    private static final long IDLE_CHECK_NANOS = 2_000_000_000L;

    private final String host;
    private final int port;
    private final int connectTimeoutMs;
    private final int readTimeoutMs;
    private final String appName;
    private volatile long lastExchangeNanos;

    /** The agent on 127.0.0.1:17990 with the default timeouts. */
    public MedSignClient() {
        this(builder());
    }

    /** The agent on 127.0.0.1:port with the default timeouts. */
    public MedSignClient(int port) {
        this(builder().port(port));
    }

    private MedSignClient(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.connectTimeoutMs = b.connectTimeoutMs;
        this.readTimeoutMs = b.readTimeoutMs;
        this.appName = b.appName;
        this.lastExchangeNanos = System.nanoTime();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings; every one has a default. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = DEFAULT_PORT;
        private int connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
        private int readTimeoutMs = DEFAULT_READ_TIMEOUT_MS;
        private String appName = "java";

        /** The agent's port (its {@code port} setting, 17990 by default). */
        public Builder port(int port) {
            if (port < 1 || port > 65535) throw new IllegalArgumentException("port 1-65535: " + port);
            this.port = port;
            return this;
        }

        /** "127.0.0.1" (default), "localhost" or "[::1]": the agent refuses any other Host (DNS rebinding guard). */
        public Builder host(String host) {
            if (!"127.0.0.1".equals(host) && !"localhost".equals(host) && !"[::1]".equals(host)) {
                throw new IllegalArgumentException("the agent only answers on loopback: 127.0.0.1, localhost or [::1], not " + host);
            }
            this.host = host;
            return this;
        }

        public Builder connectTimeoutMillis(int ms) {
            if (ms < 1) throw new IllegalArgumentException("connect timeout must be positive");
            this.connectTimeoutMs = ms;
            return this;
        }

        /**
         * How long to wait for a reply; a signing call waits for the doctor's phone, so keep it
         * above the cloud's session timeout (120 s by default) plus 10 s. 0 waits forever.
         */
        public Builder readTimeoutMillis(int ms) {
            if (ms < 0) throw new IllegalArgumentException("read timeout must be >= 0");
            this.readTimeoutMs = ms;
            return this;
        }

        /**
         * Sent as X-MedSign-App: the agent keeps this program's sign method and pending
         * operations apart from other native programs' (default "java").
         */
        public Builder appName(String name) {
            if (name == null || name.isEmpty() || name.length() > 64) throw new IllegalArgumentException("appName: 1-64 characters");
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c < 0x21 || c > 0x7e) throw new IllegalArgumentException("appName: printable ASCII only (an HTTP header)");
            }
            this.appName = name;
            return this;
        }

        public MedSignClient build() {
            return new MedSignClient(this);
        }
    }

    public int getPort() {
        return port;
    }

    public int getReadTimeoutMillis() {
        return readTimeoutMs;
    }

    // ---- information ----

    public AgentVersion getVersion() {
        return new AgentVersion(invoke("getVersion", params()));
    }

    /** Cloud links, registration, users, this program's pending operations, 补签 count. */
    public AgentStatus getStatus() {
        return new AgentStatus(invoke("getStatus", params()));
    }

    /**
     * One operation (from a call with {@code waitForPhone(false)}, or a QR login), long-polling up
     * to {@code waitSeconds} (0-30) while it is PENDING.
     */
    public Operation getStatus(String operationId, int waitSeconds) {
        Map<String, Object> p = params();
        p.put("operationId", required(operationId, "operationId"));
        p.put("wait", waitSeconds);
        return new Operation(invoke("getStatus", p).getObject("operation"));
    }

    /**
     * Waits (30 s long polls, at most {@code maxWaitSeconds}) until the operation ends; returns
     * its result, or throws its error (e.g. USER_REFUSED, TIMEOUT).
     */
    public Operation awaitOperation(String operationId, int maxWaitSeconds) {
        long deadline = System.nanoTime() + maxWaitSeconds * 1_000_000_000L;
        for (;;) {
            long left = (deadline - System.nanoTime()) / 1_000_000_000L;
            Operation op = getStatus(operationId, (int) Math.max(0, Math.min(30, left)));
            if (!op.isPending()) {
                MedSignException e = op.error();
                if (e != null) throw e;
                return op;
            }
            if (left <= 0) {
                throw new MedSignException("AGENT_TIMEOUT", Sor.TIMEOUT_ERR,
                        "等待医生确认超时 (the operation " + operationId + " is still waiting for the phone after " + maxWaitSeconds + " s)",
                        true, 0, null);
            }
        }
    }

    /** {@link #awaitOperation} for a signing call made with {@code waitForPhone(false)}. */
    public SignResult awaitResult(SignResult pending, int maxWaitSeconds) {
        if (!pending.isPending()) return pending;
        return awaitOperation(pending.getOperationId(), maxWaitSeconds).signResult();
    }

    /** {@code length} (1-4096) random bytes from the agent's OS CSPRNG. */
    public byte[] genRandom(int length) {
        Map<String, Object> p = params();
        p.put("length", length);
        return b64(invoke("genRandom", p).getString("random"));
    }

    /** SGD_* sign method for this program's RSA signatures (see {@link SignOptions}); returns the one in force. */
    public int setSignMethod(int method) {
        Map<String, Object> p = params();
        p.put("method", method);
        return (int) invoke("setSignMethod", p).getLong("method", 0);
    }

    public int getSignMethod() {
        return (int) invoke("getSignMethod", params()).getLong("method", 0);
    }

    // ---- users ----

    public UserList getUserList() {
        return new UserList(invoke("getUserList", params()));
    }

    /** The user's certificate, DER. */
    public byte[] exportUserCert(String certId) {
        Map<String, Object> p = params();
        p.put("certId", required(certId, "certId"));
        return b64(invoke("exportUserCert", p).getString("certificate"));
    }

    /** The user's certificate as a JDK X509Certificate. */
    public X509Certificate exportUserCertificate(String certId) {
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            return (X509Certificate) f.generateCertificate(new ByteArrayInputStream(exportUserCert(certId)));
        } catch (CertificateException e) {
            throw new MedSignException("BAD_RESPONSE", Sor.CERT_INVALID_ERR, "证书无法解析 (the agent's certificate does not parse: " + e.getMessage() + ")", false, 0, e);
        }
    }

    /** Pushes a login to the phone of this employee number; returns when the doctor approved. */
    public LoginResult loginByEmployeeNo(String employeeNo) {
        Map<String, Object> p = params();
        p.put("employeeNo", required(employeeNo, "employeeNo"));
        return new LoginResult(invoke("login", p));
    }

    /** Pushes a login again to the user with this certId (logged in now, or seen before on this agent). */
    public LoginResult loginByCertId(String certId) {
        Map<String, Object> p = params();
        p.put("certId", required(certId, "certId"));
        return new LoginResult(invoke("login", p));
    }

    /**
     * QR login: returns at once with {@code qr} (render it as a QR code for the phone) and the
     * operation id; {@link #awaitOperation} then gives the user ({@code result().getString("certId")}).
     */
    public LoginResult loginByQr() {
        return new LoginResult(invoke("login", params()));
    }

    public void logout(String certId) {
        Map<String, Object> p = params();
        p.put("certId", required(certId, "certId"));
        invoke("logout", p);
    }

    /**
     * 应急登录: the employee number and the one-time emergency password an administrator gave the
     * doctor; on the workstation named in the grant it activates (or unlocks again) the emergency
     * certificate, which then signs without a phone. The reply has certId, name, validTo, activated.
     */
    public JsonObject emergencyLogin(String employeeNo, String password) {
        Map<String, Object> p = params();
        p.put("employeeNo", required(employeeNo, "employeeNo"));
        p.put("password", required(password, "password"));
        return invoke("emergencyLogin", p);
    }

    /**
     * 本人挂失手机: the certificate of this logged-in user goes on hold at once and a replacement
     * request waits for the administrators; the user is logged out. The reply has requestId, serial, held.
     */
    public JsonObject reportLostPhone(String certId) {
        Map<String, Object> p = params();
        p.put("certId", required(certId, "certId"));
        return invoke("reportLostPhone", p);
    }

    // ---- certificates ----

    /** One SGD_CERT_* field (docs/cert-info.md) of a logged-in user's certificate. */
    public String getCertInfo(String certId, int type) {
        Map<String, Object> p = params();
        p.put("certId", required(certId, "certId"));
        p.put("type", type);
        return invoke("getCertInfo", p).getString("info");
    }

    /** One SGD_CERT_* field of a certificate given by value (DER). */
    public String getCertInfo(byte[] cert, int type) {
        Map<String, Object> p = params();
        p.put("cert", b64(required(cert, "cert")));
        p.put("type", type);
        return invoke("getCertInfo", p).getString("info");
    }

    public String getCertInfoByOid(String certId, String oid) {
        Map<String, Object> p = params();
        p.put("certId", required(certId, "certId"));
        p.put("oid", required(oid, "oid"));
        return invoke("getCertInfoByOid", p).getString("info");
    }

    public String getCertInfoByOid(byte[] cert, String oid) {
        Map<String, Object> p = params();
        p.put("cert", b64(required(cert, "cert")));
        p.put("oid", required(oid, "oid"));
        return invoke("getCertInfoByOid", p).getString("info");
    }

    public CertValidation validateCert(String certId) {
        Map<String, Object> p = params();
        p.put("certId", required(certId, "certId"));
        return new CertValidation(invoke("validateCert", p));
    }

    public CertValidation validateCert(byte[] cert) {
        Map<String, Object> p = params();
        p.put("cert", b64(required(cert, "cert")));
        return new CertValidation(invoke("validateCert", p));
    }

    // ---- raw signatures ----

    /** Signs the UTF-8 bytes of {@code text}; blocks until the doctor approves. */
    public byte[] signData(String certId, String text) {
        return signedOrFail(signData(certId, Content.text(text), SignOptions.defaults()), "signData").getSignature();
    }

    /** Signs {@code data}; blocks until the doctor approves. */
    public byte[] signData(String certId, byte[] data) {
        return signedOrFail(signData(certId, Content.data(data), SignOptions.defaults()), "signData").getSignature();
    }

    public SignResult signData(String certId, Content content, SignOptions options) {
        Map<String, Object> p = params();
        p.put("certId", required(certId, "certId"));
        required(content, "content").putInto(p);
        required(options, "options").putInto("signData", p);
        return new SignResult(invoke("signData", p));
    }

    /** Signs a precomputed digest (SM2: e = SM3(Z_A ‖ M); RSA: the sign method's hash). */
    public byte[] signHash(String certId, byte[] hash) {
        return signedOrFail(signHash(certId, hash, SignOptions.defaults()), "signHash").getSignature();
    }

    public SignResult signHash(String certId, byte[] hash, SignOptions options) {
        Map<String, Object> p = params();
        p.put("certId", required(certId, "certId"));
        p.put("hash", b64(required(hash, "hash")));
        required(options, "options").putInto("signHash", p);
        return new SignResult(invoke("signHash", p));
    }

    /** Signs a file on this workstation (absolute path), hashed by the agent as a stream. */
    public byte[] signFile(String certId, String absolutePath) {
        return signedOrFail(signFile(certId, absolutePath, SignOptions.defaults()), "signFile").getSignature();
    }

    public SignResult signFile(String certId, String absolutePath, SignOptions options) {
        Map<String, Object> p = params();
        p.put("certId", required(certId, "certId"));
        p.put("path", required(absolutePath, "path"));
        required(options, "options").putInto("signFile", p);
        return new SignResult(invoke("signFile", p));
    }

    /** Cryptographic check of a raw signature with a logged-in user's certificate. */
    public boolean verifySignedData(String certId, Content content, byte[] signature) {
        return verifySignedData("certId", required(certId, "certId"), content, signature, null);
    }

    /** Cryptographic check of a raw signature with a certificate by value (DER). */
    public boolean verifySignedData(byte[] cert, Content content, byte[] signature) {
        return verifySignedData("cert", b64(required(cert, "cert")), content, signature, null);
    }

    /** With an explicit SGD_* sign method (e.g. SHA-1 RSA signatures). */
    public boolean verifySignedData(String certId, Content content, byte[] signature, int signMethod) {
        return verifySignedData("certId", required(certId, "certId"), content, signature, signMethod);
    }

    private boolean verifySignedData(String certKey, String certValue, Content content, byte[] signature, Integer signMethod) {
        Map<String, Object> p = params();
        p.put(certKey, certValue);
        required(content, "content").putInto(p);
        p.put("signature", b64(required(signature, "signature")));
        if (signMethod != null) p.put("signMethod", signMethod);
        return invoke("verifySignedData", p).getBoolean("valid", false);
    }

    public boolean verifySignedFile(String certId, String absolutePath, byte[] signature) {
        Map<String, Object> p = params();
        p.put("certId", required(certId, "certId"));
        p.put("path", required(absolutePath, "path"));
        p.put("signature", b64(required(signature, "signature")));
        return invoke("verifySignedFile", p).getBoolean("valid", false);
    }

    // ---- PKCS#7 / CMS ----

    /** A PKCS#7 SignedData (RFC 5652 profile) over the content, attached or detached; DER. */
    public byte[] signMessage(String certId, Content content, boolean detached) {
        return signedOrFail(signMessage(certId, content, SignOptions.defaults().detached(detached)), "signMessage").getSignedMessage();
    }

    public SignResult signMessage(String certId, Content content, SignOptions options) {
        Map<String, Object> p = params();
        p.put("certId", required(certId, "certId"));
        required(content, "content").putInto(p);
        required(options, "options").putInto("signMessage", p);
        return new SignResult(invoke("signMessage", p));
    }

    /** An attached SignedData. */
    public MessageVerification verifySignedMessage(byte[] signedMessage) {
        return verifySignedMessage(signedMessage, null);
    }

    /** A detached SignedData with its content (or an attached one when {@code content} is null). */
    public MessageVerification verifySignedMessage(byte[] signedMessage, Content content) {
        Map<String, Object> p = params();
        p.put("signedMessage", b64(required(signedMessage, "signedMessage")));
        if (content != null) content.putInto(p);
        return new MessageVerification(invoke("verifySignedMessage", p));
    }

    /** {@link #INFO_CONTENT}, {@link #INFO_SIGNER_CERT} (DER) or {@link #INFO_SIGNATURE}: the bytes. */
    public byte[] getInfoFromSignedMessage(byte[] signedMessage, int type) {
        Map<String, Object> p = params();
        p.put("signedMessage", b64(required(signedMessage, "signedMessage")));
        p.put("type", type);
        return b64(invoke("getInfoFromSignedMessage", p).getString("info"));
    }

    /** The compact storage record of a SignedData; {@code content} for a detached one, else null. */
    public CompactRecord toCompact(byte[] signedMessage, Content content) {
        Map<String, Object> p = params();
        p.put("signedMessage", b64(required(signedMessage, "signedMessage")));
        if (content != null) content.putInto(p);
        return new CompactRecord(invoke("toCompact", p));
    }

    /** The byte-identical SignedData rebuilt from a compact record and the signed content. */
    public byte[] fromCompact(String compact, Content content) {
        Map<String, Object> p = params();
        p.put("compact", required(compact, "compact"));
        required(content, "content").putInto(p);
        return b64(invoke("fromCompact", p).getString("signedMessage"));
    }

    // ---- batches ----

    /** 1-1,000 items with one approval on the phone; raw signatures, one per item in order. */
    public List<byte[]> signBatch(String certId, List<BatchItem> items) {
        List<byte[]> out = new ArrayList<byte[]>();
        for (SignResult r : signedOrFail(signBatch(certId, items, SignOptions.defaults()), "signBatch").getBatchResults()) {
            out.add(r.getSignature());
        }
        return out;
    }

    /** With {@code format("cms")} (or "compact"), {@code detached}, {@code profile}, {@code timestamp}, {@code summary}. */
    public SignResult signBatch(String certId, List<BatchItem> items, SignOptions options) {
        Map<String, Object> p = params();
        p.put("certId", required(certId, "certId"));
        List<Object> list = new ArrayList<Object>();
        for (BatchItem i : required(items, "items")) list.add(required(i, "item").toJson());
        p.put("items", list);
        required(options, "options").putInto("signBatch", p);
        return new SignResult(invoke("signBatch", p));
    }

    /** The state of a 补签 ticket (from a call with {@code deferred(true)} while no cloud answered). */
    public DeferredResult getDeferredResult(String ticket) {
        Map<String, Object> p = params();
        p.put("ticket", required(ticket, "ticket"));
        return new DeferredResult(invoke("getDeferredResult", p));
    }

    // ---- RFC 3161 timestamps ----

    /** A DER TimeStampReq over the content; {@code hashAlgorithm} "sha256" (null: the agent's default), "sm3" or "sha1". */
    public byte[] createTimeStampRequest(Content content, String hashAlgorithm) {
        Map<String, Object> p = params();
        required(content, "content").putInto(p);
        if (hashAlgorithm != null) p.put("hashAlgorithm", hashAlgorithm);
        return b64(invoke("createTimeStampRequest", p).getString("request"));
    }

    /** The cloud TSA's DER TimeStampResp to a request (needs the cloud). */
    public byte[] createTimeStampResponse(byte[] request) {
        Map<String, Object> p = params();
        p.put("request", b64(required(request, "request")));
        return b64(invoke("createTimeStampResponse", p).getString("response"));
    }

    /** Signature and TSA certificate of a response or token; its imprint against {@code content} and nonce against {@code request} when given. */
    public TimeStampVerification verifyTimeStamp(byte[] response, Content content, byte[] request) {
        Map<String, Object> p = params();
        p.put("response", b64(required(response, "response")));
        if (content != null) content.putInto(p);
        if (request != null) p.put("request", b64(request));
        return new TimeStampVerification(invoke("verifyTimeStamp", p));
    }

    /** One SGD_TS_* field of a response or token. */
    public String getTimeStampInfo(byte[] response, int type) {
        Map<String, Object> p = params();
        p.put("response", b64(required(response, "response")));
        p.put("type", type);
        return invoke("getTimeStampInfo", p).getString("info");
    }

    // ---- any method ----

    /**
     * Calls any agent method with the params as given (not checked against {@link AgentMethods}):
     * for a method newer than this client.
     */
    public JsonObject call(String method, Map<String, ?> params) {
        required(method, "method");
        Map<String, Object> p = new LinkedHashMap<String, Object>();
        if (params != null) p.putAll(params);
        AgentMethods.Method m = AgentMethods.get(method);
        return post(method, p, m != null && !m.asksThePhone);
    }

    // ---- transport ----

    /** A typed call: only the names in {@link AgentMethods} may be sent (the drift test relies on it). */
    private JsonObject invoke(String method, Map<String, Object> params) {
        AgentMethods.Method m = AgentMethods.get(method);
        if (m == null) throw new IllegalStateException("not in AgentMethods: " + method);
        for (String k : params.keySet()) {
            if (!m.params.contains(k)) throw new IllegalStateException(method + ": parameter '" + k + "' is not in AgentMethods");
        }
        if (m.asksThePhone && System.nanoTime() - lastExchangeNanos > IDLE_CHECK_NANOS) {
            post("getVersion", params(), true); // finds (and replaces) a connection the agent has closed
        }
        return post(method, params, !m.asksThePhone);
    }

    private JsonObject post(String method, Map<String, Object> params, boolean repeatable) {
        byte[] body = Json.write(params).getBytes(StandardCharsets.UTF_8);
        URL url = url(method);
        for (int attempt = 1;; attempt++) {
            boolean sent = false;
            try {
                HttpURLConnection c = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
                c.setRequestMethod("POST");
                c.setDoOutput(true);
                c.setUseCaches(false);
                c.setInstanceFollowRedirects(false);
                c.setConnectTimeout(connectTimeoutMs);
                c.setReadTimeout(readTimeoutMs);
                if (!repeatable) c.setFixedLengthStreamingMode(body.length); // no silent resend (see the class comment)
                c.setRequestProperty("Content-Type", "application/json; charset=utf-8");
                c.setRequestProperty("Accept", "application/json");
                c.setRequestProperty("X-MedSign-App", appName);
                OutputStream os = c.getOutputStream();
                sent = true;
                os.write(body);
                os.close();
                int status = c.getResponseCode();
                InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
                String text = in == null ? "" : readAll(in); // read to the end: the connection goes back to the cache
                lastExchangeNanos = System.nanoTime();
                if (status == 401 && text.isEmpty() && !repeatable) throw notLoggedIn(method);
                return reply(method, status, text);
            } catch (ConnectException e) {
                throw unreachable(e);
            } catch (NoRouteToHostException e) {
                throw unreachable(e);
            } catch (SocketTimeoutException e) {
                if (!sent) throw unreachable(e); // the connect timed out
                throw new MedSignException("AGENT_TIMEOUT", Sor.TIMEOUT_ERR,
                        "医签助手在 " + readTimeoutMs / 1000 + " 秒内没有应答 (no reply from the agent within " + readTimeoutMs
                                + " ms: raise readTimeoutMillis above the phone approval time, or use waitForPhone(false) and awaitOperation)",
                        true, 0, e);
            } catch (IOException e) {
                // a kept-alive connection the agent had closed: safe to send once more unless the call asks the phone
                if (repeatable && attempt == 1) continue;
                throw new MedSignException("AGENT_IO_ERROR", Sor.UNKNOWN_ERR,
                        "与医签助手的连接中断 (the connection to the agent broke: " + e
                                + (repeatable ? ")" : "; check getStatus before signing again, the phone may have been asked)"),
                        true, 0, e);
            }
        }
    }

    private JsonObject reply(String method, int status, String text) {
        Object parsed;
        try {
            parsed = text.isEmpty() ? null : Json.parse(text);
        } catch (IllegalArgumentException e) {
            parsed = null;
        }
        if (status >= 200 && status < 300 && parsed instanceof JsonObject) return (JsonObject) parsed;
        if (status >= 400 && parsed instanceof JsonObject && ((JsonObject) parsed).has("code")) {
            throw errorFrom((JsonObject) parsed, status);
        }
        throw new MedSignException("BAD_RESPONSE", Sor.UNKNOWN_ERR,
                "医签助手的应答无法识别 (unexpected reply to " + method + ": HTTP " + status + "; is another program listening on port " + port + "?)",
                false, status, null);
    }

    /** The agent's {code, sor, message, retryable}, or null. */
    static MedSignException errorFrom(JsonObject e, int httpStatus) {
        if (e == null) return null;
        return new MedSignException(e.getString("code"), e.getLong("sor", Sor.UNKNOWN_ERR), e.getString("message"), e.getBoolean("retryable", false), httpStatus, null);
    }

    /** The agent's only 401 (agent/README.md), whose body HttpURLConnection drops in streaming mode. */
    private static MedSignException notLoggedIn(String method) {
        return new MedSignException("NOT_LOGGED_IN", Sor.NOT_INITIALIZE_ERR,
                "登录已过期，请重新登录 (the cloud login expired: log in again, e.g. loginByCertId, then repeat " + method + ")",
                false, 401, null);
    }

    private MedSignException unreachable(IOException e) {
        return new MedSignException("AGENT_UNREACHABLE", Sor.NOT_INITIALIZE_ERR,
                "无法连接医签助手，请确认它已启动 (cannot reach the MedSign agent on " + host + ":" + port + ": " + e.getMessage()
                        + "; start 医签助手 or check the port)",
                true, 0, e);
    }

    private URL url(String method) {
        try {
            return new URL("http", host, port, "/v1/" + method);
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String readAll(InputStream in) throws IOException {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) out.write(buf, 0, n);
            return new String(out.toByteArray(), StandardCharsets.UTF_8);
        } finally {
            in.close();
        }
    }

    private static SignResult signedOrFail(SignResult r, String method) {
        if (r.isPending() || r.isDeferred()) throw new IllegalStateException(method + " returned before it was signed");
        return r;
    }

    private static Map<String, Object> params() {
        return new LinkedHashMap<String, Object>();
    }

    private static <T> T required(T v, String name) {
        if (v == null) throw new NullPointerException(name + " must not be null");
        return v;
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    private static byte[] b64(String s) {
        if (s == null) throw new MedSignException("BAD_RESPONSE", Sor.UNKNOWN_ERR, "医签助手的应答缺少字段 (a member is missing from the agent's reply)", false, 0, null);
        return Base64.getDecoder().decode(s);
    }
}
