// Parameters and results of the agent's methods (the shapes of GET /v1/openapi.json).
using System;
using System.Collections.Generic;

namespace MedSign
{
    /// <summary>A certificate for the methods that take "exactly one of cert and certId".</summary>
    public sealed class CertRef
    {
        readonly string key;
        readonly string value;

        CertRef(string key, string value)
        {
            if (value == null) throw new ArgumentNullException(key);
            this.key = key;
            this.value = value;
        }

        /// <summary>A logged-in user's certificate by its certId (serial number, hex).</summary>
        public static CertRef ById(string certId) { return new CertRef("certId", certId); }

        /// <summary>A certificate by value: base64 DER or PEM.</summary>
        public static CertRef FromCert(string base64OrPem) { return new CertRef("cert", base64OrPem); }

        /// <summary>A certificate by value: DER bytes.</summary>
        public static CertRef FromCert(byte[] der)
        {
            if (der == null) throw new ArgumentNullException("der");
            return new CertRef("cert", Convert.ToBase64String(der));
        }

        internal void AddTo(JsonObject p) { p[key] = value; }
    }

    /// <summary>Options every signing call takes.</summary>
    public class SignOptions
    {
        /// <summary>Shown on the phone (≤ 64 characters); the agent's default is "本机应用 (native app)".</summary>
        public string App { get; set; }
        /// <summary>What is being signed, shown on the phone (≤ 200 characters).</summary>
        public string Summary { get; set; }
        /// <summary>An <see cref="Sgd"/> algorithm for this call only (SM2 certificates: SM3_SM2 only).</summary>
        public int? SignMethod { get; set; }

        internal virtual void AddTo(JsonObject p)
        {
            if (App != null) p["app"] = App;
            if (Summary != null) p["summary"] = Summary;
            if (SignMethod.HasValue) p["signMethod"] = SignMethod.Value;
        }
    }

    /// <summary>Options of signMessage (PKCS#7 / CMS SignedData).</summary>
    public sealed class MessageOptions : SignOptions
    {
        /// <summary>Leave the content out of the SignedData (default false: attached).</summary>
        public bool Detached { get; set; }
        /// <summary>"rfc5652" (default; openssl cms verifies it) or "gmt0010" (GM/T 0010 OIDs).</summary>
        public string Profile { get; set; }
        /// <summary>Add an RFC 3161 token from the cloud TSA over the signature value.</summary>
        public bool Timestamp { get; set; }
        /// <summary>Also return the compact storage record.</summary>
        public bool Compact { get; set; }

        internal override void AddTo(JsonObject p)
        {
            base.AddTo(p);
            if (Detached) p["detached"] = true;
            if (Profile != null) p["profile"] = Profile;
            if (Timestamp) p["timestamp"] = true;
            if (Compact) p["compact"] = true;
        }
    }

    /// <summary>Options of signBatch.</summary>
    public sealed class BatchOptions : SignOptions
    {
        /// <summary>"raw" (default), "cms" or "compact".</summary>
        public string Format { get; set; }
        public bool Detached { get; set; }
        public string Profile { get; set; }
        public bool Timestamp { get; set; }

        internal override void AddTo(JsonObject p)
        {
            base.AddTo(p);
            if (Format != null) p["format"] = Format;
            if (Detached) p["detached"] = true;
            if (Profile != null) p["profile"] = Profile;
            if (Timestamp) p["timestamp"] = true;
        }
    }

    /// <summary>One item of a batch: text (signed as UTF-8), bytes, or a precomputed hash.</summary>
    public sealed class BatchItem
    {
        internal readonly JsonObject Params = new JsonObject();

        BatchItem() { }

        public static BatchItem Text(string text, string summary = null)
        {
            if (text == null) throw new ArgumentNullException("text");
            return new BatchItem().With("text", text, summary);
        }

        public static BatchItem Data(byte[] data, string summary = null)
        {
            if (data == null) throw new ArgumentNullException("data");
            return new BatchItem().With("data", Convert.ToBase64String(data), summary);
        }

        public static BatchItem Hash(byte[] hash, string summary = null)
        {
            if (hash == null) throw new ArgumentNullException("hash");
            return new BatchItem().With("hash", Convert.ToBase64String(hash), summary);
        }

        BatchItem With(string key, string value, string summary)
        {
            Params[key] = value;
            if (summary != null) Params["summary"] = summary;
            return this;
        }
    }

    /// <summary>One result of a batch: <see cref="Signature"/> (raw) or <see cref="SignedMessage"/> (cms, compact).</summary>
    public sealed class BatchResult
    {
        public string Signature { get; internal set; }
        public string SignedMessage { get; internal set; }
        public string Compact { get; internal set; }
    }

    public sealed class AgentVersion
    {
        public string Version { get; internal set; }
        public string ApiVersion { get; internal set; }
        public string Product { get; internal set; }
    }

    public sealed class UserInfo
    {
        public string Name { get; internal set; }
        public string CertId { get; internal set; }
        /// <summary>Empty in <see cref="AgentStatus.Users"/>.</summary>
        public string EmployeeNo { get; internal set; }
        /// <summary>"sm2", "rsa-2048" …; empty in <see cref="AgentStatus.Users"/>.</summary>
        public string Algorithm { get; internal set; }
        /// <summary>Certificate end, ISO 8601.</summary>
        public string NotAfter { get; internal set; }
    }

    public sealed class UserList
    {
        public IList<UserInfo> Users { get; internal set; }
        /// <summary>GM/T 0020 form: name||certId&amp;&amp;&amp;name||certId&amp;&amp;&amp;…</summary>
        public string SofUserList { get; internal set; }
    }

    public sealed class LoginResult
    {
        public string OperationId { get; internal set; }
        /// <summary>"OK", or "PENDING" for a QR login (render <see cref="Qr"/>).</summary>
        public string Status { get; internal set; }
        public string Qr { get; internal set; }
        public string VerificationCode { get; internal set; }
        public string CertId { get; internal set; }
        public string Name { get; internal set; }
    }

    public sealed class CertValidation
    {
        /// <summary>0 valid, −1 untrusted, −2 expired, −3 revoked, −4 on hold, −5 not yet valid, −6 other.</summary>
        public int Code { get; internal set; }
        public bool Valid { get; internal set; }
        public JsonObject Report { get; internal set; }
    }

    public sealed class SignedMessage
    {
        /// <summary>The SignedData, base64 DER.</summary>
        public string Base64 { get; internal set; }
        /// <summary>The compact record when asked for (<see cref="MessageOptions.Compact"/>).</summary>
        public string Compact { get; internal set; }

        public byte[] ToDer() { return Convert.FromBase64String(Base64); }

        public override string ToString() { return Base64; }
    }

    public sealed class MessageVerification
    {
        /// <summary>The cryptographic check.</summary>
        public bool Valid { get; internal set; }
        /// <summary>TOTAL_PASSED, TOTAL_FAILED or INDETERMINATE.</summary>
        public string Indication { get; internal set; }
        public string SubIndication { get; internal set; }
        public string Failure { get; internal set; }
        public JsonObject Report { get; internal set; }
    }

    public sealed class CompactRecord
    {
        public string Compact { get; internal set; }
        public long Bytes { get; internal set; }
        public long OriginalBytes { get; internal set; }
    }

    public sealed class TimeStampVerification
    {
        public bool Valid { get; internal set; }
        public string Failure { get; internal set; }
        public string GenTime { get; internal set; }
        public string SerialNumber { get; internal set; }
    }

    /// <summary>An operation in progress or finished (login or signing), from getStatus.</summary>
    public sealed class Operation
    {
        public string OperationId { get; internal set; }
        /// <summary>"login" or "sign".</summary>
        public string Kind { get; internal set; }
        public string Method { get; internal set; }
        /// <summary>"PENDING", "OK" or "FAILED".</summary>
        public string Status { get; internal set; }
        public string CertId { get; internal set; }
        public long Count { get; internal set; }
        public string VerificationCode { get; internal set; }
        public string Qr { get; internal set; }
        public string CreatedAt { get; internal set; }
        public string FinishedAt { get; internal set; }
        /// <summary>The method's result when OK (only for getStatus with an operationId).</summary>
        public JsonObject Result { get; internal set; }
        /// <summary>Why it FAILED.</summary>
        public MedSignException Error { get; internal set; }
    }

    public sealed class AgentStatus
    {
        public string Version { get; internal set; }
        public bool Registered { get; internal set; }
        public bool CloudOnline { get; internal set; }
        public string CloudActive { get; internal set; }
        public IList<UserInfo> Users { get; internal set; }
        /// <summary>This application's operations waiting for a phone (with their codes).</summary>
        public IList<Operation> Pending { get; internal set; }
        /// <summary>补签 items waiting for the cloud.</summary>
        public long Deferred { get; internal set; }
        /// <summary>The operation asked for, if any.</summary>
        public Operation Operation { get; internal set; }
    }

    public sealed class DeferredResult
    {
        public string Ticket { get; internal set; }
        public string Status { get; internal set; }
        public JsonObject Result { get; internal set; }
        public object Error { get; internal set; }
    }

    /// <summary>A signing session opened: show <see cref="VerificationCode"/> to the user, who
    /// approves only if the phone shows the same code.</summary>
    public sealed class VerificationCodeEventArgs : EventArgs
    {
        public VerificationCodeEventArgs(string method, string operationId, string verificationCode)
        {
            Method = method;
            OperationId = operationId;
            VerificationCode = verificationCode;
        }

        public string Method { get; private set; }
        public string OperationId { get; private set; }
        public string VerificationCode { get; private set; }
    }
}
