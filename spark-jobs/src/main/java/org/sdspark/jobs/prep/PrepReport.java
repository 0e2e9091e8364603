package org.sdspark.jobs.prep;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.List;
import java.util.SortedMap;
import org.sdspark.jobs.ReportJson;

/** `report.json`: what went in, what came out, and why the rest was left out. */
public record PrepReport(String output, long inputs, long accepted, long rejected,
                         SortedMap<String, Long> rejectedByReason, SortedMap<String, Long> acceptedByBucket,
                         List<InputReport> perInput, int partitions, double wallSeconds) {

    /** Counts of one configured input. */
    public record InputReport(String path, String format, long inputs, long accepted, long rejected) {
    }

    public String toJson() {
        return ReportJson.write(this);
    }

    public static PrepReport fromJson(String json) throws JsonProcessingException {
        return ReportJson.read(json, PrepReport.class);
    }
}
