package dev.jlay.atproto.mst;

import java.util.Random;

/** Lets tests in other packages draw the same random repo paths. */
public final class MstPropertyTestAccess {
    private MstPropertyTestAccess() {}

    public static String randomPath(Random rnd) {
        return MstPropertyTest.randomPath(rnd);
    }
}
