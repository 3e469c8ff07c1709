package com.medsign;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** getStatus without an operation: cloud link, registration, users, this application's pending operations, 补签 count. */
public final class AgentStatus {
    public final String version;
    public final boolean registered;
    public final boolean cloudOnline;
    /** The active cloud URL. */
    public final String activeCloud;
    /** Items waiting for 补签 (deferred signing). */
    public final long deferred;
    public final List<Operation> pending;
    private final JsonObject json;

    AgentStatus(JsonObject j) {
        this.json = j;
        this.version = j.getString("version");
        this.registered = j.getBoolean("registered", false);
        JsonObject cloud = j.getObject("cloud");
        this.cloudOnline = cloud != null && cloud.getBoolean("online", false);
        this.activeCloud = cloud == null ? null : cloud.getString("active");
        this.deferred = j.getLong("deferred", 0);
        List<Operation> ops = new ArrayList<Operation>();
        for (Object o : j.getList("pending")) ops.add(new Operation((JsonObject) o));
        this.pending = Collections.unmodifiableList(ops);
    }

    /** Everything, e.g. {@code json().getList("users")}. */
    public JsonObject json() {
        return json;
    }
}
