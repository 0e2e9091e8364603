package org.sdspark.prep;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sdspark.prep.bucket.AspectRatioBuckets;
import org.sdspark.prep.filter.ImageFacts;
import org.sdspark.prep.filter.Reason;
import org.sdspark.prep.filter.Rejection;
import org.sdspark.prep.filter.Verdict;
import org.sdspark.prep.source.CaptionSource;
import org.sdspark.prep.source.ImageEntry;

/** Spark ships settings and results between JVMs with Java serialization. */
class SerializationTest {

    private static Object roundTrip(Object o) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return in.readObject();
        }
    }

    @Test
    void settingsAndResultsSurviveJavaSerialization() throws Exception {
        PrepSettings settings = PrepSettings.load(ConfigFactory.parseString(
                "sdspark.prep { inputs = [{ path = \"/in\" }], output = \"/out\" }"));
        List<Object> values = List.of(settings,
                AspectRatioBuckets.of(settings.bucket()).assign(1024, 768),
                new ImageEntry("ü/a.png", "a cat", CaptionSource.SIDECAR, 3, "cat"),
                new Verdict.Accepted(new ImageFacts("png", 10, 20, 30, "ab", 42L)),
                new Verdict.Rejected(new Rejection("x", Reason.TOO_SMALL, "1x1")));
        for (Object v : values) assertThat(roundTrip(v)).isEqualTo(v);
    }
}
