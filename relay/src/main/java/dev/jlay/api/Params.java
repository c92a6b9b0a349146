package dev.jlay.api;

import dev.jlay.atproto.syntax.Did;
import io.helidon.webserver.http.ServerRequest;
import java.util.Optional;

/** Query parameters, checked: a bad one is a 400 InvalidRequest naming it. */
final class Params {
    private Params() {
    }

    static Optional<String> optional(ServerRequest req, String name) {
        var all = req.query().all(name, java.util.List::of);
        if (all.size() > 1) {
            throw XrpcException.invalidRequest(name + " must be given once");
        }
        return all.isEmpty() || all.getFirst().isEmpty() ? Optional.empty() : Optional.of(all.getFirst());
    }

    static String required(ServerRequest req, String name) {
        return optional(req, name).orElseThrow(() -> XrpcException.invalidRequest(name + " is required"));
    }

    static int limit(ServerRequest req, int min, int max, int dflt) {
        var raw = optional(req, "limit");
        if (raw.isEmpty()) {
            return dflt;
        }
        int v;
        try {
            v = Integer.parseInt(raw.get());
        } catch (NumberFormatException e) {
            throw XrpcException.invalidRequest("limit must be an integer");
        }
        if (v < min || v > max) {
            throw XrpcException.invalidRequest("limit must be " + min + ".." + max);
        }
        return v;
    }

    static String did(ServerRequest req) {
        var did = required(req, "did");
        if (!Did.isValid(did)) {
            throw XrpcException.invalidRequest("did is not a valid DID");
        }
        return did;
    }

    /** A DID cursor (listRepos, listReposByCollection): the last DID of the previous page. */
    static Optional<String> didCursor(ServerRequest req) {
        var c = optional(req, "cursor");
        if (c.isPresent() && !Did.isValid(c.get())) {
            throw XrpcException.invalidRequest("cursor is not valid");
        }
        return c;
    }
}
