package io.policyrec.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class TableRowsTest {

    @Test
    void aCopyReplacesTheRowsNamedAndSharesEveryOtherWithoutChangingTheOriginal() {
        int count = 10_000; // two full pages of 4,096 and a part of a third
        TableRows before = TableRows.of(count, i -> new float[] {i});
        TableRows after = before.with(new int[] {5, 9_000, 9_999}, i -> new float[] {-i});
        assertEquals(count, after.count());
        for (int i = 0; i < count; i++) {
            assertEquals(i, before.row(i)[0], "row " + i + " of the original");
            if (i == 5 || i == 9_000 || i == 9_999) {
                assertEquals(-i, after.row(i)[0], "row " + i + " replaced");
            } else {
                assertSame(before.row(i), after.row(i), "row " + i + " shared");
            }
        }
    }
}
