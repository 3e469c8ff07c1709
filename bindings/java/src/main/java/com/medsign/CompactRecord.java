package com.medsign;

/** toCompact: the compact storage record (base64) of a SignedData, and the sizes before and after. */
public final class CompactRecord {
    public final String compact;
    public final long bytes;
    public final long originalBytes;

    CompactRecord(JsonObject j) {
        this.compact = j.getString("compact");
        this.bytes = j.getLong("bytes", 0);
        this.originalBytes = j.getLong("originalBytes", 0);
    }
}
