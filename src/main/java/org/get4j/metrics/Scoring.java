package org.get4j.metrics;

import ai.djl.ndarray.NDManager;
import org.get4j.data.DataHome;
import org.get4j.data.Dataset;
import org.get4j.data.Datasets;
import org.get4j.data.ImageSet;

/**
 * How generated images are scored: a feature extractor, the reference statistics (a dataset's test split, cached under
 * the data home's stats/, as get4j eval does) and the real images the floor is drawn from (the training split).
 */
public record Scoring(FeatureExtractor fx, FeatureStatistics reference, ImageSet train) {
    /** The dataset's shipped LeNet against its test split. */
    public static Scoring lenet(NDManager manager, Dataset dataset) {
        FeatureExtractor fx = FeatureExtractor.named(manager,
                dataset == Dataset.MNIST ? "lenet-mnist" : "lenet-fashion", null);
        ImageSet test = Datasets.load(dataset, Dataset.Split.TEST).padTo(LeNet.SIZE);
        ImageSet train = Datasets.load(dataset, Dataset.Split.TRAIN).padTo(LeNet.SIZE);
        return new Scoring(fx, Evaluation.referenceStatistics(fx, test, DataHome.resolve().resolve("stats")), train);
    }

    public String metric() {
        return fx.metricName();
    }

    /** The real-versus-real floor at n samples. */
    public double floor(int n) {
        return Evaluation.floor(fx, train, reference, n);
    }

    /** FD of the images with its 95% bootstrap interval. */
    public FdEstimate estimate(Evaluation.ImageSource images, int batch) {
        return Evaluation.estimate(fx, images, batch, reference);
    }
}
