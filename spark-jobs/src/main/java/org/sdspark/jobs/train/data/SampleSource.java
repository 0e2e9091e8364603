package org.sdspark.jobs.train.data;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import org.sdspark.model.train.TrainingBatch;

/**
 * How one dataset's rows become what the loop trains on: decoded, cropped pixels
 * ({@link PixelSource}) or cached latent moments. {@link #read} runs on a loader's reader thread
 * and fetches the stored data; the work it returns runs on the decode pool. Not thread-safe.
 */
public interface SampleSource {

    /** What the values are; every source of one run gives the same kind. */
    TrainingBatch.ImageKind kind();

    /** For each of {@code rows} (mirrored where {@code flips[i]}), the work that makes its values. */
    List<Callable<Values>> read(List<DatasetRow> rows, boolean[] flips) throws IOException;

    /** One sample's values: {@code channels x height x width} floats, channel-major. */
    record Values(float[] data, int channels, int height, int width) {
        public Values {
            if ((long) channels * height * width != data.length) {
                throw new IllegalArgumentException(data.length + " values for " + channels + "x" + height + "x" + width);
            }
        }
    }
}
