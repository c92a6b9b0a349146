package dev.jlay.atproto.cbor;

import dev.jlay.atproto.cid.Cid;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Canonical DAG-CBOR writer into a growable byte array. */
final class DagCborWriter {
    private byte[] buf;
    private int n;
    private int depth;

    DagCborWriter(int initial) {
        buf = new byte[initial];
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, n);
    }

    void write(Object v) {
        switch (v) {
            case null -> put(0xf6);
            case Boolean bool -> put(bool ? 0xf5 : 0xf4);
            case Long l -> writeInt(l);
            case Integer i -> writeInt(i);
            case Short s -> writeInt(s);
            case Byte by -> writeInt(by);
            case String s -> writeString(s);
            case byte[] bytes -> {
                head(2, bytes.length);
                putBytes(bytes, 0, bytes.length);
            }
            case Cid cid -> {
                put(0xd8);
                put(42);
                head(2, cid.byteLength() + 1L);
                put(0);
                ensure(cid.byteLength());
                n += cid.writeTo(buf, n);
            }
            case List<?> list -> {
                enter();
                head(4, list.size());
                for (Object o : list) {
                    write(o);
                }
                depth--;
            }
            case Map<?, ?> map -> writeMap(map);
            default -> throw new CborException("cannot encode " + v.getClass().getSimpleName()
                    + " in the atproto data model");
        }
    }

    private void enter() {
        if (++depth > DagCbor.MAX_DEPTH) {
            throw new CborException("nesting deeper than " + DagCbor.MAX_DEPTH);
        }
    }

    private void writeMap(Map<?, ?> map) {
        enter();
        int size = map.size();
        byte[][] keys = new byte[size][];
        Object[] values = new Object[size];
        Integer[] order = new Integer[size];
        int i = 0;
        for (var e : map.entrySet()) {
            if (!(e.getKey() instanceof String k)) {
                throw new CborException("map keys must be strings");
            }
            keys[i] = k.getBytes(StandardCharsets.UTF_8);
            values[i] = e.getValue();
            order[i] = i;
            i++;
        }
        Arrays.sort(order, (x, y) -> {
            byte[] a = keys[x];
            byte[] c = keys[y];
            return a.length != c.length ? Integer.compare(a.length, c.length) : Arrays.compareUnsigned(a, c);
        });
        head(5, size);
        for (int j = 0; j < size; j++) {
            int idx = order[j];
            if (j > 0 && Arrays.equals(keys[order[j - 1]], keys[idx])) {
                throw new CborException("duplicate map key");
            }
            head(3, keys[idx].length);
            putBytes(keys[idx], 0, keys[idx].length);
            write(values[idx]);
        }
        depth--;
    }

    private void writeInt(long v) {
        if (v >= 0) {
            head(0, v);
        } else {
            head(1, -1 - v);
        }
    }

    private void writeString(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        head(3, utf8.length);
        putBytes(utf8, 0, utf8.length);
    }

    /** Shortest-form head for a non-negative argument. */
    void head(int major, long arg) {
        int mt = major << 5;
        ensure(9);
        if (arg < 24) {
            buf[n++] = (byte) (mt | arg);
        } else if (arg <= 0xff) {
            buf[n++] = (byte) (mt | 24);
            buf[n++] = (byte) arg;
        } else if (arg <= 0xffff) {
            buf[n++] = (byte) (mt | 25);
            buf[n++] = (byte) (arg >>> 8);
            buf[n++] = (byte) arg;
        } else if (arg <= 0xffffffffL) {
            buf[n++] = (byte) (mt | 26);
            for (int s = 24; s >= 0; s -= 8) {
                buf[n++] = (byte) (arg >>> s);
            }
        } else {
            buf[n++] = (byte) (mt | 27);
            for (int s = 56; s >= 0; s -= 8) {
                buf[n++] = (byte) (arg >>> s);
            }
        }
    }

    private void put(int x) {
        ensure(1);
        buf[n++] = (byte) x;
    }

    private void putBytes(byte[] src, int off, int len) {
        ensure(len);
        System.arraycopy(src, off, buf, n, len);
        n += len;
    }

    private void ensure(int extra) {
        if (n + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + extra));
        }
    }
}
