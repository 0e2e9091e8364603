package org.sdspark.model.io.torch;

/** What either torch.save format yields: the unpickled root object and where each storage's bytes lie in the file. */
interface TorchArchive {
    Object root();

    /** File offset of the first byte of storage {@code key}. */
    long storageStart(String key);

    /** Bytes the file holds for storage {@code key}. */
    long storageBytes(String key);
}
