package com.medsign;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** getUserList: the users, and the GM/T 0020 string {@code name||certId&&&…}. */
public final class UserList {
    public final List<User> users;
    public final String userList;

    UserList(JsonObject j) {
        List<User> u = new ArrayList<User>();
        for (Object o : j.getList("users")) u.add(new User((JsonObject) o));
        this.users = Collections.unmodifiableList(u);
        this.userList = j.getString("userList");
    }

    /** The logged-in user with this certId (case-insensitive), or null. */
    public User byCertId(String certId) {
        for (User u : users) if (u.certId.equalsIgnoreCase(certId)) return u;
        return null;
    }
}
