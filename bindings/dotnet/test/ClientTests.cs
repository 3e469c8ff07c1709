// MedSign .NET client against a live agent + cloud + simulated phone (bindings/dotnet/test/dotnet.test.ts
// starts them). Environment:
//   MEDSIGN_AGENT_PORT  the agent's port          MEDSIGN_CERT_ID  a logged-in RSA doctor's certId
//   MEDSIGN_NAME        that doctor's name (CN)   MEDSIGN_DEAD_PORT  a port nobody listens on
//   MEDSIGN_OUT_DIR     where the signatures and CMS go, for openssl to check independently
// Prints TAP; exit code = number of failed cases.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading;

namespace MedSign.Tests
{
    static class ClientTests
    {
        // the same kinds of text the C tests sign: CJK, a non-BMP character, quotes, backslash, tab, CRLF
        const string Text = "病程记录：患者今日查房，生命体征平稳。Ünïcödé 𝄞 \"q\" \\ tab\tend\r\n";
        static readonly UTF8Encoding Utf8 = new UTF8Encoding(false);

        static MedSignClient client;
        static string certId, name, outDir;
        static int deadPort;
        static string certB64;

        static int Main()
        {
            Console.SetOut(new StreamWriter(Console.OpenStandardOutput(), Utf8) { AutoFlush = true });
            int port;
            int.TryParse(Environment.GetEnvironmentVariable("MEDSIGN_AGENT_PORT") ?? "", out port);
            int.TryParse(Environment.GetEnvironmentVariable("MEDSIGN_DEAD_PORT") ?? "", out deadPort);
            certId = Environment.GetEnvironmentVariable("MEDSIGN_CERT_ID");
            name = Environment.GetEnvironmentVariable("MEDSIGN_NAME");
            outDir = Environment.GetEnvironmentVariable("MEDSIGN_OUT_DIR");
            if (port <= 0 || deadPort <= 0 || string.IsNullOrEmpty(certId) || string.IsNullOrEmpty(name) || string.IsNullOrEmpty(outDir))
            {
                Console.Error.WriteLine("set MEDSIGN_AGENT_PORT, MEDSIGN_DEAD_PORT, MEDSIGN_CERT_ID, MEDSIGN_NAME and MEDSIGN_OUT_DIR (see bindings/dotnet/README.md)");
                return 2;
            }
            Directory.CreateDirectory(outDir);
            client = new MedSignClient(port);

            var t = new Tap();
            JsonCases(t);
            InfoCases(t);
            SigningCases(t);
            MessageCases(t);
            BatchAndTimestampCases(t);
            LoginCases(t);
            ErrorCases(t);
            return t.Run();
        }

        static void Save(string file, byte[] bytes)
        {
            File.WriteAllBytes(Path.Combine(outDir, file), bytes);
        }

        static byte[] Random(int n)
        {
            var b = new byte[n];
            using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(b);
            return b;
        }

        static void JsonCases(Tap t)
        {
            t.Case("json: strings round-trip (CJK, surrogate pair, escapes, lone surrogate)", () =>
            {
                string s = Text + "\u0001\u001f/\u2028\ud800x";
                string json = Json.Serialize(new JsonObject { { "s", s } });
                Assert.True(json.Contains("\\u0001") && json.Contains("\\ud800") && json.Contains("病程") && json.Contains("𝄞"), "control characters and the lone surrogate escaped, the rest as is: " + json);
                Assert.Equal(s, ((JsonObject)Json.Parse(json)).GetString("s"), "parsed back");
                Assert.Equal("\ud834\udd1e", (string)Json.Parse("\"\\ud834\\udd1e\""), "escaped pair");
            });
            t.Case("json: numbers, nesting, literals", () =>
            {
                var o = (JsonObject)Json.Parse(" {\"a\":[1,-2,3.5,1e3,true,false,null,{}],\"b\":9007199254740993} ");
                var a = o.GetArray("a");
                Assert.Equal(8, a.Count, "items");
                Assert.Equal(1L, (long)a[0], "1");
                Assert.Equal(-2L, (long)a[1], "-2");
                Assert.Equal(3.5, (double)a[2], "3.5");
                Assert.Equal(1000.0, (double)a[3], "1e3");
                Assert.True(a[6] == null && a[7] is JsonObject, "null and {}");
                Assert.Equal(9007199254740993L, o.GetLong("b"), "a long beyond 2^53 kept exact");
                Assert.Equal("[1,2.5,\"x\",null,true]", Json.Serialize(new object[] { 1, 2.5, "x", null, true }), "writer");
            });
            t.Case("json: malformed input is a FormatException", () =>
            {
                foreach (var bad in new[] { "", "{", "{\"a\":}", "[1,]", "\"\\x\"", "tru", "{} x", "\"a\nb\"", "{'a':1}" })
                    Assert.Throws<FormatException>(() => Json.Parse(bad), "parse <" + bad + ">");
            });
        }

        static void InfoCases(Tap t)
        {
            t.Case("defaults: timeout above the agent's 120 s session limit, app name from the entry assembly", () =>
            {
                Assert.True(MedSignClient.DefaultTimeout > TimeSpan.FromSeconds(130), "default timeout > 130 s");
                Assert.Equal(MedSignClient.DefaultTimeout, new MedSignClient().Timeout, "a new client uses it");
                Assert.Equal(17990, new MedSignClient().Port, "default port");
                Assert.Equal("MedSign.Tests", client.AppName, "app name");
                Assert.Throws<ArgumentException>(() => client.AppName = "bad name!", "invalid app name");
                Assert.Throws<ArgumentOutOfRangeException>(() => new MedSignClient(0), "port 0");
                Assert.Throws<ArgumentOutOfRangeException>(() => client.Timeout = TimeSpan.Zero, "zero timeout");
            });
            t.Case("getVersion", () =>
            {
                var v = client.GetVersion();
                Assert.Equal("1.0", v.ApiVersion, "apiVersion");
                Assert.Matches(@"^\d+\.\d+\.\d+", v.Version, "version");
                Assert.Matches("MedSign", v.Product, "product");
            });
            t.Case("drift check: every method and parameter this client sends is in the live /v1/openapi.json", () =>
            {
                var problems = client.CheckApiDrift();
                Assert.Equal("", string.Join("; ", new List<string>(problems).ToArray()), "drift");
                client.EnsureNoApiDrift();
                Assert.True(ApiContract.Methods.Count >= 28, "the contract covers the agent's methods");
            });
            t.Case("drift check: fails on a document without signBatch, without signMessage.detached, requiring a new signData parameter", () =>
            {
                var doc = (JsonObject)Json.Parse(client.GetOpenApiDocument());
                var paths = doc.GetObject("paths");
                Assert.True(paths.Remove("/v1/signBatch"), "signBatch was there");
                var props = Schema(paths, "signMessage").GetObject("properties");
                Assert.True(props.Remove("detached"), "detached was there");
                Schema(paths, "signData").GetArray("required").Add("reason");
                ((JsonObject)Schema(paths, "signData").GetObject("properties"))["reason"] = new JsonObject();
                var problems = new List<string>(ApiContract.Compare(Json.Serialize(doc)));
                problems.Sort(StringComparer.Ordinal);
                Assert.Equal(3, problems.Count, "three problems: " + string.Join("; ", problems.ToArray()));
                Assert.Equal("signBatch: no such method in the agent's API", problems[0], "missing method");
                Assert.Equal("signData: requires reason, which this client never sends", problems[1], "new required parameter");
                Assert.Equal("signMessage: parameter detached is not in the request schema", problems[2], "missing parameter");
                Assert.True(ApiContract.Compare("not json").Count == 1, "not JSON is a problem too");
            });
            t.Case("getStatus: registered, cloud online, the doctor logged in", () =>
            {
                var s = client.GetStatus();
                Assert.True(s.Registered, "registered");
                Assert.True(s.CloudOnline, "cloud online");
                Assert.True(((List<UserInfo>)s.Users).Exists(u => u.CertId == certId), "user listed");
                Assert.Equal(0, s.Pending.Count, "nothing pending for this app");
            });
            t.Case("getUserList and exportUserCert", () =>
            {
                var l = client.GetUserList();
                var me = ((List<UserInfo>)l.Users).Find(u => u.CertId == certId);
                Assert.True(me != null, "the doctor is listed");
                Assert.Equal(name, me.Name, "name");
                Assert.Equal("RSA", me.Algorithm, "algorithm");
                Assert.True(l.SofUserList.Contains(name + "||" + certId), "GM/T 0020 list: " + l.SofUserList);
                certB64 = client.ExportUserCert(certId);
                Save("cert.der", Convert.FromBase64String(certB64));
            });
            t.Case("getCertInfo, getCertInfoByOid, validateCert", () =>
            {
                Assert.Equal(certId.ToUpperInvariant(), client.GetCertInfo(CertRef.ById(certId), Sgd.CERT_SERIAL), "serial");
                Assert.Equal(name, client.GetCertInfo(CertRef.FromCert(certB64), Sgd.CERT_SUBJECT_CN), "subject CN by value");
                Assert.Equal(name, client.GetCertInfoByOid(CertRef.FromCert(Convert.FromBase64String(certB64)), "2.5.4.3"), "CN by OID");
                var v = client.ValidateCert(CertRef.ById(certId));
                Assert.Equal(0, v.Code, "code");
                Assert.True(v.Valid && v.Report != null, "valid, with a report");
            });
            t.Case("genRandom: CSPRNG bytes of the length asked", () =>
            {
                var a = client.GenRandom(32);
                var b = client.GenRandom(32);
                Assert.Equal(32, a.Length, "length");
                Assert.True(Convert.ToBase64String(a) != Convert.ToBase64String(b), "two draws differ");
            });
            t.Case("setSignMethod / getSignMethod per application", () =>
            {
                Assert.Equal(Sgd.SHA256_RSA, client.GetSignMethod(), "default");
                client.SetSignMethod(Sgd.SHA1_RSA);
                Assert.Equal(Sgd.SHA1_RSA, client.GetSignMethod(), "set");
                var other = new MedSignClient(client.Port) { AppName = "other-his" };
                Assert.Equal(Sgd.SHA256_RSA, other.GetSignMethod(), "another application keeps its own");
                client.SetSignMethod(Sgd.SHA256_RSA);
                Assert.Equal(Sgd.SHA256_RSA, client.GetSignMethod(), "back");
            });
        }

        static JsonObject Schema(JsonObject paths, string method)
        {
            return paths.GetObject("/v1/" + method).GetObject("post").GetObject("requestBody").GetObject("content").GetObject("application/json").GetObject("schema");
        }

        static void SigningCases(Tap t)
        {
            t.Case("signData text: verifies; changed text and changed signature do not", () =>
            {
                string sig = client.SignData(certId, Text, new SignOptions { App = "LIS", Summary = "病程记录 1 份" });
                Save("text.bin", Utf8.GetBytes(Text));
                Save("text.sig", Convert.FromBase64String(sig));
                Tap.Value("signature", sig);
                Assert.True(client.VerifySignedData(CertRef.ById(certId), Text, sig), "valid by certId");
                Assert.True(client.VerifySignedData(CertRef.FromCert(certB64), Utf8.GetBytes(Text), sig), "valid by certificate, as bytes");
                Assert.True(!client.VerifySignedData(CertRef.ById(certId), Text + " ", sig), "changed text is invalid");
                var raw = Convert.FromBase64String(sig);
                raw[raw.Length / 2] ^= 0x01;
                Assert.True(!client.VerifySignedData(CertRef.ById(certId), Text, Convert.ToBase64String(raw)), "changed signature is invalid");
            });
            t.Case("signData bytes (random, with 0x00 and 0xFF): verifies; a flipped bit does not", () =>
            {
                var data = Random(300);
                data[0] = 0x00;
                data[1] = 0xFF;
                string sig = client.SignData(certId, data);
                Save("binary.bin", data);
                Save("binary.sig", Convert.FromBase64String(sig));
                Assert.True(client.VerifySignedData(CertRef.ById(certId), data, sig), "valid");
                data[299] ^= 0x80;
                Assert.True(!client.VerifySignedData(CertRef.ById(certId), data, sig), "flipped bit invalid");
            });
            t.Case("signData with SHA-1 for this call (signMethod)", () =>
            {
                string sig = client.SignData(certId, Text, new SignOptions { SignMethod = Sgd.SHA1_RSA });
                Save("sha1.sig", Convert.FromBase64String(sig));
                Assert.True(client.VerifySignedData(CertRef.ById(certId), Text, sig, Sgd.SHA1_RSA), "valid as SHA-1");
                Assert.True(!client.VerifySignedData(CertRef.ById(certId), Text, sig, Sgd.SHA256_RSA), "not as SHA-256");
            });
            t.Case("signHash over a SHA-256 digest equals signData over the bytes (RSA PKCS#1 v1.5)", () =>
            {
                var data = Utf8.GetBytes("检验报告 hash");
                byte[] digest;
                using (var sha = SHA256.Create()) digest = sha.ComputeHash(data);
                Assert.Equal(client.SignData(certId, data), client.SignHash(certId, digest), "same signature");
            });
            t.Case("VerificationCode event: raised once with the 4-digit code, then the result by getStatus long-poll", () =>
            {
                var c = new MedSignClient(client.Port);
                var codes = new List<VerificationCodeEventArgs>();
                var pendingSeen = new List<Operation>();
                c.VerificationCode += (s, e) =>
                {
                    codes.Add(e);
                    pendingSeen.AddRange(c.GetStatus().Pending); // the doctor has 250 ms: still waiting
                };
                string sig = c.SignData(certId, "校验码测试 verification code");
                Assert.Equal(1, codes.Count, "one event");
                Assert.Matches(@"^\d{4}$", codes[0].VerificationCode, "4 digits");
                Assert.Equal("signData", codes[0].Method, "method");
                Assert.True(pendingSeen.Exists(o => o.OperationId == codes[0].OperationId && o.VerificationCode == codes[0].VerificationCode && o.Status == "PENDING"), "getStatus showed it pending with the same code");
                Tap.Value("verification-code", codes[0].VerificationCode);
                Assert.True(c.VerifySignedData(CertRef.ById(certId), "校验码测试 verification code", sig), "valid");
                var op = c.GetStatus(codes[0].OperationId);
                Assert.Equal("OK", op.Status, "finished operation");
                Assert.Equal(sig, op.Result.GetString("signature"), "its result");
            });
        }

        static void MessageCases(Tap t)
        {
            t.Case("signMessage attached: TOTAL_PASSED; content and signer certificate read back; a changed content byte fails", () =>
            {
                var m = client.SignMessage(certId, Text);
                Save("attached.p7", m.ToDer());
                var v = client.VerifySignedMessage(m.Base64);
                Assert.True(v.Valid, "valid");
                Assert.Equal("TOTAL_PASSED", v.Indication, "indication");
                Assert.Equal(Text, Utf8.GetString(Convert.FromBase64String(client.GetInfoFromSignedMessage(m.Base64, Sgd.MESSAGE_CONTENT))), "content");
                Assert.Equal(certB64, client.GetInfoFromSignedMessage(m.Base64, Sgd.MESSAGE_SIGNER_CERT), "signer certificate");
                var der = m.ToDer();
                int at = IndexOf(der, Utf8.GetBytes("生命体征"));
                Assert.True(at > 0, "the content is inside");
                der[at + 1] ^= 0x01;
                Save("attached-tampered.p7", der);
                var bad = client.VerifySignedMessage(Convert.ToBase64String(der));
                Assert.True(!bad.Valid, "tampered content invalid");
                Assert.Equal("TOTAL_FAILED", bad.Indication, "tampered indication");
            });
            t.Case("signMessage detached over bytes: valid with the data, not with other data", () =>
            {
                var data = Random(1000);
                var m = client.SignMessage(certId, data, new MessageOptions { Detached = true, Summary = "检验报告 PDF" });
                Save("detached.p7", m.ToDer());
                Save("detached.bin", data);
                Assert.True(IndexOf(m.ToDer(), Sub(data, 0, 32)) < 0, "the content is not inside");
                var v = client.VerifySignedMessage(m.Base64, data);
                Assert.True(v.Valid && v.Indication == "TOTAL_PASSED", "valid");
                data[10] ^= 0x01;
                Assert.True(!client.VerifySignedMessage(m.Base64, data).Valid, "other data invalid");
            });
            t.Case("signMessage detached text with a compact record: fromCompact rebuilds it byte for byte", () =>
            {
                var m = client.SignMessage(certId, Text, new MessageOptions { Detached = true, Compact = true });
                Assert.True(m.Compact != null, "compact returned");
                Assert.Equal(m.Base64, client.FromCompact(m.Compact, Utf8.GetBytes(Text)), "rebuilt");
                var rec = client.ToCompact(m.Base64, Utf8.GetBytes(Text));
                Assert.True(rec.Bytes > 0 && rec.Bytes < rec.OriginalBytes, "smaller than the SignedData");
                Assert.True(client.VerifySignedMessage(m.Base64, Text).Valid, "valid against the text");
            });
        }

        static void BatchAndTimestampCases(Tap t)
        {
            t.Case("signBatch raw: 5 texts, one approval, each verifies", () =>
            {
                var items = new List<BatchItem>();
                for (int i = 0; i < 5; i++) items.Add(BatchItem.Text("护理记录 " + i + "：体温 36." + i + "℃", "护理记录 " + i));
                var results = client.SignBatch(certId, items, new BatchOptions { Summary = "护理记录 5 份" });
                Assert.Equal(5, results.Count, "results");
                for (int i = 0; i < 5; i++)
                {
                    string text = "护理记录 " + i + "：体温 36." + i + "℃";
                    Save("batch-" + i + ".bin", Utf8.GetBytes(text));
                    Save("batch-" + i + ".sig", Convert.FromBase64String(results[i].Signature));
                    Assert.True(client.VerifySignedData(CertRef.ById(certId), text, results[i].Signature), "item " + i);
                }
            });
            t.Case("signBatch cms: bytes and text, attached SignedData each", () =>
            {
                var data = Random(64);
                var results = client.SignBatch(certId, new[] { BatchItem.Data(data), BatchItem.Text("检验报告 B") }, new BatchOptions { Format = "cms" });
                Assert.Equal(2, results.Count, "results");
                Save("batch-cms-0.p7", Convert.FromBase64String(results[0].SignedMessage));
                Save("batch-cms-0.bin", data);
                Assert.True(client.VerifySignedMessage(results[0].SignedMessage).Valid, "item 0");
                Assert.Equal("检验报告 B", Utf8.GetString(Convert.FromBase64String(client.GetInfoFromSignedMessage(results[1].SignedMessage, Sgd.MESSAGE_CONTENT))), "item 1 content");
            });
            t.Case("timestamps: request, the cloud TSA's response, verify with the nonce, info; other data fails", () =>
            {
                string req = client.CreateTimeStampRequest(Text);
                string resp = client.CreateTimeStampResponse(req);
                Save("ts.tsr", Convert.FromBase64String(resp));
                Save("ts.tsq", Convert.FromBase64String(req));
                var v = client.VerifyTimeStamp(resp, Text, req);
                Assert.True(v.Valid, "valid: " + v.Failure);
                Assert.Matches(@"^\d{4}-\d\d-\d\dT", v.GenTime, "genTime");
                Assert.Matches(@"^\d{4}-\d\d-\d\dT", client.GetTimeStampInfo(resp, Sgd.TIME_OF_STAMP), "SGD_TIME_OF_STAMP");
                Assert.True(!client.VerifyTimeStamp(resp, Utf8.GetBytes("other")).Valid, "other data invalid");
                Assert.True(client.VerifyTimeStamp(client.CreateTimeStampResponse(client.CreateTimeStampRequest(Utf8.GetBytes("x"), "sm3")), Utf8.GetBytes("x")).Valid, "SM3 request, bytes");
            });
        }

        static void LoginCases(Tap t)
        {
            t.Case("logout, then login by employee number (with its verification code) and by certId", () =>
            {
                var me = ((List<UserInfo>)client.GetUserList().Users).Find(u => u.CertId == certId);
                client.Logout(certId);
                Assert.True(!((List<UserInfo>)client.GetUserList().Users).Exists(u => u.CertId == certId), "gone after logout");
                var e = Assert.Throws<MedSignException>(() => client.SignData(certId, "x"), "signing after logout");
                Assert.Equal("CERT_NOT_FOUND", e.Code, "code after logout");

                var c = new MedSignClient(client.Port);
                string code = null;
                c.VerificationCode += (s, a) => code = a.VerificationCode;
                var login = c.LoginByEmployeeNo(me.EmployeeNo);
                Assert.Equal("OK", login.Status, "status");
                Assert.Equal(certId, login.CertId, "certId");
                Assert.Equal(name, login.Name, "name");
                Assert.Matches(@"^\d{4}$", code, "login code shown");
                Tap.Value("login-code", code);

                client.Logout(certId);
                var again = client.Login(certId);
                Assert.Equal("OK", again.Status, "login by certId");
                Assert.True(client.VerifySignedData(CertRef.ById(certId), "登录后签名", client.SignData(certId, "登录后签名")), "signs again");
            });
        }

        static void ErrorCases(Tap t)
        {
            t.Case("unknown certId: CERT_NOT_FOUND, SOR_CertNotFountErr, 404, Chinese with English", () =>
            {
                var e = Assert.Throws<MedSignException>(() => client.SignData("ABCDEF0123456789", Text), "unknown certId");
                Assert.Equal("CERT_NOT_FOUND", e.Code, "code");
                Assert.Equal(0x0B000310L, e.Sor, "sor");
                Assert.Equal(404, e.HttpStatus, "http");
                Assert.True(!e.Retryable, "not retryable");
                Assert.Matches(@"[\u4e00-\u9fff].*\(.*[A-Za-z]", e.Message, "Chinese, English in brackets");
                Assert.Equal(0x0B000310L, Assert.Throws<MedSignException>(() => client.ExportUserCert("ABCDEF0123456789"), "export").Sor, "exportUserCert too");
            });
            t.Case("bad arguments: the agent's BAD_PARAMS (SOR_IndataErr); nulls stop in the client", () =>
            {
                var e = Assert.Throws<MedSignException>(() => client.GenRandom(0), "length 0");
                Assert.Equal("BAD_PARAMS", e.Code, "code");
                Assert.Equal(0x0B000201L, e.Sor, "sor");
                Assert.Equal(400, e.HttpStatus, "http");
                Assert.Equal("BAD_PARAMS", Assert.Throws<MedSignException>(() => client.SetSignMethod(12345), "sign method").Code, "unknown sign method");
                Assert.Equal("BAD_PARAMS", Assert.Throws<MedSignException>(() => client.SignData("not hex!", Text), "certId").Code, "malformed certId");
                var bad = Assert.Throws<MedSignException>(() => client.GetInfoFromSignedMessage("bm90IGEgQ01T", Sgd.MESSAGE_CONTENT), "not a CMS");
                Assert.Equal(0x0B000201L, bad.Sor, "a malformed CMS is SOR_IndataErr: " + bad.Code);
                Assert.True(!client.VerifySignedMessage("bm90IGEgQ01T").Valid, "and does not verify");
                Assert.Throws<ArgumentNullException>(() => client.SignData(certId, (string)null), "null text");
                Assert.Throws<ArgumentNullException>(() => client.VerifySignedData(null, Text, "x"), "null cert");
            });
            t.Case("agent down: AGENT_UNREACHABLE with SOR_NotInitializeErr, at once", () =>
            {
                var sw = Stopwatch.StartNew();
                var e = Assert.Throws<MedSignException>(() => new MedSignClient(deadPort).SignData(certId, Text), "dead port");
                Assert.Equal(ClientCodes.AgentUnreachable, e.Code, "code");
                Assert.Equal(0x0B000011L, e.Sor, "sor");
                Assert.True(e.Retryable, "retryable: the call never reached an agent");
                Assert.Matches("医签助手.*MedSign agent", e.Message, "message");
                Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), "fast: " + sw.Elapsed);
            });
            t.Case("timeout: a server that never answers gives AGENT_TIMEOUT (SOR_TimeoutErr) after Timeout", () =>
            {
                var silent = new TcpListener(IPAddress.Loopback, 0);
                silent.Start();
                try
                {
                    var c = new MedSignClient(((IPEndPoint)silent.LocalEndpoint).Port) { Timeout = TimeSpan.FromMilliseconds(800) };
                    var sw = Stopwatch.StartNew();
                    var e = Assert.Throws<MedSignException>(() => c.GetVersion(), "silent server");
                    Assert.Equal(ClientCodes.AgentTimeout, e.Code, "code");
                    Assert.Equal(0x0B000101L, e.Sor, "sor");
                    Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(700) && sw.Elapsed < TimeSpan.FromSeconds(10), "after about 800 ms: " + sw.Elapsed);
                }
                finally
                {
                    silent.Stop();
                }
            });
            t.Case("not the agent on the port: AGENT_BAD_REPLY", () =>
            {
                var other = new TcpListener(IPAddress.Loopback, 0);
                other.Start();
                var server = new Thread(() =>
                {
                    try
                    {
                        using (var sock = other.AcceptTcpClient())
                        {
                            var s = sock.GetStream();
                            var buf = new byte[4096];
                            s.Read(buf, 0, buf.Length);
                            var reply = Encoding.ASCII.GetBytes("HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\nContent-Length: 5\r\nConnection: close\r\n\r\noops!");
                            s.Write(reply, 0, reply.Length);
                        }
                    }
                    catch (Exception) { }
                });
                server.Start();
                try
                {
                    var e = Assert.Throws<MedSignException>(() => new MedSignClient(((IPEndPoint)other.LocalEndpoint).Port).GetVersion(), "HTML 500");
                    Assert.Equal(ClientCodes.AgentBadReply, e.Code, "code");
                    Assert.Equal(500, e.HttpStatus, "http");
                }
                finally
                {
                    server.Join(5000);
                    other.Stop();
                }
            });
        }

        static int IndexOf(byte[] hay, byte[] needle)
        {
            for (int i = 0; i + needle.Length <= hay.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && hay[i + j] == needle[j]) j++;
                if (j == needle.Length) return i;
            }
            return -1;
        }

        static byte[] Sub(byte[] a, int from, int n)
        {
            var r = new byte[n];
            Array.Copy(a, from, r, 0, n);
            return r;
        }
    }
}
