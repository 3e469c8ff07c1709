package com.medsign;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** One signBatch item: data, text or a precomputed hash, with an optional summary for the phone. */
public final class BatchItem {
    private final Map<String, Object> fields = new LinkedHashMap<String, Object>();

    private BatchItem() {}

    public static BatchItem of(Content content) {
        BatchItem i = new BatchItem();
        content.putInto(i.fields);
        return i;
    }

    public static BatchItem text(String text) {
        return of(Content.text(text));
    }

    public static BatchItem data(byte[] data) {
        return of(Content.data(data));
    }

    /** A digest (raw format only), as for signHash. */
    public static BatchItem hash(byte[] hash) {
        BatchItem i = new BatchItem();
        i.fields.put("hash", Base64.getEncoder().encodeToString(hash));
        return i;
    }

    public BatchItem summary(String summary) {
        fields.put("summary", summary);
        return this;
    }

    Map<String, Object> toJson() {
        for (String k : fields.keySet()) {
            if (!AgentMethods.BATCH_ITEM_FIELDS.contains(k)) throw new IllegalStateException("batch item field " + k);
        }
        return fields;
    }
}
