package com.medsign;

import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

/**
 * The reply of a signing call: a signature (signData, signHash, signFile, a raw batch item), a
 * SignedData (signMessage, a cms/compact batch item), a batch's results, or — with
 * {@code waitForPhone(false)} — the pending operation, or a 补签 ticket.
 */
public final class SignResult {
    private final JsonObject json;

    SignResult(JsonObject json) {
        this.json = json;
    }

    /** The raw signature, or null (e.g. for a SignedData or a pending operation). */
    public byte[] getSignature() {
        return b64(json.getString("signature"));
    }

    /** The DER PKCS#7 SignedData, or null. */
    public byte[] getSignedMessage() {
        return b64(json.getString("signedMessage"));
    }

    /** The compact storage record (base64), when asked for, else null. */
    public String getCompact() {
        return json.getString("compact");
    }

    /** signBatch: one result per item, in order; empty for other methods. */
    public List<SignResult> getBatchResults() {
        List<SignResult> out = new ArrayList<SignResult>();
        for (Object o : json.getList("results")) out.add(new SignResult((JsonObject) o));
        return Collections.unmodifiableList(out);
    }

    /** true when the call returned before the doctor approved ({@code waitForPhone(false)}). */
    public boolean isPending() {
        return "PENDING".equals(json.getString("status"));
    }

    public String getOperationId() {
        return json.getString("operationId");
    }

    /** The 4-digit code the phone shows: show it to the doctor (pending results). */
    public String getVerificationCode() {
        return json.getString("verificationCode");
    }

    /** true when the agent journalled the call for 补签 (no cloud answered); see {@link #getTicket()}. */
    public boolean isDeferred() {
        return json.getBoolean("deferred", false);
    }

    public String getTicket() {
        return json.getString("ticket");
    }

    public JsonObject json() {
        return json;
    }

    static byte[] b64(String s) {
        return s == null ? null : Base64.getDecoder().decode(s);
    }
}
