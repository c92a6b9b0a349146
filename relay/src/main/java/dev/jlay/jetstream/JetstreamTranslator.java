package dev.jlay.jetstream;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.jlay.atproto.ProtocolException;
import dev.jlay.atproto.cbor.DagCbor;
import dev.jlay.atproto.cid.Cid;
import dev.jlay.atproto.stream.AccountMessage;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.IdentityMessage;
import dev.jlay.atproto.stream.RepoOp;
import dev.jlay.eventlog.EventKind;
import dev.jlay.eventlog.LogEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A log event (the exact firehose frame) to its Jetstream v1 JSON events, as production Jetstream
 * writes them: {@code {"did","time_us","kind":"commit","commit":{"rev","operation","collection",
 * "rkey","record","cid"}}} per op (a delete has no record and cid), {@code "identity":{"did",
 * "handle"?,"seq","time"}}, {@code "account":{"active","status"?,"did","seq","time"}}. The record is
 * the lexicon JSON form of its DAG-CBOR block: links {@code {"$link":cid}}, bytes {@code
 * {"$bytes":base64}} (standard alphabet, no padding), blobs as their maps. {@code time_us} is the
 * event's {@link LogEvent#timeMicros()}, so a cursor names a log position. Stateless.
 */
public final class JetstreamTranslator {
    private static final JsonFactory JSON = new JsonFactory();
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();

    /** A frame the log holds that cannot be translated (it was verified, so this is a bug or a new shape). */
    public static final class UntranslatableException extends RuntimeException {
        UntranslatableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The events for {@code e}; an empty list for kinds Jetstream does not send ({@code #sync}, unknown). */
    public TranslatedEvent translate(LogEvent e) {
        return new TranslatedEvent(e.seq(), switch (e.kind()) {
            case COMMIT, IDENTITY, ACCOUNT -> decodeAndWrite(e);
            case SYNC, OTHER -> List.of();
        });
    }

    private List<JetstreamEvent> decodeAndWrite(LogEvent e) {
        try {
            return switch (FirehoseCodec.decode(e.frame())) {
                case CommitMessage c -> commit(c, e.timeMicros());
                case IdentityMessage i -> List.of(identity(i, e.timeMicros()));
                case AccountMessage a -> List.of(account(a, e.timeMicros()));
                default -> List.of();
            };
        } catch (ProtocolException | IOException | ClassCastException bad) {
            throw new UntranslatableException("seq " + e.seq() + " (" + e.kind() + "): " + bad.getMessage(), bad);
        }
    }

    private static List<JetstreamEvent> commit(CommitMessage c, long timeMicros) throws IOException {
        var ops = c.ops();
        if (ops.isEmpty()) {
            return List.of();
        }
        var out = new ArrayList<JetstreamEvent>(ops.size());
        for (RepoOp op : ops) {
            int slash = op.path().indexOf('/');
            String collection = slash < 0 ? op.path() : op.path().substring(0, slash);
            String rkey = slash < 0 ? "" : op.path().substring(slash + 1);
            Object record = null;
            if (op.action() != RepoOp.Action.DELETE) {
                byte[] block = op.cid() == null ? null : CarScan.block(c.blocks(), op.cid().toBytes());
                if (block == null) {
                    continue; // no record to show (the log holds verified commits, so this does not happen)
                }
                record = DagCbor.decode(block);
            }
            var bytes = new ByteArrayOutputStream(256 + (record == null ? 0 : 512));
            try (var g = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
                g.writeStartObject();
                g.writeStringField("did", c.repo());
                g.writeNumberField("time_us", timeMicros);
                g.writeStringField("kind", "commit");
                g.writeObjectFieldStart("commit");
                g.writeStringField("rev", c.rev());
                g.writeStringField("operation", op.action().wire());
                g.writeStringField("collection", collection);
                g.writeStringField("rkey", rkey);
                if (record != null) {
                    g.writeFieldName("record");
                    value(g, record);
                    g.writeStringField("cid", op.cid().toString());
                }
                g.writeEndObject();
                g.writeEndObject();
            }
            out.add(new JetstreamEvent(c.repo(), collection, bytes.toByteArray()));
        }
        return out;
    }

    private static JetstreamEvent identity(IdentityMessage i, long timeMicros) throws IOException {
        var bytes = new ByteArrayOutputStream(192);
        try (var g = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
            head(g, i.did(), timeMicros, "identity");
            g.writeStringField("did", i.did());
            if (i.handle() != null) {
                g.writeStringField("handle", i.handle());
            }
            g.writeNumberField("seq", i.seq());
            g.writeStringField("time", i.time());
            g.writeEndObject();
            g.writeEndObject();
        }
        return new JetstreamEvent(i.did(), null, bytes.toByteArray());
    }

    private static JetstreamEvent account(AccountMessage a, long timeMicros) throws IOException {
        var bytes = new ByteArrayOutputStream(192);
        try (var g = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
            head(g, a.did(), timeMicros, "account");
            g.writeBooleanField("active", a.active());
            if (a.status() != null) {
                g.writeStringField("status", a.status());
            }
            g.writeStringField("did", a.did());
            g.writeNumberField("seq", a.seq());
            g.writeStringField("time", a.time());
            g.writeEndObject();
            g.writeEndObject();
        }
        return new JetstreamEvent(a.did(), null, bytes.toByteArray());
    }

    private static void head(JsonGenerator g, String did, long timeMicros, String kind) throws IOException {
        g.writeStartObject();
        g.writeStringField("did", did);
        g.writeNumberField("time_us", timeMicros);
        g.writeStringField("kind", kind);
        g.writeObjectFieldStart(kind);
    }

    /** A DAG-CBOR data-model value in its atproto JSON form. */
    private static void value(JsonGenerator g, Object v) throws IOException {
        switch (v) {
            case null -> g.writeNull();
            case String s -> g.writeString(s);
            case Long l -> g.writeNumber(l);
            case Integer i -> g.writeNumber(i);
            case Boolean b -> g.writeBoolean(b);
            case Cid cid -> {
                g.writeStartObject();
                g.writeStringField("$link", cid.toString());
                g.writeEndObject();
            }
            case byte[] b -> {
                g.writeStartObject();
                g.writeStringField("$bytes", B64.encodeToString(b));
                g.writeEndObject();
            }
            case List<?> list -> {
                g.writeStartArray();
                for (var item : list) {
                    value(g, item);
                }
                g.writeEndArray();
            }
            case Map<?, ?> map -> {
                g.writeStartObject();
                for (var entry : map.entrySet()) {
                    g.writeFieldName((String) entry.getKey());
                    value(g, entry.getValue());
                }
                g.writeEndObject();
            }
            case Double d -> g.writeNumber(d);
            default -> throw new UncheckedIOException(new IOException("not a data-model value: " + v.getClass()));
        }
    }

    /** The atproto JSON text of a data-model value, as a record is written (tests). */
    static String json(Object dataModel) {
        var bytes = new ByteArrayOutputStream();
        try (var g = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
            value(g, dataModel);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Whether this kind can give events (the cheap pre-check before decoding). */
    static boolean translatable(EventKind kind) {
        return kind == EventKind.COMMIT || kind == EventKind.IDENTITY || kind == EventKind.ACCOUNT;
    }
}
