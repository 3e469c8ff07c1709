package com.medsign;

/** getVersion: the agent's version, the API version ("1.0") and the product name. */
public final class AgentVersion {
    public final String version;
    public final String apiVersion;
    public final String product;

    AgentVersion(JsonObject j) {
        this.version = j.getString("version");
        this.apiVersion = j.getString("apiVersion");
        this.product = j.getString("product");
    }

    @Override
    public String toString() {
        return product + " " + version + " (API " + apiVersion + ")";
    }
}
