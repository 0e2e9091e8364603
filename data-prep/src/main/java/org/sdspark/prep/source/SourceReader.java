package org.sdspark.prep.source;

import java.io.IOException;

/** Reads a file of the input tree by its relative path (local disk, HDFS or S3 behind it). */
public interface SourceReader {
    byte[] read(String relativePath) throws IOException;
}
