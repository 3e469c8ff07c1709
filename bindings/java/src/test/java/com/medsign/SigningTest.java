package com.medsign;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Signing and verification against the live agent, cloud and phone simulator. Each signature is
 * also written to MEDSIGN_OUT_DIR, where java.test.ts checks it with the openssl CLI; here the
 * JDK's own RSA verifier is a second, independent check.
 */
class SigningTest {
    private final MedSignClient client = LiveAgent.client();
    private final String certId = LiveAgent.certId();
    private final String text = LiveAgent.text();

    private X509Certificate cert() {
        return client.exportUserCertificate(certId);
    }

    private boolean jdkVerifies(byte[] content, byte[] signature) throws Exception {
        Signature v = Signature.getInstance("SHA256withRSA");
        v.initVerify(cert().getPublicKey());
        v.update(content);
        return v.verify(signature);
    }

    @Test
    void versionUsersCertificateAndRandom() {
        AgentVersion v = client.getVersion();
        assertEquals("1.0", v.apiVersion);
        assertNotNull(v.version);
        AgentStatus st = client.getStatus();
        assertTrue(st.registered);
        assertTrue(st.cloudOnline);
        UserList users = client.getUserList();
        User me = users.byCertId(certId);
        assertNotNull(me, "the doctor is logged in");
        assertEquals("RSA", me.algorithm);
        assertTrue(users.userList.contains(me.name + "||" + me.certId), users.userList);
        X509Certificate cert = cert();
        assertEquals(new java.math.BigInteger(certId, 16), cert.getSerialNumber());
        assertEquals(2048, ((java.security.interfaces.RSAPublicKey) cert.getPublicKey()).getModulus().bitLength());
        assertEquals(me.name, client.getCertInfo(certId, 0x31)); // SGD_CERT_SUBJECT_CN
        assertEquals(client.getCertInfo(certId, 0x07), client.getCertInfo(client.exportUserCert(certId), 0x07));
        CertValidation cv = client.validateCert(certId);
        assertTrue(cv.valid);
        assertEquals(0, cv.code);
        byte[] a = client.genRandom(32);
        byte[] b = client.genRandom(32);
        assertEquals(32, a.length);
        assertFalse(Arrays.equals(a, b));
        assertEquals(SignOptions.SGD_SHA256_RSA, client.getSignMethod());
    }

    @Test
    void signsTextAsItsUtf8Bytes() throws Exception {
        byte[] sig = client.signData(certId, text);
        LiveAgent.write("text.sig", sig);
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        assertTrue(jdkVerifies(utf8, sig));
        assertTrue(client.verifySignedData(certId, Content.text(text), sig));
        assertTrue(client.verifySignedData(client.exportUserCert(certId), Content.data(utf8), sig));
        // tampered: one more character, or one bit of the signature
        assertFalse(client.verifySignedData(certId, Content.text(text + "。"), sig));
        byte[] bad = sig.clone();
        bad[bad.length / 2] ^= 1;
        assertFalse(client.verifySignedData(certId, Content.text(text), bad));
        // signHash over the same SHA-256: RSA PKCS#1 v1.5 is deterministic, so the same signature
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(utf8);
        assertArrayEquals(sig, client.signHash(certId, digest));
    }

    @Test
    void signsBinaryData() throws Exception {
        byte[] data = new byte[256 + 1000];
        for (int i = 0; i < 256; i++) data[i] = (byte) i; // every byte value, NUL included
        byte[] tail = new byte[1000];
        new SecureRandom().nextBytes(tail);
        System.arraycopy(tail, 0, data, 256, tail.length);
        byte[] sig = client.signData(certId, data);
        LiveAgent.write("data.bin", data);
        LiveAgent.write("data.sig", sig);
        assertTrue(jdkVerifies(data, sig));
        assertTrue(client.verifySignedData(certId, Content.data(data), sig));
        byte[] changed = data.clone();
        changed[0] = 1;
        assertFalse(client.verifySignedData(certId, Content.data(changed), sig));
    }

    @Test
    void cmsAttached() throws Exception {
        byte[] p7 = client.signMessage(certId, Content.text(text), false);
        LiveAgent.write("attached.p7", p7);
        MessageVerification ok = client.verifySignedMessage(p7);
        assertTrue(ok.valid);
        assertEquals("TOTAL_PASSED", ok.indication);
        assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), client.getInfoFromSignedMessage(p7, MedSignClient.INFO_CONTENT));
        assertArrayEquals(client.exportUserCert(certId), client.getInfoFromSignedMessage(p7, MedSignClient.INFO_SIGNER_CERT));
        // tampered: change one byte of the encapsulated content inside the DER
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        int at = indexOf(p7, needle);
        assertTrue(at > 0, "the content is in the attached SignedData");
        byte[] tampered = p7.clone();
        tampered[at + needle.length - 1] ^= 0x01;
        MessageVerification bad = client.verifySignedMessage(tampered);
        assertFalse(bad.valid);
        assertEquals("TOTAL_FAILED", bad.indication);
        assertNotNull(bad.failure);
    }

    @Test
    void cmsDetachedWithCompactRecord() throws Exception {
        byte[] data = ("检验报告 " + text).getBytes(StandardCharsets.UTF_8);
        SignResult r = client.signMessage(certId, Content.data(data), SignOptions.defaults().detached(true).compact(true).summary("Java 绑定测试 (Java binding test)"));
        byte[] p7 = r.getSignedMessage();
        assertNotNull(r.getCompact());
        LiveAgent.write("detached.p7", p7);
        LiveAgent.write("detached.bin", data);
        assertEquals(-1, indexOf(p7, data), "detached: the content is not in it");
        assertTrue(client.verifySignedMessage(p7, Content.data(data)).valid);
        byte[] other = data.clone();
        other[other.length - 1] ^= 0x20;
        assertFalse(client.verifySignedMessage(p7, Content.data(other)).valid);
        // the compact record rebuilds the byte-identical SignedData
        CompactRecord c = client.toCompact(p7, Content.data(data));
        assertEquals(r.getCompact(), c.compact);
        assertTrue(c.bytes < c.originalBytes);
        assertArrayEquals(p7, client.fromCompact(c.compact, Content.data(data)));
    }

    @Test
    void batchWithOneApproval() throws Exception {
        List<BatchItem> items = new ArrayList<BatchItem>();
        for (int i = 1; i <= 3; i++) items.add(BatchItem.text("护理记录 " + i + "：" + text).summary("护理记录 " + i));
        List<byte[]> sigs = client.signBatch(certId, items);
        assertEquals(3, sigs.size());
        for (int i = 0; i < 3; i++) {
            byte[] content = ("护理记录 " + (i + 1) + "：" + text).getBytes(StandardCharsets.UTF_8);
            LiveAgent.write("batch-" + i + ".txt", content);
            LiveAgent.write("batch-" + i + ".sig", sigs.get(i));
            assertTrue(jdkVerifies(content, sigs.get(i)), "item " + i);
        }
        SignResult cms = client.signBatch(certId, Arrays.asList(BatchItem.text("医嘱 A"), BatchItem.data(new byte[] {0, 1, 2})),
                SignOptions.defaults().format("cms"));
        List<SignResult> results = cms.getBatchResults();
        assertEquals(2, results.size());
        LiveAgent.write("batch-cms-0.p7", results.get(0).getSignedMessage());
        assertTrue(client.verifySignedMessage(results.get(1).getSignedMessage()).valid);
        assertNull(results.get(0).getSignature());
    }

    @Test
    void withoutWaitingTheCodeComesFirstThenTheResult() throws Exception {
        SignResult pending = client.signData(certId, Content.text(text), SignOptions.defaults().waitForPhone(false));
        assertTrue(pending.isPending());
        assertTrue(pending.getVerificationCode().matches("\\d{4}"), pending.getVerificationCode());
        SignResult done = client.awaitResult(pending, 60);
        assertFalse(done.isPending());
        assertTrue(jdkVerifies(text.getBytes(StandardCharsets.UTF_8), done.getSignature()));
        Operation op = client.getStatus(pending.getOperationId(), 0);
        assertEquals("OK", op.status);
        assertEquals(pending.getVerificationCode(), op.verificationCode);
        assertEquals("signData", op.method);
    }

    @Test
    void timestamps() throws Exception {
        byte[] req = client.createTimeStampRequest(Content.text(text), "sha256");
        byte[] resp = client.createTimeStampResponse(req);
        LiveAgent.write("ts.tsq", req);
        LiveAgent.write("ts.tsr", resp);
        TimeStampVerification ok = client.verifyTimeStamp(resp, Content.text(text), req);
        assertTrue(ok.valid, ok.failure);
        assertNotNull(ok.genTime);
        TimeStampVerification other = client.verifyTimeStamp(resp, Content.text(text + "!"), null);
        assertFalse(other.valid);
        assertEquals("IMPRINT_MISMATCH", other.failure);
        assertTrue(client.getTimeStampInfo(resp, 0x201).matches("^\\d{4}.*"));
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
