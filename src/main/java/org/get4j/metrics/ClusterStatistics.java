package org.get4j.metrics;

import java.util.ServiceLoader;
import java.util.function.Consumer;
import org.get4j.Get4jException;

/**
 * Feature statistics computed on a cluster engine found on the classpath at run time (get4j-spark provides one),
 * equal to {@link Evaluation#statistics} on one machine up to the order of float64 additions.
 */
public interface ClusterStatistics {
    String engine();

    /**
     * Statistics of an input named by URI: an .npy array of images (N, C, H, W), or a pair store (its teacher
     * images). {@code features} is lenet-mnist, lenet-fashion or inception; {@code weights} the extractor's file
     * (null: the shipped classifier).
     */
    FeatureStatistics statistics(String input, String features, String weights, int batch, Consumer<String> log);

    static ClusterStatistics find(String flag) {
        return ServiceLoader.load(ClusterStatistics.class).findFirst().orElseThrow(() -> new Get4jException(flag
                + " needs get4j-spark on the classpath: use environment/get4j-spark, or spark-submit the job jar "
                + "(README, 'Spark')"));
    }
}
