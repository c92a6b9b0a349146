package dev.jlay.atproto.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlay.atproto.cbor.DagCbor;
import dev.jlay.atproto.cid.Cid;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FirehoseCodecTest {
    private static final Cid CID = Cid.ofDagCbor(new byte[] {(byte) 0xa0});

    private static byte[] frame(Map<String, Object> header, Map<String, Object> payload) {
        byte[] h = DagCbor.encode(header);
        byte[] p = DagCbor.encode(payload);
        byte[] f = new byte[h.length + p.length];
        System.arraycopy(h, 0, f, 0, h.length);
        System.arraycopy(p, 0, f, h.length, p.length);
        return f;
    }

    private static Map<String, Object> commitPayload() {
        var p = new HashMap<String, Object>();
        p.put("seq", 5L);
        p.put("rebase", false);
        p.put("tooBig", false);
        p.put("repo", "did:plc:abc");
        p.put("commit", CID);
        p.put("rev", "3n36qy4sna22z");
        p.put("since", null);
        p.put("blocks", new byte[] {1, 2});
        p.put("ops", new ArrayList<>(List.of(new HashMap<>(Map.of("action", "create", "path", "a.b/c", "cid", CID)))));
        p.put("blobs", List.of());
        p.put("time", "2026-01-01T00:00:00Z");
        return p;
    }

    private static String reason(Runnable r) {
        try {
            r.run();
        } catch (FrameException e) {
            return e.reason();
        }
        throw new AssertionError("no FrameException");
    }

    @Test
    void decodesACommitAndIgnoresUnknownFields() {
        var p = commitPayload();
        p.put("zzNewField", List.of(1L));
        var m = (CommitMessage) FirehoseCodec.decode(frame(Map.of("op", 1L, "t", "#commit", "x", "y"), p));
        assertThat(m.seq()).isEqualTo(5);
        assertThat(m.since()).isNull();
        assertThat(m.prevData()).isNull();
        assertThat(m.ops()).containsExactly(new RepoOp(RepoOp.Action.CREATE, "a.b/c", CID, null));
    }

    @Test
    void shapeErrorsHaveShortReasons() {
        var header = Map.<String, Object>of("op", 1L, "t", "#commit");
        for (String required : List.of("seq", "rebase", "tooBig", "repo", "commit", "rev", "since", "blocks", "ops", "time")) {
            var p = commitPayload();
            p.remove(required);
            assertThat(reason(() -> FirehoseCodec.decode(frame(header, p)))).as(required).isEqualTo("missing_field");
        }
        var p = commitPayload();
        p.put("seq", "5");
        assertThat(reason(() -> FirehoseCodec.decode(frame(header, p)))).isEqualTo("bad_field_type");
        p.put("seq", 0L);
        assertThat(reason(() -> FirehoseCodec.decode(frame(header, p)))).isEqualTo("bad_seq");
        var tooMany = commitPayload();
        var ops = new ArrayList<Object>();
        for (int i = 0; i < 201; i++) {
            ops.add(Map.of("action", "delete", "path", "a.b/" + i, "cid", CID));
        }
        tooMany.put("ops", ops);
        assertThat(reason(() -> FirehoseCodec.decode(frame(header, tooMany)))).isEqualTo("too_many_ops");
        var badAction = commitPayload();
        badAction.put("ops", List.of(Map.of("action", "move", "path", "a.b/c", "cid", CID)));
        assertThat(reason(() -> FirehoseCodec.decode(frame(header, badAction)))).isEqualTo("bad_op_action");
        var noOpCid = commitPayload();
        noOpCid.put("ops", List.of(Map.of("action", "create", "path", "a.b/c")));
        assertThat(reason(() -> FirehoseCodec.decode(frame(header, noOpCid)))).isEqualTo("missing_field");
        assertThat(reason(() -> FirehoseCodec.decode(frame(header, Map.of())))).isEqualTo("missing_field");
        byte[] h = DagCbor.encode(header);
        assertThat(reason(() -> FirehoseCodec.decode(h))).isEqualTo("missing_payload");
        byte[] arrayPayload = new byte[h.length + 1];
        System.arraycopy(h, 0, arrayPayload, 0, h.length);
        arrayPayload[h.length] = (byte) 0x80;
        assertThat(reason(() -> FirehoseCodec.decode(arrayPayload))).isEqualTo("bad_payload");
        byte[] nonCanonical = frame(header, commitPayload());
        nonCanonical[nonCanonical.length - 1] = (byte) 0xf7;
        assertThat(reason(() -> FirehoseCodec.decode(nonCanonical))).isEqualTo("invalid_cbor");
    }

    @Test
    void badHeaders() {
        var p = Map.<String, Object>of("seq", 1L);
        assertThat(reason(() -> FrameHeader.peek(frame(Map.of("t", "#commit"), p)))).isEqualTo("bad_header");
        assertThat(reason(() -> FrameHeader.peek(frame(Map.of("op", 1L), p)))).isEqualTo("bad_header");
        assertThat(reason(() -> FrameHeader.peek(frame(Map.of("op", "1", "t", "#commit"), p)))).isEqualTo("bad_header");
        assertThat(reason(() -> FrameHeader.peek(new byte[] {(byte) 0xa2, 0x61}))).isEqualTo("invalid_cbor");
        assertThat(reason(() -> FrameHeader.peek(new byte[0]))).isEqualTo("invalid_cbor");
        assertThat(reason(() -> FrameHeader.peek(new byte[] {1, 2}))).isEqualTo("bad_header");
    }

    @Test
    void fullDecodeHoldsTheHeaderToCanonicalKeyOrder() {
        byte[] header = java.util.HexFormat.of().parseHex("a2626f7001617469236964656e74697479"); // {op, t}: wrong order
        byte[] payload = DagCbor.encode(Map.of("seq", 1L, "did", "did:plc:x", "time", "t"));
        byte[] f = new byte[header.length + payload.length];
        System.arraycopy(header, 0, f, 0, header.length);
        System.arraycopy(payload, 0, f, header.length, payload.length);
        assertThat(FrameHeader.peek(f).type()).isEqualTo("#identity");
        assertThat(reason(() -> FirehoseCodec.decode(f))).isEqualTo("invalid_cbor");
    }

    @Test
    void unknownTypesAndOpsAreSkippableButStillCborChecked() {
        var p = Map.<String, Object>of("seq", 1L, "whatever", "x");
        assertThat(FirehoseCodec.decode(frame(Map.of("op", 1L, "t", "#handle"), p)))
                .isEqualTo(new UnknownMessage(1, "#handle"));
        assertThat(FirehoseCodec.decode(frame(Map.of("op", 2L), p))).isEqualTo(new UnknownMessage(2, null));
        byte[] bad = frame(Map.of("op", 1L, "t", "#handle"), p);
        bad[bad.length - 1] = (byte) 0xff;
        assertThatThrownBy(() -> FirehoseCodec.decode(bad)).isInstanceOf(FrameException.class);
    }

    @Test
    void errorAndInfoFramesRoundTrip() {
        for (RepoMessage m : List.<RepoMessage>of(
                new ErrorMessage(ErrorMessage.FUTURE_CURSOR, "cursor in the future"),
                new ErrorMessage(ErrorMessage.CONSUMER_TOO_SLOW, null),
                new InfoMessage(InfoMessage.OUTDATED_CURSOR, null),
                new InfoMessage(InfoMessage.OUTDATED_CURSOR, "too old"),
                new IdentityMessage(9, "did:plc:x", "t", null),
                new AccountMessage(10, "did:plc:x", "t", false, "takendown"),
                new SyncMessage(11, "did:plc:x", new byte[] {1}, "rev", "t"))) {
            byte[] f = FirehoseCodec.encode(m);
            RepoMessage back = FirehoseCodec.decode(f);
            assertThat(FirehoseCodec.encode(back)).isEqualTo(f);
            assertThat(back.type()).isEqualTo(m.type());
        }
        byte[] err = FirehoseCodec.encode(new ErrorMessage("FutureCursor", null));
        assertThat(FrameHeader.peek(err).isError()).isTrue();
        assertThat(DagCbor.decodeFirst(err, 0, err.length).value()).isEqualTo(Map.of("op", -1L));
        assertThat(FirehoseCodec.decode(err)).isEqualTo(new ErrorMessage("FutureCursor", null));
    }

    @Test
    void seqStampRejectsFramesWithoutSeqAndKeepsUnknownFields() {
        byte[] info = FirehoseCodec.encode(new InfoMessage("OutdatedCursor", null));
        assertThat(reason(() -> SeqStamp.withSeq(info, 5))).isEqualTo("missing_field");
        var p = commitPayload();
        p.put("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", Map.of("nested", List.of(CID, 1L, "x")));
        byte[] f = frame(Map.of("op", 1L, "t", "#commit"), p);
        byte[] stamped = SeqStamp.withSeq(f, 1L << 40);
        p.put("seq", 1L << 40);
        assertThat(stamped).isEqualTo(frame(Map.of("op", 1L, "t", "#commit"), p));
    }
}
