package dev.jlay.atproto.stream;

import dev.jlay.atproto.ProtocolException;
import dev.jlay.atproto.cbor.CborCursor;
import dev.jlay.atproto.cbor.CborException;
import dev.jlay.atproto.cid.Cid;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fast path of {@link FirehoseCodec#decode} for the common frame: a canonical {@code #commit}
 * header and a payload holding only the lexicon's fields, each of its lexicon type. It reads the
 * payload with a {@link CborCursor} straight into the record (no maps, no parser) and copies
 * {@code blocks} once out of the frame. Anything else (an unknown field, a wrong type, a
 * CBOR error, a bad seq, too many ops) returns null and the caller decodes the frame on the
 * general path, which alone decides which error a bad frame gets; so this path only has to
 * accept exactly what the general path would accept, never to reproduce its errors.
 */
final class CommitCursorDecoder {
    /** {@code {"t": "#commit", "op": 1}} in canonical DAG-CBOR. */
    private static final byte[] HEADER = {(byte) 0xa2, 0x61, 't', 0x67, '#', 'c', 'o', 'm', 'm', 'i', 't',
        0x62, 'o', 'p', 0x01};

    // payload keys in DAG-CBOR canonical order (length first, then bytewise); their index is the order
    private static final byte[][] KEYS = ascii("ops", "rev", "seq", "repo", "time", "blobs", "since", "blocks",
            "commit", "rebase", "tooBig", "prevData");
    private static final int OPS = 0, REV = 1, SEQ = 2, REPO = 3, TIME = 4, BLOBS = 5, SINCE = 6, BLOCKS = 7,
            COMMIT = 8, REBASE = 9, TOO_BIG = 10, PREV_DATA = 11;
    private static final byte[][] OP_KEYS = ascii("cid", "path", "prev", "action");
    private static final int OP_CID = 0, OP_PATH = 1, OP_PREV = 2, OP_ACTION = 3;

    private CommitCursorDecoder() {}

    /** The commit, or null if the frame is not one this path takes (then decode it generally). */
    static CommitMessage tryDecode(byte[] frame) {
        if (!Arrays.equals(frame, 0, Math.min(HEADER.length, frame.length), HEADER, 0, HEADER.length)) {
            return null;
        }
        try {
            return payload(frame, new CborCursor(frame, HEADER.length, frame.length));
        } catch (ProtocolException e) {
            return null;
        }
    }

    private static CommitMessage payload(byte[] frame, CborCursor c) {
        if (c.peekMajor() != CborCursor.MAJOR_MAP) {
            return null;
        }
        long n = c.readMapHeader();
        long seq = 0;
        String repo = null, rev = null, since = null, time = null;
        Cid commit = null, prevData = null;
        byte[] blocks = null;
        List<RepoOp> ops = null;
        List<Cid> blobs = List.of();
        int tooBig = -1, rebase = -1;
        int seen = 0; // bit per key index
        int last = -1;
        for (long i = 0; i < n; i++) {
            int k = key(frame, c, KEYS);
            if (k <= last) {
                return null; // unknown, duplicate or out of canonical order
            }
            last = k;
            seen |= 1 << k;
            switch (k) {
                case OPS -> {
                    ops = ops(frame, c);
                    if (ops == null) {
                        return null;
                    }
                }
                case REV -> rev = c.readText();
                case SEQ -> {
                    seq = c.readInt();
                    if (seq <= 0) {
                        return null;
                    }
                }
                case REPO -> repo = c.readText();
                case TIME -> time = c.readText();
                case BLOBS -> {
                    if (!c.readNull()) {
                        blobs = blobs(c);
                    }
                }
                case SINCE -> since = c.readNull() ? null : c.readText();
                case BLOCKS -> {
                    int len = c.skipByteString();
                    blocks = Arrays.copyOfRange(frame, c.position() - len, c.position());
                }
                case COMMIT -> commit = c.readLink();
                case REBASE -> rebase = bool(c);
                case TOO_BIG -> tooBig = bool(c);
                case PREV_DATA -> prevData = c.readNull() ? null : c.readLink();
                default -> throw new IllegalStateException("unreachable key " + k);
            }
        }
        int required = 1 << OPS | 1 << REV | 1 << SEQ | 1 << REPO | 1 << TIME | 1 << SINCE | 1 << BLOCKS
                | 1 << COMMIT | 1 << REBASE | 1 << TOO_BIG;
        if ((seen & required) != required || !c.atEnd() || tooBig < 0 || rebase < 0) {
            return null;
        }
        return new CommitMessage(seq, repo, commit, rev, since, blocks, ops, prevData, blobs, time, tooBig == 1,
                rebase == 1);
    }

    private static List<RepoOp> ops(byte[] frame, CborCursor c) {
        long n = c.readHead(CborCursor.MAJOR_ARRAY);
        if (n < 0 || n > FirehoseCodec.MAX_OPS) {
            return null;
        }
        var ops = new ArrayList<RepoOp>((int) n);
        for (long i = 0; i < n; i++) {
            if (c.peekMajor() != CborCursor.MAJOR_MAP) {
                return null;
            }
            long m = c.readMapHeader();
            String path = null;
            RepoOp.Action action = null;
            Cid cid = null, prev = null;
            int seen = 0;
            int last = -1;
            for (long j = 0; j < m; j++) {
                int k = key(frame, c, OP_KEYS);
                if (k <= last) {
                    return null;
                }
                last = k;
                seen |= 1 << k;
                switch (k) {
                    case OP_CID -> cid = c.readNull() ? null : c.readLink();
                    case OP_PATH -> path = c.readText();
                    case OP_PREV -> prev = c.readNull() ? null : c.readLink();
                    case OP_ACTION -> {
                        action = RepoOp.Action.fromWire(c.readText());
                        if (action == null) {
                            return null;
                        }
                    }
                    default -> throw new IllegalStateException("unreachable op key " + k);
                }
            }
            int required = 1 << OP_CID | 1 << OP_PATH | 1 << OP_ACTION;
            if ((seen & required) != required) {
                return null;
            }
            ops.add(new RepoOp(action, path, cid, prev));
        }
        return ops;
    }

    private static List<Cid> blobs(CborCursor c) {
        long n = c.readHead(CborCursor.MAJOR_ARRAY);
        if (n < 0 || n > FirehoseCodec.MAX_OPS) {
            throw new CborException("more blobs than this path takes");
        }
        var blobs = new ArrayList<Cid>((int) n);
        for (long i = 0; i < n; i++) {
            blobs.add(c.readLink());
        }
        return blobs;
    }

    /** 1 for true, 0 for false; anything else is not this path's. */
    private static int bool(CborCursor c) {
        int ib = c.peekInitialByte();
        if (ib != 0xf4 && ib != 0xf5) {
            throw new CborException("expected a boolean");
        }
        c.skipValue();
        return ib == 0xf5 ? 1 : 0;
    }

    /** Index of the next map key in {@code keys}, or -1 if it is none of them. */
    private static int key(byte[] frame, CborCursor c, byte[][] keys) {
        int len = c.skipTextString();
        int start = c.position() - len;
        for (int i = 0; i < keys.length; i++) {
            if (Arrays.equals(frame, start, start + len, keys[i], 0, keys[i].length)) {
                return i;
            }
        }
        return -1;
    }

    private static byte[][] ascii(String... keys) {
        var out = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            out[i] = keys[i].getBytes(StandardCharsets.US_ASCII);
        }
        return out;
    }
}
