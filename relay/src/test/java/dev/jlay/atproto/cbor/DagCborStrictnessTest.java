package dev.jlay.atproto.cbor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlay.atproto.cid.Cid;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Each rejection rule of the strict decoder, with hand-made bytes (checked on the reference reader too). */
class DagCborStrictnessTest {
    private static final String CID_HEX = "01711220" + "65062a5a5a00fc16d73c6944237ccbc15b1c4a72344893368" + "91d091741a239d0";

    private static byte[] hex(String h) {
        return HexFormat.of().parseHex(h.replace(" ", ""));
    }

    private record Case(String name, String hex) {}

    private static final List<Case> INVALID = List.of(
            new Case("empty input", ""),
            new Case("indefinite array", "9f 01 ff"),
            new Case("indefinite map", "bf 61 61 01 ff"),
            new Case("indefinite text", "7f 61 61 ff"),
            new Case("indefinite bytes", "5f 41 01 ff"),
            new Case("lone break", "ff"),
            new Case("reserved additional info", "1c"),
            new Case("non-shortest uint8", "18 17"),
            new Case("non-shortest uint16", "19 00 ff"),
            new Case("non-shortest uint32", "1a 00 00 ff ff"),
            new Case("non-shortest uint64", "1b 00 00 00 00 ff ff ff ff"),
            new Case("non-shortest negative", "38 00"),
            new Case("non-shortest text length", "78 01 61"),
            new Case("non-shortest bytes length", "58 01 01"),
            new Case("non-shortest array length", "98 01 01"),
            new Case("non-shortest map length", "b8 01 61 61 01"),
            new Case("uint above int64", "1b ff ff ff ff ff ff ff ff"),
            new Case("negative below int64", "3b 80 00 00 00 00 00 00 00"),
            new Case("duplicate map key", "a2 61 61 01 61 61 02"),
            new Case("unsorted keys, same length", "a2 61 62 01 61 61 02"),
            new Case("unsorted keys, longer first", "a2 62 61 61 01 61 62 02"),
            new Case("integer map key", "a1 01 02"),
            new Case("bytes map key", "a1 41 61 02"),
            new Case("tagged map key", "a1 d8 2a 61 61 02"),
            new Case("half float", "f9 3c 00"),
            new Case("single float", "fa 3f 80 00 00"),
            new Case("double float", "fb 3f f0 00 00 00 00 00 00"),
            new Case("integer-valued double", "fb 40 5e c0 00 00 00 00 00"),
            new Case("undefined", "f7"),
            new Case("simple 16", "f0"),
            new Case("simple 32", "f8 20"),
            new Case("tag 0 on text", "c0 61 61"),
            new Case("bignum tag 2", "c2 41 01"),
            new Case("tag 43", "d8 2b 41 01"),
            new Case("tag 42 non-shortest tag head", "d9 00 2a 58 25 00" + CID_HEX),
            new Case("tag 42 without 0x00 prefix", "d8 2a 58 24" + CID_HEX),
            new Case("tag 42 truncated CID", "d8 2a 45 00 01 71 12 20"),
            new Case("tag 42 CID with trailing byte", "d8 2a 58 26 00" + CID_HEX + "00"),
            new Case("tag 42 on text", "d8 2a 61 61"),
            new Case("tag 42 CIDv0", "d8 2a 58 23 00 12 20" + CID_HEX.substring(8)),
            new Case("tag 42 on integer", "d8 2a 01"),
            new Case("nested tags", "d8 2a d8 2a 58 25 00" + CID_HEX),
            new Case("trailing bytes", "01 01"),
            new Case("truncated text", "63 61 62"),
            new Case("truncated array", "82 01"),
            new Case("truncated map value", "a1 61 61"),
            new Case("huge claimed bytes", "5b 00 00 00 00 7f ff ff ff"),
            new Case("huge claimed array", "9b 00 00 00 00 7f ff ff ff 01"),
            new Case("invalid UTF-8", "62 c3 28"),
            new Case("UTF-8 surrogate", "63 ed a0 80"),
            new Case("UTF-8 overlong", "62 c0 80"),
            new Case("invalid UTF-8 key", "a1 62 c3 28 01"));

    @TestFactory
    Stream<DynamicTest> rejects() {
        return INVALID.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            byte[] bytes = hex(c.hex());
            assertThatThrownBy(() -> DagCbor.decode(bytes)).isInstanceOf(CborException.class);
            assertThatThrownBy(() -> ReferenceDecoder.decode(bytes)).isInstanceOf(CborException.class);
        }));
    }

    @Test
    void acceptsTheCanonicalNeighbours() {
        assertThat(DagCbor.decode(hex("17"))).isEqualTo(23L);
        assertThat(DagCbor.decode(hex("18 18"))).isEqualTo(24L);
        assertThat(DagCbor.decode(hex("19 01 00"))).isEqualTo(256L);
        assertThat(DagCbor.decode(hex("1b 7f ff ff ff ff ff ff ff"))).isEqualTo(Long.MAX_VALUE);
        assertThat(DagCbor.decode(hex("3b 7f ff ff ff ff ff ff ff"))).isEqualTo(Long.MIN_VALUE);
        assertThat(DagCbor.decode(hex("a2 61 61 01 61 62 02"))).isEqualTo(Map.of("a", 1L, "b", 2L));
        assertThat(DagCbor.decode(hex("a2 61 62 01 62 61 61 02"))).isEqualTo(Map.of("b", 1L, "aa", 2L));
        assertThat(DagCbor.decode(hex("d8 2a 58 25 00" + CID_HEX))).isEqualTo(Cid.fromBytes(hex(CID_HEX)));
        assertThat(DagCbor.decode(hex("f4"))).isEqualTo(false);
        assertThat(DagCbor.decode(hex("f5"))).isEqualTo(true);
        assertThat(DagCbor.decode(hex("f6"))).isNull();
        assertThat(DagCbor.decode(hex("63 e2 82 ac"))).isEqualTo("€");
    }

    @Test
    void nestingLimitIs32() {
        assertThat(DagCbor.decode(nested(32))).isInstanceOf(List.class);
        assertThatThrownBy(() -> DagCbor.decode(nested(33))).isInstanceOf(CborException.class)
                .hasMessageContaining("nesting");
        assertThat(DagCbor.encode(wrap(32))).isEqualTo(nested(32));
        assertThatThrownBy(() -> DagCbor.encode(wrap(33)))
                .isInstanceOf(CborException.class);
    }

    private static Object wrap(int depth) {
        Object v = List.of();
        for (int i = 1; i < depth; i++) {
            v = List.of(v);
        }
        return v;
    }

    private static byte[] nested(int depth) {
        byte[] b = new byte[depth];
        java.util.Arrays.fill(b, 0, depth - 1, (byte) 0x81);
        b[depth - 1] = (byte) 0x80;
        return b;
    }

    @Test
    void containerLimitIs131072Elements() {
        assertThat((List<?>) DagCbor.decode(array(131_072))).hasSize(131_072);
        assertThatThrownBy(() -> DagCbor.decode(array(131_073))).isInstanceOf(CborException.class);
        assertThatThrownBy(() -> ReferenceDecoder.decode(array(131_073))).isInstanceOf(CborException.class);
    }

    private static byte[] array(int n) {
        byte[] b = new byte[5 + n];
        b[0] = (byte) 0x9a;
        b[1] = (byte) (n >>> 24);
        b[2] = (byte) (n >>> 16);
        b[3] = (byte) (n >>> 8);
        b[4] = (byte) n;
        return b;
    }

    @Test
    void decodeFirstReportsWhereTheObjectEnds() {
        byte[] two = hex("a1 61 61 01 a1 61 62 02");
        var first = DagCbor.decodeFirst(two, 0, two.length);
        assertThat(first.value()).isEqualTo(Map.of("a", 1L));
        assertThat(first.end()).isEqualTo(4);
        assertThat(DagCbor.decode(two, first.end(), two.length - first.end())).isEqualTo(Map.of("b", 2L));
        byte[] cidThen = hex("d8 2a 58 25 00" + CID_HEX + "01");
        assertThat(DagCbor.decodeFirst(cidThen, 0, cidThen.length).end()).isEqualTo(cidThen.length - 1);
    }

    @Test
    void encoderRejectsValuesOutsideTheDataModel() {
        assertThatThrownBy(() -> DagCbor.encode(1.5)).isInstanceOf(CborException.class);
        assertThatThrownBy(() -> DagCbor.encode(Map.of(1, 2))).isInstanceOf(CborException.class);
        assertThatThrownBy(() -> DagCbor.encode(new Object())).isInstanceOf(CborException.class);
    }

    @Test
    void encoderSortsKeysCanonicallyAndWritesLongStringsWithDefiniteLength() {
        var map = new java.util.LinkedHashMap<String, Object>();
        map.put("version", 3L);
        map.put("data", null);
        map.put("did", "x");
        map.put("rev", "y");
        byte[] enc = DagCbor.encode(map);
        assertThat(new java.util.ArrayList<Object>(((Map<?, ?>) DagCbor.decode(enc)).keySet())).containsExactly((Object) "did", "rev", "data", "version");
        String longText = "é".repeat(40_000);
        byte[] s = DagCbor.encode(longText);
        assertThat(s[0] & 0xff).isEqualTo(0x7a); // 4-byte definite length, never indefinite chunks
        assertThat(DagCbor.decode(s)).isEqualTo(longText);
    }

    @Test
    void aSequenceReadsObjectsBackToBackOnOneParserAndHoldsEachToTheRules() {
        byte[] a = DagCbor.encode(Map.of("op", 1L, "t", "#commit"));
        byte[] b = DagCbor.encode(Map.of("seq", 7L, "blocks", new byte[] {1, 2, 3}));
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        try (var objects = DagCbor.sequence(both, 0, both.length)) {
            var first = objects.next();
            assertThat(first.value()).isEqualTo(Map.of("op", 1L, "t", "#commit"));
            assertThat(first.end()).isEqualTo(a.length);
            var second = objects.next();
            assertThat(((Map<?, ?>) second.value()).get("seq")).isEqualTo(7L);
            assertThat(second.end()).isEqualTo(both.length);
            assertThatThrownBy(objects::next).isInstanceOf(CborException.class).hasMessageContaining("end of input");
        }
        // the second object's keys out of canonical order ({"op": .., "t": ..}: longer key first): refused
        byte[] unsorted = HexFormat.of().parseHex("a2626f70016174" + "01");
        byte[] bad = new byte[a.length + unsorted.length];
        System.arraycopy(a, 0, bad, 0, a.length);
        System.arraycopy(unsorted, 0, bad, a.length, unsorted.length);
        try (var objects = DagCbor.sequence(bad, 0, bad.length)) {
            assertThat(objects.next().end()).isEqualTo(a.length);
            assertThatThrownBy(objects::next).isInstanceOf(CborException.class).hasMessageContaining("order");
        }
    }
}
