package org.sdspark.jobs.prep;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructType;

/**
 * One row of a {@link PrepSchema} layout, built by column name so that no code depends on the
 * order of its columns; an unknown name fails at once. The row keeps its schema: when the next
 * stage is another mapPartitions, Spark hands it the object as it is, and reading by name needs
 * the schema.
 */
final class RowBuilder {
    private final StructType schema;
    private final Object[] values;

    RowBuilder(StructType schema) {
        this.schema = schema;
        this.values = new Object[schema.size()];
    }

    RowBuilder set(String column, Object value) {
        values[schema.fieldIndex(column)] = value;
        return this;
    }

    /** Each of {@code columns} with its value in {@code from}. */
    RowBuilder copy(Row from, String... columns) {
        for (String column : columns) {
            set(column, from.getAs(column));
        }
        return this;
    }

    Row build() {
        return new GenericRowWithSchema(values.clone(), schema);
    }
}
