package dev.l2announcer.datapath;

/** A failed kernel operation, with the errno name (e.g. "ENOENT") so logs and findings are greppable. */
public class DatapathException extends RuntimeException {
    private final int errno;
    private final String errnoName;

    public DatapathException(String operation, int errno, String errnoName, String detail) {
        super(operation + " failed: " + errnoName + " (" + errno + ")" + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.errno = errno;
        this.errnoName = errnoName;
    }

    public int errno() {
        return errno;
    }

    public String errnoName() {
        return errnoName;
    }
}
