package com.medsign;

/** getDeferredResult: a 补签 ticket's state PENDING / OK / FAILED, with its result or error. */
public final class DeferredResult {
    public final String ticket;
    public final String status;
    public final String createdAt;
    public final String finishedAt;
    private final JsonObject json;

    DeferredResult(JsonObject j) {
        this.json = j;
        this.ticket = j.getString("ticket");
        this.status = j.getString("status");
        this.createdAt = j.getString("createdAt");
        this.finishedAt = j.getString("finishedAt");
    }

    public SignResult signResult() {
        JsonObject r = json.getObject("result");
        return r == null ? null : new SignResult(r);
    }

    public MedSignException error() {
        Object e = json.get("error");
        return e instanceof JsonObject ? MedSignClient.errorFrom((JsonObject) e, 0) : null;
    }

    public JsonObject json() {
        return json;
    }
}
