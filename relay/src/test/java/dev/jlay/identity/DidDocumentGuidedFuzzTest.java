package dev.jlay.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jlay.atproto.syntax.Did;
import dev.jlay.atproto.syntax.Handle;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing (Jazzer) of the DID document parser. Input: the DID, a newline, the
 * document's JSON. Contract: parse returns or throws {@link IdentityException.InvalidDocument};
 * what it returns is already normal (a valid handle, a PDS endpoint that normalizes to itself).
 * Without JAZZER_FUZZ this replays DidDocumentGuidedFuzzTestInputs/.
 */
@Tag("fuzz")
class DidDocumentGuidedFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void parse(byte[] input) {
        int nl = 0;
        while (nl < input.length && input[nl] != '\n') {
            nl++;
        }
        String did = new String(input, 0, nl, StandardCharsets.UTF_8);
        if (nl == input.length || !Did.isValid(did)) {
            return;
        }
        DidDocument doc;
        try {
            doc = DidDocumentParser.parse(Did.parse(did), Arrays.copyOfRange(input, nl + 1, input.length));
        } catch (IdentityException.InvalidDocument e) {
            return;
        }
        assertThat(doc.did().value()).isEqualTo(did);
        doc.handle().ifPresent(h -> assertThat(Handle.isValid(h.value())).isTrue());
        doc.pds().ifPresent(u -> assertThat(DidDocumentParser.endpoint(u.toString())).contains(u));
        doc.signingKey().ifPresent(k -> assertThat(DidDocumentParser.KEY_TYPES).contains(k.type()));
    }
}
