package io.quiver.manager.mesh;

import com.google.protobuf.CodedInputStream;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * A trace collector for the tests: OTLP over HTTP with protobuf bodies ({@code POST /v1/traces}, as
 * the services export with {@code quarkus.otel.exporter.otlp.traces.protocol=http/protobuf}) on a
 * free loopback port, keeping every span it is sent. It reads the few fields of OTLP's
 * {@code ExportTraceServiceRequest} the tests look at, straight from the protobuf wire format: the
 * generated OTLP classes are not in the Quarkus BOM, and the message is small. A stand-in for a real
 * collector (such as the OpenTelemetry Collector), which does not run here.
 */
public final class OtlpReceiver implements AutoCloseable {
    /** A received span: ids as lower-case hex, parent empty for a root, links as the linked span ids. */
    public record Span(String service, String traceId, String spanId, String parentId, String name, int kind,
                       Map<String, Object> attributes, List<String> links) {
        public static final int SERVER = 2;
        public static final int CLIENT = 3;
    }

    private final HttpServer server;
    private final List<Span> spans = new CopyOnWriteArrayList<>();

    private OtlpReceiver(HttpServer server) {
        this.server = server;
    }

    public static OtlpReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            OtlpReceiver receiver = new OtlpReceiver(server);
            server.createContext("/v1/traces", receiver::receive);
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the OTLP receiver", e);
        }
    }

    /** What an exporter's endpoint setting names. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Span> spans() {
        return List.copyOf(spans);
    }

    public List<Span> trace(String traceId) {
        return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
    }

    private void receive(HttpExchange exchange) throws IOException {
        try (exchange) {
            InputStream body = exchange.getRequestBody();
            if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                body = new GZIPInputStream(body);
            }
            byte[] bytes = body.readAllBytes();
            int status = 200;
            try {
                spans.addAll(exportRequest(CodedInputStream.newInstance(bytes)));
            } catch (IOException | RuntimeException e) {
                status = 400;
            }
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            // An empty ExportTraceServiceResponse.
            exchange.sendResponseHeaders(status, -1);
        }
    }

    /** ExportTraceServiceRequest: 1 = repeated ResourceSpans. */
    private static List<Span> exportRequest(CodedInputStream in) throws IOException {
        List<Span> spans = new ArrayList<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag >>> 3 == 1) {
                resourceSpans(in.readBytes().newCodedInput(), spans);
            } else {
                in.skipField(tag);
            }
        }
        return spans;
    }

    /** ResourceSpans: 1 = Resource (1 = repeated KeyValue attributes), 2 = repeated ScopeSpans (2 = repeated Span). */
    private static void resourceSpans(CodedInputStream in, List<Span> into) throws IOException {
        Map<String, Object> resource = new LinkedHashMap<>();
        List<com.google.protobuf.ByteString> scopes = new ArrayList<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (tag >>> 3) {
                case 1 -> fields(in.readBytes().newCodedInput(), 1, resource);
                case 2 -> scopes.add(in.readBytes());
                default -> in.skipField(tag);
            }
        }
        String service = String.valueOf(resource.get("service.name"));
        for (com.google.protobuf.ByteString scope : scopes) {
            CodedInputStream scopeIn = scope.newCodedInput();
            for (int tag; (tag = scopeIn.readTag()) != 0; ) {
                if (tag >>> 3 == 2) {
                    into.add(span(scopeIn.readBytes().newCodedInput(), service));
                } else {
                    scopeIn.skipField(tag);
                }
            }
        }
    }

    /** Span: 1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 6 kind, 9 attributes, 13 links (Link: 2 span_id). */
    private static Span span(CodedInputStream in, String service) throws IOException {
        String traceId = "";
        String spanId = "";
        String parentId = "";
        String name = "";
        int kind = 0;
        Map<String, Object> attributes = new LinkedHashMap<>();
        List<String> links = new ArrayList<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (tag >>> 3) {
                case 1 -> traceId = hex(in);
                case 2 -> spanId = hex(in);
                case 4 -> parentId = hex(in);
                case 5 -> name = in.readString();
                case 6 -> kind = in.readEnum();
                case 9 -> keyValue(in.readBytes().newCodedInput(), attributes);
                case 13 -> links.add(linkedSpan(in.readBytes().newCodedInput()));
                default -> in.skipField(tag);
            }
        }
        return new Span(service, traceId, spanId, parentId, name, kind, attributes, links);
    }

    private static String linkedSpan(CodedInputStream in) throws IOException {
        String spanId = "";
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag >>> 3 == 2) {
                spanId = hex(in);
            } else {
                in.skipField(tag);
            }
        }
        return spanId;
    }

    /** The repeated KeyValue at field {@code field} of a message. */
    private static void fields(CodedInputStream in, int field, Map<String, Object> into) throws IOException {
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag >>> 3 == field) {
                keyValue(in.readBytes().newCodedInput(), into);
            } else {
                in.skipField(tag);
            }
        }
    }

    /** KeyValue: 1 key, 2 AnyValue (1 string, 2 bool, 3 int, 4 double). */
    private static void keyValue(CodedInputStream in, Map<String, Object> into) throws IOException {
        String key = null;
        Object value = null;
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (tag >>> 3) {
                case 1 -> key = in.readString();
                case 2 -> value = anyValue(in.readBytes().newCodedInput());
                default -> in.skipField(tag);
            }
        }
        if (key != null) {
            into.put(key, value);
        }
    }

    private static Object anyValue(CodedInputStream in) throws IOException {
        Object value = null;
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (tag >>> 3) {
                case 1 -> value = in.readString();
                case 2 -> value = in.readBool();
                case 3 -> value = in.readInt64();
                case 4 -> value = in.readDouble();
                default -> in.skipField(tag);
            }
        }
        return value;
    }

    private static String hex(CodedInputStream in) throws IOException {
        return HexFormat.of().formatHex(in.readByteArray());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
