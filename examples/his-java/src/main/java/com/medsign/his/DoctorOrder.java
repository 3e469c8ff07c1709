package com.medsign.his;

import com.medsign.Json;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;

/**
 * 医嘱 (a doctor's order): an outpatient prescription. What is signed is {@link #toJson()}, UTF-8,
 * exactly as stored: the HIS keeps those bytes and the CMS side by side.
 */
public final class DoctorOrder {
    /** One drug line of the prescription. */
    public static final class Item {
        final String drug;
        final String spec;
        final String dose;
        final String route;
        final String frequency;
        final int days;

        public Item(String drug, String spec, String dose, String route, String frequency, int days) {
            this.drug = drug;
            this.spec = spec;
            this.dose = dose;
            this.route = route;
            this.frequency = frequency;
            this.days = days;
        }
    }

    final String orderId;
    final String patientName;
    final String patientId;
    final String department;
    final String diagnosis;
    final String doctorName;
    final String createdAt;
    final List<Item> items = new ArrayList<Item>();

    DoctorOrder(String orderId, String patientName, String patientId, String department, String diagnosis, String doctorName, String createdAt) {
        this.orderId = orderId;
        this.patientName = patientName;
        this.patientId = patientId;
        this.department = department;
        this.diagnosis = diagnosis;
        this.doctorName = doctorName;
        this.createdAt = createdAt;
    }

    /** The demo prescription: a new order number (date + random from SecureRandom) each time. */
    static DoctorOrder demo(String doctorName) {
        Date now = new Date();
        SimpleDateFormat day = new SimpleDateFormat("yyyyMMdd", Locale.ROOT);
        SimpleDateFormat iso = new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ssXXX", Locale.ROOT);
        iso.setTimeZone(TimeZone.getDefault());
        byte[] r = new byte[4];
        new SecureRandom().nextBytes(r);
        String id = String.format("RX-%s-%02X%02X%02X%02X", day.format(now), r[0], r[1], r[2], r[3]);
        DoctorOrder o = new DoctorOrder(id, "张三", "P20240001", "心内科 (Cardiology)", "原发性高血压 (essential hypertension)", doctorName, iso.format(now));
        o.items.add(new Item("苯磺酸氨氯地平片 (amlodipine)", "5mg×28片", "5mg", "口服 (oral)", "每日一次 (qd)", 28));
        o.items.add(new Item("阿司匹林肠溶片 (aspirin)", "100mg×30片", "100mg", "口服 (oral)", "每日一次 (qd)", 30));
        return o;
    }

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<String, Object>();
        m.put("type", "门诊处方 (outpatient prescription)");
        m.put("orderId", orderId);
        Map<String, Object> patient = new LinkedHashMap<String, Object>();
        patient.put("name", patientName);
        patient.put("id", patientId);
        patient.put("department", department);
        m.put("patient", patient);
        m.put("diagnosis", diagnosis);
        List<Object> lines = new ArrayList<Object>();
        for (Item i : items) {
            Map<String, Object> l = new LinkedHashMap<String, Object>();
            l.put("drug", i.drug);
            l.put("spec", i.spec);
            l.put("dose", i.dose);
            l.put("route", i.route);
            l.put("frequency", i.frequency);
            l.put("days", i.days);
            lines.add(l);
        }
        m.put("items", lines);
        m.put("doctor", doctorName);
        m.put("createdAt", createdAt);
        return Json.write(m);
    }

    public byte[] bytes() {
        return toJson().getBytes(StandardCharsets.UTF_8);
    }

    /** What the phone shows beside the verification code (≤ 200 characters). */
    public String summary() {
        String s = "处方 " + orderId + " 患者 " + patientName + "，" + items.size() + " 种药品";
        return s.length() > 200 ? s.substring(0, 200) : s;
    }
}
