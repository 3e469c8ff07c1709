package com.medsign;

/**
 * verifySignedMessage: {@code valid} is the cryptographic result (content digest, signature,
 * signer binding); {@code indication} TOTAL_PASSED / TOTAL_FAILED / INDETERMINATE with the report.
 */
public final class MessageVerification {
    public final boolean valid;
    /** Why it is not valid, e.g. "DIGEST_MISMATCH"; null when valid. */
    public final String failure;
    public final String indication;
    public final String subIndication;
    public final JsonObject report;

    MessageVerification(JsonObject j) {
        this.valid = j.getBoolean("valid", false);
        this.failure = j.getString("failure");
        this.indication = j.getString("indication");
        this.subIndication = j.getString("subIndication");
        this.report = j.getObject("report");
    }
}
