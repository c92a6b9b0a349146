package dev.jlay.config;

import java.util.Locale;

/** Parses sizes like {@code 1048576}, {@code 512MiB}, {@code 20GB}. */
public final class ByteSize {
    private ByteSize() {
    }

    public static long parse(String text) {
        var t = text.trim().toUpperCase(Locale.ROOT).replace(" ", "");
        int i = 0;
        while (i < t.length() && Character.isDigit(t.charAt(i))) {
            i++;
        }
        if (i == 0) {
            throw new NumberFormatException("not a size: " + text);
        }
        long n = Long.parseLong(t.substring(0, i));
        long unit = switch (t.substring(i)) {
            case "", "B" -> 1L;
            case "K", "KB" -> 1_000L;
            case "KIB" -> 1L << 10;
            case "M", "MB" -> 1_000_000L;
            case "MIB" -> 1L << 20;
            case "G", "GB" -> 1_000_000_000L;
            case "GIB" -> 1L << 30;
            case "T", "TB" -> 1_000_000_000_000L;
            case "TIB" -> 1L << 40;
            default -> throw new NumberFormatException("unknown size unit in " + text);
        };
        return Math.multiplyExact(n, unit);
    }
}
