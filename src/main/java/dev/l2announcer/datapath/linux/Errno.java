package dev.l2announcer.datapath.linux;

import dev.l2announcer.datapath.DatapathException;

/** Linux errno numbers we meet (the same on x86-64 and arm64, asm-generic/errno*.h), named the way bpftool/strace print them. */
public final class Errno {
    public static final int EPERM = 1, ENOENT = 2, EINTR = 4, EIO = 5, EBADF = 9, EAGAIN = 11, ENOMEM = 12,
            EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, ENODEV = 19, EINVAL = 22, E2BIG = 7, ENOSPC = 28,
            ENOTSUP = 95, EOPNOTSUPP = 95, ENOBUFS = 105, ENOLINK = 67,
            EADDRINUSE = 98, EADDRNOTAVAIL = 99;

    private Errno() {
    }

    public static String name(int errno) {
        return switch (errno) {
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case 3 -> "ESRCH";
            case 4 -> "EINTR";
            case 5 -> "EIO";
            case 7 -> "E2BIG";
            case 9 -> "EBADF";
            case 11 -> "EAGAIN";
            case 12 -> "ENOMEM";
            case 13 -> "EACCES";
            case 14 -> "EFAULT";
            case 16 -> "EBUSY";
            case 17 -> "EEXIST";
            case 19 -> "ENODEV";
            case 22 -> "EINVAL";
            case 24 -> "EMFILE";
            case 28 -> "ENOSPC";
            case 38 -> "ENOSYS";
            case 67 -> "ENOLINK";
            case 95 -> "EOPNOTSUPP";
            case 97 -> "EAFNOSUPPORT";
            case 98 -> "EADDRINUSE";
            case 99 -> "EADDRNOTAVAIL";
            case 100 -> "ENETDOWN";
            case 105 -> "ENOBUFS";
            case 110 -> "ETIMEDOUT";
            case 524 -> "ENOTSUPP";
            case 4000 -> "LIBBPF_ERRNO__LIBELF";
            case 4001 -> "LIBBPF_ERRNO__FORMAT";
            case 4002 -> "LIBBPF_ERRNO__KVERSION";
            case 4003 -> "LIBBPF_ERRNO__ENDIAN";
            case 4004 -> "LIBBPF_ERRNO__INTERNAL";
            case 4005 -> "LIBBPF_ERRNO__RELOC";
            case 4006 -> "LIBBPF_ERRNO__LOAD";
            case 4007 -> "LIBBPF_ERRNO__VERIFY";
            case 4008 -> "LIBBPF_ERRNO__PROG2BIG";
            case 4009 -> "LIBBPF_ERRNO__KVER";
            case 4010 -> "LIBBPF_ERRNO__PROGTYPE";
            case 4011 -> "LIBBPF_ERRNO__WRNGPID";
            case 4012 -> "LIBBPF_ERRNO__INVSEQ";
            case 4013 -> "LIBBPF_ERRNO__NLPARSE";
            default -> "errno" + errno;
        };
    }

    static DatapathException failure(String operation, int errno) {
        return new DatapathException(operation, errno, name(errno), null);
    }

    static DatapathException failure(String operation, int errno, String detail) {
        return new DatapathException(operation, errno, name(errno), detail);
    }
}
