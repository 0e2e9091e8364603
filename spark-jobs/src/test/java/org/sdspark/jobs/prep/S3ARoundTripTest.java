package org.sdspark.jobs.prep;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.jobs.SharedSpark;
import org.sdspark.jobs.SparkSessions;
import org.sdspark.jobs.config.S3Settings;
import org.sdspark.jobs.config.SparkSettings;
import org.sdspark.jobs.config.ConfigLoader;
import org.sdspark.prep.synthetic.SyntheticDataset;
import org.sdspark.prep.synthetic.SyntheticManifest;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** The prep job from s3a:// to s3a:// against a real S3 server on 127.0.0.1. */
class S3ARoundTripTest {

    @TempDir
    static java.nio.file.Path dir;
    static S3ProxyServer s3;

    @BeforeAll
    static void startServer() throws Exception {
        s3 = new S3ProxyServer(dir);
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void prepReadsAndWritesS3a() throws Exception {
        try (S3Client client = S3Client.builder().endpointOverride(URI.create(s3.endpoint)).region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey, s3.secretKey)))
                .build()) {
            client.createBucket(b -> b.bucket("datasets"));
        }
        java.nio.file.Path local = dir.resolve("input");
        SyntheticManifest manifest = SyntheticDataset.write(local, 7L, 12);

        List<String> sets = List.of(
                "sdspark.s3.endpoint=" + s3.endpoint,
                "sdspark.s3.path-style-access=true",
                "sdspark.s3.ssl=false",
                "sdspark.s3.access-key=" + s3.accessKey,
                "sdspark.s3.secret-key=" + s3.secretKey,
                "sdspark.prep.inputs=[{ path = \"s3a://datasets/raw\" }]",
                "sdspark.prep.output=s3a://datasets/prepared");
        var config = ConfigLoader.load(Optional.empty(), sets);
        SharedSpark.get();
        var spark = SparkSessions.create("upload", SparkSettings.from(config), S3Settings.from(config));
        FileSystem fs = FileSystem.get(URI.create("s3a://datasets/"), spark.sparkContext().hadoopConfiguration());
        fs.copyFromLocalFile(false, true, new Path(local.toUri()), new Path("s3a://datasets/raw"));

        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrepReport report;
        try (PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(tee);
            report = PrepCommand.run(config);
        } finally {
            System.setOut(stdout);
        }
        System.out.print(captured.toString(StandardCharsets.UTF_8));

        assertThat(report.output()).isEqualTo("s3a://datasets/prepared");
        assertThat(report.inputs()).isEqualTo(manifest.good().size() + manifest.planted().size());
        OutputTables tables = new OutputTables(SharedSpark.get(), report.output(), report.perInput().get(0).path());
        ManifestCheck check = ManifestCheck.of(manifest, tables.accepted(), tables.rejected());
        assertThat(check.mismatches()).isEmpty();
        assertThat(fs.exists(new Path("s3a://datasets/prepared/_SUCCESS"))).isTrue();
        assertThat(fs.exists(new Path("s3a://datasets/prepared/report.json"))).isTrue();
        assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain(s3.secretKey).doesNotContain(s3.accessKey);
    }
}
