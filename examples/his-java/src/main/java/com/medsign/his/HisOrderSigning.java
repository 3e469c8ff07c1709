package com.medsign.his;

import com.medsign.Content;
import com.medsign.Json;
import com.medsign.JsonObject;
import com.medsign.MedSignClient;
import com.medsign.MedSignException;
import com.medsign.MessageVerification;
import com.medsign.SignOptions;
import com.medsign.SignResult;
import com.medsign.Sor;
import com.medsign.User;
import com.medsign.UserList;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.text.SimpleDateFormat;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HIS 门诊医生站 (the outpatient doctor's station of a HIS), console mode: sign a prescription
 * through the MedSign agent and keep the PKCS#7 beside it; verify it back later.
 *
 * <pre>
 * java -jar target/his-java.jar sign   [--port 17990] [--cert-id HEX] [--store DIR] [--order FILE.json]
 * java -jar target/his-java.jar verify [--port 17990] [--store DIR] --order-id RX-…
 * </pre>
 * Exit codes: 0 done, 1 usage, 2 the stored order does not verify, 3 an error from MedSign.
 */
public final class HisOrderSigning {
    static final int OK = 0;
    static final int USAGE = 1;
    static final int NOT_VALID = 2;
    static final int MEDSIGN_ERROR = 3;

    private final PrintStream out;

    HisOrderSigning(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws UnsupportedEncodingException {
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        System.exit(new HisOrderSigning(out).run(args));
    }

    int run(String[] args) {
        if (args.length == 0 || !("sign".equals(args[0]) || "verify".equals(args[0]))) return usage(null);
        Map<String, String> opts = new LinkedHashMap<String, String>();
        for (int i = 1; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) return usage("参数不对 (bad argument): " + args[i]);
            opts.put(args[i].substring(2), args[i + 1]);
        }
        for (String k : opts.keySet()) {
            if (!Arrays.asList("port", "cert-id", "store", "order", "order-id").contains(k)) return usage("未知参数 (unknown option) --" + k);
        }
        int port;
        try {
            String p = opts.containsKey("port") ? opts.get("port") : System.getenv("MEDSIGN_AGENT_PORT");
            port = p == null ? MedSignClient.DEFAULT_PORT : Integer.parseInt(p);
        } catch (NumberFormatException e) {
            return usage("端口不对 (bad port): " + opts.get("port"));
        }
        MedSignClient client = MedSignClient.builder().port(port).appName("his-java").build();
        try {
            SignatureStore store = new SignatureStore(new File(opts.containsKey("store") ? opts.get("store") : "his-data"));
            if ("sign".equals(args[0])) return sign(client, store, opts.get("cert-id"), opts.get("order"));
            if (!opts.containsKey("order-id")) return usage("verify 需要 --order-id (verify needs --order-id)");
            return verify(client, store, opts.get("order-id"));
        } catch (MedSignException e) {
            out.println("错误 (error) " + e.getCode() + " " + Sor.hex(e.getSor()) + ": " + e.getMessage());
            if (e.isRetryable()) out.println("可以重试 (you may try again)");
            return MEDSIGN_ERROR;
        } catch (IOException e) {
            out.println("存储错误 (storage error): " + e.getMessage());
            return MEDSIGN_ERROR;
        }
    }

    private int usage(String problem) {
        if (problem != null) out.println(problem);
        out.println("用法 (usage): sign [--port 17990] [--cert-id HEX] [--store DIR] [--order FILE.json]");
        out.println("              verify [--port 17990] [--store DIR] --order-id RX-...");
        return USAGE;
    }

    int sign(MedSignClient client, SignatureStore store, String certId, String orderFile) throws IOException {
        UserList users = client.getUserList();
        User doctor = certId != null ? users.byCertId(certId) : (users.users.isEmpty() ? null : users.users.get(0));
        if (doctor == null) {
            out.println("没有已登录的医生，请先在医签助手中登录 (no doctor is logged in on this workstation"
                    + (certId != null ? " with certId " + certId : "") + ": log in first)");
            return MEDSIGN_ERROR;
        }
        String orderId;
        byte[] order;
        String summary;
        if (orderFile != null) {
            order = Files.readAllBytes(new File(orderFile).toPath());
            JsonObject parsed = (JsonObject) Json.parse(new String(order, StandardCharsets.UTF_8));
            orderId = parsed.getString("orderId");
            if (orderId == null) return usage("医嘱文件缺少 orderId (the order file has no orderId)");
            summary = "医嘱 " + orderId;
        } else {
            DoctorOrder demo = DoctorOrder.demo(doctor.name);
            orderId = demo.orderId;
            order = demo.bytes();
            summary = demo.summary();
        }
        out.println("医嘱 (order) " + orderId + "，签名医生 (signer) " + doctor.name + " [" + doctor.employeeNo + "]");

        // wait=false: the verification code comes back at once, to be shown before the doctor approves
        SignResult pending = client.signMessage(doctor.certId, Content.data(order),
                SignOptions.defaults().waitForPhone(false).app("HIS 门诊医生站").summary(summary));
        out.println("校验码 (verification code): " + pending.getVerificationCode()
                + " —— 请核对手机上显示的校验码一致后再确认 (approve only if the phone shows the same code)");
        SignResult signed = client.awaitResult(pending, 150);
        byte[] cms = signed.getSignedMessage();
        String signedAt = new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ssXXX", Locale.ROOT).format(new Date());
        store.save(orderId, order, cms, doctor.certId, doctor.name, signedAt);
        out.println("已签名并保存 (signed and stored): " + store.cmsFile(orderId).getPath() + " (" + cms.length + " bytes)");
        out.println("orderId=" + orderId);
        out.println("verificationCode=" + pending.getVerificationCode());
        return OK;
    }

    int verify(MedSignClient client, SignatureStore store, String orderId) throws IOException {
        byte[] order = store.order(orderId);
        byte[] cms = store.cms(orderId);
        MessageVerification v = client.verifySignedMessage(cms);
        byte[] signedContent = client.getInfoFromSignedMessage(cms, MedSignClient.INFO_CONTENT);
        String signer = client.getCertInfo(client.getInfoFromSignedMessage(cms, MedSignClient.INFO_SIGNER_CERT), 0x31); // SGD_CERT_SUBJECT_CN
        boolean sameOrder = Arrays.equals(order, signedContent);
        if (v.valid && sameOrder) {
            out.println("验签通过 (signature valid): 医嘱 " + orderId + "，签名医生 (signer) " + signer + "，" + v.indication);
            return OK;
        }
        if (!v.valid) out.println("验签失败 (signature not valid): " + v.failure + " " + v.indication);
        if (!sameOrder) out.println("验签失败：保存的医嘱与签名内容不一致 (the stored order differs from what " + signer + " signed)");
        return NOT_VALID;
    }
}
