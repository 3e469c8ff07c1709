package com.medsign;

/** A user logged in on this workstation (getUserList). */
public final class User {
    public final String name;
    /** The certificate serial number in hex: pass it as certId. */
    public final String certId;
    public final String employeeNo;
    /** "SM2" or "RSA" */
    public final String algorithm;
    /** The certificate's end, ISO 8601. */
    public final String notAfter;

    User(JsonObject j) {
        this.name = j.getString("name");
        this.certId = j.getString("certId");
        this.employeeNo = j.getString("employeeNo");
        this.algorithm = j.getString("algorithm");
        this.notAfter = j.getString("notAfter");
    }

    @Override
    public String toString() {
        return name + " (" + employeeNo + ", " + algorithm + ", " + certId + ")";
    }
}
