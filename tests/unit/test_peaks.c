/* test_peaks.c - unit tests for server/peaks.c: INFO's recent client
 * buffer peaks, driven by a moved clock.
 *
 * The largest of each second is kept for PEAKS_SECONDS seconds and then
 * forgotten, whether notes came every second or after a long gap; a
 * smaller note never lowers a peak; input and output are kept apart. */
#include "server/peaks.h"
#include "tests/unit/unit.h"

TEST(peak_kept_for_the_window_then_forgotten)
{
    struct peaks p;
    peaks_init(&p, 1000);
    ASSERT_EQ(peaks_max_in(&p), 0);
    peaks_note(&p, 1000, 500, 70);
    peaks_note(&p, 1000, 100, 90);
    ASSERT_EQ(peaks_max_in(&p), 500);
    ASSERT_EQ(peaks_max_out(&p), 90);
    for (int64_t s = 1001; s < 1000 + PEAKS_SECONDS; s++) {
        peaks_note(&p, s, 10, 10);
        ASSERT_EQ(peaks_max_in(&p), 500);
    }
    peaks_note(&p, 1000 + PEAKS_SECONDS, 10, 10);
    ASSERT_EQ(peaks_max_in(&p), 10);
    ASSERT_EQ(peaks_max_out(&p), 10);
}

TEST(gap_longer_than_the_window_clears_all)
{
    struct peaks p;
    peaks_init(&p, 50);
    for (int64_t s = 50; s < 50 + PEAKS_SECONDS; s++)
        peaks_note(&p, s, (uint64_t)s, 1);
    ASSERT_EQ(peaks_max_in(&p), 50 + PEAKS_SECONDS - 1);
    peaks_note(&p, 1000000, 3, 0);
    ASSERT_EQ(peaks_max_in(&p), 3);
    ASSERT_EQ(peaks_max_out(&p), 0);
}

TEST(clock_going_back_notes_into_the_current_second)
{
    struct peaks p;
    peaks_init(&p, 200);
    peaks_note(&p, 200, 5, 5);
    peaks_note(&p, 190, 9, 1);
    ASSERT_EQ(peaks_max_in(&p), 9);
    peaks_note(&p, 200 + PEAKS_SECONDS, 1, 1);
    ASSERT_EQ(peaks_max_in(&p), 1);
}

static const struct unit_test tests[] = {
    UNIT(peak_kept_for_the_window_then_forgotten),
    UNIT(gap_longer_than_the_window_clears_all),
    UNIT(clock_going_back_notes_into_the_current_second),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
