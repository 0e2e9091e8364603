package org.sdspark.jobs.prep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
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
import org.sdspark.jobs.train.HadoopCheckpointStore;
import org.sdspark.jobs.train.TrainConfig;
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

    @Test
    void trainingReadsItsConfigAndKeepsCheckpointsOnS3a() throws Exception {
        try (S3Client client = S3Client.builder().endpointOverride(URI.create(s3.endpoint)).region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey, s3.secretKey)))
                .build()) {
            client.createBucket(b -> b.bucket("training"));
        }
        List<String> sets = List.of(
                "sdspark.s3.endpoint=" + s3.endpoint,
                "sdspark.s3.path-style-access=true",
                "sdspark.s3.ssl=false",
                "sdspark.s3.access-key=" + s3.accessKey,
                "sdspark.s3.secret-key=" + s3.secretKey);
        Configuration conf = new Configuration();
        S3Settings.from(ConfigLoader.load(Optional.empty(), sets)).hadoopProperties().forEach(conf::set);
        FileSystem fs = FileSystem.get(URI.create("s3a://training/"), conf);
        try (var out = fs.create(new Path("s3a://training/conf/train.conf"))) {
            out.write("sdspark.train { model = m, dataset = \"s3a://training/data\", output = \"s3a://training/run\", steps = 7 }"
                    .getBytes(StandardCharsets.UTF_8));
        }

        var config = ConfigLoader.loadFrom(Optional.of("s3a://training/conf/train.conf"), sets);
        assertThat(TrainConfig.from(config).steps()).isEqualTo(7);
        assertThatThrownBy(() -> ConfigLoader.loadFrom(Optional.of("s3a://training/conf/missing.conf"), sets))
                .hasMessageContaining("config file s3a://training/conf/missing.conf not found");

        HadoopCheckpointStore store = new HadoopCheckpointStore("s3a://training/run/checkpoints", conf);
        store.save(5, folder -> {
            Files.writeString(folder.resolve("state.json"), "{\"step\": 5}");
            Files.write(folder.resolve("trained.safetensors"), new byte[4096]);
        });
        fs.create(new Path("s3a://training/run/checkpoints/checkpoint-9/state.json")).close(); // an upload cut short
        assertThat(store.steps()).containsExactly(5L);
        String read = store.read(5, folder -> Files.readString(folder.resolve("state.json")) + Files.size(folder.resolve("trained.safetensors")));
        assertThat(read).isEqualTo("{\"step\": 5}4096");
        store.delete(5);
        assertThat(store.steps()).isEmpty();
    }
}
