package org.get4j.spark;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * The driver's Hadoop configuration as plain strings, shipped to executors with a task (Hadoop's Configuration is
 * not serialisable), so executors reach the same file systems with the same credentials and settings.
 */
public final class HadoopConf implements Serializable {
    private final Map<String, String> entries = new LinkedHashMap<>();

    public HadoopConf(Configuration conf) {
        conf.forEach(e -> entries.put(e.getKey(), e.getValue()));
    }

    public Configuration get() {
        Configuration conf = new Configuration(false);
        entries.forEach(conf::set);
        return conf;
    }
}
