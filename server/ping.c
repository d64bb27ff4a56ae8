/* ping.c - `respite --ping HOST:PORT [PASSWORD]`: a health check that
 * needs neither a shell nor redis-cli, so a container built FROM scratch
 * can run it as its HEALTHCHECK.
 *
 * It opens one TCP connection, sends AUTH PASSWORD first when a password
 * is given, then PING, and reads one reply line per command. The exit
 * status is 0 when the last reply is +PONG, 1 on anything else: a refused
 * or timed-out connection, -NOAUTH (a server with requirepass and no
 * password given), -WRONGPASS, a closed connection. Without a PASSWORD
 * argument the REDISCLI_AUTH environment variable is used, as redis-cli
 * does. The whole exchange
 * has one deadline (PING_TIMEOUT_MS), so a hung server fails the check
 * instead of hanging it.
 *
 * HOST is a numeric IPv4 or IPv6 address ("127.0.0.1:6379",
 * "[::1]:6379"). Names are deliberately not resolved: the image's binary
 * is linked statically, where glibc's getaddrinfo would need NSS modules
 * that scratch does not have. A password on the command line is visible
 * to anyone who can list processes in the container while the check runs;
 * REDISCLI_AUTH is not.
 *
 * Plain blocking sockets plus poll(): no event loop, no allocation, none
 * of the server's state. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server/ping.h"

#define PING_TIMEOUT_MS 2000

/* Milliseconds on the monotonic clock. */
static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Parses "a.b.c.d:port" or "[v6]:port" into ss. Returns 0 or -1. */
static int parse_target(const char *s, struct sockaddr_storage *ss,
                        socklen_t *len)
{
    char host[64];
    const char *colon;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof(host))
            return -1;
        memcpy(host, s + 1, (size_t)(close - s - 1));
        host[close - s - 1] = '\0';
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || (size_t)(colon - s) >= sizeof(host))
            return -1;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
    }
    char *end;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || errno || port < 1 || port > 65535)
        return -1;
    memset(ss, 0, sizeof(*ss));
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((unsigned short)port);
        *len = sizeof(*in4);
        return 0;
    }
    if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((unsigned short)port);
        *len = sizeof(*in6);
        return 0;
    }
    return -1;
}

/* Waits until fd is ready for events or the deadline passes. Returns 0
 * when ready, -1 on timeout or error (errno says which). */
static int wait_fd(int fd, short events, long long deadline)
{
    for (;;) {
        long long left = deadline - mono_ms();
        if (left <= 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        struct pollfd p = { .fd = fd, .events = events };
        int rc = poll(&p, 1, (int)left);
        if (rc > 0)
            return 0;
        if (rc < 0 && errno != EINTR)
            return -1;
    }
}

static int connect_by(int fd, const struct sockaddr_storage *ss,
                      socklen_t len, long long deadline)
{
    if (connect(fd, (const struct sockaddr *)ss, len) == 0)
        return 0;
    if (errno != EINPROGRESS)
        return -1;
    if (wait_fd(fd, POLLOUT, deadline) != 0)
        return -1;
    int soerr = 0;
    socklen_t sl = sizeof(soerr);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
        return -1;
    if (soerr) {
        errno = soerr;
        return -1;
    }
    return 0;
}

static int send_all(int fd, const char *buf, size_t n, long long deadline)
{
    while (n > 0) {
        ssize_t w = send(fd, buf, n, MSG_NOSIGNAL);
        if (w > 0) {
            buf += w;
            n -= (size_t)w;
        } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
            return -1;
        } else if (wait_fd(fd, POLLOUT, deadline) != 0) {
            return -1;
        }
    }
    return 0;
}

/* Reads until `lines` CRLF-terminated lines are in buf (NUL-terminated).
 * Returns 0, or -1 on EOF, error, timeout or a full buffer. */
static int read_lines(int fd, char *buf, size_t cap, int lines,
                      long long deadline)
{
    size_t have = 0;
    buf[0] = '\0';
    for (;;) {
        int seen = 0;
        for (const char *p = buf; (p = strstr(p, "\r\n")) != NULL; p += 2)
            seen++;
        if (seen >= lines)
            return 0;
        if (have + 1 >= cap)
            return -1;
        ssize_t r = recv(fd, buf + have, cap - 1 - have, 0);
        if (r > 0) {
            have += (size_t)r;
            buf[have] = '\0';
        } else if (r == 0) {
            errno = ECONNRESET;
            return -1;
        } else if (errno != EAGAIN && errno != EINTR) {
            return -1;
        } else if (wait_fd(fd, POLLIN, deadline) != 0) {
            return -1;
        }
    }
}

/* Prints the first line of a reply without its CRLF. */
static void print_line(FILE *f, const char *prefix, const char *line)
{
    size_t n = strcspn(line, "\r\n");
    fprintf(f, "%s%.*s\n", prefix, (int)(n > 200 ? 200 : n), line);
}

/* The --ping mode. argv[0] is "HOST:PORT", argv[1] the optional password.
 * Prints PONG on stdout, or the reason on stderr. Returns the process exit
 * status: 0 on +PONG, 1 otherwise, 2 on a usage error. */
int server_ping_main(int argc, char **argv)
{
    struct sockaddr_storage ss;
    socklen_t len = 0;
    if (argc < 1 || argc > 2 || parse_target(argv[0], &ss, &len) != 0) {
        fprintf(stderr, "Usage: respite --ping HOST:PORT [PASSWORD]\n"
                "       HOST is a numeric address: 127.0.0.1:6379, "
                "[::1]:6379\n");
        return 2;
    }
    /* Like redis-cli, take the password from REDISCLI_AUTH when none is
     * given: a container's environment reaches its health check, so the
     * image's HEALTHCHECK works unchanged with requirepass. */
    const char *pass = argc == 2 ? argv[1] : getenv("REDISCLI_AUTH");
    if (pass && !pass[0])
        pass = NULL;
    char req[1024];
    int nreq = 0;
    if (pass) {
        size_t plen = strlen(pass);
        if (plen > 512) {
            fprintf(stderr, "respite --ping: password too long\n");
            return 2;
        }
        nreq = snprintf(req, sizeof(req), "*2\r\n$4\r\nAUTH\r\n$%zu\r\n%s\r\n",
                        plen, pass);
    }
    nreq += snprintf(req + nreq, sizeof(req) - (size_t)nreq,
                     "*1\r\n$4\r\nPING\r\n");

    long long deadline = mono_ms() + PING_TIMEOUT_MS;
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    0);
    char reply[1024];
    int lines = pass ? 2 : 1;
    if (fd < 0 || connect_by(fd, &ss, len, deadline) != 0 ||
        send_all(fd, req, (size_t)nreq, deadline) != 0 ||
        read_lines(fd, reply, sizeof(reply), lines, deadline) != 0) {
        fprintf(stderr, "respite --ping %s: %s\n", argv[0], strerror(errno));
        if (fd >= 0)
            close(fd);
        return 1;
    }
    close(fd);
    /* With a password the first line is AUTH's reply, the second PING's. */
    const char *last = reply;
    if (pass) {
        if (strncmp(reply, "+OK\r\n", 5) != 0) {
            print_line(stderr, "respite --ping: AUTH: ", reply);
            return 1;
        }
        last = reply + 5;
    }
    if (strncmp(last, "+PONG\r\n", 7) != 0) {
        print_line(stderr, "respite --ping: ", last);
        return 1;
    }
    printf("PONG\n");
    return 0;
}
