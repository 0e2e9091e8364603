package org.sdspark.prep.tensor;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.SinglePixelPackedSampleModel;
import java.io.IOException;
import org.sdspark.prep.bucket.Bucket;
import org.sdspark.prep.image.ImageDecoder;

/**
 * An accepted image's bytes to the tensor training sees, as diffusers' training scripts build it
 * from a PIL image: Pillow resize to the recorded size, the recorded bucket crop, optional horizontal
 * flip, ToTensor ({@code / 255}) and Normalize(0.5, 0.5), giving [-1, 1] in channel-major (CHW) order.
 */
public final class TrainingImageTransform {
    private static final float[] NORMALISED = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            // float ops in torchvision's order, so values equal torch's bit for bit
            NORMALISED[i] = (i / 255f - 0.5f) / 0.5f;
        }
    }

    private final ResampleFilter filter;

    public TrainingImageTransform(ResampleFilter filter) {
        this.filter = filter;
    }

    /** Decodes with prep's decoder (the one that accepted the image) and transforms. */
    public float[] apply(byte[] imageBytes, TrainingCrop crop, boolean flip) throws IOException {
        return apply(ImageDecoder.decode(imageBytes), crop, flip);
    }

    public float[] apply(BufferedImage image, TrainingCrop crop, boolean flip) {
        if (image.getWidth() != crop.width() || image.getHeight() != crop.height()) {
            throw new IllegalArgumentException("the image decodes to " + image.getWidth() + "x" + image.getHeight()
                    + " but the dataset records " + crop.width() + "x" + crop.height());
        }
        return normalise(window(image, crop), crop.fit().bucket(), flip);
    }

    /** The bucket-sized window of the resized image, packed 0xRRGGBB, row by row. */
    int[] window(BufferedImage image, TrainingCrop crop) {
        var fit = crop.fit();
        return Resampler.resizeWindow(pixels(image), image.getWidth(), image.getHeight(),
                fit.resizedWidth(), fit.resizedHeight(), fit.cropLeft(), fit.cropTop(),
                fit.bucket().width(), fit.bucket().height(), filter);
    }

    private static float[] normalise(int[] window, Bucket bucket, boolean flip) {
        int w = bucket.width();
        int h = bucket.height();
        int plane = w * h;
        float[] chw = new float[3 * plane];
        for (int y = 0; y < h; y++) {
            int row = y * w;
            for (int x = 0; x < w; x++) {
                int p = window[row + (flip ? w - 1 - x : x)];
                int i = row + x;
                chw[i] = NORMALISED[(p >> 16) & 0xFF];
                chw[plane + i] = NORMALISED[(p >> 8) & 0xFF];
                chw[2 * plane + i] = NORMALISED[p & 0xFF];
            }
        }
        return chw;
    }

    /** The packed pixels without a copy when the raster is one plain int per pixel, as decoded images are. */
    private static int[] pixels(BufferedImage image) {
        int w = image.getWidth();
        if (image.getType() == BufferedImage.TYPE_INT_RGB
                && image.getRaster().getDataBuffer() instanceof DataBufferInt data
                && image.getSampleModel() instanceof SinglePixelPackedSampleModel model
                && model.getScanlineStride() == w && data.getOffset() == 0
                && image.getRaster().getSampleModelTranslateX() == 0 && image.getRaster().getSampleModelTranslateY() == 0) {
            return data.getData();
        }
        int[] argb = image.getRGB(0, 0, w, image.getHeight(), null, 0, w);
        for (int i = 0; i < argb.length; i++) argb[i] &= 0xFFFFFF;
        return argb;
    }
}
