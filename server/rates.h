/* rates.h - INFO's instantaneous_* figures (rates.c): per-second rates
 * of counters the server keeps (commands, bytes in, bytes out), each the
 * mean of the last RATES_SAMPLES rates, one sampled every
 * RATES_PERIOD_MS, as Redis computes its own. Plain data: the caller
 * passes the clock and the counters in. */
#ifndef RESPITE_RATES_H
#define RESPITE_RATES_H

#include <stdint.h>

#define RATES_SAMPLES 16
#define RATES_PERIOD_MS 100

enum { RATE_COMMANDS, RATE_NET_IN, RATE_NET_OUT, RATE_COUNT };

struct rates {
    uint64_t last_ms;                   /* when the last sample was taken */
    uint64_t last[RATE_COUNT];          /* the counters then */
    uint64_t per_sec[RATE_COUNT][RATES_SAMPLES];
    unsigned next;                      /* the slot the next sample takes */
};

/* Starts at now_ms with every counter at 0 (start-up, CONFIG
 * RESETSTAT), no rate seen yet. */
void rates_init(struct rates *r, uint64_t now_ms);
/* 1 when RATES_PERIOD_MS have passed since the last sample: the caller
 * then passes the counters to rates_sample. */
int rates_due(const struct rates *r, uint64_t now_ms);
/* Takes a sample at now_ms if due (else does nothing); call it as often
 * as convenient. A counter that went down (CONFIG RESETSTAT) counts as
 * having started again from 0. */
void rates_sample(struct rates *r, uint64_t now_ms,
                  const uint64_t counters[RATE_COUNT]);
/* The mean of the samples of counter k, per second. */
uint64_t rates_get(const struct rates *r, int k);

#endif
