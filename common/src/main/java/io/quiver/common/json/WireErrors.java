package io.quiver.common.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The messages of a request body that a typed request could not be read from or that broke a
 * constraint, each naming the field as it is written in JSON: {@code field 'model_id' is
 * required}, {@code unknown field 'raedy'}, {@code unknown field 'wieght' in variants[0]}, {@code
 * field 'inputs[0].shape' must be an array, got a string}, {@code field 'weight' must be a whole
 * number, got 80.5}. The same words as the bodies parsed by hand.
 */
public final class WireErrors {
    /** The message of a required field's constraint: {@code @NotNull(message = WireErrors.REQUIRED)}. */
    public static final String REQUIRED = "is required";

    private WireErrors() {
    }

    /** What is wrong with a body Jackson could not read into its request type. */
    public static String describe(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            String parent = path(unknown.getPath().subList(0, unknown.getPath().size() - 1));
            return "unknown field '" + unknown.getPropertyName() + "'" + (parent.isEmpty() ? "" : " in " + parent)
                    + (unknown.getKnownPropertyIds() == null ? ""
                    : "; this request takes " + new java.util.TreeSet<>(unknown.getKnownPropertyIds().stream()
                            .map(String::valueOf).toList()));
        }
        if (e instanceof JsonMappingException mapping && mapping.getCause() instanceof RuntimeException cause
                && cause.getMessage() != null && !(cause instanceof IllegalArgumentException)) {
            // A request type's own check refused the value (a compact constructor throwing).
            return cause.getMessage();
        }
        if (e instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()) {
            String field = "field '" + path(mismatch.getPath()) + "'";
            String expected = kind(mismatch.getTargetType());
            if (mismatch instanceof InvalidFormatException format) {
                return field + " must be " + expected + ", got " + quoted(format.getValue());
            }
            String got = got(mismatch);
            return field + " must be " + expected + (got == null ? "" : ", got " + got);
        }
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            String got = got(mismatch);
            if ("nothing".equals(got)) {
                return "request body is empty; expected JSON";
            }
            String expected = mismatch.getTargetType().isRecord() ? "a JSON object" : kind(mismatch.getTargetType());
            return "request body must be " + expected + (got == null ? "" : ", got " + got);
        }
        return JsonBodies.malformed(e);
    }

    /** The broken constraints of a typed request, one per field, sorted by field. */
    public static String describe(ConstraintViolationException e) {
        return describe(e.getConstraintViolations());
    }

    static String describe(Collection<? extends ConstraintViolation<?>> violations) {
        List<String> messages = new ArrayList<>();
        for (ConstraintViolation<?> violation : violations) {
            String field = field(violation.getPropertyPath());
            messages.add(field.isEmpty()
                    ? "request body " + bodyMessage(violation.getMessage())
                    : "field '" + field + "' " + violation.getMessage());
        }
        return messages.stream().sorted().distinct().collect(Collectors.joining("; "));
    }

    private static String bodyMessage(String message) {
        return REQUIRED.equals(message) ? "is empty; expected JSON" : message;
    }

    /**
     * A violation's path as JSON names: a method parameter's path starts with the method and the
     * parameter, which the client never wrote; Java property names become snake_case.
     */
    static String field(Path path) {
        List<String> parts = new ArrayList<>();
        boolean parameter = false;
        for (Path.Node node : path) {
            switch (node.getKind()) {
                case METHOD, CONSTRUCTOR, RETURN_VALUE, CROSS_PARAMETER -> parts.clear();
                case PARAMETER -> {
                    parts.clear();
                    parameter = true;
                }
                default -> {
                    String name = node.getName() == null ? "" : snake(node.getName());
                    if (node.getIndex() != null && !parts.isEmpty()) {
                        parts.set(parts.size() - 1, parts.get(parts.size() - 1) + "[" + node.getIndex() + "]");
                    } else if (node.getKey() != null && !parts.isEmpty()) {
                        parts.set(parts.size() - 1, parts.get(parts.size() - 1) + "." + node.getKey());
                    }
                    if (!name.isEmpty()) {
                        parts.add(name);
                    }
                }
            }
        }
        return parameter || !parts.isEmpty() ? String.join(".", parts) : "";
    }

    static String snake(String name) {
        StringBuilder out = new StringBuilder(name.length() + 4);
        for (char c : name.toCharArray()) {
            if (Character.isUpperCase(c)) {
                out.append('_').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String path(List<JsonMappingException.Reference> references) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference reference : references) {
            if (reference.getFieldName() != null) {
                out.append(out.isEmpty() ? "" : ".").append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                out.append('[').append(reference.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    /**
     * What the body held where the request type wanted something else. The parser is closed by the
     * time the exception arrives, so the token comes from the message Jackson wrote while open.
     */
    private static String got(MismatchedInputException e) {
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (message.startsWith("No content to map")) {
            return "nothing";
        }
        if (message.startsWith("Cannot coerce ")) {
            // A refused coercion names the input's shape: "Cannot coerce String value ("yes") to ..."
            String shape = message.substring("Cannot coerce ".length());
            if (shape.startsWith("String")) {
                return "a string";
            }
            if (shape.startsWith("Integer") || shape.startsWith("Floating-point")) {
                return "a number";
            }
            if (shape.startsWith("Boolean")) {
                return "a boolean";
            }
            return null;
        }
        String marker = "token `JsonToken.";
        int at = message.indexOf(marker);
        if (at < 0) {
            return null;
        }
        String name = message.substring(at + marker.length(), message.indexOf('`', at + marker.length()));
        try {
            return switch (JsonToken.valueOf(name)) {
                case START_ARRAY, END_ARRAY -> "an array";
                case START_OBJECT, END_OBJECT, FIELD_NAME -> "an object";
                case VALUE_STRING -> "a string";
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
                case VALUE_TRUE, VALUE_FALSE -> "a boolean";
                case VALUE_NULL -> "null";
                default -> null;
            };
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }

    private static String kind(Class<?> type) {
        if (type == null) {
            return "a valid value";
        }
        if (CharSequence.class.isAssignableFrom(type) || type.isEnum()) {
            return "a string";
        }
        if (type == int.class || type == long.class || type == Integer.class || type == Long.class
                || type == short.class || type == Short.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "a boolean";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "an object";
        }
        return "a valid value";
    }

    private static String quoted(Object value) {
        if (value instanceof Boolean) {
            return "a boolean";
        }
        return value instanceof String text ? "'" + text + "'" : String.valueOf(value);
    }
}
