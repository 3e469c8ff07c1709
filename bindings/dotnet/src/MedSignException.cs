using System;

namespace MedSign
{
    /// <summary>
    /// A call the agent refused, or that never reached it. <see cref="Code"/> is the agent's stable
    /// code (agent/README.md, "Errors") or one of this client's own (<see cref="ClientCodes"/>);
    /// <see cref="Sor"/> the GM/T 0020 SOR_* code; the message is Chinese with English in brackets.
    /// </summary>
    [Serializable]
    public class MedSignException : Exception
    {
        public MedSignException(string code, long sor, string message, bool retryable, int httpStatus = 0, Exception inner = null)
            : base(message, inner)
        {
            Code = code;
            Sor = sor;
            Retryable = retryable;
            HttpStatus = httpStatus;
        }

        /// <summary>Stable code, e.g. CERT_NOT_FOUND, USER_REFUSED, AGENT_UNREACHABLE.</summary>
        public string Code { get; private set; }

        /// <summary>GM/T 0020 SOR_* code, e.g. 0x0B000310 (SOR_CertNotFountErr).</summary>
        public long Sor { get; private set; }

        /// <summary>The same call may be made again (the client never resends a signing call itself).</summary>
        public bool Retryable { get; private set; }

        /// <summary>The agent's HTTP status; 0 when the call did not get an answer.</summary>
        public int HttpStatus { get; private set; }

        public override string ToString()
        {
            return string.Format("MedSignException {0} (SOR 0x{1:X8}{2}): {3}", Code, Sor, Retryable ? ", retryable" : "", Message);
        }
    }

    /// <summary>Codes this client raises itself, beside the agent's.</summary>
    public static class ClientCodes
    {
        /// <summary>Nothing listens on 127.0.0.1:port (SOR_NotInitializeErr).</summary>
        public const string AgentUnreachable = "AGENT_UNREACHABLE";
        /// <summary>No answer within <see cref="MedSignClient.Timeout"/> (SOR_TimeoutErr). A signing
        /// call may still complete: look at getStatus before asking the doctor again.</summary>
        public const string AgentTimeout = "AGENT_TIMEOUT";
        /// <summary>The reply was not the agent's JSON (another program on the port?) (SOR_UnknownErr).</summary>
        public const string AgentBadReply = "AGENT_BAD_REPLY";
        /// <summary>The agent's OpenAPI document lacks a method or parameter this client uses.</summary>
        public const string ApiDrift = "API_DRIFT";
    }

    /// <summary>GM/T 0020 SOR_* codes the agent and this client return.</summary>
    public static class Sor
    {
        public const long Ok = 0;
        public const long UnknownErr = 0x0B000001;
        public const long NotSupportYetErr = 0x0B000002;
        public const long FileErr = 0x0B000003;
        public const long NotInitializeErr = 0x0B000011;
        public const long ObjErr = 0x0B000012;
        public const long TimeoutErr = 0x0B000101;
        public const long IndataLenErr = 0x0B000200;
        public const long IndataErr = 0x0B000201;
        public const long KeyNotFountErr = 0x0B000309;
        public const long CertNotFountErr = 0x0B000310;
        public const long CertInvalidErr = 0x0B000406;
        public const long CertHasExpiredErr = 0x0B000407;
        public const long CertRevokedErr = 0x0B000408;
        public const long SignDataErr = 0x0B000409;
        public const long AlgorithmErr = 0x0B000419;
        public const long AppNotFound = 0x0B000421;
    }

    /// <summary>GM/T 0006 algorithm identifiers and SGD_* info types (docs/cert-info.md).</summary>
    public static class Sgd
    {
        public const int SM3_SM2 = 0x00020201;
        public const int SM3_RSA = 0x00010001;
        public const int SHA1_RSA = 0x00010002;
        public const int SHA256_RSA = 0x00010004;

        public const int CERT_VERSION = 0x01;
        public const int CERT_SERIAL = 0x02;
        public const int CERT_ISSUER = 0x05;
        public const int CERT_VALID_TIME = 0x06;
        public const int CERT_SUBJECT = 0x07;
        public const int CERT_DER_PUBLIC_KEY = 0x08;
        public const int CERT_DER_EXTENSIONS = 0x09;
        public const int CERT_ISSUER_CN = 0x21;
        public const int CERT_ISSUER_O = 0x22;
        public const int CERT_ISSUER_OU = 0x23;
        public const int CERT_SUBJECT_CN = 0x31;
        public const int CERT_SUBJECT_O = 0x32;
        public const int CERT_SUBJECT_OU = 0x33;
        public const int CERT_SUBJECT_EMAIL = 0x34;
        public const int CERT_NOTBEFORE_TIME = 0x35;
        public const int CERT_NOTAFTER_TIME = 0x36;

        /// <summary>getInfoFromSignedMessage types.</summary>
        public const int MESSAGE_CONTENT = 1;
        public const int MESSAGE_SIGNER_CERT = 2;
        public const int MESSAGE_SIGNATURE = 3;

        public const int TIME_OF_STAMP = 0x201;
        public const int CN_OF_TSSIGNER = 0x202;
        public const int ORIGINAL_DATA = 0x203;
        public const int CERT_OF_TSSSERVER = 0x204;
        public const int CERTCHAIN_OF_TSSERVER = 0x205;
        public const int SOURCE_OF_TIME = 0x206;
        public const int TIME_PRECISION = 0x207;
        public const int RESPONSE_TYPE = 0x208;
    }
}
