package org.sdspark.jobs.caption;

import static org.apache.spark.sql.types.DataTypes.StringType;

import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Rows of the captioning pass: the input dataset's columns, whatever they are, plus a rejection
 * {@code reason} and {@code detail} (null for rows that stay). Built by column name from the
 * schema, so no code depends on column positions.
 */
final class CaptionRows {
    static final String REASON = "reason";
    static final String DETAIL = "detail";

    private CaptionRows() {
    }

    static StructType schema(StructType accepted) {
        return accepted.add(new StructField(REASON, StringType, true, Metadata.empty()))
                .add(new StructField(DETAIL, StringType, true, Metadata.empty()));
    }

    /** {@code row}'s values by name, with {@code changes} (column name to new value) applied. */
    static Row copy(StructType schema, Row row, Map<String, Object> changes) {
        String[] names = schema.fieldNames();
        Object[] values = new Object[names.length];
        for (int i = 0; i < names.length; i++) {
            String name = names[i];
            values[i] = changes.containsKey(name) ? changes.get(name)
                    : name.equals(REASON) || name.equals(DETAIL) ? null : row.getAs(name);
        }
        return RowFactory.create(values);
    }
}
