/* peaks.c - see peaks.h. Slot s % PEAKS_SECONDS holds second s's
 * largest; a note in a later second first empties the slots of the
 * seconds skipped, so a slot never carries a peak older than the ring. */
#include "server/peaks.h"

#include <string.h>

void peaks_init(struct peaks *p, int64_t now_s)
{
    memset(p, 0, sizeof *p);
    p->last_s = now_s;
}

void peaks_note(struct peaks *p, int64_t now_s, uint64_t in, uint64_t out)
{
    for (int64_t s = p->last_s + 1; s <= now_s && s - p->last_s <=
                                                   PEAKS_SECONDS; s++) {
        p->in[s % PEAKS_SECONDS] = 0;
        p->out[s % PEAKS_SECONDS] = 0;
    }
    if (now_s > p->last_s)
        p->last_s = now_s;
    int i = (int)(p->last_s % PEAKS_SECONDS);
    if (in > p->in[i])
        p->in[i] = in;
    if (out > p->out[i])
        p->out[i] = out;
}

static uint64_t max_of(const uint64_t *v)
{
    uint64_t m = 0;
    for (int i = 0; i < PEAKS_SECONDS; i++)
        if (v[i] > m)
            m = v[i];
    return m;
}

uint64_t peaks_max_in(const struct peaks *p)
{
    return max_of(p->in);
}

uint64_t peaks_max_out(const struct peaks *p)
{
    return max_of(p->out);
}
