package org.get4j.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** Spark in this JVM: local[2, 2] is two task slots and up to two attempts per task (one retry). */
final class LocalSpark {
    private LocalSpark() {}

    static JavaSparkContext start(int slots) {
        SparkConf conf = new SparkConf().setMaster("local[" + slots + ",2]").setAppName("get4j-spark-test")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.sql.shuffle.partitions", "2");
        return new JavaSparkContext(conf);
    }
}
