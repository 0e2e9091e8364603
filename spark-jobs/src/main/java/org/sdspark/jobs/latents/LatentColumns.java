package org.sdspark.jobs.latents;

import static org.apache.spark.sql.types.DataTypes.BinaryType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;

/**
 * The columns {@code cache-latents} adds to {@code accepted/}: the latents' shape, and the VAE's
 * mean and log-variance of the image (and of its mirror image, with flip) as little-endian values
 * in the stored precision, channel-major, {@code latent_channels x latent_height x latent_width}.
 */
final class LatentColumns {
    static final String CHANNELS = "latent_channels";
    static final String HEIGHT = "latent_height";
    static final String WIDTH = "latent_width";
    static final String MEAN = "latent_mean";
    static final String LOGVAR = "latent_logvar";
    static final String FLIPPED_MEAN = "latent_flipped_mean";
    static final String FLIPPED_LOGVAR = "latent_flipped_logvar";
    /** Every column a cache may hold, so that caching a cached dataset again replaces them. */
    static final List<String> ALL = List.of(CHANNELS, HEIGHT, WIDTH, MEAN, LOGVAR, FLIPPED_MEAN, FLIPPED_LOGVAR);

    private LatentColumns() {
    }

    static StructField[] fields(boolean flip) {
        List<StructField> fields = new ArrayList<>(List.of(field(CHANNELS, IntegerType), field(HEIGHT, IntegerType),
                field(WIDTH, IntegerType), field(MEAN, BinaryType), field(LOGVAR, BinaryType)));
        if (flip) {
            fields.add(field(FLIPPED_MEAN, BinaryType));
            fields.add(field(FLIPPED_LOGVAR, BinaryType));
        }
        return fields.toArray(StructField[]::new);
    }

    private static StructField field(String name, DataType type) {
        return new StructField(name, type, true, Metadata.empty());
    }
}
