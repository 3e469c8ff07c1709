package com.medsign;

/** An operation in progress or finished (getStatus with operationId; the pending list of getStatus). */
public final class Operation {
    public final String operationId;
    /** "login" or "sign" */
    public final String kind;
    public final String method;
    /** "PENDING", "OK" or "FAILED" */
    public final String status;
    public final String certId;
    public final long count;
    public final String verificationCode;
    public final String qr;
    private final JsonObject json;

    Operation(JsonObject j) {
        this.json = j;
        this.operationId = j.getString("operationId");
        this.kind = j.getString("kind");
        this.method = j.getString("method");
        this.status = j.getString("status");
        this.certId = j.getString("certId");
        this.count = j.getLong("count", 0);
        this.verificationCode = j.getString("verificationCode");
        this.qr = j.getString("qr");
    }

    public boolean isPending() {
        return "PENDING".equals(status);
    }

    /** The method's result once OK (for a signing call: see {@link #signResult()}), else null. */
    public JsonObject result() {
        Object r = json.get("result");
        return r instanceof JsonObject ? (JsonObject) r : null;
    }

    public SignResult signResult() {
        JsonObject r = result();
        return r == null ? null : new SignResult(r);
    }

    /** The error of a FAILED operation, or null. */
    public MedSignException error() {
        return MedSignClient.errorFrom(json.getObject("error"), 0);
    }

    public JsonObject json() {
        return json;
    }
}
