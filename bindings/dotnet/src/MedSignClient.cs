// The MedSign agent (医签助手) from .NET: POST http://127.0.0.1:<port>/v1/<method> with the
// params as a JSON body (agent/README.md). Builds with Mono's mcs for .NET Framework 4.x and
// with the .NET SDK for modern .NET: HttpWebRequest and this package's own JSON only.
using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Reflection;
using System.Text;

namespace MedSign
{
    /// <summary>
    /// Typed client of the local agent. One instance may be shared by threads; each call is one
    /// HTTP request (or, with a <see cref="VerificationCode"/> handler, one request and a
    /// long-poll of getStatus). Calls block: from a WinForms UI thread run them in Task.Run or a
    /// BackgroundWorker, since a signing call waits for the doctor's phone.
    /// </summary>
    public sealed class MedSignClient
    {
        public const int DefaultPort = 17990;

        /// <summary>
        /// 180 s: a signing call waits for the phone up to the cloud session limit (120 s) plus
        /// 10 s inside the agent; the client must wait longer than that, or it gives up on a
        /// signature the doctor is still allowed to approve.
        /// </summary>
        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(180);

        static readonly UTF8Encoding Utf8 = new UTF8Encoding(false, true);

        TimeSpan timeout = DefaultTimeout;
        string appName;

        public MedSignClient() : this(DefaultPort) { }

        public MedSignClient(int port)
        {
            if (port < 1 || port > 65535) throw new ArgumentOutOfRangeException("port", "1–65535");
            Port = port;
            appName = DefaultAppName();
        }

        /// <summary>The agent's port on 127.0.0.1 (agent configuration <c>port</c>).</summary>
        public int Port { get; private set; }

        /// <summary>How long one call may take, phone approval included (default 180 s).</summary>
        public TimeSpan Timeout
        {
            get { return timeout; }
            set
            {
                if (value <= TimeSpan.Zero || value.TotalMilliseconds > int.MaxValue) throw new ArgumentOutOfRangeException("value", "positive, below 24 days");
                timeout = value;
            }
        }

        /// <summary>
        /// Sent as X-MedSign-App: the agent keeps this application's sign method and pending
        /// operations apart from other programs on the workstation. Letters, digits, '.', '_', '-'
        /// (≤ 64); defaults to the entry assembly's name; null sends none.
        /// </summary>
        public string AppName
        {
            get { return appName; }
            set
            {
                if (value != null && !ValidAppName(value)) throw new ArgumentException("AppName: 1–64 of A–Z a–z 0–9 . _ -", "value");
                appName = value;
            }
        }

        /// <summary>
        /// Raised on the calling thread when a signing or push-login session opens, with the
        /// 4-digit code the phone shows. With a handler attached, signing calls use
        /// <c>wait: false</c> and long-poll getStatus (≤ 30 s per request) until the phone answers.
        /// </summary>
        public event EventHandler<VerificationCodeEventArgs> VerificationCode;

        // ---- information ----

        public AgentVersion GetVersion()
        {
            var r = Call("getVersion", new JsonObject());
            return new AgentVersion { Version = r.GetString("version"), ApiVersion = r.GetString("apiVersion"), Product = r.GetString("product") };
        }

        /// <summary>Cloud links, users, this application's pending operations and their codes.</summary>
        public AgentStatus GetStatus()
        {
            return ToStatus(Call("getStatus", new JsonObject()));
        }

        /// <summary>One operation (from a <c>wait: false</c> call), waiting up to <paramref name="waitSeconds"/> (0–30) for it to finish.</summary>
        public Operation GetStatus(string operationId, int waitSeconds = 0)
        {
            NotNull(operationId, "operationId");
            var p = new JsonObject { { "operationId", operationId } };
            if (waitSeconds != 0) p["wait"] = waitSeconds;
            return ToStatus(CallWithin("getStatus", p, TimeSpan.FromSeconds(Math.Max(0, waitSeconds) + 15))).Operation;
        }

        /// <summary>Random bytes from the workstation's CSPRNG (SOF_GenRandom), 1–4096.</summary>
        public byte[] GenRandom(int length)
        {
            return Convert.FromBase64String(Call("genRandom", new JsonObject { { "length", length } }).GetString("random"));
        }

        /// <summary>The RSA hash for this application (an <see cref="Sgd"/> constant), kept by the agent in memory.</summary>
        public void SetSignMethod(int method)
        {
            Call("setSignMethod", new JsonObject { { "method", method } });
        }

        public int GetSignMethod()
        {
            return (int)Call("getSignMethod", new JsonObject()).GetLong("method");
        }

        // ---- users ----

        public UserList GetUserList()
        {
            var r = Call("getUserList", new JsonObject());
            var users = new List<UserInfo>();
            foreach (var u in Objects(r.GetArray("users")))
                users.Add(new UserInfo { Name = u.GetString("name"), CertId = u.GetString("certId"), EmployeeNo = u.GetString("employeeNo"), Algorithm = u.GetString("algorithm"), NotAfter = u.GetString("notAfter") });
            return new UserList { Users = users, SofUserList = r.GetString("userList") };
        }

        /// <summary>The user's certificate, base64 DER (SOF_ExportUserCert).</summary>
        public string ExportUserCert(string certId)
        {
            NotNull(certId, "certId");
            return Call("exportUserCert", new JsonObject { { "certId", certId } }).GetString("certificate");
        }

        /// <summary>Push a login to the phone of a user this agent has seen (SOF_Login); waits for the doctor.</summary>
        public LoginResult Login(string certId)
        {
            NotNull(certId, "certId");
            return ToLogin(Pending("login", new JsonObject { { "certId", certId } }));
        }

        /// <summary>First login on this workstation: push to the phone of this employee number.</summary>
        public LoginResult LoginByEmployeeNo(string employeeNo)
        {
            NotNull(employeeNo, "employeeNo");
            return ToLogin(Pending("login", new JsonObject { { "employeeNo", employeeNo } }));
        }

        /// <summary>QR login: returns at once with <see cref="LoginResult.Qr"/> to render; then poll
        /// <see cref="GetStatus(string,int)"/> with the operation id.</summary>
        public LoginResult LoginByQr()
        {
            return ToLogin(Call("login", new JsonObject()));
        }

        public void Logout(string certId)
        {
            NotNull(certId, "certId");
            Call("logout", new JsonObject { { "certId", certId } });
        }

        // ---- certificates ----

        /// <summary>One SGD_CERT_* field (docs/cert-info.md).</summary>
        public string GetCertInfo(CertRef cert, int type)
        {
            var p = With(cert);
            p["type"] = type;
            return Call("getCertInfo", p).GetString("info");
        }

        /// <summary>A name attribute or extension by OID.</summary>
        public string GetCertInfoByOid(CertRef cert, string oid)
        {
            NotNull(oid, "oid");
            var p = With(cert);
            p["oid"] = oid;
            return Call("getCertInfoByOid", p).GetString("info");
        }

        /// <summary>Chain, validity, CRL and OCSP (SOF_ValidateCert).</summary>
        public CertValidation ValidateCert(CertRef cert)
        {
            var r = Call("validateCert", With(cert));
            return new CertValidation { Code = (int)r.GetLong("code"), Valid = r.GetBool("valid"), Report = r.GetObject("report") };
        }

        // ---- raw signatures ----

        /// <summary>Raw signature over the UTF-8 bytes of <paramref name="text"/>, base64 (SOF_SignData).</summary>
        public string SignData(string certId, string text, SignOptions options = null)
        {
            NotNull(text, "text");
            return SignRaw("signData", certId, "text", text, options);
        }

        /// <summary>Raw signature over <paramref name="data"/>, base64.</summary>
        public string SignData(string certId, byte[] data, SignOptions options = null)
        {
            NotNull(data, "data");
            return SignRaw("signData", certId, "data", Convert.ToBase64String(data), options);
        }

        /// <summary>Raw signature over a precomputed digest (SM2: e = SM3(Z_A ‖ M); RSA: the sign method's hash).</summary>
        public string SignHash(string certId, byte[] hash, SignOptions options = null)
        {
            NotNull(hash, "hash");
            return SignRaw("signHash", certId, "hash", Convert.ToBase64String(hash), options);
        }

        /// <summary>Raw signature over a local file (absolute path; any size, streamed by the agent).</summary>
        public string SignFile(string certId, string path, SignOptions options = null)
        {
            NotNull(path, "path");
            return SignRaw("signFile", certId, "path", path, options);
        }

        /// <summary>Cryptographic check of a raw signature over the UTF-8 bytes of <paramref name="text"/>.</summary>
        public bool VerifySignedData(CertRef cert, string text, string signature, int? signMethod = null)
        {
            NotNull(text, "text");
            return VerifyRaw(cert, "text", text, signature, signMethod);
        }

        public bool VerifySignedData(CertRef cert, byte[] data, string signature, int? signMethod = null)
        {
            NotNull(data, "data");
            return VerifyRaw(cert, "data", Convert.ToBase64String(data), signature, signMethod);
        }

        public bool VerifySignedFile(CertRef cert, string path, string signature, int? signMethod = null)
        {
            NotNull(path, "path");
            NotNull(signature, "signature");
            var p = With(cert);
            p["path"] = path;
            p["signature"] = signature;
            if (signMethod.HasValue) p["signMethod"] = signMethod.Value;
            return Call("verifySignedFile", p).GetBool("valid");
        }

        // ---- PKCS#7 / CMS ----

        /// <summary>SignedData over the UTF-8 bytes of <paramref name="text"/> (SOF_SignMessage); attached unless options.Detached.</summary>
        public SignedMessage SignMessage(string certId, string text, MessageOptions options = null)
        {
            NotNull(text, "text");
            return SignCms(certId, "text", text, options);
        }

        public SignedMessage SignMessage(string certId, byte[] data, MessageOptions options = null)
        {
            NotNull(data, "data");
            return SignCms(certId, "data", Convert.ToBase64String(data), options);
        }

        /// <summary>Verifies an attached SignedData (base64 DER).</summary>
        public MessageVerification VerifySignedMessage(string signedMessage)
        {
            return VerifyCms(signedMessage, null, null);
        }

        /// <summary>Verifies a detached SignedData against the UTF-8 bytes of <paramref name="text"/>.</summary>
        public MessageVerification VerifySignedMessage(string signedMessage, string text)
        {
            NotNull(text, "text");
            return VerifyCms(signedMessage, "text", text);
        }

        public MessageVerification VerifySignedMessage(string signedMessage, byte[] data)
        {
            NotNull(data, "data");
            return VerifyCms(signedMessage, "data", Convert.ToBase64String(data));
        }

        /// <summary><see cref="Sgd.MESSAGE_CONTENT"/>, <see cref="Sgd.MESSAGE_SIGNER_CERT"/> or <see cref="Sgd.MESSAGE_SIGNATURE"/>, base64.</summary>
        public string GetInfoFromSignedMessage(string signedMessage, int type)
        {
            NotNull(signedMessage, "signedMessage");
            return Call("getInfoFromSignedMessage", new JsonObject { { "signedMessage", signedMessage }, { "type", type } }).GetString("info");
        }

        /// <summary>The compact storage record of a SignedData (data/text for a detached one).</summary>
        public CompactRecord ToCompact(string signedMessage, byte[] detachedData = null)
        {
            NotNull(signedMessage, "signedMessage");
            var p = new JsonObject { { "signedMessage", signedMessage } };
            if (detachedData != null) p["data"] = Convert.ToBase64String(detachedData);
            var r = Call("toCompact", p);
            return new CompactRecord { Compact = r.GetString("compact"), Bytes = r.GetLong("bytes"), OriginalBytes = r.GetLong("originalBytes") };
        }

        /// <summary>The byte-identical SignedData rebuilt from a compact record, base64.</summary>
        public string FromCompact(string compact, byte[] data = null)
        {
            NotNull(compact, "compact");
            var p = new JsonObject { { "compact", compact } };
            if (data != null) p["data"] = Convert.ToBase64String(data);
            return Call("fromCompact", p).GetString("signedMessage");
        }

        // ---- batches ----

        /// <summary>1–1,000 items with one approval on the phone.</summary>
        public IList<BatchResult> SignBatch(string certId, IList<BatchItem> items, BatchOptions options = null)
        {
            NotNull(certId, "certId");
            NotNull(items, "items");
            var list = new List<object>();
            foreach (var i in items)
            {
                if (i == null) throw new ArgumentException("items: null item", "items");
                list.Add(i.Params);
            }
            var p = new JsonObject { { "certId", certId }, { "items", list } };
            if (options != null) options.AddTo(p);
            var results = new List<BatchResult>();
            foreach (var r in Objects(Pending("signBatch", p).GetArray("results")))
                results.Add(new BatchResult { Signature = r.GetString("signature"), SignedMessage = r.GetString("signedMessage"), Compact = r.GetString("compact") });
            if (results.Count != items.Count) throw BadReply("signBatch returned " + results.Count + " results for " + items.Count + " items");
            return results;
        }

        /// <summary>A 补签 (deferred signing) ticket's state.</summary>
        public DeferredResult GetDeferredResult(string ticket)
        {
            NotNull(ticket, "ticket");
            var r = Call("getDeferredResult", new JsonObject { { "ticket", ticket } });
            object err;
            r.TryGetValue("error", out err);
            return new DeferredResult { Ticket = r.GetString("ticket"), Status = r.GetString("status"), Result = r.GetObject("result"), Error = err };
        }

        // ---- timestamps (RFC 3161) ----

        /// <summary>A DER TimeStampReq over the UTF-8 bytes of text; hashAlgorithm sm3, sha256 (default) or sha1. Base64.</summary>
        public string CreateTimeStampRequest(string text, string hashAlgorithm = null)
        {
            NotNull(text, "text");
            return TsRequest("text", text, hashAlgorithm);
        }

        public string CreateTimeStampRequest(byte[] data, string hashAlgorithm = null)
        {
            NotNull(data, "data");
            return TsRequest("data", Convert.ToBase64String(data), hashAlgorithm);
        }

        /// <summary>The cloud TSA's TimeStampResp, base64.</summary>
        public string CreateTimeStampResponse(string request)
        {
            NotNull(request, "request");
            return Call("createTimeStampResponse", new JsonObject { { "request", request } }).GetString("response");
        }

        /// <summary>Signature and TSA certificate; the imprint against data when given; the nonce against request when given.</summary>
        public TimeStampVerification VerifyTimeStamp(string response, byte[] data = null, string request = null)
        {
            NotNull(response, "response");
            var p = new JsonObject { { "response", response } };
            if (data != null) p["data"] = Convert.ToBase64String(data);
            if (request != null) p["request"] = request;
            return ToTsVerification(Call("verifyTimeStamp", p));
        }

        public TimeStampVerification VerifyTimeStamp(string response, string text, string request = null)
        {
            NotNull(response, "response");
            NotNull(text, "text");
            var p = new JsonObject { { "response", response }, { "text", text } };
            if (request != null) p["request"] = request;
            return ToTsVerification(Call("verifyTimeStamp", p));
        }

        /// <summary>One SGD_TS_* field (<see cref="Sgd.TIME_OF_STAMP"/> …).</summary>
        public string GetTimeStampInfo(string response, int type)
        {
            NotNull(response, "response");
            return Call("getTimeStampInfo", new JsonObject { { "response", response }, { "type", type } }).GetString("info");
        }

        // ---- untyped ----

        /// <summary>Any method with any params, for what the typed methods do not cover
        /// (e.g. <c>deferred: true</c>). The reply's JSON object.</summary>
        public JsonObject Invoke(string method, IDictionary<string, object> parameters = null)
        {
            NotNull(method, "method");
            var p = new JsonObject();
            if (parameters != null) foreach (var kv in parameters) p[kv.Key] = kv.Value;
            return Post(method, p, timeout);
        }

        /// <summary>Compares the live agent's OpenAPI document with what this client sends
        /// (<see cref="ApiContract"/>); the differences, empty when none.</summary>
        public IList<string> CheckApiDrift()
        {
            return ApiContract.Compare(GetOpenApiDocument());
        }

        /// <summary>Like <see cref="CheckApiDrift"/>, throwing API_DRIFT when anything differs.</summary>
        public void EnsureNoApiDrift()
        {
            var problems = CheckApiDrift();
            if (problems.Count > 0)
                throw new MedSignException(ClientCodes.ApiDrift, Sor.NotSupportYetErr,
                    "医签助手的接口与本客户端不一致，请升级医签助手或客户端 (the agent's API differs from this client's; upgrade one of them): " + string.Join("; ", new List<string>(problems).ToArray()), false);
        }

        /// <summary>GET /v1/openapi.json.</summary>
        public string GetOpenApiDocument()
        {
            var req = NewRequest("openapi.json", "GET", timeout);
            return Send(req, null, "openapi.json");
        }

        // ---- plumbing ----

        string SignRaw(string method, string certId, string key, string value, SignOptions options)
        {
            NotNull(certId, "certId");
            var p = new JsonObject { { "certId", certId }, { key, value } };
            if (options != null) options.AddTo(p);
            var r = Pending(method, p);
            var sig = r.GetString("signature");
            if (sig == null) throw BadReply(method + " returned no signature");
            return sig;
        }

        SignedMessage SignCms(string certId, string key, string value, MessageOptions options)
        {
            NotNull(certId, "certId");
            var p = new JsonObject { { "certId", certId }, { key, value } };
            if (options != null) options.AddTo(p);
            var r = Pending("signMessage", p);
            if (r.GetString("signedMessage") == null) throw BadReply("signMessage returned no signedMessage");
            return new SignedMessage { Base64 = r.GetString("signedMessage"), Compact = r.GetString("compact") };
        }

        bool VerifyRaw(CertRef cert, string key, string value, string signature, int? signMethod)
        {
            NotNull(signature, "signature");
            var p = With(cert);
            p[key] = value;
            p["signature"] = signature;
            if (signMethod.HasValue) p["signMethod"] = signMethod.Value;
            return Call("verifySignedData", p).GetBool("valid");
        }

        MessageVerification VerifyCms(string signedMessage, string key, string value)
        {
            NotNull(signedMessage, "signedMessage");
            var p = new JsonObject { { "signedMessage", signedMessage } };
            if (key != null) p[key] = value;
            var r = Call("verifySignedMessage", p);
            return new MessageVerification { Valid = r.GetBool("valid"), Indication = r.GetString("indication"), SubIndication = r.GetString("subIndication"), Failure = r.GetString("failure"), Report = r.GetObject("report") };
        }

        string TsRequest(string key, string value, string hashAlgorithm)
        {
            var p = new JsonObject { { key, value } };
            if (hashAlgorithm != null) p["hashAlgorithm"] = hashAlgorithm;
            return Call("createTimeStampRequest", p).GetString("request");
        }

        /// <summary>
        /// A call that waits for the phone. Without a VerificationCode handler: one request with
        /// wait (the agent's default). With one: wait: false, raise the event with the code, then
        /// long-poll getStatus until the operation finishes, all within <see cref="Timeout"/>.
        /// </summary>
        JsonObject Pending(string method, JsonObject p)
        {
            var handler = VerificationCode;
            if (handler == null) return Call(method, p);
            DateTime deadline = DateTime.UtcNow + timeout;
            p["wait"] = false;
            var first = Call(method, p);
            string operationId = first.GetString("operationId");
            if (operationId == null || first.GetString("status") != "PENDING") return first;
            handler(this, new VerificationCodeEventArgs(method, operationId, first.GetString("verificationCode")));
            for (;;)
            {
                double left = (deadline - DateTime.UtcNow).TotalSeconds;
                if (left <= 0) throw TimedOut(method, null);
                int wait = (int)Math.Max(1, Math.Min(30, left));
                var op = ToStatus(CallWithin("getStatus", new JsonObject { { "operationId", operationId }, { "wait", wait } }, TimeSpan.FromSeconds(wait + 15))).Operation;
                if (op == null) throw BadReply("getStatus returned no operation");
                if (op.Status == "OK")
                {
                    var result = op.Result ?? new JsonObject();
                    // a finished login's result is {certId, name}: give it the shape login itself returns
                    if (method == "login")
                    {
                        result["operationId"] = operationId;
                        result["status"] = "OK";
                        result["verificationCode"] = first.GetString("verificationCode");
                    }
                    return result;
                }
                if (op.Status == "FAILED") throw op.Error ?? BadReply(method + " failed without an error");
            }
        }

        JsonObject Call(string method, JsonObject p)
        {
            return CallWithin(method, p, timeout);
        }

        JsonObject CallWithin(string method, JsonObject p, TimeSpan limit)
        {
            ApiContract.Require(method, p);
            return Post(method, p, limit < timeout ? limit : timeout);
        }

        JsonObject Post(string method, JsonObject p, TimeSpan limit)
        {
            var req = NewRequest(method, "POST", limit);
            req.ContentType = "application/json";
            string text = Send(req, Utf8.GetBytes(Json.Serialize(p)), method);
            object v;
            try
            {
                v = Json.Parse(text);
            }
            catch (FormatException e)
            {
                throw BadReply(method + ": " + e.Message);
            }
            var o = v as JsonObject;
            if (o == null) throw BadReply(method + ": the reply is not a JSON object");
            return o;
        }

        HttpWebRequest NewRequest(string path, string verb, TimeSpan limit)
        {
            var req = (HttpWebRequest)WebRequest.Create("http://127.0.0.1:" + Port + "/v1/" + path);
            req.Method = verb;
            req.Accept = "application/json";
            // Hospital workstations often have an IE/WinINet proxy configured: loopback must not go through it.
            req.Proxy = null;
            req.KeepAlive = true;
            try
            {
                // .NET Framework waits up to 350 ms for "100 Continue" before a POST body
                req.ServicePoint.Expect100Continue = false;
                // .NET Framework allows 2 connections per host by default; a signing call and a
                // getStatus from another thread must not queue behind each other.
                if (req.ServicePoint.ConnectionLimit < 16) req.ServicePoint.ConnectionLimit = 16;
            }
            catch (PlatformNotSupportedException)
            {
                // modern .NET may not expose ServicePoint; it has neither of those limits
            }
            int ms = (int)Math.Min(int.MaxValue, limit.TotalMilliseconds);
            req.Timeout = ms;
            req.ReadWriteTimeout = ms;
            if (appName != null) req.Headers["X-MedSign-App"] = appName;
            return req;
        }

        string Send(HttpWebRequest req, byte[] body, string method)
        {
            bool sent = false;
            try
            {
                if (body != null)
                {
                    req.ContentLength = body.Length;
                    using (var s = req.GetRequestStream()) s.Write(body, 0, body.Length);
                }
                sent = true;
                using (var resp = (HttpWebResponse)req.GetResponse())
                    return ReadBody(resp);
            }
            catch (WebException e)
            {
                var resp = e.Response as HttpWebResponse;
                if (resp != null)
                {
                    using (resp) throw FromAgentError((int)resp.StatusCode, ReadBody(resp), method);
                }
                if (e.Status == WebExceptionStatus.Timeout) throw TimedOut(method, e);
                if (e.Status == WebExceptionStatus.ConnectFailure || !sent)
                    throw new MedSignException(ClientCodes.AgentUnreachable, Sor.NotInitializeErr,
                        "医签助手未运行或端口不对：请启动医签助手，或检查端口 " + Port + " (the MedSign agent does not answer on 127.0.0.1:" + Port + ": start it, or check the port)", true, 0, e);
                throw new MedSignException(ClientCodes.AgentUnreachable, Sor.NotInitializeErr,
                    "与医签助手的连接中断，调用可能已执行：请查看状态后再试 (the connection to the MedSign agent broke during " + method + "; the call may have run: check getStatus before trying again)", false, 0, e);
            }
            catch (IOException e)
            {
                throw new MedSignException(ClientCodes.AgentUnreachable, Sor.NotInitializeErr,
                    "与医签助手的连接中断 (the connection to the MedSign agent broke during " + method + ")", !sent, 0, e);
            }
        }

        static string ReadBody(HttpWebResponse resp)
        {
            using (var s = resp.GetResponseStream())
            using (var r = new StreamReader(s, Utf8))
                return r.ReadToEnd();
        }

        MedSignException FromAgentError(int status, string body, string method)
        {
            JsonObject o = null;
            try { o = Json.Parse(body) as JsonObject; } catch (FormatException) { }
            if (o == null || o.GetString("code") == null)
                return new MedSignException(ClientCodes.AgentBadReply, Sor.UnknownErr,
                    "端口 " + Port + " 上的程序不是医签助手，或其应答无法识别 (HTTP " + status + " from 127.0.0.1:" + Port + " is not the MedSign agent's reply to " + method + ")", false, status);
            return ToException(o, status);
        }

        static MedSignException ToException(JsonObject o, int status)
        {
            return new MedSignException(o.GetString("code"), o.GetLong("sor", Sor.UnknownErr), o.GetString("message") ?? o.GetString("code"), o.GetBool("retryable"), status);
        }

        MedSignException TimedOut(string method, Exception inner)
        {
            return new MedSignException(ClientCodes.AgentTimeout, Sor.TimeoutErr,
                "等待医签助手超时（" + (int)timeout.TotalSeconds + " 秒）：签名可能仍在进行，请查看状态后再试 (no answer to " + method + " within " + (int)timeout.TotalSeconds + " s; the doctor may still approve: check getStatus before trying again)", false, 0, inner);
        }

        MedSignException BadReply(string what)
        {
            return new MedSignException(ClientCodes.AgentBadReply, Sor.UnknownErr, "医签助手的应答无法识别 (unexpected reply from the MedSign agent: " + what + ")", false);
        }

        static LoginResult ToLogin(JsonObject r)
        {
            return new LoginResult { OperationId = r.GetString("operationId"), Status = r.GetString("status"), Qr = r.GetString("qr"), VerificationCode = r.GetString("verificationCode"), CertId = r.GetString("certId"), Name = r.GetString("name") };
        }

        static TimeStampVerification ToTsVerification(JsonObject r)
        {
            return new TimeStampVerification { Valid = r.GetBool("valid"), Failure = r.GetString("failure"), GenTime = r.GetString("genTime"), SerialNumber = r.GetString("serialNumber") };
        }

        static AgentStatus ToStatus(JsonObject r)
        {
            var cloud = r.GetObject("cloud") ?? new JsonObject();
            var users = new List<UserInfo>();
            foreach (var u in Objects(r.GetArray("users")))
                users.Add(new UserInfo { CertId = u.GetString("certId"), Name = u.GetString("name"), NotAfter = u.GetString("notAfter"), EmployeeNo = "", Algorithm = "" });
            var pending = new List<Operation>();
            foreach (var o in Objects(r.GetArray("pending"))) pending.Add(ToOperation(o));
            var op = r.GetObject("operation");
            return new AgentStatus
            {
                Version = r.GetString("version"),
                Registered = r.GetBool("registered"),
                CloudOnline = cloud.GetBool("online"),
                CloudActive = cloud.GetString("active"),
                Users = users,
                Pending = pending,
                Deferred = r.GetLong("deferred"),
                Operation = op == null ? null : ToOperation(op),
            };
        }

        static Operation ToOperation(JsonObject o)
        {
            var err = o.GetObject("error");
            return new Operation
            {
                OperationId = o.GetString("operationId"),
                Kind = o.GetString("kind"),
                Method = o.GetString("method"),
                Status = o.GetString("status"),
                CertId = o.GetString("certId"),
                Count = o.GetLong("count"),
                VerificationCode = o.GetString("verificationCode"),
                Qr = o.GetString("qr"),
                CreatedAt = o.GetString("createdAt"),
                FinishedAt = o.GetString("finishedAt"),
                Result = o.GetObject("result"),
                Error = err == null ? null : ToException(err, 0),
            };
        }

        static IEnumerable<JsonObject> Objects(List<object> list)
        {
            if (list == null) yield break;
            foreach (var x in list)
            {
                var o = x as JsonObject;
                if (o != null) yield return o;
            }
        }

        static JsonObject With(CertRef cert)
        {
            NotNull(cert, "cert");
            var p = new JsonObject();
            cert.AddTo(p);
            return p;
        }

        static void NotNull(object v, string name)
        {
            if (v == null) throw new ArgumentNullException(name);
        }

        static bool ValidAppName(string s)
        {
            if (s.Length < 1 || s.Length > 64) return false;
            foreach (char c in s)
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) return false;
            return true;
        }

        static string DefaultAppName()
        {
            var entry = Assembly.GetEntryAssembly();
            string name = entry == null ? null : entry.GetName().Name;
            if (string.IsNullOrEmpty(name)) return null;
            var sb = new StringBuilder();
            foreach (char c in name)
                sb.Append((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ? c : '_');
            string s = sb.ToString();
            return s.Length > 64 ? s.Substring(0, 64) : s;
        }
    }
}
