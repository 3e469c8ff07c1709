package com.medsign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON codec on its own (RFC 8259 examples and the edge cases the agent's replies contain). */
class JsonTest {
    @Test
    void parsesTheAgentsErrorShape() {
        JsonObject e = (JsonObject) Json.parse(
                "{\"code\":\"CERT_NOT_FOUND\",\"sor\":184550160,\"message\":\"\\u8bc1\\u4e66\\u672a\\u627e\\u5230 (certificate not found)\",\"retryable\":false}");
        assertEquals("CERT_NOT_FOUND", e.getString("code"));
        assertEquals(0x0B000310L, e.getLong("sor", 0));
        assertEquals("证书未找到 (certificate not found)", e.getString("message"));
        assertFalse(e.getBoolean("retryable", true));
    }

    @Test
    void numbersLiteralsAndNesting() {
        Object v = Json.parse(" [0, -1, 9007199254740991, 1.5, -2e3, true, false, null, {\"a\":[{}]}, []] ");
        List<?> l = (List<?>) v;
        assertEquals(Arrays.<Object>asList(0L, -1L, 9007199254740991L, 1.5, -2000.0, true, false, null), l.subList(0, 8));
        assertTrue(((JsonObject) l.get(8)).getList("a").get(0) instanceof JsonObject);
        assertEquals(0, ((List<?>) l.get(9)).size());
    }

    @Test
    void stringsRoundTripIncludingAstralCharactersAndControls() {
        String s = "病程记录：\"引号\" \\ 反斜杠\t制表\n换行 \u0001 𝄞 é";
        Map<String, Object> m = new LinkedHashMap<String, Object>();
        m.put("text", s);
        String json = Json.write(m);
        assertTrue(json.contains("\\u0001"));
        assertTrue(json.contains("𝄞")); // sent as UTF-8, not escaped
        assertEquals(s, ((JsonObject) Json.parse(json)).getString("text"));
        // a surrogate pair written as two escapes joins into one character
        assertEquals("𝄞", Json.parse("\"\\ud834\\udd1e\""));
        // a lone surrogate cannot go out as UTF-8: it is escaped, so the agent sees what was given
        assertEquals("\"\\ud800\"", Json.write("\ud800"));
    }

    @Test
    void refusesMalformedDocuments() {
        for (String bad : new String[] {"", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"\\x\"", "tru", "{} x", "\"a\nb\"", "-"}) {
            assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
        }
        StringBuilder deep = new StringBuilder();
        for (int i = 0; i < 200; i++) deep.append('[');
        assertThrows(IllegalArgumentException.class, () -> Json.parse(deep.toString()));
    }

    @Test
    void writesNumbersAndRefusesNaN() {
        assertEquals("[1,2.5,-3,null]", Json.write(Arrays.<Object>asList(1, 2.5, -3L, null)));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
        JsonObject o = (JsonObject) Json.parse("{\"a\":1}");
        assertNull(o.getString("missing"));
        assertThrows(IllegalStateException.class, () -> o.getString("a"));
    }
}
