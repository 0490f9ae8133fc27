package io.quiver.server.batching;

import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.inference.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Stacks requests' rows into one request and cuts a run's outputs back into each request's rows. */
final class RowBatches {
    private RowBatches() {
    }

    /**
     * Whether the request's rows could share a run with another's: its inputs all have a first
     * dimension and agree on it. Checked for every request, so it allocates nothing.
     */
    static boolean mergeable(InferenceRequest request) {
        long rows = -1;
        for (Tensor input : request.inputs()) {
            long[] shape = input.shape();
            if (shape.length == 0 || (rows >= 0 && shape[0] != rows)) {
                return false;
            }
            rows = shape[0];
        }
        return true;
    }

    /**
     * Whether two {@link #mergeable} requests may be merged: the same inputs (in any order) with the
     * same types and the same dimensions after the first, and the same outputs asked for.
     */
    static boolean sameRun(InferenceRequest a, InferenceRequest b) {
        if (a.inputs().size() != b.inputs().size() || !a.outputs().equals(b.outputs())) {
            return false;
        }
        for (int i = 0; i < a.inputs().size(); i++) {
            Tensor x = a.inputs().get(i);
            Tensor y = named(b, x.name(), i);
            if (y == null || x.type() != y.type() || x.shape().length != y.shape().length) {
                return false;
            }
            for (int d = 1; d < x.shape().length; d++) {
                if (x.shape()[d] != y.shape()[d]) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The input called {@code name}, looked for first at {@code position}: clients of one model send
     * its inputs in the same order, so that comparing two requests stays linear in their inputs.
     */
    private static Tensor named(InferenceRequest request, String name, int position) {
        Tensor likely = request.inputs().get(position);
        if (likely.name().equals(name)) {
            return likely;
        }
        for (Tensor input : request.inputs()) {
            if (input.name().equals(name)) {
                return input;
            }
        }
        return null;
    }

    /** Rows of a {@link #mergeable} request: the leading dimension its inputs share. */
    static int rows(InferenceRequest request) {
        return (int) request.inputs().get(0).shape()[0];
    }

    /** One request holding every request's rows in order; each pair must be {@link #sameRun}. */
    static InferenceRequest merge(List<InferenceRequest> requests) {
        InferenceRequest first = requests.get(0);
        List<Tensor> merged = new ArrayList<>(first.inputs().size());
        for (Tensor input : first.inputs()) {
            List<Tensor> parts = new ArrayList<>(requests.size());
            for (InferenceRequest request : requests) {
                parts.add(input(request, input.name()));
            }
            merged.add(concat(parts));
        }
        return new InferenceRequest(merged, first.outputs());
    }

    /**
     * Each request's share of a merged run's outputs, given how many rows each brought; null when
     * an output's leading dimension is not the total of rows, so that rows cannot be told apart.
     */
    static List<List<Tensor>> split(List<Tensor> outputs, int[] rows) {
        int total = Arrays.stream(rows).sum();
        for (Tensor output : outputs) {
            if (output.shape().length == 0 || output.shape()[0] != total) {
                return null;
            }
        }
        List<List<Tensor>> shares = new ArrayList<>(rows.length);
        int from = 0;
        for (int r : rows) {
            List<Tensor> share = new ArrayList<>(outputs.size());
            for (Tensor output : outputs) {
                share.add(slice(output, from, from + r));
            }
            shares.add(share);
            from += r;
        }
        return shares;
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive) of every input of a request. */
    static InferenceRequest slice(InferenceRequest request, int from, int to) {
        List<Tensor> inputs = new ArrayList<>(request.inputs().size());
        for (Tensor input : request.inputs()) {
            inputs.add(slice(input, from, to));
        }
        return new InferenceRequest(inputs, request.outputs());
    }

    /** Outputs of consecutive runs over consecutive rows, joined by name into one set of outputs. */
    static List<Tensor> join(List<List<Tensor>> runs) {
        Map<String, List<Tensor>> byName = new LinkedHashMap<>();
        for (List<Tensor> run : runs) {
            for (Tensor output : run) {
                byName.computeIfAbsent(output.name(), n -> new ArrayList<>()).add(output);
            }
        }
        List<Tensor> joined = new ArrayList<>(byName.size());
        for (List<Tensor> parts : byName.values()) {
            joined.add(concat(parts));
        }
        return joined;
    }

    /** Tensors of one name, type and trailing dimensions stacked along the first dimension. */
    static Tensor concat(List<Tensor> parts) {
        Tensor first = parts.get(0);
        if (parts.size() == 1) {
            return first;
        }
        long rows = 0;
        int length = 0;
        for (Tensor part : parts) {
            rows += part.shape()[0];
            length += part.size();
        }
        Object data = first.type().newArray(length);
        int at = 0;
        for (Tensor part : parts) {
            System.arraycopy(part.array(), 0, data, at, part.size());
            at += part.size();
        }
        long[] shape = first.shape().clone();
        shape[0] = rows;
        return new Tensor(first.name(), first.type(), shape, data);
    }

    private static Tensor slice(Tensor tensor, int from, int to) {
        long[] shape = tensor.shape().clone();
        if (from == 0 && to == shape[0]) {
            return tensor;
        }
        int rowLength = shape[0] == 0 ? 0 : (int) (tensor.size() / shape[0]);
        shape[0] = to - from;
        Object data = tensor.type().newArray((to - from) * rowLength);
        System.arraycopy(tensor.array(), from * rowLength, data, 0, (to - from) * rowLength);
        return new Tensor(tensor.name(), tensor.type(), shape, data);
    }

    private static Tensor input(InferenceRequest request, String name) {
        for (Tensor tensor : request.inputs()) {
            if (tensor.name().equals(name)) {
                return tensor;
            }
        }
        throw new IllegalArgumentException("request has no input " + name);
    }
}
