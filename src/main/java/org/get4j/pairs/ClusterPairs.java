package org.get4j.pairs;

import java.util.ServiceLoader;
import java.util.function.Consumer;
import org.get4j.Get4jException;
import org.get4j.diffusion.SamplerConfig;

/**
 * Pair generation on a cluster engine, found on the classpath at run time (get4j-spark provides one). The core
 * library and the single-machine CLI never load a cluster engine; {@code --spark} asks for one.
 */
public interface ClusterPairs {
    /** The engine's name, for messages. */
    String engine();

    /**
     * Makes the store {@code out} (a URI the engine's file system understands) exactly as {@link PairGenerator}
     * would on one machine; {@code log} hears progress lines.
     */
    PairManifest generate(String teacher, SamplerConfig sampler, SeedRange seeds, int shardSize, int batch,
            boolean conditional, String out, Consumer<String> log);

    /** The engine on the classpath, or an error that says how to get one ({@code flag} names the option asked). */
    static ClusterPairs find(String flag) {
        return ServiceLoader.load(ClusterPairs.class).findFirst().orElseThrow(() -> new Get4jException(flag
                + " needs get4j-spark on the classpath: use environment/get4j-spark, or spark-submit the job jar "
                + "(README, 'Spark')"));
    }
}
