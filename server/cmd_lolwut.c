/* cmd_lolwut.c - LOLWUT [VERSION v [n ...]]: a small drawing, then the
 * server's version.
 *
 * Redis answers LOLWUT with a piece of computer art chosen by version
 * (5: squares after Georg Nees, 6: a city skyline) or, for its own
 * version, only its version line. Respite draws one picture of its own,
 * a contour map of hills that are not there:
 *
 *     heights   value noise: a lattice of pseudo-random heights (a hash
 *               of seed, lattice point and octave), smoothly
 *               interpolated, three octaves, each twice as fine and 0.4
 *               times as strong as the last; y is stretched by two,
 *               since a character cell is about twice as tall as wide
 *     contours  the heights cut into LEVELS bands; each character cell
 *               looks at the bands of its four corners and, where they
 *               differ, draws the edge between the highest band and the
 *               rest as marching squares would: '|', '_', '/' or '\'
 *     shading   cells inside the top band are dotted, as summits
 *
 * The picture is a function of its size and seed alone, so the same call
 * always gives the same bytes. The seed is VERSION's number (0 without
 * VERSION); the sizes follow Redis's arguments, parsed and clamped as
 * Redis parses them so that the same calls fail with the same errors:
 *
 *     LOLWUT                              66 x 12, 8 hills across
 *     LOLWUT VERSION 5 [cols [hills [rows]]]   cols 1-1000, hills 1-200,
 *                                         rows 1-200 (Redis: canvas
 *                                         columns, squares per row and
 *                                         per column)
 *     LOLWUT VERSION 6 [cols [rows]]      cols and rows 1-1000
 *     LOLWUT VERSION other ...            as without VERSION; the rest
 *                                         is not read (Redis ignores it)
 *
 * Versions are matched as Redis matches them, on the number's low 32
 * bits. Output is at most 1000 x 1000 cells plus three lines, built in a
 * scratch buffer two rows of heights at a time. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "server/handlers.h"
#include "server/server.h"

#define LEVELS 6
#define OCTAVES 3

struct lolwut_art {
    int64_t cols, rows;        /* characters across and down */
    int64_t hills;             /* about how many across the width: the
                                  coarsest octave has hills / 2 lattice
                                  cells there, each a rise and a fall */
    uint32_t seed;
};

/* splitmix64's finalizer: a well-mixed 64-bit hash of v. */
static uint64_t mix64(uint64_t v)
{
    v ^= v >> 30;
    v *= 0xbf58476d1ce4e5b9ull;
    v ^= v >> 27;
    v *= 0x94d049bb133111ebull;
    return v ^ (v >> 31);
}

/* The height in [0, 1) of lattice point (ix, iy) of octave oct. */
static double lattice(uint32_t seed, int64_t ix, int64_t iy, int oct)
{
    uint64_t h = mix64(((uint64_t)seed << 8 | (uint64_t)oct) ^
                       mix64((uint64_t)ix * 0x9e3779b97f4a7c15ull ^
                             (uint64_t)iy));
    return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

static double smoothstep(double t)
{
    return t * t * (3.0 - 2.0 * t);
}

/* One octave: the lattice heights around (fx, fy), blended. */
static double octave(uint32_t seed, double fx, double fy, int oct)
{
    double x0 = floor(fx), y0 = floor(fy);
    double tx = smoothstep(fx - x0), ty = smoothstep(fy - y0);
    int64_t ix = (int64_t)x0, iy = (int64_t)y0;
    double a = lattice(seed, ix, iy, oct);
    double b = lattice(seed, ix + 1, iy, oct);
    double c = lattice(seed, ix, iy + 1, oct);
    double d = lattice(seed, ix + 1, iy + 1, oct);
    double top = a + (b - a) * tx, bottom = c + (d - c) * tx;
    return top + (bottom - top) * ty;
}

/* The band (0..LEVELS-1) of corner (x, y) of the character grid. */
static int band(const struct lolwut_art *a, int64_t x, int64_t y)
{
    double step = 0.5 * (double)a->hills / (double)a->cols;
    double fx = (double)x * step, fy = (double)y * 2.0 * step;
    double sum = 0.0, weight = 1.0, total = 0.0;
    for (int oct = 0; oct < OCTAVES; oct++) {
        sum += weight * octave(a->seed, fx, fy, oct);
        total += weight;
        fx *= 2.0;
        fy *= 2.0;
        weight *= 0.4;
    }
    int b = (int)(sum / total * LEVELS);
    return b < 0 ? 0 : b >= LEVELS ? LEVELS - 1 : b;
}

/* The character of a cell whose corners are in bands tl, tr, bl, br. */
static char cell(int tl, int tr, int bl, int br)
{
    int top = tl;
    top = tr > top ? tr : top;
    top = bl > top ? bl : top;
    top = br > top ? br : top;
    if (tl == top && tr == top && bl == top && br == top)
        return top == LEVELS - 1 ? '.' : ' ';
    /* Which corners are in the highest band: tl 8, tr 4, br 2, bl 1. The
     * edge runs between them and the others; a saddle (5, 10) gets the
     * diagonal that both of its edges lean along. */
    static const char edge[16] = {
        ' ', '\\', '/', '_', '\\', '/', '|', '/',
        '/', '|', '\\', '\\', '_', '/', '\\', ' ',
    };
    int bits = (tl == top) << 3 | (tr == top) << 2 | (br == top) << 1 |
               (bl == top);
    return edge[bits];
}

/* Draws a into o: rows lines of cols characters. */
static void draw(struct resp_out *o, const struct lolwut_art *a)
{
    size_t w = (size_t)a->cols;
    int *up = malloc((w + 1) * sizeof(*up));
    int *down = malloc((w + 1) * sizeof(*down));
    char *line = malloc(w + 1);
    if (!up || !down || !line) {
        o->nomem = 1;
        goto out;
    }
    for (size_t x = 0; x <= w; x++)
        up[x] = band(a, (int64_t)x, 0);
    for (int64_t y = 0; y < a->rows; y++) {
        for (size_t x = 0; x <= w; x++)
            down[x] = band(a, (int64_t)x, y + 1);
        for (size_t x = 0; x < w; x++)
            line[x] = cell(up[x], up[x + 1], down[x], down[x + 1]);
        line[w] = '\n';
        resp_add_raw(o, line, w + 1);
        int *t = up;
        up = down;
        down = t;
    }
out:
    free(up);
    free(down);
    free(line);
}

/* Parses argument i, if there is one, into *v clamped to lo..hi. Returns
 * 0 after replying Redis's error for a non-integer. */
static int size_arg(struct client *c, size_t i, int64_t lo, int64_t hi,
                    int64_t *v)
{
    if (i < c->argc && !arg_i64_or_reply(c, i, v))
        return 0;
    *v = *v < lo ? lo : *v > hi ? hi : *v;
    return 1;
}

void cmd_lolwut(struct client *c)
{
    struct lolwut_art a = { .cols = 66, .rows = 12, .hills = 8, .seed = 0 };
    if (c->argc >= 3 && arg_is(c, 1, "VERSION")) {
        int64_t v;
        if (!arg_i64_or_reply(c, 2, &v))
            return;
        a.seed = (uint32_t)v;
        if (a.seed == 5) {
            if (!size_arg(c, 3, 1, 1000, &a.cols) ||
                !size_arg(c, 4, 1, 200, &a.hills) ||
                !size_arg(c, 5, 1, 200, &a.rows))
                return;
        } else if (a.seed == 6) {
            a.cols = 80;
            a.rows = 20;
            if (!size_arg(c, 3, 1, 1000, &a.cols) ||
                !size_arg(c, 4, 1, 1000, &a.rows))
                return;
        }
    }
    struct resp_out text;
    resp_out_init(&text, 2);
    draw(&text, &a);
    char tail[160];
    int n = snprintf(tail, sizeof(tail),
                     "\nContour lines of hills that are not there, seed "
                     "%lu.\nRespite ver. %s\n",
                     (unsigned long)a.seed, RESPITE_VERSION);
    resp_add_raw(&text, tail, (size_t)n);
    reply_text(c, &text);
}
