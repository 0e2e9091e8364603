package org.sdspark.jobs.latents;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.sdspark.jobs.train.data.DatasetRow;
import org.sdspark.jobs.train.data.SampleSource;
import org.sdspark.model.train.TrainingBatch;
import org.sdspark.model.vae.LatentMoments;

/**
 * Training samples from a dataset's cached latents: each row's VAE mean and log-variance (of its
 * mirror image when flipped), stacked as 2C channels; the loop samples the latent from them with
 * the sample's own noise, as it does after encoding pixels.
 */
public final class LatentSource implements SampleSource {
    private final CachedLatents latents;

    public LatentSource(CachedLatents latents) {
        this.latents = latents;
    }

    @Override
    public TrainingBatch.ImageKind kind() {
        return TrainingBatch.ImageKind.LATENT_DISTRIBUTION;
    }

    @Override
    public List<Callable<Values>> read(List<DatasetRow> rows, boolean[] flips) throws IOException {
        List<Callable<Values>> work = new ArrayList<>(rows.size());
        for (LatentMoments m : latents.read(rows, flips)) {
            float[] data = new float[m.mean().length * 2];
            System.arraycopy(m.mean(), 0, data, 0, m.mean().length);
            System.arraycopy(m.logvar(), 0, data, m.mean().length, m.logvar().length);
            Values values = new Values(data, 2 * m.channels(), m.height(), m.width());
            work.add(() -> values);
        }
        return work;
    }
}
