package org.sdspark.jobs.prep;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * The local file system under the scheme `failing://`, except that creating any file under a
 * `rejected/` directory fails: a prep run on it dies after `accepted/` is written.
 */
public class FailingFileSystem extends RawLocalFileSystem {

    static final String SCHEME = "failing";

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    protected OutputStream createOutputStream(Path f, boolean append) throws IOException {
        failUnderRejected(f);
        return super.createOutputStream(f, append);
    }

    @Override
    protected OutputStream createOutputStreamWithMode(Path f, boolean append, FsPermission permission)
            throws IOException {
        failUnderRejected(f);
        return super.createOutputStreamWithMode(f, append, permission);
    }

    private static void failUnderRejected(Path f) throws IOException {
        if (f.toUri().getPath().contains("/rejected/")) {
            throw new IOException("injected failure creating " + f);
        }
    }
}
