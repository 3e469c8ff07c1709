package com.medsign;

/**
 * GM/T 0020-2012 SOR_* error codes, as the agent reports them in {@code sor} (the same values as
 * native/include/medsign.h).
 */
public final class Sor {
    private Sor() {}

    public static final long OK = 0L;
    public static final long UNKNOWN_ERR = 0x0B000001L;
    public static final long NOT_SUPPORT_YET_ERR = 0x0B000002L;
    public static final long FILE_ERR = 0x0B000003L;
    /** Not initialised; also: no agent listens on the port (this client's AGENT_UNREACHABLE). */
    public static final long NOT_INITIALIZE_ERR = 0x0B000011L;
    public static final long OBJ_ERR = 0x0B000012L;
    public static final long MEMORY_ERR = 0x0B000100L;
    public static final long TIMEOUT_ERR = 0x0B000101L;
    public static final long INDATA_LEN_ERR = 0x0B000200L;
    public static final long INDATA_ERR = 0x0B000201L;
    public static final long KEY_NOT_FOUND_ERR = 0x0B000309L;
    public static final long CERT_NOT_FOUND_ERR = 0x0B000310L;
    public static final long CERT_INVALID_ERR = 0x0B000406L;
    public static final long CERT_HAS_EXPIRED_ERR = 0x0B000407L;
    public static final long CERT_REVOKED_ERR = 0x0B000408L;
    public static final long SIGN_DATA_ERR = 0x0B000409L;
    public static final long VERIFY_SIGN_DATA_ERR = 0x0B000410L;
    public static final long PARAMETER_NOT_SUPPORT_ERR = 0x0B000419L;
    public static final long APP_NOT_FOUND = 0x0B000421L;

    /** "0x0B000310" */
    public static String hex(long sor) {
        return String.format("0x%08X", sor);
    }
}
