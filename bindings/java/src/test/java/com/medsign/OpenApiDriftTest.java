package com.medsign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The drift check: the live agent's /v1/openapi.json (generated from its method registry) against
 * {@link AgentMethods}, the table MedSignClient is held to when it sends. Fails when a method the
 * client calls is gone, a parameter it sends is not in the method's request schema, a required
 * parameter is one the client cannot send, a result member it reads is not in the reply schema,
 * or the agent has a method this client does not wrap.
 */
class OpenApiDriftTest {
    private static JsonObject paths;
    private static JsonObject doc;

    @BeforeAll
    static void fetch() throws Exception {
        URL url = new URL("http", "127.0.0.1", LiveAgent.port(), "/v1/openapi.json");
        HttpURLConnection c = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
        c.setConnectTimeout(5000);
        c.setReadTimeout(30000);
        assertEquals(200, c.getResponseCode());
        try (InputStream in = c.getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) out.write(buf, 0, n);
            doc = (JsonObject) Json.parse(new String(out.toByteArray(), StandardCharsets.UTF_8));
        }
        paths = doc.getObject("paths");
    }

    private static JsonObject post(String method) {
        JsonObject path = paths.getObject("/v1/" + method);
        return path == null ? null : path.getObject("post");
    }

    private static JsonObject requestSchema(JsonObject post) {
        return post.getObject("requestBody").getObject("content").getObject("application/json").getObject("schema");
    }

    private static JsonObject replySchema(JsonObject post) {
        return post.getObject("responses").getObject("200").getObject("content").getObject("application/json").getObject("schema");
    }

    /** Property names of an object schema, or of every branch of an anyOf/oneOf. */
    private static Set<String> properties(JsonObject schema) {
        Set<String> names = new LinkedHashSet<String>();
        if (schema == null) return names;
        JsonObject props = schema.getObject("properties");
        if (props != null) names.addAll(props.keys());
        for (String k : Arrays.asList("anyOf", "oneOf", "allOf")) {
            for (Object branch : schema.getList(k)) {
                if (branch instanceof JsonObject) names.addAll(properties((JsonObject) branch));
            }
        }
        return names;
    }

    private static Set<String> required(JsonObject schema) {
        Set<String> names = new LinkedHashSet<String>();
        for (Object o : schema.getList("required")) names.add((String) o);
        return names;
    }

    @Test
    void everyMethodTheClientCallsExistsWithItsParameters() {
        List<String> problems = new ArrayList<String>();
        for (AgentMethods.Method m : AgentMethods.all().values()) {
            JsonObject post = post(m.name);
            if (post == null) {
                problems.add(m.name + ": not in the agent's OpenAPI document (removed or renamed?)");
                continue;
            }
            JsonObject req = requestSchema(post);
            Set<String> accepted = properties(req);
            for (String p : m.params) {
                if (!accepted.contains(p)) problems.add(m.name + ": the client sends '" + p + "', the agent takes only " + accepted);
            }
            for (String r : required(req)) {
                if (!m.params.contains(r)) problems.add(m.name + ": the agent requires '" + r + "', which the client never sends");
            }
            Set<String> replied = properties(replySchema(post));
            for (String r : m.results) {
                if (!replied.contains(r)) problems.add(m.name + ": the client reads '" + r + "', the reply has only " + replied);
            }
        }
        if (!problems.isEmpty()) fail("the Java client has drifted from the agent:\n  " + String.join("\n  ", problems));
    }

    @Test
    void batchItemFieldsMatch() {
        JsonObject items = requestSchema(post("signBatch")).getObject("properties").getObject("items").getObject("items");
        Set<String> accepted = properties(items);
        assertTrue(accepted.containsAll(AgentMethods.BATCH_ITEM_FIELDS), "signBatch items take " + accepted);
    }

    @Test
    void theClientWrapsEveryMethodTheAgentOffers() {
        Set<String> offered = new TreeSet<String>();
        for (String p : paths.keys()) {
            if (p.startsWith("/v1/") && paths.getObject(p).has("post")) offered.add(p.substring(4));
        }
        assertTrue(offered.size() >= 20, "the document lists the methods: " + offered);
        Set<String> missing = new TreeSet<String>(offered);
        missing.removeAll(AgentMethods.all().keySet());
        if (!missing.isEmpty()) {
            fail("the agent offers methods MedSignClient does not wrap: " + missing
                    + " (add a typed method and its row in AgentMethods; MedSignClient.call reaches them meanwhile)");
        }
    }

    @Test
    void theErrorShapeIsTheOneMedSignExceptionReads() {
        JsonObject error = doc.getObject("components").getObject("schemas").getObject("Error");
        assertEquals(new HashSet<String>(Arrays.asList("code", "sor", "message", "retryable")), required(error));
        assertEquals("integer", error.getObject("properties").getObject("sor").getString("type"));
    }
}
