package dev.jlay.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rule of {@link AllocationBaseline}: what fails the guard and what does not. */
class AllocationBaselineTest {
    private static final AllocationBaseline BASE = new AllocationBaseline(
            Map.of("decode", 2_000L, "validate", 10_000L, "sequence", 100L), 12_100);

    private static AllocationBaseline.Measured measured(long decode, long validate, long sequence) {
        var m = new LinkedHashMap<String, Long>();
        m.put("decode", decode);
        m.put("validate", validate);
        m.put("sequence", sequence);
        return new AllocationBaseline.Measured(m);
    }

    @Test
    void theBaselineItselfAndFiguresUpToTwentyPercentAbovePass() {
        assertThat(BASE.regressions(measured(2_000, 10_000, 100))).isEmpty();
        assertThat(BASE.regressions(measured(2_400, 12_000, 100))).isEmpty();
        assertThat(BASE.regressions(measured(500, 1_000, 0))).as("less allocation never fails").isEmpty();
    }

    @Test
    void aStageMoreThanTwentyPercentAboveItsBaselineFails() {
        assertThat(BASE.regressions(measured(2_000, 12_001, 100)))
                .singleElement().asString().startsWith("validate: 12001 B/frame");
    }

    @Test
    void theTotalFailsWhenItRisesAboveItsLimitThoughNoStageDoes() {
        var small = new AllocationBaseline(Map.of("decode", 2_000L, "validate", 10_000L), 10_000);
        assertThat(small.regressions(measured(2_100, 10_000, 0)))
                .singleElement().asString().startsWith("total: 12100 B/frame");
    }

    @Test
    void aStageUnderTheFloorIsHeldToTheFloorNotToItsOwnFigure() {
        // 100 B -> 600 B is six times as much but under 512 B + 20 %: noise, not a regression
        assertThat(BASE.regressions(measured(2_000, 10_000, 600))).isEmpty();
        assertThat(BASE.regressions(measured(2_000, 10_000, 700)))
                .singleElement().asString().startsWith("sequence: 700 B/frame");
    }

    @Test
    void aStageMissingFromTheBaselineFailsOnceItAllocatesAboveTheFloor() {
        var m = new LinkedHashMap<>(measured(2_000, 10_000, 100).bytesPerFrame());
        m.put("index", 5_000L);
        assertThat(BASE.regressions(new AllocationBaseline.Measured(m)))
                .anySatisfy(r -> assertThat(r).startsWith("index: 5000 B/frame"));
    }

    @Test
    void theCommittedBaselineLoadsAndNamesTheValidateStage() throws Exception {
        var committed = AllocationBaseline.load();
        assertThat(committed.bytesPerFrame()).containsKey("validate");
        long sum = committed.bytesPerFrame().values().stream().mapToLong(Long::longValue).sum();
        assertThat(committed.totalBytesPerFrame()).as("total is the sum of the stages").isEqualTo(sum);
    }
}
