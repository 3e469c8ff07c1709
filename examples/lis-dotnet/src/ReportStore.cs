// Where released reports go. A real LIS writes one row per report into its database; here one
// JSON file per report (the report, the detached CMS, who signed and when) and the CMS as .p7s.
using System;
using System.IO;
using System.Text;
using MedSign;

namespace MedSign.Examples.Lis
{
    public sealed class SignedReport
    {
        public LabReport Report;
        /// <summary>Detached CMS SignedData over Report.Render() as UTF-8, base64.</summary>
        public string Cms;
        public string SignedAt;
    }

    public sealed class ReportStore
    {
        static readonly UTF8Encoding Utf8 = new UTF8Encoding(false);
        readonly string dir;

        public ReportStore(string dir)
        {
            this.dir = dir;
            Directory.CreateDirectory(dir);
        }

        public string PathOf(string reportNo, string ext)
        {
            foreach (char c in reportNo)
                if (!(char.IsLetterOrDigit(c) || c == '-')) throw new ArgumentException("report number: letters, digits and '-' only");
            return Path.Combine(dir, reportNo + ext);
        }

        /// <summary>Writes the row (temp file, then rename: a crash leaves the old row or the new one).</summary>
        public string Save(SignedReport s)
        {
            var row = new JsonObject { { "report", s.Report.ToJson() }, { "cms", s.Cms }, { "signedAt", s.SignedAt } };
            string path = PathOf(s.Report.ReportNo, ".json");
            string tmp = path + ".tmp";
            File.WriteAllText(tmp, Json.Serialize(row), Utf8);
            if (File.Exists(path)) File.Delete(path);
            File.Move(tmp, path);
            File.WriteAllBytes(PathOf(s.Report.ReportNo, ".p7s"), Convert.FromBase64String(s.Cms));
            return path;
        }

        public SignedReport Load(string reportNo)
        {
            var row = (JsonObject)Json.Parse(File.ReadAllText(PathOf(reportNo, ".json"), Utf8));
            return new SignedReport { Report = LabReport.FromJson(row.GetObject("report")), Cms = row.GetString("cms"), SignedAt = row.GetString("signedAt") };
        }
    }
}
