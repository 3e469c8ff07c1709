package com.medsign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The errors a hospital program meets: the agent's, with their SOR codes, and the client's own. */
class ErrorsTest {
    private final MedSignClient client = LiveAgent.client();

    private static void assertBilingual(String message) {
        assertTrue(message.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN), "Chinese: " + message);
        assertTrue(message.matches("(?s).*\\([A-Za-z].*\\).*"), "English in brackets: " + message);
    }

    @Test
    void unknownCertIdIsCertNotFound() {
        MedSignException e = assertThrows(MedSignException.class, () -> client.signData("ABCDEF0123", "x"));
        assertEquals("CERT_NOT_FOUND", e.getCode());
        assertEquals(Sor.CERT_NOT_FOUND_ERR, e.getSor());
        assertEquals(0x0B000310, e.getSorInt());
        assertEquals(404, e.getHttpStatus());
        assertFalse(e.isRetryable());
        assertBilingual(e.getMessage());
        MedSignException e2 = assertThrows(MedSignException.class, () -> client.exportUserCert("ABCDEF0123"));
        assertEquals(Sor.CERT_NOT_FOUND_ERR, e2.getSor());
    }

    @Test
    void noAgentListeningIsAgentUnreachable() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        MedSignClient nobody = MedSignClient.builder().port(dead).connectTimeoutMillis(2000).build();
        long t0 = System.nanoTime();
        MedSignException e = assertThrows(MedSignException.class, nobody::getVersion);
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "fails at once, not after the read timeout");
        assertEquals("AGENT_UNREACHABLE", e.getCode());
        assertEquals(Sor.NOT_INITIALIZE_ERR, e.getSor());
        assertEquals(0x0B000011, e.getSorInt());
        assertTrue(e.isRetryable());
        assertTrue(e.getMessage().contains(String.valueOf(dead)));
        assertBilingual(e.getMessage());
        // a signing call too: nothing reached a phone
        assertEquals("AGENT_UNREACHABLE", assertThrows(MedSignException.class, () -> nobody.signData("AB", "x")).getCode());
    }

    @Test
    void badArgumentsAreRefusedByTheAgentWithIndataErr() {
        MedSignException e = assertThrows(MedSignException.class, () -> client.genRandom(0));
        assertEquals("BAD_PARAMS", e.getCode());
        assertEquals(Sor.INDATA_ERR, e.getSor());
        assertEquals(400, e.getHttpStatus());
        assertBilingual(e.getMessage());
        MedSignException notHex = assertThrows(MedSignException.class, () -> client.signData("not-hex!", "x"));
        assertEquals("BAD_PARAMS", notHex.getCode());
        MedSignException type = assertThrows(MedSignException.class, () -> client.getInfoFromSignedMessage(new byte[] {0x30, 0}, 7));
        assertEquals("BAD_PARAMS", type.getCode());
        // not a SignedData at all: a verification result, not valid, with the reason
        MessageVerification junk = client.verifySignedMessage(new byte[] {0x30, 0x03, 1, 2, 3});
        assertFalse(junk.valid);
        assertTrue(junk.failure != null && !junk.failure.isEmpty());
    }

    @Test
    void optionsAMethodDoesNotTakeAreRefusedBeforeSending() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> client.signBatch(LiveAgent.certId(), java.util.Collections.singletonList(BatchItem.text("x")), SignOptions.defaults().deferred(true)));
        assertTrue(e.getMessage().contains("deferred"));
        assertThrows(NullPointerException.class, () -> client.signData(LiveAgent.certId(), (String) null));
    }

    @Test
    void defaultReadTimeoutOutlastsThePhoneApproval() {
        // the agent waits up to the cloud session (120 s) + 10 s for the doctor
        assertTrue(new MedSignClient().getReadTimeoutMillis() > 130_000);
        assertEquals(17990, new MedSignClient().getPort());
        assertThrows(IllegalArgumentException.class, () -> MedSignClient.builder().host("10.0.0.1"));
    }

    @Test
    void aSilentPeerTimesOutAndAStrangerIsABadResponse() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try {
                    Socket silent = s.accept(); // first connection: never answers
                    Socket other = s.accept(); // second: answers, but not as the agent
                    InputStream in = other.getInputStream();
                    byte[] buf = new byte[4096];
                    in.read(buf);
                    OutputStream out = other.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\nConnection: close\r\n\r\n<html".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    other.close();
                    silent.close();
                } catch (Exception ignored) {
                    // the test's assertions report what went wrong
                }
            });
            t.setDaemon(true);
            t.start();
            MedSignClient c = MedSignClient.builder().port(s.getLocalPort()).readTimeoutMillis(400).build();
            MedSignException timeout = assertThrows(MedSignException.class, () -> c.signData("AB", "x"));
            assertEquals("AGENT_TIMEOUT", timeout.getCode());
            assertEquals(Sor.TIMEOUT_ERR, timeout.getSor());
            assertBilingual(timeout.getMessage());
            MedSignException stranger = assertThrows(MedSignException.class, c::getVersion);
            assertEquals("BAD_RESPONSE", stranger.getCode());
            t.join(5000);
        }
    }
}
