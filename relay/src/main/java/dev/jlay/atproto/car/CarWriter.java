package dev.jlay.atproto.car;

import dev.jlay.atproto.cbor.DagCbor;
import dev.jlay.atproto.cid.Cid;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds a CARv1 in memory: header first, then blocks in the order added. */
public final class CarWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public CarWriter(List<Cid> roots) {
        byte[] header = DagCbor.encode(Map.of("roots", new ArrayList<Object>(roots), "version", 1L));
        varint(header.length);
        out.writeBytes(header);
    }

    /** Appends a block under the given CID (not checked: tests use this to build bad CARs). */
    public CarWriter add(Cid cid, byte[] data) {
        byte[] c = cid.toBytes();
        varint(c.length + data.length);
        out.writeBytes(c);
        out.writeBytes(data);
        return this;
    }

    /** Appends a DAG-CBOR block under its own CID and returns that CID. */
    public Cid addDagCbor(byte[] block) {
        Cid cid = Cid.ofDagCbor(block);
        add(cid, block);
        return cid;
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }

    /** One-shot: roots plus blocks in map iteration order. */
    public static byte[] write(List<Cid> roots, Map<Cid, byte[]> blocks) {
        var w = new CarWriter(roots);
        blocks.forEach(w::add);
        return w.toByteArray();
    }

    private void varint(int v) {
        while ((v & ~0x7f) != 0) {
            out.write((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.write(v);
    }
}
