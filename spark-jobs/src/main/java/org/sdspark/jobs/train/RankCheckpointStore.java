package org.sdspark.jobs.train;

import java.io.IOException;
import java.util.List;
import org.sdspark.model.train.checkpoint.CheckpointStore;

/**
 * The shared checkpoint store as one rank sees it. Every rank must resume from the same
 * checkpoint, so rank 0 picks it and the others are told ({@code resumeFrom}, null for a fresh
 * start): the first listing, which the loop makes to resume, shows only that one. Only rank 0
 * writes and prunes; the other ranks' saves and deletes do nothing.
 */
final class RankCheckpointStore implements CheckpointStore {
    private final CheckpointStore shared;
    private final boolean leader;
    private final Long resumeFrom;
    private boolean resumed;

    RankCheckpointStore(CheckpointStore shared, boolean leader, Long resumeFrom) {
        this.shared = shared;
        this.leader = leader;
        this.resumeFrom = resumeFrom;
    }

    @Override
    public List<Long> steps() throws IOException {
        if (!resumed) {
            resumed = true;
            return resumeFrom == null ? List.of() : List.of(resumeFrom);
        }
        return leader ? shared.steps() : List.of();
    }

    @Override
    public void save(long step, FolderWriter writer) throws IOException {
        if (leader) {
            shared.save(step, writer);
        }
    }

    @Override
    public <T> T read(long step, FolderReader<T> reader) throws IOException {
        return shared.read(step, reader);
    }

    @Override
    public void delete(long step) throws IOException {
        if (leader) {
            shared.delete(step);
        }
    }

    @Override
    public String location() {
        return shared.location();
    }
}
