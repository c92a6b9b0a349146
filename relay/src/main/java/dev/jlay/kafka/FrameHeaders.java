package dev.jlay.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The headers of a firehose record, as text so any Kafka tool shows them: {@code seq} (the relay's
 * seq, decimal), {@code time} (when the relay sequenced it, ISO-8601 UTC), {@code did} (the account,
 * absent for events without one) and {@code kind} ({@code commit}, {@code sync}, {@code identity},
 * {@code account}, {@code other}), and {@code hidden: 1} on an event subscribeRepos does not replay
 * (its account was taken down). The record's value is the frame exactly as subscribeRepos sends it
 * and its timestamp the same time in milliseconds.
 */
public final class FrameHeaders {
    public static final String SEQ = "seq";
    public static final String TIME = "time";
    public static final String DID = "did";
    public static final String KIND = "kind";
    public static final String HIDDEN = "hidden";

    private FrameHeaders() {
    }

    static Headers of(long seq, long timeMillis, String did, String kind, boolean hidden) {
        var h = new RecordHeaders();
        h.add(new RecordHeader(SEQ, Long.toString(seq).getBytes(StandardCharsets.US_ASCII)));
        h.add(new RecordHeader(TIME, Instant.ofEpochMilli(timeMillis).toString().getBytes(StandardCharsets.US_ASCII)));
        if (did != null) h.add(new RecordHeader(DID, did.getBytes(StandardCharsets.UTF_8)));
        h.add(new RecordHeader(KIND, kind.getBytes(StandardCharsets.US_ASCII)));
        if (hidden) h.add(new RecordHeader(HIDDEN, new byte[] {'1'}));
        return h;
    }

    /** The relay seq of a record; -1 when the header is missing or not a number (not one of ours). */
    public static long seq(Headers headers) {
        var h = headers.lastHeader(SEQ);
        if (h == null || h.value() == null) return -1;
        try {
            return Long.parseLong(new String(h.value(), StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** True when the record carries {@code hidden: 1}. */
    public static boolean hidden(Headers headers) {
        return "1".equals(text(headers, HIDDEN));
    }

    /** A header's text, or null. */
    public static String text(Headers headers, String name) {
        var h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
