package dev.jlay.atproto.car;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing (Jazzer) of the CAR reader with the firehose limits. Contract: any bytes
 * are read or throw {@link CarException}; what reads writes back to a CAR that reads the same.
 * Without JAZZER_FUZZ this replays CarReaderGuidedFuzzTestInputs/ (seeds and past findings).
 */
@Tag("fuzz")
class CarReaderGuidedFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void read(byte[] input) {
        Car car;
        try {
            car = CarReader.readFirehose(input);
        } catch (CarException e) {
            return;
        }
        Car again = CarReader.readFirehose(CarWriter.write(car.roots(), car.blocks()));
        assertThat(again.roots()).isEqualTo(car.roots());
        assertThat(new ArrayList<>(again.blocks().keySet())).containsExactlyInAnyOrderElementsOf(car.blocks().keySet());
        car.blocks().forEach((cid, data) -> assertThat(again.block(cid)).isEqualTo(data));
    }
}
