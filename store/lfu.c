/* lfu.c - access stamps and the LFU counter: what OBJECT IDLETIME and
 * FREQ read and what evict.c ranks keys by.
 *
 * Every entry keeps one byte of access data beside its TTL bit and a
 * 5-bit counter beside its type (store_int.h):
 *
 *   flags  [ stamp: 7 bits | ttl ]     type [ freq: 5 bits | type: 3 ]
 *
 * Without an lfu policy the stamp is the time of the last lookup in
 * units of 1024 ms, modulo 128 (idle times up to about two minutes), and
 * freq is left alone. Under an lfu policy the same bits hold the minute
 * of the counter's last decrement, modulo 128, and each lookup does what
 * Redis does with its 8-bit counter: first decay it by the whole periods
 * of lfu-decay-time minutes since the stamp, then add one with
 * probability 1 / ((counter - 5) * lfu-log-factor + 1), so the counter
 * grows with the logarithm of the hits. A new key starts at 5, so it is
 * not the first to go. The counter stops at 31 (Redis: 255): with the
 * default factor of 10 that is reached after some 3000 hits. The stamp
 * wraps: a key untouched for 128 minutes or more would decay as if
 * untouched for the remainder (Redis's 16-bit minutes wrap after 45
 * days). Eviction therefore writes back the decay of every key it samples
 * (store__lfu_settle), so under memory pressure a key is seen again well
 * within the 128 minutes; a key nothing looks at for that long can keep
 * part of its count (OBJECT FREQ shows it) until it is next read or
 * sampled.
 *
 * The random draw is the store's own generator; callers pass the time,
 * as everywhere in store/. */
#include "store/store_int.h"

/* See store_int.h: e's counter after the periods elapsed from its stamp
 * to stamp (a value of store__lfu_stamp). */
unsigned store__lfu_decayed(const struct store *s,
                            const struct store_entry *e, uint8_t stamp)
{
    unsigned minutes = (uint8_t)(stamp - (e->flags & STORE__F_ATIME)) >> 1;
    unsigned periods = s->lfu_decay ? minutes / s->lfu_decay : 0;
    return periods >= e->freq ? 0 : e->freq - periods;
}

/* See store_int.h: e's counter decayed to stamp, written back. The
 * reference moves by the whole periods only, so a key sampled often
 * still loses one every lfu-decay-time minutes. */
unsigned store__lfu_settle(const struct store *s, struct store_entry *e,
                           uint8_t stamp)
{
    unsigned ref = e->flags & STORE__F_ATIME;
    unsigned minutes = (uint8_t)(stamp - ref) >> 1;
    if (!s->lfu_decay || minutes < s->lfu_decay)
        return e->freq;
    unsigned periods = minutes / s->lfu_decay;
    if (periods >= e->freq) {
        e->freq = 0;
        store__touch(e, stamp);
        return 0;
    }
    e->freq = (e->freq - periods) & STORE__LFU_MAX;
    store__touch(e, (uint8_t)((ref + 2 * periods * s->lfu_decay) &
                              STORE__F_ATIME));
    return e->freq;
}

/* See store_int.h: a lookup at the stamp in s->atime found e. */
void store__lfu_hit(struct store *s, struct store_entry *e)
{
    unsigned c = store__lfu_decayed(s, e, s->atime);
    if (c < STORE__LFU_MAX) {
        uint64_t base = c > STORE__LFU_INIT ? c - STORE__LFU_INIT : 0;
        if (store__rand(s) % (base * s->lfu_log_factor + 1) == 0)
            c++;
    }
    e->freq = c & STORE__LFU_MAX;
    store__touch(e, s->atime);
}

/* See store.h. */
void store_set_lfu(struct store *s, int on, uint32_t log_factor,
                   uint32_t decay_minutes)
{
    s->lfu = on != 0;
    s->lfu_log_factor = log_factor;
    s->lfu_decay = decay_minutes;
}

/* See store.h. */
unsigned store_entry_freq(const struct store *s, const struct store_entry *e,
                          int64_t now_ms)
{
    return store__lfu_decayed(s, e, store__lfu_stamp(now_ms));
}

/* See store.h. */
int64_t store_entry_idle_ms(const struct store_entry *e, int64_t now_ms)
{
    unsigned units = (uint8_t)(store__atime(now_ms) -
                               (e->flags & STORE__F_ATIME)) >> 1;
    return (int64_t)units * 1024;
}

/* See store.h. */
void store_entry_set_access(struct store *s, struct store_entry *e,
                            int64_t idle_ms, int64_t freq, int64_t now_ms)
{
    if (s->lfu) {
        if (freq < 0)
            return;
        e->freq = (freq > STORE__LFU_MAX ? STORE__LFU_MAX : freq) &
                  STORE__LFU_MAX;
        store__touch(e, store__lfu_stamp(now_ms));
    } else if (idle_ms >= 0) {
        int64_t units = idle_ms / 1024 + (idle_ms % 1024 != 0);
        if (units > 127)
            units = 127;
        store__touch(e, (uint8_t)(store__atime(now_ms) - 2 * units) &
                            STORE__F_ATIME);
    }
}

/* See store.h: for unit tests, a generator that repeats. */
void store_set_seed(struct store *s, uint64_t seed)
{
    s->rng = seed;
}
