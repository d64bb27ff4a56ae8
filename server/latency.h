/* latency.h - the latency data (latency.c): per-command run-time
 * histograms and the latency monitor's event series. Plain data: no
 * clock, no sockets, no RESP; the server measures and passes times in
 * (cmd_latency.c says what is recorded and replies). */
#ifndef RESPITE_LATENCY_H
#define RESPITE_LATENCY_H

#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------------
 * Histograms: log-linear buckets of nanoseconds. Below 2 * SUB every
 * value has a bucket of its own; above, each power of two is cut into
 * SUB equal buckets, so a bucket is at most 1/SUB (12.5%) wide. A
 * histogram is an array of LATENCY_HIST_BUCKETS counters.
 * --------------------------------------------------------------------- */

#define LATENCY_HIST_SUB_BITS 3
#define LATENCY_HIST_SUB (1u << LATENCY_HIST_SUB_BITS)
#define LATENCY_HIST_BUCKETS ((64 - LATENCY_HIST_SUB_BITS + 1) * LATENCY_HIST_SUB)

/* The bucket of ns: no branch, a handful of instructions, since every
 * command pays it (client_call). */
static inline size_t latency_hist_index(uint64_t ns)
{
    unsigned top = 63u - (unsigned)__builtin_clzll(ns | LATENCY_HIST_SUB);
    unsigned shift = top - LATENCY_HIST_SUB_BITS;
    return ((size_t)shift << LATENCY_HIST_SUB_BITS) + (size_t)(ns >> shift);
}

/* Adds n samples of ns to counts. */
static inline void latency_hist_add(uint64_t *counts, uint64_t ns, uint64_t n)
{
    counts[latency_hist_index(ns)] += n;
}

/* The smallest value of bucket i, and one past its largest. */
uint64_t latency_hist_bucket_low(size_t i);
uint64_t latency_hist_bucket_end(size_t i);
/* Samples in counts. */
uint64_t latency_hist_total(const uint64_t *counts);
/* Samples below ns (exact when ns starts a bucket, as powers of two do). */
uint64_t latency_hist_below(const uint64_t *counts, uint64_t ns);
/* The value at percentile p (0..100) of a non-empty histogram, in ns, as
 * HdrHistogram answers it: the largest value of the bucket that holds
 * the sample of rank p% (rounded, at least the first), or for p 0 the
 * smallest value of the first bucket used. Values above max_ns are
 * reported as max_ns. */
uint64_t latency_hist_percentile(const uint64_t *counts, double p,
                                 uint64_t max_ns);

/* ------------------------------------------------------------------------
 * The latency monitor: for each event, the worst latency of each second
 * it happened in, the last LATENCY_SERIES_LEN such seconds, and the worst
 * of all time.
 * --------------------------------------------------------------------- */

#define LATENCY_SERIES_LEN 160

enum latency_event {
    LATENCY_EV_COMMAND,
    LATENCY_EV_FAST_COMMAND,
    LATENCY_EV_EXPIRE_CYCLE,
    LATENCY_EV_EVICTION_CYCLE,
    LATENCY_EV_EVICTION_DEL,
    LATENCY_EV_FORK,
    LATENCY_EV_COUNT
};

struct latency_sample {
    int64_t time;               /* Unix seconds; 0 for an unused slot */
    uint32_t ms;
};

struct latency_series {
    size_t next;                /* the slot the next new second takes */
    uint32_t max_ms;            /* worst of all time (until reset) */
    struct latency_sample samples[LATENCY_SERIES_LEN];
};

struct latency_monitor {
    struct latency_series *series[LATENCY_EV_COUNT]; /* NULL: no samples */
};

/* The event's name as LATENCY shows it ("fast-command"). */
const char *latency_event_name(enum latency_event ev);
/* The event named name (exact, lower case, as Redis matches it), or -1. */
int latency_event_lookup(const char *name, size_t len);

void latency_monitor_init(struct latency_monitor *m);
/* Frees every series. */
void latency_monitor_close(struct latency_monitor *m);
/* Records ms for ev at Unix second now: a later second takes the next
 * slot, the same second keeps the worse of the two. Returns 0, or -1 on
 * allocation failure (the sample is lost). */
int latency_monitor_add(struct latency_monitor *m, enum latency_event ev,
                        int64_t now, uint32_t ms);
/* Forgets ev's samples; returns 1 if it had any, else 0. */
int latency_monitor_reset(struct latency_monitor *m, enum latency_event ev);
/* The newest sample of a series that has one. */
const struct latency_sample *
latency_series_newest(const struct latency_series *s);
/* Copies the used samples into out, oldest first; returns how many. */
size_t latency_series_samples(const struct latency_series *s,
                              struct latency_sample out[LATENCY_SERIES_LEN]);

#endif
