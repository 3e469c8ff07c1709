// A lab report (检验报告) and the exact text that is signed for it.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using MedSign;

namespace MedSign.Examples.Lis
{
    /// <summary>One result line: code, name, value, unit, reference range; the flag follows from them.</summary>
    public sealed class LabItem
    {
        public string Code;
        public string Name;
        public decimal Value;
        public string Unit;
        public decimal Low;
        public decimal High;

        /// <summary>↑ above, ↓ below the reference range, empty inside it.</summary>
        public string Flag
        {
            get { return Value > High ? "↑" : Value < Low ? "↓" : ""; }
        }
    }

    public sealed class LabReport
    {
        public string ReportNo;
        public string PatientId;
        public string PatientName;
        public string Sex;
        public int Age;
        public string Department;
        public string Bed;
        public string Specimen;
        public string Panel;
        public string CollectedAt;
        public string ReceivedAt;
        public string Tester;
        public string Reviewer;
        public string ReviewerCertId;
        public string ReviewedAt;
        public List<LabItem> Items = new List<LabItem>();

        public int AbnormalCount
        {
            get { return Items.FindAll(i => i.Flag != "").Count; }
        }

        /// <summary>
        /// The signed content: a fixed layout, "\n" line ends, numbers in the invariant culture, so
        /// that the same stored report always renders to the same UTF-8 bytes on any workstation
        /// (a Chinese-locale Windows must not turn 3.5 into "3,5" or CRLF).
        /// </summary>
        public string Render()
        {
            var sb = new StringBuilder();
            Line(sb, "MedSign LIS 检验报告 (lab report) v1");
            Line(sb, "报告编号 Report no: " + ReportNo);
            Line(sb, "患者 Patient: " + PatientName + " | " + Sex + " | " + Age.ToString(CultureInfo.InvariantCulture) + "岁 | 住院号 " + PatientId);
            Line(sb, "科室 Department: " + Department + " | 床号 Bed " + Bed);
            Line(sb, "标本 Specimen: " + Specimen + " | 项目 Panel: " + Panel);
            Line(sb, "采集 Collected: " + CollectedAt + " | 接收 Received: " + ReceivedAt);
            Line(sb, "代码\t项目\t结果\t单位\t参考区间\t提示");
            foreach (var i in Items)
                Line(sb, i.Code + "\t" + i.Name + "\t" + Num(i.Value) + "\t" + i.Unit + "\t" + Num(i.Low) + "-" + Num(i.High) + "\t" + i.Flag);
            Line(sb, "检验者 Tester: " + Tester);
            Line(sb, "审核者 Reviewer: " + Reviewer + " (certId " + ReviewerCertId + ")");
            Line(sb, "审核时间 Reviewed at: " + ReviewedAt);
            return sb.ToString();
        }

        static void Line(StringBuilder sb, string s)
        {
            sb.Append(s).Append('\n');
        }

        static string Num(decimal d)
        {
            return d.ToString(CultureInfo.InvariantCulture);
        }

        public JsonObject ToJson()
        {
            var items = new List<object>();
            foreach (var i in Items)
                items.Add(new JsonObject { { "code", i.Code }, { "name", i.Name }, { "value", Num(i.Value) }, { "unit", i.Unit }, { "low", Num(i.Low) }, { "high", Num(i.High) } });
            return new JsonObject
            {
                { "reportNo", ReportNo }, { "patientId", PatientId }, { "patientName", PatientName }, { "sex", Sex }, { "age", Age },
                { "department", Department }, { "bed", Bed }, { "specimen", Specimen }, { "panel", Panel },
                { "collectedAt", CollectedAt }, { "receivedAt", ReceivedAt }, { "tester", Tester },
                { "reviewer", Reviewer }, { "reviewerCertId", ReviewerCertId }, { "reviewedAt", ReviewedAt }, { "items", items },
            };
        }

        /// <summary>Decimals are stored as strings: JSON numbers would go through double.</summary>
        public static LabReport FromJson(JsonObject o)
        {
            var r = new LabReport
            {
                ReportNo = o.GetString("reportNo"), PatientId = o.GetString("patientId"), PatientName = o.GetString("patientName"),
                Sex = o.GetString("sex"), Age = (int)o.GetLong("age"), Department = o.GetString("department"), Bed = o.GetString("bed"),
                Specimen = o.GetString("specimen"), Panel = o.GetString("panel"), CollectedAt = o.GetString("collectedAt"),
                ReceivedAt = o.GetString("receivedAt"), Tester = o.GetString("tester"), Reviewer = o.GetString("reviewer"),
                ReviewerCertId = o.GetString("reviewerCertId"), ReviewedAt = o.GetString("reviewedAt"),
            };
            foreach (var x in o.GetArray("items"))
            {
                var i = (JsonObject)x;
                r.Items.Add(new LabItem
                {
                    Code = i.GetString("code"), Name = i.GetString("name"), Unit = i.GetString("unit"),
                    Value = decimal.Parse(i.GetString("value"), CultureInfo.InvariantCulture),
                    Low = decimal.Parse(i.GetString("low"), CultureInfo.InvariantCulture),
                    High = decimal.Parse(i.GetString("high"), CultureInfo.InvariantCulture),
                });
            }
            return r;
        }
    }
}
