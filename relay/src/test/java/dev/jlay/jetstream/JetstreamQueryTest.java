package dev.jlay.jetstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Go's url.ParseQuery rules, which Jetstream reads its options with; and one pass over a huge query. */
class JetstreamQueryTest {
    @Test
    void readsAsGoDoes() {
        var q = JetstreamQuery.parse("wantedDids=did%3Aplc%3Aabc&wantedDids=did:web:x.example&cursor=12"
                + "&flag&a+b=c+d&bad=%zz&semi=1;2&&compress=true&compress=false");
        assertThat(q.all("wantedDids")).containsExactly("did:plc:abc", "did:web:x.example");
        assertThat(q.first("cursor")).isEqualTo("12");
        assertThat(q.first("flag")).isEmpty();
        assertThat(q.all("flag")).containsExactly("");
        assertThat(q.first("a b")).isEqualTo("c d");
        assertThat(q.all("bad")).isEmpty(); // a pair that does not decode is dropped
        assertThat(q.all("semi")).isEmpty();
        assertThat(q.first("compress")).isEqualTo("true");
        assertThat(q.all("missing")).isEqualTo(List.of());
        assertThat(JetstreamQuery.parse(null).first("cursor")).isEmpty();
        assertThat(JetstreamQuery.parse("").all("x")).isEmpty();
    }

    @Test
    void halfAMegabyteOfTinyParametersIsReadInOnePass() {
        var raw = "wantedDids=did%3Aplc%3Aabc" + "&x=y".repeat(130_000);
        var q = JetstreamQuery.parse(raw);
        assertThat(q.all("x")).hasSize(130_000);
        assertThat(q.all("wantedDids")).containsExactly("did:plc:abc");
    }
}
