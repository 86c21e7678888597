package dev.l2announcer.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;

/**
 * Go's {@code time.ParseDuration} and {@code time.Duration.String}, so duration values in an
 * existing cilium-config ConfigMap mean exactly what they mean to Cilium: a sequence of decimal
 * numbers, each with an optional fraction and a unit (ns, us, µs, μs, ms, s, m, h), optionally
 * signed, e.g. {@code 15s}, {@code 1m30s}, {@code 1.5h}, {@code -2s}, {@code 200ms}; {@code 0} alone
 * needs no unit. Range: Go's int64 nanoseconds.
 */
public final class GoDuration {
    private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);
    private static final BigInteger TWO_63 = BigInteger.ONE.shiftLeft(63);

    private GoDuration() {
    }

    /** @throws IllegalArgumentException with Go's message, e.g. {@code time: missing unit in duration "15"} */
    public static Duration parse(String orig) {
        // A transcription of Go's time.ParseDuration (src/time/format.go), including its float64
        // handling of fractions, so edge cases round exactly as in Cilium.
        String s = orig;
        BigInteger d = BigInteger.ZERO;
        boolean neg = false;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            neg = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw invalid(orig);
        }
        while (!s.isEmpty()) {
            char c0 = s.charAt(0);
            if (!(c0 == '.' || isDigit(c0))) {
                throw invalid(orig);
            }
            int i = 0;
            BigInteger v = BigInteger.ZERO;
            while (i < s.length() && isDigit(s.charAt(i))) {
                v = v.multiply(BigInteger.TEN).add(BigInteger.valueOf(s.charAt(i) - '0'));
                if (v.compareTo(TWO_63) > 0) {
                    throw invalid(orig);
                }
                i++;
            }
            boolean pre = i > 0;
            s = s.substring(i);
            boolean post = false;
            long f = 0;
            double scale = 1;
            if (!s.isEmpty() && s.charAt(0) == '.') {
                s = s.substring(1);
                int j = 0;
                boolean overflow = false;
                while (j < s.length() && isDigit(s.charAt(j))) {
                    if (!overflow) {
                        if (Long.compareUnsigned(f, Long.divideUnsigned(Long.MAX_VALUE, 10)) > 0) {
                            overflow = true;
                        } else {
                            long y = f * 10 + (s.charAt(j) - '0');
                            if (Long.compareUnsigned(y, Long.MIN_VALUE) > 0) { // y > 1<<63
                                overflow = true;
                            } else {
                                f = y;
                                scale *= 10;
                            }
                        }
                    }
                    j++;
                }
                post = j > 0;
                s = s.substring(j);
            }
            if (!pre && !post) {
                throw invalid(orig);
            }
            int u = 0;
            while (u < s.length() && !(s.charAt(u) == '.' || isDigit(s.charAt(u)))) {
                u++;
            }
            if (u == 0) {
                throw new IllegalArgumentException("time: missing unit in duration " + quote(orig));
            }
            String unitText = s.substring(0, u);
            s = s.substring(u);
            long unit = switch (unitText) {
                case "ns" -> 1L;
                case "us", "\u00b5s", "\u03bcs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> throw new IllegalArgumentException(
                        "time: unknown unit " + quote(unitText) + " in duration " + quote(orig));
            };
            if (v.compareTo(TWO_63.divide(BigInteger.valueOf(unit))) > 0) {
                throw invalid(orig);
            }
            v = v.multiply(BigInteger.valueOf(unit));
            if (f != 0) {
                // uint64(float64(f) * (float64(unit) / scale)); f is unsigned in Go
                double frac = Double.parseDouble(Long.toUnsignedString(f)) * ((double) unit / scale);
                v = v.add(new BigDecimal(frac).toBigInteger());
                if (v.compareTo(TWO_63) > 0) {
                    throw invalid(orig);
                }
            }
            d = d.add(v);
            if (d.compareTo(TWO_63) > 0) {
                throw invalid(orig);
            }
        }
        if (neg) {
            return Duration.ofNanos(d.negate().longValueExact());
        }
        if (d.compareTo(MAX) > 0) {
            throw invalid(orig);
        }
        return Duration.ofNanos(d.longValueExact());
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Go's Duration.String: {@code 1m30s}, {@code 200ms}, {@code 1.5µs}, {@code 0s}, {@code 2h0m0s}. */
    public static String format(Duration d) {
        long n = d.toNanos();
        if (n == 0) {
            return "0s";
        }
        boolean neg = n < 0;
        BigInteger u = BigInteger.valueOf(n).abs();
        StringBuilder sb = new StringBuilder();
        if (u.compareTo(BigInteger.valueOf(1_000_000_000L)) < 0) {
            long v = u.longValueExact();
            String unit;
            long scale;
            if (v < 1_000) {
                return (neg ? "-" : "") + v + "ns";
            } else if (v < 1_000_000) {
                unit = "\u00b5s";
                scale = 1_000;
            } else {
                unit = "ms";
                scale = 1_000_000;
            }
            sb.append(fraction(v, scale)).append(unit);
        } else {
            long v = u.longValueExact();
            long hours = v / 3_600_000_000_000L;
            long rem = v % 3_600_000_000_000L;
            long minutes = rem / 60_000_000_000L;
            long secNanos = rem % 60_000_000_000L;
            if (hours > 0) {
                sb.append(hours).append('h').append(minutes).append('m');
            } else if (minutes > 0) {
                sb.append(minutes).append('m');
            }
            sb.append(fraction(secNanos, 1_000_000_000L)).append('s');
        }
        return (neg ? "-" : "") + sb;
    }

    private static String fraction(long v, long scale) {
        long whole = v / scale;
        long frac = v % scale;
        if (frac == 0) {
            return Long.toString(whole);
        }
        String digits = String.format("%0" + (Long.toString(scale).length() - 1) + "d", frac).replaceAll("0+$", "");
        return whole + "." + digits;
    }

    private static IllegalArgumentException invalid(String orig) {
        return new IllegalArgumentException("time: invalid duration " + quote(orig));
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
