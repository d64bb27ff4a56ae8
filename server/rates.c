/* rates.c - see rates.h. Each sample is the counter's growth over the
 * time since the previous sample, scaled to a second; the figure is the
 * mean over the ring, so a burst fades out over RATES_SAMPLES periods
 * (1.6 s) and a sweeper tick late by some milliseconds skews nothing. */
#include "server/rates.h"

#include <string.h>

void rates_init(struct rates *r, uint64_t now_ms)
{
    memset(r, 0, sizeof *r);
    r->last_ms = now_ms;
}

int rates_due(const struct rates *r, uint64_t now_ms)
{
    return now_ms >= r->last_ms + RATES_PERIOD_MS;
}

void rates_sample(struct rates *r, uint64_t now_ms,
                  const uint64_t counters[RATE_COUNT])
{
    if (!rates_due(r, now_ms))
        return;
    uint64_t elapsed = now_ms - r->last_ms;
    for (int k = 0; k < RATE_COUNT; k++) {
        uint64_t grew = counters[k] >= r->last[k] ? counters[k] - r->last[k]
                                                  : counters[k];
        r->per_sec[k][r->next] = grew * 1000 / elapsed;
        r->last[k] = counters[k];
    }
    r->next = (r->next + 1) % RATES_SAMPLES;
    r->last_ms = now_ms;
}

uint64_t rates_get(const struct rates *r, int k)
{
    uint64_t sum = 0;
    for (int i = 0; i < RATES_SAMPLES; i++)
        sum += r->per_sec[k][i];
    return sum / RATES_SAMPLES;
}
