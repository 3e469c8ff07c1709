package com.medsign;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A parsed JSON object with typed getters; {@link #toString()} writes it back as JSON. */
public final class JsonObject {
    private final Map<String, Object> map;

    JsonObject(Map<String, Object> map) {
        this.map = map;
    }

    public boolean has(String name) {
        return map.containsKey(name) && map.get(name) != null;
    }

    public Set<String> keys() {
        return Collections.unmodifiableSet(map.keySet());
    }

    /** The value as parsed: String, Boolean, Long, Double, JsonObject, List or null. */
    public Object get(String name) {
        return map.get(name);
    }

    /** The string member, or null when it is absent. */
    public String getString(String name) {
        Object v = map.get(name);
        if (v == null) return null;
        if (!(v instanceof String)) throw wrongType(name, "a string", v);
        return (String) v;
    }

    public boolean getBoolean(String name, boolean absent) {
        Object v = map.get(name);
        if (v == null) return absent;
        if (!(v instanceof Boolean)) throw wrongType(name, "a boolean", v);
        return (Boolean) v;
    }

    public long getLong(String name, long absent) {
        Object v = map.get(name);
        if (v == null) return absent;
        if (!(v instanceof Number)) throw wrongType(name, "a number", v);
        return ((Number) v).longValue();
    }

    /** The object member, or null when it is absent. */
    public JsonObject getObject(String name) {
        Object v = map.get(name);
        if (v == null) return null;
        if (!(v instanceof JsonObject)) throw wrongType(name, "an object", v);
        return (JsonObject) v;
    }

    /** The array member, or an empty list when it is absent. */
    @SuppressWarnings("unchecked")
    public List<Object> getList(String name) {
        Object v = map.get(name);
        if (v == null) return Collections.emptyList();
        if (!(v instanceof List)) throw wrongType(name, "an array", v);
        return Collections.unmodifiableList((List<Object>) v);
    }

    public Map<String, Object> asMap() {
        return Collections.unmodifiableMap(map);
    }

    @Override
    public String toString() {
        return Json.write(map);
    }

    private static IllegalStateException wrongType(String name, String expected, Object v) {
        return new IllegalStateException("JSON member '" + name + "' is not " + expected + ": " + v.getClass().getSimpleName());
    }
}
