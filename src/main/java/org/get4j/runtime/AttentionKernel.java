package org.get4j.runtime;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.get4j.Get4jException;

/**
 * How a block computes the core of attention, softmax(q k^T / sqrt(D/h)) v with the heads split and merged, from its
 * QKV projection (B, N, 3D). Chosen per process with {@code GET4J_ATTENTION} (or {@link #use}); the default is the
 * Java path. The measured reason for the fused one (issue 21, {@code get4j bench ops}): attention's small batched
 * products reach 10-21% of the GEMM peak, and the same operations in one TorchScript call are no faster, so the cost
 * is libtorch's kernels, not the JNI calls.
 *
 * <ul>
 *   <li>{@code java}: the operations called one by one from Java (GetBlock), as the reference writes them;
 *   <li>{@code script}: the same operations in the same order inside one TorchScript module; from its third call
 *       libtorch's graph executor differentiates it itself, and the backward's sums may round differently;
 *   <li>{@code sdpa}: libtorch's fused {@code scaled_dot_product_attention}, which never writes the scores to memory;
 *       equal to float32 rounding, not bit for bit, and without a second derivative (no Jacobian penalty).
 * </ul>
 *
 * The modules are made by environment/make_attention_modules.py and shipped as resources.
 */
public enum AttentionKernel {
    JAVA(null), SCRIPT("attention-core.pt"), SDPA("attention-sdpa.pt");

    private static volatile AttentionKernel current; // null until first asked: GET4J_ATTENTION is read then
    private final String resource;
    private final Map<Device, Model> modules = new ConcurrentHashMap<>();

    AttentionKernel(String resource) {
        this.resource = resource;
    }

    /** The kernel in use in this process. */
    public static AttentionKernel current() {
        AttentionKernel k = current;
        if (k == null) { // a bad setting is an error naming it, at every use until it is fixed
            k = fromEnvironment();
            current = k;
        }
        return k;
    }

    /** Uses {@code kernel} from now on (tests, benchmarks); returns the one used before. */
    public static AttentionKernel use(AttentionKernel kernel) {
        AttentionKernel before = current();
        current = kernel;
        return before;
    }

    /** The kernel named by a setting: java, script or sdpa; an error names the setting and the choices. */
    public static AttentionKernel parse(String name, String setting) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Get4jException(setting + "=" + name + ": not an attention kernel (java, script or sdpa)");
        }
    }

    private static AttentionKernel fromEnvironment() {
        String v = System.getenv("GET4J_ATTENTION");
        return v == null || v.isBlank() ? JAVA : parse(v, "GET4J_ATTENTION");
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The attention core of {@code t}, the QKV projection plus injection (B, N, 3D), split into {@code heads}: the
     * merged weighted sums (B, N, D). {@code scale} is 1/sqrt(D/h) as a 0-dim tensor libtorch owns (autograd keeps
     * it for the backward pass).
     */
    public NDArray apply(NDArray t, int heads, NDArray scale) {
        if (resource == null) { // java
            long batch = t.getShape().get(0);
            long tokens = t.getShape().get(1);
            long width = t.getShape().get(2) / 3;
            // (B, N, 3D) -> (3, B, h, N, D/h): [q | k | v] outermost, then heads, as the reference splits it; the
            // scale on the scores, as the reference puts it
            NDArray s = t.reshape(batch, tokens, 3, heads, width / heads).transpose(2, 0, 3, 1, 4);
            NDArray weights = s.get(0).matMul(s.get(1).transpose(0, 1, 3, 2)).mul(scale).softmax(-1);
            return weights.matMul(s.get(2)).transpose(0, 2, 1, 3).reshape(batch, tokens, width);
        }
        ai.djl.nn.Block block = module(t.getDevice()).getBlock();
        // always in training mode: DJL runs a module in inference mode otherwise, and its outputs could not enter a
        // graph later (a DEQ's free iterations feed the unrolled ones); whether a graph is recorded is grad mode's
        NDArray h = Torch.constant(t, heads).toType(ai.djl.ndarray.types.DataType.INT64, false);
        return block.forward(new ai.djl.training.ParameterStore(t.getManager(), false), new NDList(t, h, scale), true)
                .singletonOrThrow();
    }

    /** The module on {@code device}, loaded once per process from the shipped resource. */
    private Model module(Device device) {
        return modules.computeIfAbsent(device, d -> {
            TorchRuntime.configure();
            try (InputStream in = AttentionKernel.class.getResourceAsStream("/org/get4j/runtime/" + resource)) {
                if (in == null) {
                    throw new Get4jException("the attention module " + resource + " is missing from the classpath");
                }
                Path file = Files.createTempFile("get4j-" + id() + "-", ".pt");
                file.toFile().deleteOnExit();
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                // lives as long as the process, like the engine: one small module per kernel and device
                Model model = Model.newInstance("attention-" + id(), d, TorchRuntime.ENGINE);
                model.load(file);
                return model;
            } catch (IOException | MalformedModelException e) {
                throw new Get4jException("cannot load the attention module " + resource + ": " + e.getMessage(), e);
            }
        });
    }
}
