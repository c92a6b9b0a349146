package dev.jlay.atproto.stream;

import dev.jlay.atproto.ProtocolException;
import dev.jlay.atproto.cbor.CborException;
import dev.jlay.atproto.cbor.DagCbor;
import dev.jlay.atproto.cid.Cid;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes and encodes subscribeRepos frames ({@code header || payload}). Decoding is strict
 * (canonical DAG-CBOR, required fields and their types per the lexicon) and ignores unknown
 * fields; encoding is canonical, so {@code encode(decode(f))} reproduces a canonical frame
 * that has no unknown fields byte for byte.
 */
public final class FirehoseCodec {
    /** Lexicon {@code ops} maxLength. */
    public static final int MAX_OPS = 200;

    private FirehoseCodec() {}

    /**
     * Decodes a frame. A plain {@code #commit} takes {@link CommitCursorDecoder}'s allocation-lean
     * path; every other frame, and every commit that path declines, takes {@link #decodeGeneric}.
     */
    public static RepoMessage decode(byte[] frame) {
        CommitMessage commit = CommitCursorDecoder.tryDecode(frame);
        return commit != null ? commit : decodeGeneric(frame);
    }

    /** The general decoder over a value tree: the reference the cursor path must agree with. */
    static RepoMessage decodeGeneric(byte[] frame) {
        FrameHeader header = FrameHeader.peek(frame);
        Map<String, Object> p;
        // one parser for the header and the payload that follows it
        try (var objects = DagCbor.sequence(frame, 0, frame.length)) {
            checkCanonicalHeader(objects, header.payloadOffset());
            p = payload(objects, frame.length);
        }
        if (header.isError()) {
            return new ErrorMessage(requiredString(p, "error"), optionalString(p, "message"));
        }
        if (!header.isMessage()) {
            return new UnknownMessage(header.op(), header.type());
        }
        return switch (header.type()) {
            case CommitMessage.TYPE -> commit(p);
            case SyncMessage.TYPE -> new SyncMessage(seq(p), requiredString(p, "did"), requiredBytes(p, "blocks"),
                    requiredString(p, "rev"), requiredString(p, "time"));
            case IdentityMessage.TYPE -> new IdentityMessage(seq(p), requiredString(p, "did"),
                    requiredString(p, "time"), optionalString(p, "handle"));
            case AccountMessage.TYPE -> new AccountMessage(seq(p), requiredString(p, "did"),
                    requiredString(p, "time"), requiredBool(p, "active"), optionalString(p, "status"));
            case InfoMessage.TYPE -> new InfoMessage(requiredString(p, "name"), optionalString(p, "message"));
            default -> new UnknownMessage(header.op(), header.type());
        };
    }

    /** {@link FrameHeader#peek} is lenient on key order; a full decode also holds the header to canonical form. */
    private static void checkCanonicalHeader(DagCbor.Sequence objects, int payloadOffset) {
        try {
            if (objects.next().end() != payloadOffset) {
                throw new CborException("header does not end where its peek ended");
            }
        } catch (ProtocolException e) {
            throw new FrameException("invalid_cbor", "header: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> payload(DagCbor.Sequence objects, int frameEnd) {
        Object payload;
        try {
            var decoded = objects.next();
            if (decoded.end() != frameEnd) {
                throw new CborException("trailing bytes after DAG-CBOR object");
            }
            payload = decoded.value();
        } catch (ProtocolException e) {
            throw new FrameException("invalid_cbor", "payload: " + e.getMessage(), e);
        }
        if (!(payload instanceof Map<?, ?> map)) {
            throw new FrameException("bad_payload", "payload is not a map");
        }
        return (Map<String, Object>) map;
    }

    private static CommitMessage commit(Map<String, Object> p) {
        List<?> rawOps = requiredList(p, "ops");
        if (rawOps.size() > MAX_OPS) {
            throw new FrameException("too_many_ops", rawOps.size() + " ops");
        }
        var ops = new ArrayList<RepoOp>(rawOps.size());
        for (Object o : rawOps) {
            ops.add(op(o));
        }
        // blobs is deprecated and ignored on input: tolerate null/absent (Go producers write null).
        List<?> rawBlobs = p.get("blobs") == null ? List.of() : requiredList(p, "blobs");
        var blobs = new ArrayList<Cid>(rawBlobs.size());
        for (Object o : rawBlobs) {
            if (!(o instanceof Cid cid)) {
                throw new FrameException("bad_field_type", "blobs must hold cid-links");
            }
            blobs.add(cid);
        }
        return new CommitMessage(seq(p), requiredString(p, "repo"), requiredCid(p, "commit"),
                requiredString(p, "rev"), nullableString(p, "since"), requiredBytes(p, "blocks"), ops,
                optionalCid(p, "prevData"), blobs, requiredString(p, "time"), requiredBool(p, "tooBig"),
                requiredBool(p, "rebase"));
    }

    @SuppressWarnings("unchecked")
    private static RepoOp op(Object o) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new FrameException("bad_field_type", "op is not a map");
        }
        var map = (Map<String, Object>) m;
        String actionName = requiredString(map, "action");
        RepoOp.Action action = RepoOp.Action.fromWire(actionName);
        if (action == null) {
            throw new FrameException("bad_op_action", "unknown op action");
        }
        String path = requiredString(map, "path");
        if (!map.containsKey("cid")) {
            throw new FrameException("missing_field", "op.cid");
        }
        return new RepoOp(action, path, optionalCid(map, "cid"), optionalCid(map, "prev"));
    }

    private static long seq(Map<String, Object> p) {
        Object v = required(p, "seq");
        if (!(v instanceof Long seq)) {
            throw new FrameException("bad_field_type", "seq");
        }
        if (seq <= 0) {
            throw new FrameException("bad_seq", "seq must be positive");
        }
        return seq;
    }

    private static Object required(Map<String, Object> p, String key) {
        Object v = p.get(key);
        if (v == null && !p.containsKey(key)) {
            throw new FrameException("missing_field", key);
        }
        return v;
    }

    private static String requiredString(Map<String, Object> p, String key) {
        if (required(p, key) instanceof String s) {
            return s;
        }
        throw new FrameException("bad_field_type", key);
    }

    /** Required key whose value may be null. */
    private static String nullableString(Map<String, Object> p, String key) {
        Object v = required(p, key);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw new FrameException("bad_field_type", key);
    }

    private static String optionalString(Map<String, Object> p, String key) {
        Object v = p.get(key);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw new FrameException("bad_field_type", key);
    }

    private static boolean requiredBool(Map<String, Object> p, String key) {
        if (required(p, key) instanceof Boolean b) {
            return b;
        }
        throw new FrameException("bad_field_type", key);
    }

    private static byte[] requiredBytes(Map<String, Object> p, String key) {
        if (required(p, key) instanceof byte[] b) {
            return b;
        }
        throw new FrameException("bad_field_type", key);
    }

    private static Cid requiredCid(Map<String, Object> p, String key) {
        if (required(p, key) instanceof Cid c) {
            return c;
        }
        throw new FrameException("bad_field_type", key);
    }

    private static Cid optionalCid(Map<String, Object> p, String key) {
        Object v = p.get(key);
        if (v == null || v instanceof Cid) {
            return (Cid) v;
        }
        throw new FrameException("bad_field_type", key);
    }

    private static List<?> requiredList(Map<String, Object> p, String key) {
        if (required(p, key) instanceof List<?> l) {
            return l;
        }
        throw new FrameException("bad_field_type", key);
    }

    /** Canonical frame bytes for a message. Unknown messages cannot be encoded. */
    public static byte[] encode(RepoMessage message) {
        var header = new HashMap<String, Object>(4);
        var p = new HashMap<String, Object>(16);
        switch (message) {
            case CommitMessage c -> {
                p.put("seq", c.seq());
                p.put("rebase", c.rebase());
                p.put("tooBig", c.tooBig());
                p.put("repo", c.repo());
                p.put("commit", c.commit());
                p.put("rev", c.rev());
                p.put("since", c.since());
                p.put("blocks", c.blocks());
                var ops = new ArrayList<Object>(c.ops().size());
                for (RepoOp op : c.ops()) {
                    var m = new HashMap<String, Object>(6);
                    m.put("action", op.action().wire());
                    m.put("path", op.path());
                    m.put("cid", op.cid());
                    if (op.prev() != null) {
                        m.put("prev", op.prev());
                    }
                    ops.add(m);
                }
                p.put("ops", ops);
                p.put("blobs", new ArrayList<Object>(c.blobs()));
                if (c.prevData() != null) {
                    p.put("prevData", c.prevData());
                }
                p.put("time", c.time());
            }
            case SyncMessage s -> {
                p.put("seq", s.seq());
                p.put("did", s.did());
                p.put("blocks", s.blocks());
                p.put("rev", s.rev());
                p.put("time", s.time());
            }
            case IdentityMessage i -> {
                p.put("seq", i.seq());
                p.put("did", i.did());
                p.put("time", i.time());
                putIfPresent(p, "handle", i.handle());
            }
            case AccountMessage a -> {
                p.put("seq", a.seq());
                p.put("did", a.did());
                p.put("time", a.time());
                p.put("active", a.active());
                putIfPresent(p, "status", a.status());
            }
            case InfoMessage i -> {
                p.put("name", i.name());
                putIfPresent(p, "message", i.message());
            }
            case ErrorMessage e -> {
                p.put("error", e.error());
                putIfPresent(p, "message", e.message());
            }
            case UnknownMessage u -> throw new IllegalArgumentException("cannot encode an unknown message");
        }
        if (message instanceof ErrorMessage) {
            header.put("op", (long) FrameHeader.OP_ERROR);
        } else {
            header.put("op", (long) FrameHeader.OP_MESSAGE);
            header.put("t", message.type());
        }
        byte[] h = DagCbor.encode(header);
        byte[] body = DagCbor.encode(p);
        byte[] frame = new byte[h.length + body.length];
        System.arraycopy(h, 0, frame, 0, h.length);
        System.arraycopy(body, 0, frame, h.length, body.length);
        return frame;
    }

    private static void putIfPresent(Map<String, Object> p, String key, Object value) {
        if (value != null) {
            p.put(key, value);
        }
    }
}
