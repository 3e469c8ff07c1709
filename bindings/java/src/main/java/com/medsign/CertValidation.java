package com.medsign;

/**
 * validateCert: {@code code} 0 valid, −1 not trusted, −2 expired, −3 revoked, −4 on hold,
 * −5 not yet valid, −6 other (GM/T 0020 SOF_ValidateCert), and the validation report.
 */
public final class CertValidation {
    public final long code;
    public final boolean valid;
    public final JsonObject report;

    CertValidation(JsonObject j) {
        this.code = j.getLong("code", -6);
        this.valid = j.getBoolean("valid", false);
        this.report = j.getObject("report");
    }
}
