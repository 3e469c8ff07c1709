// 检验报告审核发布 — a LIS releases a lab report: build it, check the reviewer, sign it (detached
// CMS with a timestamp, approved on the reviewer's phone), store it, verify it from the store
// before release, and show that a changed result no longer verifies.
//
//   mono lis-dotnet.exe [--port 17990] [--cert-id HEX] [--store DIR]
//
// Exit code 0 released; 1 verification failed; 2 usage; 3 the agent refused or is not running.
using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using MedSign;

namespace MedSign.Examples.Lis
{
    static class Program
    {
        static readonly UTF8Encoding Utf8 = new UTF8Encoding(false);

        static int Main(string[] args)
        {
            Console.SetOut(new StreamWriter(Console.OpenStandardOutput(), Utf8) { AutoFlush = true });
            int port = MedSignClient.DefaultPort;
            string certId = null, store = "lis-store";
            for (int i = 0; i < args.Length; i++)
            {
                string next = i + 1 < args.Length ? args[i + 1] : null;
                if (args[i] == "--port" && next != null && int.TryParse(next, out port)) i++;
                else if (args[i] == "--cert-id" && next != null) { certId = next; i++; }
                else if (args[i] == "--store" && next != null) { store = next; i++; }
                else
                {
                    Console.Error.WriteLine("用法 Usage: lis-dotnet.exe [--port 17990] [--cert-id HEX] [--store DIR]");
                    return 2;
                }
            }
            try
            {
                return Release(new MedSignClient(port) { AppName = "lis-dotnet" }, certId, new ReportStore(store));
            }
            catch (MedSignException e)
            {
                Console.Error.WriteLine("失败 Failed: {0} (SOR 0x{1:X8}): {2}", e.Code, e.Sor, e.Message);
                return 3;
            }
        }

        static int Release(MedSignClient client, string certId, ReportStore store)
        {
            client.EnsureNoApiDrift();
            Console.WriteLine("医签助手 MedSign agent {0} on 127.0.0.1:{1}; 接口一致 (API matches this client)", client.GetVersion().Version, client.Port);

            // the reviewing doctor: logged in on this workstation, with a valid certificate
            var users = (List<UserInfo>)client.GetUserList().Users;
            var reviewer = certId == null ? (users.Count > 0 ? users[0] : null) : users.Find(u => string.Equals(u.CertId, certId, StringComparison.OrdinalIgnoreCase));
            if (reviewer == null)
            {
                Console.Error.WriteLine("审核医生未登录：请先在医签助手登录 (the reviewing doctor is not logged in on the agent: log in first)");
                return 3;
            }
            var validity = client.ValidateCert(CertRef.ById(reviewer.CertId));
            if (!validity.Valid)
            {
                Console.Error.WriteLine("审核医生的证书无效（{0}），不能发布 (the reviewer's certificate is not valid, code {0}: cannot release)", validity.Code);
                return 3;
            }

            var report = BuildReport(reviewer);
            Console.WriteLine("[1/5] 检验报告 Lab report {0}: {1} {2}, {3} 项 items, {4} 项异常 abnormal", report.ReportNo, report.PatientName, report.Panel, report.Items.Count, report.AbnormalCount);
            Console.WriteLine("[2/5] 审核者 Reviewer: {0} ({1}), 证书有效 certificate valid", reviewer.Name, reviewer.CertId);

            string content = report.Render();
            client.VerificationCode += (s, e) => Console.WriteLine("      请核对手机上的校验码 Check the code on the phone: {0}\n# verification-code {0}", e.VerificationCode);
            var cms = client.SignMessage(reviewer.CertId, content, new MessageOptions
            {
                Detached = true,
                Timestamp = true,
                App = "LIS 检验系统",
                Summary = "检验报告 " + report.ReportNo + " " + report.PatientName + " " + report.Panel,
            });
            Console.WriteLine("[3/5] 已签名 Signed: detached CMS with a timestamp, {0} bytes", cms.ToDer().Length);

            string row = store.Save(new SignedReport { Report = report, Cms = cms.Base64, SignedAt = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ") });
            // the released text as signed, for auditors and for openssl cms -verify -content
            File.WriteAllBytes(store.PathOf(report.ReportNo, ".txt"), Utf8.GetBytes(content));
            Console.WriteLine("[4/5] 已存储 Stored: {0}", row);

            // before release: verify what the store holds, not what is in memory
            var stored = store.Load(report.ReportNo);
            var check = client.VerifySignedMessage(stored.Cms, stored.Report.Render());
            string signerCert = client.GetInfoFromSignedMessage(stored.Cms, Sgd.MESSAGE_SIGNER_CERT);
            string signerCn = client.GetCertInfo(CertRef.FromCert(signerCert), Sgd.CERT_SUBJECT_CN);
            string signerSerial = client.GetCertInfo(CertRef.FromCert(signerCert), Sgd.CERT_SERIAL);
            bool signerIsReviewer = signerCn == stored.Report.Reviewer && string.Equals(signerSerial, stored.Report.ReviewerCertId, StringComparison.OrdinalIgnoreCase);
            if (!check.Valid || check.Indication != "TOTAL_PASSED" || !signerIsReviewer)
            {
                Console.Error.WriteLine("验证失败，报告未发布 (verification failed, the report is not released): {0} {1} signer {2}", check.Indication, check.Failure, signerCn);
                return 1;
            }
            Console.WriteLine("[5/5] 发布前验证 Verified before release: {0}, 签名人 signer {1}", check.Indication, signerCn);

            // what a changed result looks like: the stored signature no longer matches
            var changed = store.Load(report.ReportNo);
            var alt = changed.Report.Items[0];
            alt.Value = alt.Value - 50;
            var tampered = client.VerifySignedMessage(changed.Cms, changed.Report.Render());
            if (tampered.Valid)
            {
                Console.Error.WriteLine("篡改未被发现 (a changed result still verified)");
                return 1;
            }
            Console.WriteLine("篡改检测 Tamper check: {0} {1} → {2}: {3}", alt.Code, alt.Value + 50, alt.Value, tampered.Indication);

            Console.WriteLine("报告已发布 Report released: {0}", report.ReportNo);
            Console.WriteLine("# report-no " + report.ReportNo);
            Console.WriteLine("# row " + row);
            Console.WriteLine("# cms " + store.PathOf(report.ReportNo, ".p7s"));
            Console.WriteLine("# content " + store.PathOf(report.ReportNo, ".txt"));
            return 0;
        }

        /// <summary>A liver-function report as the analyser and the technician left it; demo values.</summary>
        static LabReport BuildReport(UserInfo reviewer)
        {
            var now = DateTime.Now;
            var r = new LabReport
            {
                ReportNo = "LIS" + now.ToString("yyyyMMdd") + "-" + RandomDigits(6),
                PatientId = "ZY" + RandomDigits(8),
                PatientName = "张三",
                Sex = "男",
                Age = 56,
                Department = "消化内科",
                Bed = "12",
                Specimen = "血清 serum",
                Panel = "肝功能 liver function",
                CollectedAt = now.AddHours(-3).ToString("yyyy-MM-dd HH:mm"),
                ReceivedAt = now.AddHours(-2).ToString("yyyy-MM-dd HH:mm"),
                Tester = "王技师",
                Reviewer = reviewer.Name,
                ReviewerCertId = reviewer.CertId,
                ReviewedAt = now.ToString("yyyy-MM-dd HH:mm:ss"),
            };
            r.Items.Add(new LabItem { Code = "ALT", Name = "谷丙转氨酶", Value = 88m, Unit = "U/L", Low = 9m, High = 50m });
            r.Items.Add(new LabItem { Code = "AST", Name = "谷草转氨酶", Value = 35m, Unit = "U/L", Low = 15m, High = 40m });
            r.Items.Add(new LabItem { Code = "TBIL", Name = "总胆红素", Value = 12.6m, Unit = "μmol/L", Low = 0m, High = 23m });
            r.Items.Add(new LabItem { Code = "ALB", Name = "白蛋白", Value = 36.5m, Unit = "g/L", Low = 40m, High = 55m });
            r.Items.Add(new LabItem { Code = "GLU", Name = "葡萄糖", Value = 5.2m, Unit = "mmol/L", Low = 3.9m, High = 6.1m });
            return r;
        }

        static string RandomDigits(int n)
        {
            var bytes = new byte[n];
            using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(bytes);
            var sb = new StringBuilder();
            foreach (var b in bytes) sb.Append((char)('0' + b % 10)); // 256 % 10 bias is irrelevant for a demo number
            return sb.ToString();
        }
    }
}
