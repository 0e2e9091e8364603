package org.sdspark.jobs.stage;

import static org.apache.spark.sql.types.DataTypes.StringType;

import java.io.Serializable;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Rows of a stage that derives a dataset from another: the input's columns, whatever they are,
 * the columns the stage adds, and a rejection {@code reason} and {@code detail} (null for rows
 * that stay). Built by column name from the schema, so no code depends on column positions.
 */
public final class StageRows implements Serializable {
    public static final String REASON = "reason";
    public static final String DETAIL = "detail";

    private final StructType schema;

    /** @param added the stage's own columns, null until a row sets them */
    public StageRows(StructType input, StructField... added) {
        StructType schema = input;
        for (StructField field : added) {
            schema = schema.add(field);
        }
        this.schema = schema.add(new StructField(REASON, StringType, true, Metadata.empty()))
                .add(new StructField(DETAIL, StringType, true, Metadata.empty()));
    }

    public StructType schema() {
        return schema;
    }

    /** {@code row}'s values by name, with {@code changes} (column name to new value) applied. */
    public Row copy(Row row, Map<String, ?> changes) {
        String[] names = schema.fieldNames();
        Object[] values = new Object[names.length];
        for (int i = 0; i < names.length; i++) {
            String name = names[i];
            values[i] = changes.containsKey(name) ? changes.get(name)
                    : row.schema().getFieldIndex(name).isDefined() ? row.getAs(name) : null;
        }
        return RowFactory.create(values);
    }

    /** {@code row} moved to {@code rejected/}: its values, {@code reason} and {@code detail}. */
    public Row rejected(Row row, String reason, String detail) {
        return copy(row, Map.of(REASON, reason, DETAIL, detail));
    }
}
