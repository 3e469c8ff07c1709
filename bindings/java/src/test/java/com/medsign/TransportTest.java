package com.medsign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP the client sends, seen by a scripted HTTP/1.1 server on loopback: one kept-alive
 * connection, the headers the agent relies on, the UTF-8 body, and a signing call that is never
 * sent twice when the connection breaks before the reply.
 */
class TransportTest {
    /** What the server does with one request: answer with this body, or drop the connection (null). */
    interface Script {
        String reply(String path, String body);
    }

    static final class Request {
        final int conn;
        final String head;
        final String body;

        Request(int conn, String head, String body) {
            this.conn = conn;
            this.head = head;
            this.body = body;
        }

        String header(String name) {
            for (String line : head.split("\r\n")) {
                int c = line.indexOf(':');
                if (c > 0 && line.substring(0, c).trim().equalsIgnoreCase(name)) return line.substring(c + 1).trim();
            }
            return null;
        }
    }

    private ServerSocket server;
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<Request>());
    private final AtomicInteger conns = new AtomicInteger();
    private volatile Script script = (path, body) -> "{\"version\":\"fake\",\"apiVersion\":\"1.0\",\"product\":\"MedSign\"}";

    @BeforeEach
    void start() throws IOException {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    int id = conns.incrementAndGet();
                    Thread h = new Thread(() -> serve(s, id));
                    h.setDaemon(true);
                    h.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private void serve(Socket s, int id) {
        try (Socket sock = s) {
            InputStream in = sock.getInputStream();
            OutputStream out = sock.getOutputStream();
            for (;;) {
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                int b;
                int matched = 0;
                while (matched < 4 && (b = in.read()) >= 0) {
                    head.write(b);
                    matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
                }
                if (matched < 4) return;
                String h = new String(head.toByteArray(), StandardCharsets.ISO_8859_1);
                Request r0 = new Request(id, h, "");
                String len = r0.header("Content-Length");
                byte[] body = new byte[len == null ? 0 : Integer.parseInt(len)];
                int off = 0;
                while (off < body.length) {
                    int n = in.read(body, off, body.length - off);
                    if (n < 0) return;
                    off += n;
                }
                String text = new String(body, StandardCharsets.UTF_8);
                requests.add(new Request(id, h, text));
                String path = h.split(" ")[1];
                String reply = script.reply(path, text);
                if (reply == null) return; // drop the connection without a reply
                byte[] rb = reply.getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: " + rb.length
                        + "\r\nKeep-Alive: timeout=65\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(rb);
                out.flush();
            }
        } catch (IOException ignored) {
            // the client went away
        }
    }

    private MedSignClient client() {
        return MedSignClient.builder().port(server.getLocalPort()).appName("transport-test").readTimeoutMillis(10_000).build();
    }

    @Test
    void keepsOneConnectionAliveAndSendsTheHeadersTheAgentChecks() {
        MedSignClient c = client();
        for (int i = 0; i < 3; i++) assertEquals("fake", c.getVersion().version);
        assertEquals(3, requests.size());
        assertEquals(1, conns.get(), "one kept-alive connection for three calls");
        for (Request r : requests) {
            assertTrue(r.head.startsWith("POST /v1/getVersion HTTP/1.1\r\n"), r.head);
            assertEquals("127.0.0.1:" + server.getLocalPort(), r.header("Host"));
            assertEquals("transport-test", r.header("X-MedSign-App"));
            assertTrue(r.header("Content-Type").toLowerCase(Locale.ROOT).startsWith("application/json"));
            assertEquals(null, r.header("Origin"), "a native caller sends no Origin");
            assertEquals("{}", r.body);
        }
    }

    @Test
    void sendsTextAsUtf8Json() {
        script = (path, body) -> "{\"signature\":\"AQID\"}";
        String text = "医嘱：阿司匹林 100mg 𝄞 \"q\"\n";
        byte[] sig = client().signData("ABCDEF", text);
        assertEquals(3, sig.length);
        Request r = requests.get(requests.size() - 1);
        assertEquals("/v1/signData", r.head.split(" ")[1]);
        JsonObject sent = (JsonObject) Json.parse(r.body);
        assertEquals(text, sent.getString("text"));
        assertEquals("ABCDEF", sent.getString("certId"));
        assertEquals(2, sent.keys().size());
    }

    @Test
    void aSigningCallIsNeverSentTwiceWhenTheConnectionBreaks() {
        script = (path, body) -> path.endsWith("/signData") ? null : "{\"version\":\"fake\",\"apiVersion\":\"1.0\",\"product\":\"MedSign\"}";
        MedSignClient c = client();
        MedSignException e = assertThrows(MedSignException.class, () -> c.signData("ABCDEF", "x"));
        assertEquals("AGENT_IO_ERROR", e.getCode());
        assertTrue(e.isRetryable());
        long signCalls = requests.stream().filter(r -> r.head.startsWith("POST /v1/signData ")).count();
        assertEquals(1, signCalls, "the doctor's phone is asked once, not again behind the caller's back");
    }

    @Test
    void aReadOnlyCallIsRepeatedOnceWhenTheConnectionBreaks() {
        AtomicInteger n = new AtomicInteger();
        script = (path, body) -> n.incrementAndGet() == 1 ? null : "{\"version\":\"again\",\"apiVersion\":\"1.0\",\"product\":\"MedSign\"}";
        assertEquals("again", client().getVersion().version);
        assertEquals(2, requests.size());
        assertFalse(requests.get(0).conn == requests.get(1).conn, "the second try on a new connection");
    }
}
