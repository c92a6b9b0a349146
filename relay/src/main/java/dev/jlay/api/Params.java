package dev.jlay.api;

import dev.jlay.atproto.syntax.Did;
import io.helidon.common.parameters.Parameters;
import io.helidon.webserver.http.ServerRequest;
import java.util.List;
import java.util.Optional;

/**
 * Query parameters, checked: a bad one is a 400 InvalidRequest naming it. Each check also takes
 * the bare {@link Parameters} so it can be exercised without HTTP (the fuzz tests do).
 */
final class Params {
    private Params() {
    }

    static Optional<String> optional(ServerRequest req, String name) {
        return optional(req.query(), name);
    }

    static Optional<String> optional(Parameters query, String name) {
        var all = query.all(name, List::of);
        if (all.size() > 1) {
            throw XrpcException.invalidRequest(name + " must be given once");
        }
        return all.isEmpty() || all.getFirst().isEmpty() ? Optional.empty() : Optional.of(all.getFirst());
    }

    static String required(ServerRequest req, String name) {
        return required(req.query(), name);
    }

    static String required(Parameters query, String name) {
        return optional(query, name).orElseThrow(() -> XrpcException.invalidRequest(name + " is required"));
    }

    static int limit(ServerRequest req, int min, int max, int dflt) {
        return limit(req.query(), min, max, dflt);
    }

    static int limit(Parameters query, int min, int max, int dflt) {
        var raw = optional(query, "limit");
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
        return did(req.query());
    }

    static String did(Parameters query) {
        var did = required(query, "did");
        if (!Did.isValid(did)) {
            throw XrpcException.invalidRequest("did is not a valid DID");
        }
        return did;
    }

    /** A DID cursor (listRepos, listReposByCollection): the last DID of the previous page. */
    static Optional<String> didCursor(ServerRequest req) {
        return didCursor(req.query());
    }

    static Optional<String> didCursor(Parameters query) {
        var c = optional(query, "cursor");
        if (c.isPresent() && !Did.isValid(c.get())) {
            throw XrpcException.invalidRequest("cursor is not valid");
        }
        return c;
    }

    /** A host-id cursor (listHosts, the admin host list): the last id of the previous page, 0 when absent. */
    static long idCursor(ServerRequest req) {
        return idCursor(req.query());
    }

    static long idCursor(Parameters query) {
        var raw = optional(query, "cursor");
        if (raw.isEmpty()) {
            return 0L;
        }
        try {
            long v = Long.parseLong(raw.get());
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // falls through
        }
        throw XrpcException.invalidRequest("cursor is not valid");
    }
}
