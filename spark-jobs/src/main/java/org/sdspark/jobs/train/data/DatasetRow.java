package org.sdspark.jobs.train.data;

import java.io.Serializable;
import org.sdspark.prep.tensor.TrainingCrop;

/**
 * One accepted image of a prepared dataset, without its bytes. {@code row} numbers the dataset's
 * rows densely in file-name then file order, the same on every machine that reads the dataset;
 * {@code file} and {@code position} (row number within that Parquet file) say where its bytes are.
 */
public record DatasetRow(int row, String id, String source, String caption, String concept, int repeats,
                         TrainingCrop crop, int file, long position) implements Serializable {

    /** This row with another caption (DreamBooth's instance or class prompt). */
    public DatasetRow withCaption(String other) {
        return new DatasetRow(row, id, source, other, concept, repeats, crop, file, position);
    }

    /** How errors name the row: its id and where it came from. */
    public String describe() {
        return "row " + id + " (" + source + ")";
    }
}
