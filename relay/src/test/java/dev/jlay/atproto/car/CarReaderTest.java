package dev.jlay.atproto.car;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlay.atproto.cbor.DagCbor;
import dev.jlay.atproto.cid.Cid;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CarReaderTest {
    private static final byte[] A = DagCbor.encode(Map.of("a", 1L));
    private static final byte[] B = DagCbor.encode(Map.of("b", "two"));
    private static final Cid CA = Cid.ofDagCbor(A);
    private static final Cid CB = Cid.ofDagCbor(B);

    @Test
    void roundTripsWithRepeatedAndUnrelatedBlocks() {
        byte[] raw = "blob".getBytes();
        var w = new CarWriter(List.of(CA));
        w.add(CA, A).add(CB, B).add(CA, A).add(Cid.ofRaw(raw), raw);
        Car car = CarReader.readFirehose(w.toByteArray());
        assertThat(car.roots()).containsExactly(CA);
        assertThat(car.blocks()).hasSize(3);
        assertThat(car.block(CA)).isEqualTo(A);
        assertThat(car.block(CB)).isEqualTo(B);
        assertThat(car.block(Cid.ofRaw(raw))).isEqualTo(raw);
    }

    @Test
    void rejectsABlockThatDoesNotMatchItsCid() {
        byte[] car = new CarWriter(List.of(CA)).add(CA, B).toByteArray();
        assertThatThrownBy(() -> CarReader.readFirehose(car)).isInstanceOf(CarException.class)
                .extracting(e -> ((CarException) e).reason()).isEqualTo("cid_mismatch");
    }

    @Test
    void rejectsEveryTruncation() {
        byte[] car = new CarWriter(List.of(CA)).add(CA, A).add(CB, B).toByteArray();
        int headerEnd = 1 + (car[0] & 0xff);
        for (int len = 0; len < car.length; len++) {
            byte[] cut = Arrays.copyOf(car, len);
            if (len == headerEnd || len == headerEnd + 1 + 36 + A.length) {
                assertThat(CarReader.readFirehose(cut).blocks()).hasSizeLessThan(2); // a section boundary
            } else {
                assertThatThrownBy(() -> CarReader.readFirehose(cut)).as("length %d", len)
                        .isInstanceOf(CarException.class);
            }
        }
    }

    @Test
    void rejectsBadHeaders() {
        assertThatThrownBy(() -> CarReader.readFirehose(withHeader(DagCbor.encode(Map.of("roots", List.of(CA), "version", 2L)))))
                .isInstanceOf(CarException.class).hasMessageContaining("version");
        assertThatThrownBy(() -> CarReader.readFirehose(withHeader(DagCbor.encode(Map.of("version", 1L)))))
                .isInstanceOf(CarException.class);
        assertThatThrownBy(() -> CarReader.readFirehose(withHeader(DagCbor.encode(List.of(1L)))))
                .isInstanceOf(CarException.class);
        assertThatThrownBy(() -> CarReader.readFirehose(withHeader(DagCbor.encode(Map.of("roots", List.of("x"), "version", 1L)))))
                .isInstanceOf(CarException.class);
        assertThatThrownBy(() -> CarReader.readFirehose(new byte[] {0})).isInstanceOf(CarException.class);
        assertThatThrownBy(() -> CarReader.readFirehose(new byte[0])).isInstanceOf(CarException.class);
    }

    private static byte[] withHeader(byte[] header) {
        var out = new ByteArrayOutputStream();
        out.write(header.length);
        out.writeBytes(header);
        return out.toByteArray();
    }

    @Test
    void rejectsNonMinimalAndOverlongVarints() {
        byte[] header = DagCbor.encode(Map.of("roots", List.of(CA), "version", 1L));
        var out = new ByteArrayOutputStream();
        out.write(header.length | 0x80);
        out.write(0); // same value, non-minimal
        out.writeBytes(header);
        assertThatThrownBy(() -> CarReader.readFirehose(out.toByteArray())).isInstanceOf(CarException.class)
                .hasMessageContaining("non-minimal");
        byte[] overlong = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01};
        assertThatThrownBy(() -> CarReader.readFirehose(overlong)).isInstanceOf(CarException.class);
    }

    @Test
    void enforcesLimits() {
        byte[] car = new CarWriter(List.of(CA)).add(CA, A).add(CB, B).toByteArray();
        assertThat(new CarReader(new CarReader.Limits(car.length, 100, 2)).read(car).blocks()).hasSize(2);
        assertThatThrownBy(() -> new CarReader(new CarReader.Limits(car.length - 1, 100, 2)).read(car))
                .isInstanceOf(CarException.class).extracting(e -> ((CarException) e).reason()).isEqualTo("too_large");
        assertThatThrownBy(() -> new CarReader(new CarReader.Limits(car.length, 100, 1)).read(car))
                .isInstanceOf(CarException.class).extracting(e -> ((CarException) e).reason())
                .isEqualTo("too_many_blocks");
        assertThatThrownBy(() -> new CarReader(new CarReader.Limits(car.length, A.length - 1, 2)).read(car))
                .isInstanceOf(CarException.class).extracting(e -> ((CarException) e).reason())
                .isEqualTo("block_too_large");
    }

    @Test
    void rejectsBlocksWhoseHashCannotBeChecked() {
        byte[] identity = {1, 0x71, 0x00, 0x03, 'a', 'b', 'c'}; // identity multihash
        Cid cid = Cid.fromBytes(identity);
        byte[] car = new CarWriter(List.of(CA)).add(cid, "abc".getBytes()).toByteArray();
        assertThatThrownBy(() -> CarReader.readFirehose(car)).isInstanceOf(CarException.class)
                .extracting(e -> ((CarException) e).reason()).isEqualTo("unsupported_hash");
    }
}
