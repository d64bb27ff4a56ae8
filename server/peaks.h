/* peaks.h - INFO's client_recent_max_input_buffer and
 * client_recent_max_output_buffer (peaks.c): the largest client buffers
 * seen in the last PEAKS_SECONDS seconds, one slot a second, as Redis
 * keeps them. Plain data: the caller passes the time and the sizes in. */
#ifndef RESPITE_PEAKS_H
#define RESPITE_PEAKS_H

#include <stdint.h>

#define PEAKS_SECONDS 8

struct peaks {
    uint64_t in[PEAKS_SECONDS], out[PEAKS_SECONDS];
    int64_t last_s;                     /* the second last noted */
};

void peaks_init(struct peaks *p, int64_t now_s);
/* Notes buffers of in and out bytes seen at now_s; the slots of the
 * seconds since the last note start empty. */
void peaks_note(struct peaks *p, int64_t now_s, uint64_t in, uint64_t out);
/* The largest input / output noted in the last PEAKS_SECONDS seconds,
 * as of the last note. */
uint64_t peaks_max_in(const struct peaks *p);
uint64_t peaks_max_out(const struct peaks *p);

#endif
