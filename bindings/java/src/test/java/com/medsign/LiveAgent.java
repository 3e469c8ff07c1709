package com.medsign;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;

/**
 * The live stack the tests run against, from the environment that bindings/java/test/java.test.ts
 * sets: MEDSIGN_AGENT_PORT, MEDSIGN_CERT_ID (a logged-in RSA-2048 doctor whose phone approves),
 * MEDSIGN_OUT_DIR (signatures written for openssl), MEDSIGN_TEST_TEXT (the text to sign).
 */
final class LiveAgent {
    private LiveAgent() {}

    static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalStateException(name + " is not set: these tests need a live agent; run them with `npx vitest run bindings/java`"
                    + " (it starts a cloud, the agent and a phone simulator), or set MEDSIGN_AGENT_PORT, MEDSIGN_CERT_ID, MEDSIGN_OUT_DIR and MEDSIGN_TEST_TEXT yourself");
        }
        return v;
    }

    static int port() {
        return Integer.parseInt(env("MEDSIGN_AGENT_PORT"));
    }

    static String certId() {
        return env("MEDSIGN_CERT_ID");
    }

    static String text() {
        return env("MEDSIGN_TEST_TEXT");
    }

    static MedSignClient client() {
        return MedSignClient.builder().port(port()).appName("medsign-java-tests").build();
    }

    /** Writes a file for the openssl checks in java.test.ts. */
    static void write(String name, byte[] bytes) throws IOException {
        File dir = new File(env("MEDSIGN_OUT_DIR"));
        if (!dir.isDirectory() && !dir.mkdirs()) throw new IOException("cannot create " + dir);
        Files.write(new File(dir, name).toPath(), bytes);
    }
}
