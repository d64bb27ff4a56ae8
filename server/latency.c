/* latency.c - the numbers behind LATENCY and INFO latencystats.
 *
 * Histograms. Redis keeps an HdrHistogram (about 3000 counters, three
 * significant digits' worth of buckets) per command; what it shows of it
 * is coarse: LATENCY HISTOGRAM's power-of-two steps and a few INFO
 * percentiles. Here a histogram is a flat array of log-linear buckets,
 * eight to a power of two:
 *
 *     ns:     0 1 ... 15 | 16 18 ... 30 | 32 36 ... 60 | 64 ...
 *     bucket: 0 1 ... 15 | 16 17 ... 23 | 24 25 ... 31 | 32 ...
 *
 * so the bucket of a value is its top bit and the three bits after it
 * (latency_hist_index, inline: it runs on every command), and every
 * power of two starts a bucket, which makes the cumulative counts at
 * LATENCY HISTOGRAM's steps exact. 496 counters cover all of uint64_t,
 * so nothing is clamped on the hot path.
 *
 * The latency monitor keeps, per event, a ring of the last 160 seconds
 * the event reached latency-monitor-threshold in, each with its worst
 * time, like Redis's latency.c: several events in one second keep the
 * worst. Series are allocated on their first sample and freed by RESET,
 * so an event never seen does not show.
 *
 * No clock, no I/O: the caller passes "now" and the durations. */
#include "server/latency.h"

#include <stdlib.h>
#include <string.h>

uint64_t latency_hist_bucket_low(size_t i)
{
    if (i < 2 * LATENCY_HIST_SUB)
        return i;
    unsigned shift = (unsigned)(i >> LATENCY_HIST_SUB_BITS) - 1;
    return (uint64_t)(i - ((size_t)shift << LATENCY_HIST_SUB_BITS)) << shift;
}

/* UINT64_MAX for the last bucket, whose end does not fit. */
uint64_t latency_hist_bucket_end(size_t i)
{
    if (i < 2 * LATENCY_HIST_SUB)
        return i + 1;
    unsigned shift = (unsigned)(i >> LATENCY_HIST_SUB_BITS) - 1;
    uint64_t low = latency_hist_bucket_low(i);
    uint64_t width = (uint64_t)1 << shift;
    return low > UINT64_MAX - width ? UINT64_MAX : low + width;
}

uint64_t latency_hist_total(const uint64_t *counts)
{
    uint64_t n = 0;
    for (size_t i = 0; i < LATENCY_HIST_BUCKETS; i++)
        n += counts[i];
    return n;
}

uint64_t latency_hist_below(const uint64_t *counts, uint64_t ns)
{
    size_t end = latency_hist_index(ns);
    uint64_t n = 0;
    for (size_t i = 0; i < end; i++)
        n += counts[i];
    return n;
}

uint64_t latency_hist_percentile(const uint64_t *counts, double p,
                                 uint64_t max_ns)
{
    uint64_t total = latency_hist_total(counts);
    double want = p / 100.0 * (double)total + 0.5;
    uint64_t rank = want < 1.0 ? 1
                  : want >= (double)total ? total : (uint64_t)want;
    uint64_t seen = 0;
    size_t i = 0;
    for (; i < LATENCY_HIST_BUCKETS - 1; i++) {
        seen += counts[i];
        if (seen >= rank)
            break;
    }
    uint64_t v = p <= 0.0 ? latency_hist_bucket_low(i)
                          : latency_hist_bucket_end(i) - 1;
    return v > max_ns ? max_ns : v;
}

/* ------------------------------------------------------------------------
 * The latency monitor
 * --------------------------------------------------------------------- */

static const char *const event_names[LATENCY_EV_COUNT] = {
    [LATENCY_EV_COMMAND] = "command",
    [LATENCY_EV_FAST_COMMAND] = "fast-command",
    [LATENCY_EV_EXPIRE_CYCLE] = "expire-cycle",
    [LATENCY_EV_EVICTION_CYCLE] = "eviction-cycle",
    [LATENCY_EV_EVICTION_DEL] = "eviction-del",
    [LATENCY_EV_FORK] = "fork",
};

const char *latency_event_name(enum latency_event ev)
{
    return event_names[ev];
}

int latency_event_lookup(const char *name, size_t len)
{
    for (int i = 0; i < LATENCY_EV_COUNT; i++)
        if (strlen(event_names[i]) == len && !memcmp(event_names[i], name, len))
            return i;
    return -1;
}

void latency_monitor_init(struct latency_monitor *m)
{
    memset(m, 0, sizeof(*m));
}

void latency_monitor_close(struct latency_monitor *m)
{
    for (int i = 0; i < LATENCY_EV_COUNT; i++)
        latency_monitor_reset(m, (enum latency_event)i);
}

int latency_monitor_add(struct latency_monitor *m, enum latency_event ev,
                        int64_t now, uint32_t ms)
{
    struct latency_series *s = m->series[ev];
    if (!s) {
        s = calloc(1, sizeof(*s));
        if (!s)
            return -1;
        m->series[ev] = s;
    }
    if (ms > s->max_ms)
        s->max_ms = ms;
    struct latency_sample *prev =
        &s->samples[(s->next + LATENCY_SERIES_LEN - 1) % LATENCY_SERIES_LEN];
    if (prev->time == now) {
        if (ms > prev->ms)
            prev->ms = ms;
        return 0;
    }
    s->samples[s->next].time = now;
    s->samples[s->next].ms = ms;
    s->next = (s->next + 1) % LATENCY_SERIES_LEN;
    return 0;
}

int latency_monitor_reset(struct latency_monitor *m, enum latency_event ev)
{
    if (!m->series[ev])
        return 0;
    free(m->series[ev]);
    m->series[ev] = NULL;
    return 1;
}

const struct latency_sample *
latency_series_newest(const struct latency_series *s)
{
    return &s->samples[(s->next + LATENCY_SERIES_LEN - 1) % LATENCY_SERIES_LEN];
}

size_t latency_series_samples(const struct latency_series *s,
                              struct latency_sample out[LATENCY_SERIES_LEN])
{
    size_t n = 0;
    for (size_t i = 0; i < LATENCY_SERIES_LEN; i++) {
        const struct latency_sample *x =
            &s->samples[(s->next + i) % LATENCY_SERIES_LEN];
        if (x->time != 0)
            out[n++] = *x;
    }
    return n;
}
