package io.policyrec.policy;

import java.util.function.IntFunction;

/**
 * The rows of a hashed table as serving reads them: one array per row, held in pages of 4,096
 * references, immutable, copy-on-write from the rows published before.
 *
 * <p>Why pages: as one {@code float[][]}, a table of 2^18 rows is an array of 2^18 references (1 MB),
 * which G1 allocates as a humongous object when its regions are 1 or 2 MB (heaps up to about 4 GB);
 * a learner publishes new rows after its steps, so each publish left one more of them behind, never
 * reclaimed by a young collection, and every young collection scanned the dead ones' references to
 * young rows. Measured (a step at batch 100 with 30 features over 2^18 buckets, each followed by a
 * publish, -Xmx4g): publishing took 4 to 8 ms and young pauses up to 520 ms with 1.4 GB left after
 * them; in pages, about 180 us and 3.5 to 10 ms with 166 MB left. A page is 16 KB: an ordinary
 * young object.
 */
public final class TableRows {
    private static final int PAGE_BITS = 12;
    private static final int PAGE = 1 << PAGE_BITS;
    private final float[][][] pages;
    private final int count;

    private TableRows(float[][][] pages, int count) {
        this.pages = pages;
        this.count = count;
    }

    /** Rows 0 to count - 1 as {@code row} gives them (taken as they are, not copied). */
    public static TableRows of(int count, IntFunction<float[]> row) {
        float[][][] pages = new float[(count + PAGE - 1) >>> PAGE_BITS][][];
        for (int p = 0; p < pages.length; p++) {
            pages[p] = new float[Math.min(PAGE, count - (p << PAGE_BITS))][];
            for (int k = 0; k < pages[p].length; k++) {
                pages[p][k] = row.apply((p << PAGE_BITS) + k);
            }
        }
        return new TableRows(pages, count);
    }

    /** These rows (taken as they are, not copied). */
    public static TableRows of(float[][] rows) {
        return of(rows.length, i -> rows[i]);
    }

    /**
     * These rows but for the ones named, each replaced by what {@code row} gives for it: pages with
     * none of them are shared, the others copied (their references only).
     */
    public TableRows with(int[] changed, IntFunction<float[]> row) {
        float[][][] next = pages.clone();
        boolean[] copied = new boolean[pages.length];
        for (int i : changed) {
            int p = i >>> PAGE_BITS;
            if (!copied[p]) {
                next[p] = next[p].clone();
                copied[p] = true;
            }
            next[p][i & (PAGE - 1)] = row.apply(i);
        }
        return new TableRows(next, count);
    }

    /** Row i (shared: do not modify). */
    public float[] row(int i) {
        return pages[i >>> PAGE_BITS][i & (PAGE - 1)];
    }

    public int count() {
        return count;
    }
}
