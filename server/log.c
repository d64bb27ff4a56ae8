/* log.c - one line per event on stderr (or logfile): pid, role, time,
 * level mark and message, the shape Redis's log has so the same eyes and
 * greps work. Levels: 'd' debug, 'v' verbose, 'n' notice, 'w' warning.
 * The file is opened for each line, as Redis does, so a rotated file is
 * picked up, and a relative logfile is in dir, where Redis would have
 * changed into. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "server/server.h"

static int level_rank(char level)
{
    switch (level) {
    case 'd': return 0;
    case 'v': return 1;
    case 'n': return 2;
    default: return 3;
    }
}

static int conf_rank(const char *name)
{
    if (!name || strcmp(name, "notice") == 0)
        return 2;
    if (strcmp(name, "debug") == 0)
        return 0;
    if (strcmp(name, "verbose") == 0)
        return 1;
    return 3;
}

/* Writes one log line if level passes the configured loglevel. */
void server_log(const struct server *srv, char level, const char *fmt, ...)
{
    if (level_rank(level) < conf_rank(srv->conf.loglevel))
        return;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    char when[64];
    size_t n = strftime(when, sizeof(when), "%d %b %Y %H:%M:%S", &tm);
    snprintf(when + n, sizeof(when) - n, ".%03d", (int)(tv.tv_usec / 1000));
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    const char *marks = ".-*#";
    FILE *out = stderr;
    int opened = 0;
    char pbuf[PATH_MAX];
    const char *path = server_dir_path(srv, srv->conf.logfile, pbuf,
                                       sizeof(pbuf));
    if (path) {
        FILE *f = fopen(path, "a");
        if (f) {
            out = f;
            opened = 1;
        }
    }
    fprintf(out, "%d:%c %s %c %s\n", (int)getpid(), srv->child ? 'C' : 'M',
            when, marks[level_rank(level)], msg);
    if (opened)
        fclose(out);
    else
        fflush(out);
}
