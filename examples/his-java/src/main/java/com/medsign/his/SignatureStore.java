package com.medsign.his;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Where the HIS keeps signed orders: {@code orders/<orderId>.json} (the bytes signed),
 * {@code orders/<orderId>.p7s} (the DER PKCS#7 SignedData) and one line per signature in
 * {@code signatures.tsv} (orderId, certId, signer, signedAt, SHA-256 of the order). A real HIS
 * puts the same columns in its database table.
 */
final class SignatureStore {
    private final File dir;
    private final File orders;

    SignatureStore(File dir) throws IOException {
        this.dir = dir;
        this.orders = new File(dir, "orders");
        if (!orders.isDirectory() && !orders.mkdirs()) throw new IOException("无法创建目录 (cannot create) " + orders);
    }

    File orderFile(String orderId) {
        return new File(orders, safe(orderId) + ".json");
    }

    File cmsFile(String orderId) {
        return new File(orders, safe(orderId) + ".p7s");
    }

    void save(String orderId, byte[] order, byte[] cms, String certId, String signer, String signedAt) throws IOException {
        writeAtomically(orderFile(orderId), order);
        writeAtomically(cmsFile(orderId), cms);
        String line = orderId + "\t" + certId + "\t" + signer + "\t" + signedAt + "\t" + sha256Hex(order) + "\n";
        Files.write(new File(dir, "signatures.tsv").toPath(), line.getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    byte[] order(String orderId) throws IOException {
        return Files.readAllBytes(orderFile(orderId).toPath());
    }

    byte[] cms(String orderId) throws IOException {
        return Files.readAllBytes(cmsFile(orderId).toPath());
    }

    private static void writeAtomically(File f, byte[] bytes) throws IOException {
        File tmp = new File(f.getParentFile(), f.getName() + ".tmp");
        Files.write(tmp.toPath(), bytes);
        Files.move(tmp.toPath(), f.toPath(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Order ids become file names: letters, digits and '-' only. */
    private static String safe(String orderId) {
        if (!orderId.matches("[A-Za-z0-9-]{1,64}")) throw new IllegalArgumentException("医嘱号格式不对 (bad order id): " + orderId);
        return orderId;
    }

    static String sha256Hex(byte[] b) {
        try {
            StringBuilder sb = new StringBuilder();
            for (byte x : MessageDigest.getInstance("SHA-256").digest(b)) sb.append(String.format("%02x", x));
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
