/* cmd_latency.c - LATENCY LATEST | HISTORY | GRAPH | RESET | HISTOGRAM |
 * DOCTOR | HELP, INFO latencystats, and what feeds them (the data is
 * latency.c).
 *
 * Per-command latency tracking (latency-tracking yes): client_call
 * already reads the clock around every command for INFO commandstats;
 * the same duration goes into the command's histogram, a few
 * instructions (latency_hist_add) through st->hist_on, which is NULL
 * while tracking is off or before the command's first call. Then
 * latency_track_first allocates it, off the fast path. As in Redis:
 *   - a container's subcommands have histograms of their own
 *     ("config|get"), CONFIG RESETSTAT frees them all, and turning
 *     tracking off keeps them (LATENCY HISTOGRAM still shows them) but
 *     INFO latencystats lists nothing;
 *   - values are clamped to 1 ns..1 s when shown.
 * A blocked command is counted when it is served or CLIENT UNBLOCKed,
 * with the time its runs took (blocking.c), not when it times out or its
 * client goes away: Redis 7.0 records it where it logs it slow.
 *
 * The latency monitor (latency-monitor-threshold ms, 0 off): "command"
 * and "fast-command" (CMD_FAST) from client_call's slow path, whenever a
 * command that did not block ran that long; "expire-cycle" from the
 * sweeper's tick; "eviction-cycle" and "eviction-del" from maxmemory.c;
 * "fork" from BGSAVE's fork (persist.c).
 * client_call tests srv->observe_ns, the smaller of the two thresholds,
 * so the monitor adds nothing to a fast command.
 *
 * LATENCY DOCTOR is a report in plain words of the same series (Redis
 * has one too; the wording and the advice here are Respite's own): per
 * event what it measures, how many spikes are kept, the latest, worst and
 * average, how often they came; then advice for the events seen, naming
 * the settings that bear on each. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "server/handlers.h"
#include "server/server.h"

/* Redis records 1 ns..1 s (larger values as 1 s). */
#define TRACK_MAX_NS 1000000000ull
/* LATENCY HISTOGRAM's steps: 1024 ns, doubling, 21 of them; the last
 * covers everything up to the 1 s clamp. */
#define CDF_STEPS 21

void latency_configure(struct server *srv)
{
    int64_t ms = srv->conf.latency_monitor_threshold;
    srv->latency_threshold_ns = ms <= 0 ? UINT64_MAX
                              : (uint64_t)ms > UINT64_MAX / 1000000
                                  ? UINT64_MAX - 1
                                  : (uint64_t)ms * 1000000;
    srv->observe_ns = srv->latency_threshold_ns < srv->slowlog_threshold_ns
                          ? srv->latency_threshold_ns
                          : srv->slowlog_threshold_ns;
    int on = srv->conf.latency_tracking;
    for (size_t i = 0; i < srv->ncmdstats; i++)
        srv->cmdstats[i].hist_on = on ? srv->cmdstats[i].hist : NULL;
}

void latency_event(struct server *srv, enum latency_event ev, uint64_t ns)
{
    if (ns < srv->latency_threshold_ns)
        return;
    uint64_t ms = ns / 1000000;
    /* On OOM the sample is lost, as the slow log loses an entry. */
    latency_monitor_add(&srv->latency, ev, (int64_t)time(NULL),
                        ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms);
}

void latency_track_first(struct server *srv, struct command_stats *st,
                         uint64_t ns)
{
    if (!srv->conf.latency_tracking)
        return;
    if (!st->hist) {
        st->hist = calloc(LATENCY_HIST_BUCKETS, sizeof(*st->hist));
        if (!st->hist)
            return;                 /* the sample is lost */
    }
    st->hist_on = st->hist;
    latency_hist_add(st->hist, ns, 1);
}

void latency_track_unblocked(struct server *srv, const struct command *cmd,
                             uint64_t ns)
{
    struct command_stats *st = command_stats_of_cmd(srv, cmd);
    if (st->hist_on)
        latency_hist_add(st->hist_on, ns, 1);
    else
        latency_track_first(srv, st, ns);
}

void latency_free(struct server *srv, int all)
{
    for (size_t i = 0; i < srv->ncmdstats; i++) {
        free(srv->cmdstats[i].hist);
        srv->cmdstats[i].hist = srv->cmdstats[i].hist_on = NULL;
    }
    if (all)
        latency_monitor_close(&srv->latency);
}

/* ------------------------------------------------------------------------
 * Walking the histograms by name
 * --------------------------------------------------------------------- */

/* "get", "config|get": Redis's full name, lower case. */
static void full_name(char *buf, size_t cap, const char *cmd,
                      const char *sub)
{
    int n = snprintf(buf, cap, "%s%s%s", cmd, sub ? "|" : "",
                     sub ? sub : "");
    for (int k = 0; k < n && k < (int)cap; k++)
        buf[k] = (char)tolower((unsigned char)buf[k]);
}

typedef void (*hist_visit_cb)(void *ctx, const char *name,
                              const uint64_t *hist);

/* Visits command i, then its subcommands (sub < 0: all of them; else
 * only that one), each that has samples. */
static void visit(const struct server *srv, size_t i, long sub,
                  hist_visit_cb cb, void *ctx)
{
    size_t n;
    const struct command *t = command_table(&n);
    char name[96];
    const struct command_stats *st = &srv->cmdstats[i];
    if (sub < 0 && st->hist && latency_hist_total(st->hist)) {
        full_name(name, sizeof(name), t[i].name, NULL);
        cb(ctx, name, st->hist);
    }
    for (size_t j = 0; t[i].subs && j < t[i].subs->n; j++) {
        st = &srv->cmdstats[srv->sub_stats[i] + j];
        if ((sub >= 0 && (size_t)sub != j) || !st->hist ||
            !latency_hist_total(st->hist))
            continue;
        full_name(name, sizeof(name), t[i].name, t[i].subs->subs[j].name);
        cb(ctx, name, st->hist);
    }
}

/* The command a LATENCY HISTOGRAM argument names, as Redis's lookup by
 * full name: "get" or "config|get", any case. Sets *sub to the
 * subcommand's index, or -1 for the command itself. Returns the command's
 * index in the table, or -1. */
static long lookup_full_name(const struct server *srv, const char *s,
                             size_t len, long *sub)
{
    const struct subcommand *sc;
    const struct command *cmd = command_lookup_full(srv, s, len, &sc);
    if (!cmd)
        return -1;
    size_t n;
    *sub = sc ? (long)(sc - cmd->subs->subs) : -1;
    return (long)(cmd - command_table(&n));
}

/* ------------------------------------------------------------------------
 * INFO latencystats
 * --------------------------------------------------------------------- */

/* One "latency_percentiles_usec_<name>:p50=1.003,..." line: each
 * percentile as CONFIG GET shows it, the value in us with 3 decimals. */
static void info_line(void *ctx, const char *name, const uint64_t *hist)
{
    void **a = ctx;
    struct resp_out *o = a[0];
    const char *list = a[1];
    char buf[160];
    int n = snprintf(buf, sizeof(buf), "latency_percentiles_usec_%s:", name);
    resp_add_raw(o, buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        double pct = strtod(p, NULL);
        uint64_t ns = latency_hist_percentile(hist, pct, TRACK_MAX_NS);
        n = snprintf(buf, sizeof(buf), "%sp%.*s=%.3f", p == list ? "" : ",",
                     (int)(len > 40 ? 40 : len), p, (double)ns / 1000.0);
        resp_add_raw(o, buf, (size_t)n);    /* at most 1 + 41 + 1 + 24 */
        p = end ? end + 1 : p + len;
    }
    resp_add_raw(o, "\r\n", 2);
}

void latency_info(struct resp_out *o, const struct server *srv)
{
    if (!srv->conf.latency_tracking)
        return;
    const char *list = srv->conf.latency_tracking_info_percentiles;
    void *ctx[2] = { o, (void *)(list ? list : "") };
    size_t n;
    command_table(&n);
    for (size_t i = 0; i < n; i++)
        visit(srv, i, -1, info_line, ctx);
}

/* ------------------------------------------------------------------------
 * LATENCY HISTOGRAM
 * --------------------------------------------------------------------- */

/* Redis's key for step k: the largest value its HdrHistogram (two
 * significant digits) counts at 1024 << k ns, in us; the last step is the
 * end of its 1 s range. */
static int64_t cdf_key(int k)
{
    if (k == CDF_STEPS - 1)
        return (int64_t)(((1ull << 30) - 1) / 1000);
    return (int64_t)(((129ull << (3 + k)) - 1) / 1000);
}

/* {calls, histogram_usec: {key: samples up to it}}: cumulative counts at
 * the steps, those that add samples only. */
static void reply_cdf(struct client *c, const uint64_t *hist)
{
    uint64_t total = latency_hist_total(hist);
    uint64_t cum[CDF_STEPS];
    size_t used = 0;
    uint64_t prev = 0;
    for (int k = 0; k < CDF_STEPS; k++) {
        cum[k] = k == CDF_STEPS - 1 ? total
                                    : latency_hist_below(hist, 1024ull << k);
        used += cum[k] > prev;
        prev = cum[k];
    }
    resp_add_map(&c->out, 2);
    resp_add_bulk_cstr(&c->out, "calls");
    resp_add_int(&c->out, (int64_t)total);
    resp_add_bulk_cstr(&c->out, "histogram_usec");
    resp_add_map(&c->out, used);
    prev = 0;
    for (int k = 0; k < CDF_STEPS; k++) {
        if (cum[k] > prev) {
            resp_add_int(&c->out, cdf_key(k));
            resp_add_int(&c->out, (int64_t)cum[k]);
        }
        prev = cum[k];
    }
}

static void count_one(void *ctx, const char *name, const uint64_t *hist)
{
    (void)name;
    (void)hist;
    (*(size_t *)ctx)++;
}

static void reply_one(void *ctx, const char *name, const uint64_t *hist)
{
    struct client *c = ctx;
    resp_add_bulk_cstr(&c->out, name);
    reply_cdf(c, hist);
}

/* Visits what LATENCY HISTOGRAM [name ...] shows: every command with
 * samples, or those named (unknown names skipped, repeats repeated). */
static void histogram_each(struct client *c, hist_visit_cb cb, void *ctx)
{
    struct server *srv = c->srv;
    size_t n;
    command_table(&n);
    if (c->argc == 2) {
        for (size_t i = 0; i < n; i++)
            visit(srv, i, -1, cb, ctx);
        return;
    }
    for (size_t a = 2; a < c->argc; a++) {
        long sub;
        long i = lookup_full_name(srv, c->argv[a], c->argvlen[a], &sub);
        if (i < 0)
            continue;
        /* A subcommand named alone; a command, then its subcommands. */
        visit(srv, (size_t)i, sub, cb, ctx);
    }
}

static void latency_histogram(struct client *c)
{
    size_t n = 0;
    histogram_each(c, count_one, &n);
    resp_add_map(&c->out, n);
    histogram_each(c, reply_one, c);
}

/* ------------------------------------------------------------------------
 * The latency monitor's subcommands
 * --------------------------------------------------------------------- */

/* LATEST: [event, time, latest ms, all-time max ms] per event. */
static void latency_latest(struct client *c)
{
    const struct latency_monitor *m = &c->srv->latency;
    size_t n = 0;
    for (int i = 0; i < LATENCY_EV_COUNT; i++)
        n += m->series[i] != NULL;
    resp_add_array(&c->out, n);
    for (int i = 0; i < LATENCY_EV_COUNT; i++) {
        const struct latency_series *s = m->series[i];
        if (!s)
            continue;
        const struct latency_sample *x = latency_series_newest(s);
        resp_add_array(&c->out, 4);
        resp_add_bulk_cstr(&c->out, latency_event_name((enum latency_event)i));
        resp_add_int(&c->out, x->time);
        resp_add_int(&c->out, x->ms);
        resp_add_int(&c->out, s->max_ms);
    }
}

/* HISTORY event: [time, ms] pairs, oldest first; none for an event
 * without samples (or no such event). */
static void latency_history(struct client *c)
{
    int ev = latency_event_lookup(c->argv[2], c->argvlen[2]);
    const struct latency_series *s = ev < 0 ? NULL
                                            : c->srv->latency.series[ev];
    if (!s) {
        resp_add_array(&c->out, 0);
        return;
    }
    struct latency_sample x[LATENCY_SERIES_LEN];
    size_t n = latency_series_samples(s, x);
    resp_add_array(&c->out, n);
    for (size_t i = 0; i < n; i++) {
        resp_add_array(&c->out, 2);
        resp_add_int(&c->out, x[i].time);
        resp_add_int(&c->out, x[i].ms);
    }
}

/* ------------------------------------------------------------------------
 * LATENCY GRAPH: Redis's ASCII chart of a series, rebuilt from what it
 * prints. A title line, 80 dashes, then the samples oldest first in
 * blocks of up to 80 columns (a blank line between blocks), each block
 *
 *     4 rows of bars     a sample's height is (ms - low) * 12 / (high -
 *                        low) steps, truncated, at most 11: its top row
 *                        shows '_', 'o' or '#' for the step's third, the
 *                        rows under it '|'
 *     a blank row
 *     its labels         how long ago, "12s", "5m", "3h" or "2d", written
 *                        downwards, one character a row
 * --------------------------------------------------------------------- */

#define GRAPH_COLS 80
#define GRAPH_ROWS 4

/* "12s", "5m", "3h", "2d": how long ago t was, as Redis labels it. */
static void age_label(char *buf, size_t cap, int64_t now, int64_t t)
{
    int64_t s = now - t;
    if (s < 60)
        snprintf(buf, cap, "%llds", (long long)s);
    else if (s < 3600)
        snprintf(buf, cap, "%lldm", (long long)(s / 60));
    else if (s < 86400)
        snprintf(buf, cap, "%lldh", (long long)(s / 3600));
    else
        snprintf(buf, cap, "%lldd", (long long)(s / 86400));
}

/* One block of n columns: x[0..n) with their labels. */
static void graph_block(struct resp_out *o, const struct latency_sample *x,
                        char (*label)[24], size_t n, uint32_t low,
                        uint32_t high)
{
    static const char tops[3] = { '_', 'o', '#' };
    double range = high > low ? (double)(high - low) : 1.0;
    char line[GRAPH_COLS + 1];
    for (int row = 0; row < GRAPH_ROWS; row++) {
        for (size_t j = 0; j < n; j++) {
            int step = (int)((double)(x[j].ms - low) * (3 * GRAPH_ROWS) /
                             range);
            if (step > 3 * GRAPH_ROWS - 1)
                step = 3 * GRAPH_ROWS - 1;
            int level = step - (GRAPH_ROWS - 1 - row) * 3;
            line[j] = level < 0 ? ' ' : level < 3 ? tops[level] : '|';
        }
        line[n] = '\n';
        resp_add_raw(o, line, n + 1);
    }
    memset(line, ' ', n);
    resp_add_raw(o, line, n + 1);
    for (size_t k = 0;; k++) {
        int any = 0;
        for (size_t j = 0; j < n; j++) {
            int has = strlen(label[j]) > k;
            line[j] = has ? label[j][k] : ' ';
            any |= has;
        }
        if (!any)
            break;
        resp_add_raw(o, line, n + 1);
    }
}

/* GRAPH event: the chart as a verbatim string. */
static void latency_graph(struct client *c)
{
    int ev = latency_event_lookup(c->argv[2], c->argvlen[2]);
    const struct latency_series *s = ev < 0 ? NULL
                                            : c->srv->latency.series[ev];
    if (!s) {
        reply_error(c, ERR_LATENCY_NO_SAMPLES, ARGV_CLIPPED(c, 2));
        return;
    }
    struct latency_sample x[LATENCY_SERIES_LEN];
    char label[LATENCY_SERIES_LEN][24];
    size_t n = latency_series_samples(s, x);
    int64_t now = (int64_t)time(NULL);
    uint32_t low = x[0].ms, high = x[0].ms;
    for (size_t i = 0; i < n; i++) {
        low = x[i].ms < low ? x[i].ms : low;
        high = x[i].ms > high ? x[i].ms : high;
        age_label(label[i], sizeof(label[i]), now, x[i].time);
    }
    struct resp_out text;
    resp_out_init(&text, 2);
    char head[160];
    int len = snprintf(head, sizeof(head),
                       "%s - high %lu ms, low %lu ms (all time high %lu ms)\n",
                       latency_event_name((enum latency_event)ev),
                       (unsigned long)high, (unsigned long)low,
                       (unsigned long)s->max_ms);
    resp_add_raw(&text, head, (size_t)len);
    char dashes[GRAPH_COLS + 1];
    memset(dashes, '-', GRAPH_COLS);
    dashes[GRAPH_COLS] = '\n';
    resp_add_raw(&text, dashes, sizeof(dashes));
    for (size_t j = 0; j < n; j += GRAPH_COLS) {
        if (j)
            resp_add_raw(&text, "\n", 1);
        size_t w = n - j < GRAPH_COLS ? n - j : GRAPH_COLS;
        graph_block(&text, x + j, label + j, w, low, high);
    }
    reply_text(c, &text);
}

/* RESET [event ...]: the number of events that had samples and lost
 * them. */
static void latency_reset_cmd(struct client *c)
{
    struct latency_monitor *m = &c->srv->latency;
    int64_t n = 0;
    if (c->argc == 2) {
        for (int i = 0; i < LATENCY_EV_COUNT; i++)
            n += latency_monitor_reset(m, (enum latency_event)i);
    }
    for (size_t a = 2; a < c->argc; a++) {
        int ev = latency_event_lookup(c->argv[a], c->argvlen[a]);
        if (ev >= 0)
            n += latency_monitor_reset(m, (enum latency_event)ev);
    }
    resp_add_int(&c->out, n);
}

/* ------------------------------------------------------------------------
 * LATENCY DOCTOR
 * --------------------------------------------------------------------- */

/* What each event times, completing "spikes of ...". */
static const char *const event_what[LATENCY_EV_COUNT] = {
    [LATENCY_EV_COMMAND] = "commands not flagged fast, each timed on its own",
    [LATENCY_EV_FAST_COMMAND] =
        "commands flagged fast (O(1) or O(log N) ones such as GET or INCR)",
    [LATENCY_EV_EXPIRE_CYCLE] =
        "the sweeper's tick that deletes expired keys in the background",
    [LATENCY_EV_EVICTION_CYCLE] =
        "eviction passes, run before a command while used memory is over "
        "maxmemory",
    [LATENCY_EV_EVICTION_DEL] = "the deletion of one evicted key",
    [LATENCY_EV_FORK] =
        "the fork of the child that writes a snapshot (BGSAVE, or a save "
        "point reached)",
};

/* "this second", "12 s ago", "5 min ago", "3 h ago", "2 days ago". */
static void ago(char *buf, size_t cap, int64_t secs)
{
    if (secs <= 0)
        snprintf(buf, cap, "this second");
    else if (secs < 120)
        snprintf(buf, cap, "%lld s ago", (long long)secs);
    else if (secs < 7200)
        snprintf(buf, cap, "%lld min ago", (long long)(secs / 60));
    else if (secs < 172800)
        snprintf(buf, cap, "%lld h ago", (long long)(secs / 3600));
    else
        snprintf(buf, cap, "%lld days ago", (long long)(secs / 86400));
}

/* One numbered paragraph on event ev's series s. */
static void doctor_event(struct resp_out *o, int num, enum latency_event ev,
                         const struct latency_series *s, int64_t now)
{
    struct latency_sample x[LATENCY_SERIES_LEN];
    size_t n = latency_series_samples(s, x);
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i].ms;
    char when[32];
    ago(when, sizeof(when), now - x[n - 1].time);
    resp_add_rawf(o, "%d. %s: spikes of %s.\n", num, latency_event_name(ev),
        event_what[ev]);
    resp_add_rawf(o,
        "   %zu second%s with a spike kept (at most %d are); the latest "
        "(%s) took %lu ms; the worst since the last reset %lu ms; "
        "%.1f ms on average over those kept.\n",
        n, n == 1 ? "" : "s", LATENCY_SERIES_LEN, when,
        (unsigned long)x[n - 1].ms, (unsigned long)s->max_ms,
        (double)sum / (double)n);
    if (n > 1)
        resp_add_rawf(o,
            "   One spike every %.1f s on average, over the %lld s "
            "between the first and the latest kept.\n",
            (double)(x[n - 1].time - x[0].time) / (double)(n - 1),
            (long long)(x[n - 1].time - x[0].time));
    else
        resp_add_rawf(o,
            "   A single spike so far: no pattern to read yet.\n");
}

/* The advice for the events in seen[], each piece once. */
static void doctor_advice(struct resp_out *o, const struct server *srv,
                          const int *seen)
{
    const struct conf *cf = &srv->conf;
    /* The monitor's threshold in us, as the slow log counts; 0 when the
     * monitor is off, or for a threshold too large to say in us. */
    int64_t us = cf->latency_monitor_threshold > 0 &&
                         cf->latency_monitor_threshold < INT64_MAX / 1000
                     ? cf->latency_monitor_threshold * 1000 : 0;
    resp_add_rawf(o, "What to look at:\n\n");
    if (seen[LATENCY_EV_COMMAND] || seen[LATENCY_EV_FAST_COMMAND]) {
        if (cf->slowlog_log_slower_than < 0)
            resp_add_rawf(o,
                "- The slow log is off (slowlog-log-slower-than is "
                "negative). Turn it on with CONFIG SET "
                "slowlog-log-slower-than %lld (%s), and SLOWLOG GET will "
                "name the commands behind the next spikes, with their "
                "arguments and clients.\n",
                (long long)(us ? us : 10000),
                us ? "the monitor's threshold in microseconds"
                   : "microseconds; 10 ms, for instance");
        else if (us && cf->slowlog_log_slower_than > us)
            resp_add_rawf(o,
                "- The slow log keeps only commands slower than %lld us, "
                "longer than the monitor's threshold, so some spikes have "
                "no entry there. CONFIG SET slowlog-log-slower-than %lld "
                "makes SLOWLOG GET list every command behind a spike.\n",
                (long long)cf->slowlog_log_slower_than, (long long)us);
        else
            resp_add_rawf(o,
                "- SLOWLOG GET lists the recent slow commands with their "
                "arguments, client and duration: start there to see which "
                "calls made these spikes.\n");
    }
    if (seen[LATENCY_EV_COMMAND])
        resp_add_rawf(o,
            "- Respite runs one command at a time, so a command that "
            "walks a whole keyspace or collection (KEYS, SMEMBERS, HGETALL, "
            "LRANGE 0 -1, SORT, the set and sorted set unions and "
            "intersections) holds up every client meanwhile. Prefer SCAN, "
            "SSCAN, HSCAN and ZSCAN, and ranges read in pieces. Deleting a "
            "big value costs time too: Respite frees its memory at once, "
            "with UNLINK as with DEL. Long EVAL or FCALL scripts and big "
            "MULTI blocks count as one command.\n");
    if (seen[LATENCY_EV_FAST_COMMAND])
        resp_add_rawf(o,
            "- A command flagged fast should take microseconds, so slow "
            "ones point at the machine rather than at the command: the "
            "process being swapped out, CPU time taken by other processes "
            "or by a virtual machine's neighbours, or transparent huge "
            "pages. redis-cli --intrinsic-latency 10, run on the host, "
            "shows how much latency the system adds by itself.\n");
    if (seen[LATENCY_EV_EXPIRE_CYCLE])
        resp_add_rawf(o,
            "- The sweeper runs hz times a second (hz is now %d) and "
            "may spend active-expire-budget-us (now %lld us) on each run; "
            "it reads the clock only every few rounds, so one key that is "
            "slow to delete (a big hash, set, list or stream) can take it "
            "past that. Many keys expiring at the same moment make longer "
            "runs too: spread their TTLs, or keep the collections that "
            "expire small. A smaller active-expire-budget-us with a higher "
            "hz does the same work in shorter steps.\n",
            cf->hz, (long long)cf->active_expire_budget_us);
    if (seen[LATENCY_EV_EVICTION_CYCLE] || seen[LATENCY_EV_EVICTION_DEL])
        resp_add_rawf(o,
            "- Eviction is running: used memory went over maxmemory "
            "(now %llu bytes, policy %s). Each command first evicts keys "
            "for up to the time maxmemory-eviction-tenacity allows (now "
            "%lld); a lower value spreads the work over more commands. "
            "Big values are slow to evict one by one, and a maxmemory "
            "with some headroom for the dataset avoids evicting at "
            "all.\n",
            (unsigned long long)cf->maxmemory,
            cf->maxmemory_policy ? cf->maxmemory_policy : "?",
            (long long)cf->maxmemory_eviction_tenacity);
    if (seen[LATENCY_EV_FORK])
        resp_add_rawf(o,
            "- Each BGSAVE, asked for or started by a save point, forks "
            "a child to write the snapshot (so does a SYNC, for "
            "redis-cli --rdb, and a SCRIPT DEBUG YES session), and the "
            "fork copies the process's page tables: the bigger the "
            "dataset, the longer the server stands still (on the order of "
            "10 ms per GB, more on some virtual machines). Keep "
            "transparent huge pages off, save less often (the save "
            "directive), or run BGSAVE when the load is low.\n");
    resp_add_rawf(o,
        "\nLATENCY HISTORY <event> lists an event's samples, LATENCY "
        "GRAPH <event> charts them, and LATENCY RESET forgets them.\n");
}

/* DOCTOR: a report in words of the monitor's events and what to do about
 * them, as a verbatim string. */
static void latency_doctor(struct client *c)
{
    const struct server *srv = c->srv;
    const struct latency_monitor *m = &srv->latency;
    int64_t threshold = srv->conf.latency_monitor_threshold;
    int seen[LATENCY_EV_COUNT] = {0}, nseen = 0;
    for (int i = 0; i < LATENCY_EV_COUNT; i++)
        nseen += seen[i] = m->series[i] != NULL;
    struct resp_out text;
    resp_out_init(&text, 2);
    if (threshold <= 0 && !nseen) {
        resp_add_rawf(&text,
            "The latency monitor is off (latency-monitor-threshold "
            "is 0), so Respite has nothing to report. Turn it on with "
            "CONFIG SET latency-monitor-threshold <milliseconds>: from then "
            "on every command, expiry sweep or eviction that takes at least "
            "that long is recorded, and this report explains what was "
            "seen.\n");
    } else if (!nseen) {
        resp_add_rawf(&text,
            "No latency spike recorded: nothing has taken %lld ms "
            "or more (latency-monitor-threshold) since the server started "
            "or since the last LATENCY RESET. All is calm.\n",
            (long long)threshold);
    } else {
        int64_t now = (int64_t)time(NULL);
        resp_add_rawf(&text, "Latency report: %d kind%s of event reached the "
            "monitor's threshold", nseen, nseen == 1 ? "" : "s");
        if (threshold > 0)
            resp_add_rawf(&text, " of %lld ms.\n\n", (long long)threshold);
        else
            resp_add_rawf(&text, ". The monitor is off now "
                "(latency-monitor-threshold is 0): these were recorded "
                "before it was turned off.\n\n");
        int num = 0;
        for (int i = 0; i < LATENCY_EV_COUNT; i++) {
            if (!seen[i])
                continue;
            doctor_event(&text, ++num, (enum latency_event)i, m->series[i],
                         now);
            resp_add_rawf(&text, "\n");
        }
        doctor_advice(&text, srv, seen);
    }
    reply_text(c, &text);
}

static void latency_help(struct client *c)
{
    static const char *const lines[] = {
        "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
        "    If no commands are specified then all histograms are replied.",
        "HELP",
        "    Prints this help.",
    };
    reply_help(c, lines, sizeof(lines) / sizeof(lines[0]));
}

/* Redis 7.0's flags: admin, noscript, loading, stale; HELP only the
 * last two. */
static const struct subcommand latency_sub_list[] = {
    { "DOCTOR", latency_doctor, 2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE },
    { "LATEST", latency_latest, 2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE },
    { "HISTORY", latency_history, 3, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE },
    { "GRAPH", latency_graph, 3, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE },
    { "RESET", latency_reset_cmd, -2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE },
    { "HISTOGRAM", latency_histogram, -2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE },
    { "HELP", latency_help, 2, CMD_LOADING | CMD_STALE },
};

const struct subcommand_table latency_subs = {
    latency_sub_list, sizeof(latency_sub_list) / sizeof(latency_sub_list[0])
};

/* LATENCY subcommand ...: dispatches on argv[1]. */
void cmd_latency(struct client *c)
{
    subcommand_dispatch(c, &latency_subs);
}
