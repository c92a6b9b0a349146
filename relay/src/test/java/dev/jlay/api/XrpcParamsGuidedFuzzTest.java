package dev.jlay.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jlay.atproto.syntax.Did;
import dev.jlay.atproto.syntax.Nsid;
import dev.jlay.atproto.syntax.Tid;
import dev.jlay.downstream.Cursor;
import dev.jlay.upstream.CrawlHostname;
import dev.jlay.upstream.CrawlRefusedException;
import io.helidon.common.uri.UriQuery;
import io.helidon.http.Status;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing (Jazzer) of XRPC query-parameter parsing, straight on the functions the
 * handlers call (no HTTP). Input: a raw query string as it arrives on the request line. Contract:
 * each check returns or throws its declared refusal (a 400 {@link XrpcException}, an
 * {@link Cursor.InvalidCursorException}, a {@link CrawlRefusedException.InvalidHostname}) and what
 * it accepts is valid by the syntax the rest of the relay uses.
 * Without JAZZER_FUZZ this replays XrpcParamsGuidedFuzzTestInputs/.
 */
@Tag("fuzz")
class XrpcParamsGuidedFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void parse(byte[] input) {
        String raw = new String(input, StandardCharsets.UTF_8);
        UriQuery query;
        try {
            // Helidon's own request-line parsing; it answers 400 itself when this fails.
            query = UriQuery.create(raw);
        } catch (IllegalArgumentException e) {
            return;
        }
        refusedOr(() -> assertThat(Params.limit(query, 1, 1000, 500)).isBetween(1, 1000));
        refusedOr(() -> assertThat(Did.isValid(Params.did(query))).isTrue());
        refusedOr(() -> Params.didCursor(query).ifPresent(c -> assertThat(Did.parse(c).value()).isEqualTo(c)));
        refusedOr(() -> assertThat(Params.idCursor(query)).isNotNegative());
        refusedOr(() -> {
            // listReposByCollection's check, then what the index does with it
            var collection = Params.required(query, "collection");
            if (Nsid.isValid(collection)) {
                assertThat(Nsid.parse(collection).value()).isEqualTo(collection);
            }
        });
        refusedOr(() -> Params.optional(query, "since").filter(Tid::isValid).ifPresent(Tid::parse));
        String cursor = query.first("cursor").orElse(null);
        try {
            Cursor.parse(cursor).ifPresent(c -> assertThat(c).isBetween(0L, (1L << 53) - 1));
        } catch (Cursor.InvalidCursorException e) {
            // declared
        }
        for (boolean insecure : new boolean[] {false, true}) {
            try {
                var host = CrawlHostname.parse(query.first("hostname").orElse(null), insecure);
                assertThat(CrawlHostname.parse(host.name(), insecure)).isEqualTo(host);
            } catch (CrawlRefusedException.InvalidHostname e) {
                // declared
            }
        }
    }

    private static void refusedOr(Runnable check) {
        try {
            check.run();
        } catch (XrpcException e) {
            assertThat(e.status()).isEqualTo(Status.BAD_REQUEST_400);
        }
    }
}

