package dev.jlay.atproto.syntax;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The atproto {@code datetime} format: the intersection of RFC 3339, ISO 8601 and WHATWG:
 * {@code YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)}, uppercase T and Z, whole seconds
 * required, {@code -00:00} not allowed, and the instant must not be before year 0000.
 * Hand-written parser: it runs on every record timestamp.
 */
public final class Datetime {
    public static final int MAX_LENGTH = 64;
    private static final long MIN_EPOCH_SECOND = -62167219200L; // 0000-01-01T00:00:00Z
    private static final DateTimeFormatter PREFERRED =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Datetime() {}

    public static boolean isValid(String s) {
        return parseOrNull(s) != null;
    }

    public static Instant parse(String s) {
        Instant t = parseOrNull(s);
        if (t == null) {
            throw SyntaxException.invalid("datetime", s);
        }
        return t;
    }

    /** The preferred form: millisecond precision, UTC, {@code Z}. */
    public static String format(Instant t) {
        return PREFERRED.format(t);
    }

    private static Instant parseOrNull(String s) {
        if (s == null) {
            return null;
        }
        int n = s.length();
        // shortest: 1985-04-12T23:20:50Z (20 chars)
        if (n < 20 || n > MAX_LENGTH) {
            return null;
        }
        int year = digits(s, 0, 4);
        if (year < 0 || s.charAt(4) != '-') {
            return null;
        }
        int month = digits(s, 5, 2);
        if (month < 0 || s.charAt(7) != '-') {
            return null;
        }
        int day = digits(s, 8, 2);
        if (day < 0 || s.charAt(10) != 'T') {
            return null;
        }
        int hour = digits(s, 11, 2);
        if (hour < 0 || s.charAt(13) != ':') {
            return null;
        }
        int minute = digits(s, 14, 2);
        if (minute < 0 || s.charAt(16) != ':') {
            return null;
        }
        int second = digits(s, 17, 2);
        if (second < 0) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (s.charAt(i) == '.') {
            i++;
            int fracStart = i;
            while (i < n && Chars.isDigit(s.charAt(i))) {
                if (i - fracStart < 9) {
                    nanos = nanos * 10 + (s.charAt(i) - '0');
                }
                i++;
            }
            int fracLen = i - fracStart;
            if (fracLen == 0) {
                return null;
            }
            for (int k = fracLen; k < 9; k++) {
                nanos *= 10;
            }
        }
        if (i >= n) {
            return null; // timezone required
        }
        int offsetSeconds;
        char tz = s.charAt(i);
        if (tz == 'Z') {
            if (i + 1 != n) {
                return null;
            }
            offsetSeconds = 0;
        } else if (tz == '+' || tz == '-') {
            if (i + 6 != n || s.charAt(i + 3) != ':') {
                return null;
            }
            int oh = digits(s, i + 1, 2);
            int om = digits(s, i + 4, 2);
            if (oh < 0 || om < 0 || oh > 23 || om > 59) {
                return null;
            }
            if (tz == '-' && oh == 0 && om == 0) {
                return null; // RFC 3339 "unknown local offset", not ISO 8601
            }
            offsetSeconds = (tz == '+' ? 1 : -1) * (oh * 3600 + om * 60);
        } else {
            return null;
        }
        if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)
                || hour > 23 || minute > 59 || second > 59) {
            return null;
        }
        long epochDay = epochDay(year, month, day);
        long epochSecond = epochDay * 86400L + hour * 3600L + minute * 60L + second - offsetSeconds;
        if (epochSecond < MIN_EPOCH_SECOND) {
            return null;
        }
        return Instant.ofEpochSecond(epochSecond, nanos);
    }

    /** Value of {@code count} ASCII digits at {@code start}, or -1. */
    private static int digits(String s, int start, int count) {
        int v = 0;
        for (int i = start; i < start + count; i++) {
            char c = s.charAt(i);
            if (!Chars.isDigit(c)) {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static boolean isLeap(int year) {
        return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    }

    private static int daysInMonth(int year, int month) {
        return switch (month) {
            case 2 -> isLeap(year) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    private static long epochDay(int year, int month, int day) {
        return java.time.LocalDate.of(year, month, day).toEpochDay();
    }
}
