package org.get4j.deq;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;

/** Flattens a batch-first state (one or more arrays) into one (B, D) matrix per sample row, and back. */
final class StatePacking {
    private final Shape[] shapes;
    private final long[] sizes;
    private final long batch;

    StatePacking(NDList template) {
        if (template.isEmpty()) {
            throw new IllegalArgumentException("a DEQ state needs at least one array");
        }
        shapes = new Shape[template.size()];
        sizes = new long[template.size()];
        batch = template.get(0).getShape().get(0);
        for (int i = 0; i < template.size(); i++) {
            Shape s = template.get(i).getShape();
            if (s.dimension() < 1 || s.get(0) != batch) {
                throw new IllegalArgumentException("state array " + i + " has shape " + s
                        + "; every array must be batch-first with batch " + batch);
            }
            shapes[i] = s;
            sizes[i] = s.size() / batch;
        }
    }

    long batch() {
        return batch;
    }

    NDArray flatten(NDList state) {
        if (state.size() != shapes.length) {
            throw new IllegalArgumentException("f returned " + state.size() + " arrays, the state has " + shapes.length);
        }
        if (state.size() == 1) {
            return checked(state.get(0), 0).reshape(batch, sizes[0]);
        }
        NDList rows = new NDList(state.size());
        for (int i = 0; i < state.size(); i++) {
            rows.add(checked(state.get(i), i).reshape(batch, sizes[i]));
        }
        return ai.djl.ndarray.NDArrays.concat(rows, 1);
    }

    private NDArray checked(NDArray a, int i) {
        if (!a.getShape().equals(shapes[i])) {
            throw new IllegalArgumentException("f returned shape " + a.getShape() + " for state array " + i
                    + ", expected " + shapes[i] + " (f must map the state to a state of the same shape)");
        }
        return a;
    }

    NDList unflatten(NDArray flat) {
        if (shapes.length == 1) {
            return new NDList(flat.reshape(shapes[0]));
        }
        NDList out = new NDList(shapes.length);
        long offset = 0;
        for (int i = 0; i < shapes.length; i++) {
            out.add(flat.get(":, {}:{}", offset, offset + sizes[i]).reshape(shapes[i]));
            offset += sizes[i];
        }
        return out;
    }
}
