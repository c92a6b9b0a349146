package dev.jlay.downstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CursorTest {
    @Test
    void parsesOnlyNonNegativeIntegersBelowTwoToThe53() throws Exception {
        assertThat(Cursor.parse(null)).isEmpty();
        assertThat(Cursor.parse("")).isEmpty();
        assertThat(Cursor.parse("0")).hasValue(0);
        assertThat(Cursor.parse("12345")).hasValue(12345);
        assertThat(Cursor.parse("9007199254740991")).hasValue((1L << 53) - 1);
        for (var bad : new String[] {"-1", "abc", "1.5", "1e3", " 1", "9007199254740992", "99999999999999999999"}) {
            assertThatThrownBy(() -> Cursor.parse(bad)).as(bad).isInstanceOf(Cursor.InvalidCursorException.class);
        }
    }
}
