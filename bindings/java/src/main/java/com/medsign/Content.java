package com.medsign;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

/**
 * What is signed or verified: bytes (sent as base64 {@code data}) or a text (sent as {@code text};
 * the agent signs exactly its UTF-8 encoding: no BOM, no NUL, line endings as given).
 */
public final class Content {
    private final String text;
    private final byte[] data;

    private Content(String text, byte[] data) {
        this.text = text;
        this.data = data;
    }

    public static Content text(String text) {
        if (text == null) throw new NullPointerException("text");
        return new Content(text, null);
    }

    public static Content data(byte[] data) {
        if (data == null) throw new NullPointerException("data");
        return new Content(null, data.clone());
    }

    public boolean isText() {
        return text != null;
    }

    /** The bytes the agent signs: the data, or the text's UTF-8 encoding. */
    public byte[] bytes() {
        return text != null ? text.getBytes(StandardCharsets.UTF_8) : data.clone();
    }

    void putInto(Map<String, Object> params) {
        if (text != null) params.put("text", text);
        else params.put("data", Base64.getEncoder().encodeToString(data));
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Content)) return false;
        return Arrays.equals(bytes(), ((Content) o).bytes());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes());
    }

    @Override
    public String toString() {
        // never the content itself: it is a patient's record
        return text != null ? "Content[text, " + text.length() + " chars]" : "Content[data, " + data.length + " bytes]";
    }
}
