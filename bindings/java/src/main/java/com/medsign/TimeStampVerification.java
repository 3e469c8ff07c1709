package com.medsign;

/** verifyTimeStamp: valid, or the failure (e.g. IMPRINT_MISMATCH); the token's time and serial. */
public final class TimeStampVerification {
    public final boolean valid;
    public final String failure;
    /** ISO 8601 */
    public final String genTime;
    public final String serialNumber;

    TimeStampVerification(JsonObject j) {
        this.valid = j.getBoolean("valid", false);
        this.failure = j.getString("failure");
        this.genTime = j.getString("genTime");
        this.serialNumber = j.getString("serialNumber");
    }
}
