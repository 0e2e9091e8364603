package org.sdspark.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/** S3A endpoint and credentials from `sdspark.s3`. Secrets never appear in {@link #toString()}. */
public record S3Settings(String endpoint, String region, boolean pathStyleAccess, boolean ssl,
                         String accessKey, String secretKey) implements Serializable {

    public static final String PATH = "sdspark.s3";

    public static S3Settings from(Config c) {
        Config s3 = c.getConfig(PATH);
        S3Settings settings = new S3Settings(s3.getString("endpoint"), s3.getString("region"),
                s3.getBoolean("path-style-access"), s3.getBoolean("ssl"),
                s3.getString("access-key"), s3.getString("secret-key"));
        if (settings.accessKey.isEmpty() != settings.secretKey.isEmpty()) {
            String missing = settings.accessKey.isEmpty() ? "access-key" : "secret-key";
            throw new ConfigException.BadValue(s3.origin(), PATH + "." + missing,
                    "set both access-key and secret-key (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or neither");
        }
        return settings;
    }

    /** The Hadoop `fs.s3a.*` properties these settings stand for. */
    public Map<String, String> hadoopProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        if (!endpoint.isEmpty()) {
            p.put("fs.s3a.endpoint", endpoint);
        }
        if (!region.isEmpty()) {
            p.put("fs.s3a.endpoint.region", region);
        }
        p.put("fs.s3a.path.style.access", Boolean.toString(pathStyleAccess));
        p.put("fs.s3a.connection.ssl.enabled", Boolean.toString(ssl));
        if (!accessKey.isEmpty()) {
            p.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
            p.put("fs.s3a.access.key", accessKey);
            p.put("fs.s3a.secret.key", secretKey);
        }
        return p;
    }

    @Override
    public String toString() {
        return "S3Settings[endpoint=" + endpoint + ", region=" + region + ", pathStyleAccess=" + pathStyleAccess
                + ", ssl=" + ssl + ", accessKey=" + Secrets.mask(accessKey) + ", secretKey=" + Secrets.mask(secretKey) + "]";
    }
}
