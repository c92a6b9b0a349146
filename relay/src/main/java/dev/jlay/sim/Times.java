package dev.jlay.sim;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Event and record timestamps as a PDS writes them: RFC 3339, UTC, millisecond precision. */
final class Times {
    private Times() {}

    static String now() {
        var t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String s = t.toString();
        // Instant drops a zero fraction; PDSes always write three digits
        return s.length() == 20 ? s.substring(0, 19) + ".000Z" : s;
    }
}
