package dev.jlay.store;

import dev.jlay.atproto.cid.Cid;

import java.nio.charset.StandardCharsets;

/** Distinct, real CIDs for test data. */
final class TestCids {
    private TestCids() {
    }

    static Cid cid(String seed) {
        return Cid.ofRaw(seed.getBytes(StandardCharsets.UTF_8));
    }
}
