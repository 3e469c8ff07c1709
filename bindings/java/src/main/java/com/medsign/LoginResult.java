package com.medsign;

/** login: OK with the user's certId and name, or PENDING (QR login: show {@link #qr}). */
public final class LoginResult {
    public final String operationId;
    /** "OK" or "PENDING" */
    public final String status;
    public final String verificationCode;
    /** QR login: the text to render as a QR code for the phone to scan. */
    public final String qr;
    public final String certId;
    public final String name;

    LoginResult(JsonObject j) {
        this.operationId = j.getString("operationId");
        this.status = j.getString("status");
        this.verificationCode = j.getString("verificationCode");
        this.qr = j.getString("qr");
        this.certId = j.getString("certId");
        this.name = j.getString("name");
    }

    public boolean isOk() {
        return "OK".equals(status);
    }
}
