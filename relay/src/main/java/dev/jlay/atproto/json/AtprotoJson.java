package dev.jlay.atproto.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlay.atproto.ProtocolException;
import dev.jlay.atproto.cid.Cid;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * atproto JSON form &lt;-&gt; data model. Links are {@code {"$link": "<cid>"}}, bytes are
 * {@code {"$bytes": "<base64>"}} (standard alphabet, padding optional on input, none on
 * output). Validation follows the data-model rules: no non-integral numbers, {@code $type}
 * must be a non-empty string, blobs need {@code ref} (link), {@code mimeType} (non-empty
 * string) and {@code size} (integer). Not on the hot path: uses Jackson's tree model.
 */
public final class AtprotoJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();

    private AtprotoJson() {}

    /** Parses JSON text into a data-model value (any kind at the top). */
    public static Object parse(String json) {
        return toData(readTree(json));
    }

    /** Parses JSON text that must be an object (records, frame bodies). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String json) {
        return toDataObject(readTree(json));
    }

    private static JsonNode readTree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new AtprotoJsonException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** A JSON object converted to a data-model map; non-objects are rejected. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> toDataObject(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new AtprotoJsonException("top-level value must be an object");
        }
        return (Map<String, Object>) toData(node);
    }

    /** Converts a JSON tree to the data model (Long, String, byte[], Cid, List, Map, Boolean, null). */
    public static Object toData(JsonNode node) {
        return toData(node, 0);
    }

    private static Object toData(JsonNode node, int depth) {
        if (depth > 64) {
            throw new AtprotoJsonException("nesting too deep");
        }
        return switch (node.getNodeType()) {
            case NULL, MISSING -> null;
            case BOOLEAN -> node.booleanValue();
            case STRING -> node.textValue();
            case NUMBER -> number(node);
            case ARRAY -> {
                var list = new ArrayList<Object>(node.size());
                for (JsonNode item : node) {
                    list.add(toData(item, depth + 1));
                }
                yield list;
            }
            case OBJECT -> object((ObjectNode) node, depth);
            case BINARY, POJO -> throw new AtprotoJsonException("unsupported JSON node");
        };
    }

    private static Long number(JsonNode node) {
        if (node.isIntegralNumber()) {
            if (!node.canConvertToLong()) {
                throw new AtprotoJsonException("integer out of int64 range");
            }
            return node.longValue();
        }
        // JSON `123.0` is an integer-like number and allowed; anything with a fraction is a float.
        var decimal = node.decimalValue();
        try {
            return decimal.longValueExact();
        } catch (ArithmeticException e) {
            throw new AtprotoJsonException("floats are not allowed in the atproto data model");
        }
    }

    private static Object object(ObjectNode node, int depth) {
        JsonNode link = node.get("$link");
        if (link != null) {
            if (node.size() != 1 || !link.isTextual()) {
                throw new AtprotoJsonException("$link must be the only key and a string");
            }
            try {
                return Cid.parse(link.textValue());
            } catch (ProtocolException e) {
                throw new AtprotoJsonException("bad $link CID: " + e.getMessage(), e);
            }
        }
        JsonNode bytes = node.get("$bytes");
        if (bytes != null) {
            if (node.size() != 1 || !bytes.isTextual()) {
                throw new AtprotoJsonException("$bytes must be the only key and a string");
            }
            try {
                return Base64.getDecoder().decode(bytes.textValue());
            } catch (IllegalArgumentException e) {
                throw new AtprotoJsonException("bad base64 in $bytes", e);
            }
        }
        var map = new LinkedHashMap<String, Object>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            var e = it.next();
            map.put(e.getKey(), toData(e.getValue(), depth + 1));
        }
        if (map.containsKey("$type")) {
            if (!(map.get("$type") instanceof String t) || t.isEmpty()) {
                throw new AtprotoJsonException("$type must be a non-empty string");
            }
            if (t.equals("blob")) {
                checkBlob(map);
            }
        }
        return map;
    }

    private static void checkBlob(Map<String, Object> blob) {
        if (!(blob.get("ref") instanceof Cid)) {
            throw new AtprotoJsonException("blob ref must be a link");
        }
        if (!(blob.get("mimeType") instanceof String m) || m.isEmpty()) {
            throw new AtprotoJsonException("blob mimeType must be a non-empty string");
        }
        if (!(blob.get("size") instanceof Long)) {
            throw new AtprotoJsonException("blob size must be an integer");
        }
    }

    /** Converts a data-model value to its JSON tree. */
    public static JsonNode toJson(Object value) {
        return switch (value) {
            case null -> NODES.nullNode();
            case Boolean b -> NODES.booleanNode(b);
            // Same node kinds Jackson's parser produces, so trees compare equal.
            case Long l -> l == l.intValue() ? NODES.numberNode(l.intValue()) : NODES.numberNode(l);
            case Integer i -> NODES.numberNode(i);
            case String s -> NODES.textNode(s);
            case byte[] bytes -> NODES.objectNode().put("$bytes", B64.encodeToString(bytes));
            case Cid cid -> NODES.objectNode().put("$link", cid.toString());
            case List<?> list -> {
                ArrayNode arr = NODES.arrayNode(list.size());
                for (Object o : list) {
                    arr.add(toJson(o));
                }
                yield arr;
            }
            case Map<?, ?> map -> {
                ObjectNode obj = NODES.objectNode();
                map.forEach((k, v) -> obj.set((String) k, toJson(v)));
                yield obj;
            }
            default -> throw new AtprotoJsonException("not a data-model value: " + value.getClass().getSimpleName());
        };
    }

    /** JSON text of a data-model value. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(toJson(value));
        } catch (JsonProcessingException e) {
            throw new AtprotoJsonException("cannot write JSON", e);
        }
    }
}
