package dev.jlay.atproto.cbor;

import dev.jlay.atproto.cid.Cid;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Seeded generator of data-model values for property tests. */
public final class RandomValues {
    private static final long[] EDGE_INTS = {0, 1, 23, 24, 255, 256, 65_535, 65_536, 4_294_967_295L,
            4_294_967_296L, Long.MAX_VALUE, -1, -24, -25, -256, -257, -65_536, -65_537, -4_294_967_296L,
            -4_294_967_297L, Long.MIN_VALUE};
    private static final String[] TEXT = {"", "a", "é", "€", "😀", "⽘", "\u0000", "key", "$x", "app.bsky.feed.post"};

    private final Random r;

    public RandomValues(Random r) {
        this.r = r;
    }

    public Object value(int depth) {
        int kind = r.nextInt(depth >= 4 ? 7 : 9);
        return switch (kind) {
            case 0 -> null;
            case 1 -> r.nextBoolean();
            case 2 -> r.nextInt(3) == 0 ? EDGE_INTS[r.nextInt(EDGE_INTS.length)] : (long) r.nextInt(1000) - 500;
            case 3 -> r.nextLong();
            case 4 -> text();
            case 5 -> bytes();
            case 6 -> cid();
            case 7 -> list(depth + 1);
            default -> map(depth + 1);
        };
    }

    public String text() {
        int n = r.nextInt(r.nextInt(10) == 0 ? 300 : 12);
        var sb = new StringBuilder();
        while (sb.length() < n) {
            sb.append(r.nextBoolean() ? TEXT[r.nextInt(TEXT.length)] : String.valueOf((char) ('a' + r.nextInt(26))));
        }
        return sb.toString();
    }

    public byte[] bytes() {
        byte[] b = new byte[r.nextInt(r.nextInt(10) == 0 ? 400 : 40)];
        r.nextBytes(b);
        return b;
    }

    public Cid cid() {
        byte[] digest = new byte[32];
        r.nextBytes(digest);
        return Cid.of(r.nextBoolean() ? Cid.CODEC_DAG_CBOR : Cid.CODEC_RAW, digest);
    }

    public List<Object> list(int depth) {
        int n = r.nextInt(6);
        var list = new ArrayList<Object>(n);
        for (int i = 0; i < n; i++) {
            list.add(value(depth));
        }
        return list;
    }

    public Map<String, Object> map(int depth) {
        int n = r.nextInt(7);
        var map = new HashMap<String, Object>();
        for (int i = 0; i < n; i++) {
            map.put(text(), value(depth));
        }
        return map;
    }
}
