package com.medsign;

/**
 * An error from the agent ({@code {code, sor, message, retryable}}, see agent/README.md), or from
 * this client on the way to it: {@code AGENT_UNREACHABLE} (no agent listens; SOR_NotInitializeErr),
 * {@code AGENT_TIMEOUT} (no reply within the read timeout; SOR_TimeoutErr), {@code AGENT_IO_ERROR}
 * (the connection broke), {@code BAD_RESPONSE} (the reply was not the agent's JSON).
 * Unchecked, like the errors of most HTTP clients; {@link #getCode()} is the stable part to branch on.
 */
public class MedSignException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final long sor;
    private final boolean retryable;
    private final int httpStatus;

    public MedSignException(String code, long sor, String message, boolean retryable, int httpStatus, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.sor = sor;
        this.retryable = retryable;
        this.httpStatus = httpStatus;
    }

    /** The stable error code, e.g. {@code CERT_NOT_FOUND}, {@code USER_REFUSED}, {@code AGENT_UNREACHABLE}. */
    public String getCode() {
        return code;
    }

    /** The GM/T 0020 SOR_* code, e.g. 0x0B000310 (see {@link Sor}). */
    public long getSor() {
        return sor;
    }

    /** The SOR code as a C {@code unsigned long} fits in a Java int (for callers that keep ints). */
    public int getSorInt() {
        return (int) sor;
    }

    /** Whether the same call may be made again (for a signing call: the doctor is asked again). */
    public boolean isRetryable() {
        return retryable;
    }

    /** The agent's HTTP status, or 0 when the error arose in this client. */
    public int getHttpStatus() {
        return httpStatus;
    }

    @Override
    public String toString() {
        return "MedSignException[" + code + " " + Sor.hex(sor) + (retryable ? " retryable" : "") + "]: " + getMessage();
    }
}
