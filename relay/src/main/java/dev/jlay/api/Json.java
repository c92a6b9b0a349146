package dev.jlay.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;

/** JSON in and out of the XRPC and admin handlers: explicit trees, no data binding. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
    /** Request bodies bigger than this are refused (a crawl request or admin command is tiny). */
    static final int MAX_BODY = 64 * 1024;

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    static void send(ServerResponse res, JsonNode body) {
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        try {
            res.send(MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The request body as a JSON object; 400 InvalidRequest otherwise. */
    static ObjectNode body(ServerRequest req) {
        byte[] bytes;
        try (var in = req.content().inputStream()) {
            bytes = in.readNBytes(MAX_BODY + 1);
        } catch (IOException | RuntimeException e) {
            // Helidon reports broken chunked framing (a chunk size that is not hex) as a RuntimeException
            throw XrpcException.invalidRequest("cannot read the request body");
        }
        if (bytes.length > MAX_BODY) {
            throw XrpcException.invalidRequest("request body is larger than " + MAX_BODY + " bytes");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw XrpcException.invalidRequest("request body is not JSON");
        }
        if (node == null || !node.isObject()) {
            throw XrpcException.invalidRequest("request body must be a JSON object");
        }
        return (ObjectNode) node;
    }

    /** A required string field of a body. */
    static String text(ObjectNode body, String field) {
        var v = body.get(field);
        if (v == null || v.isNull()) {
            throw XrpcException.invalidRequest(field + " is required");
        }
        if (!v.isTextual()) {
            throw XrpcException.invalidRequest(field + " must be a string");
        }
        return Params.text(field, v.asText());
    }
}
