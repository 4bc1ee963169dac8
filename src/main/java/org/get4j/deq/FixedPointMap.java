package org.get4j.deq;

import ai.djl.ndarray.NDList;

/**
 * The map f of a Deep Equilibrium model, z -> f(z), with the input injection already bound. The state is batch
 * first: one array (B, ...) or several arrays that all share the leading batch dimension.
 */
@FunctionalInterface
public interface FixedPointMap {
    NDList apply(NDList z);
}
