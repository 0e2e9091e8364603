package org.sdspark.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import java.util.Map;
import java.util.TreeMap;

/** `sdspark.spark`: the master for runs outside spark-submit and extra Spark settings. */
public record SparkSettings(String master, Map<String, String> conf) {

    public static final String PATH = "sdspark.spark";

    public SparkSettings {
        conf = Map.copyOf(conf);
    }

    public static SparkSettings from(Config c) {
        Config spark = c.getConfig(PATH);
        Map<String, String> conf = new TreeMap<>();
        Config extra = spark.getConfig("conf");
        for (var entry : extra.entrySet()) {
            String key = String.join(".", ConfigUtil.splitPath(entry.getKey()));
            conf.put(key, String.valueOf(entry.getValue().unwrapped()));
        }
        return new SparkSettings(spark.getString("master"), conf);
    }
}
