/* crash.c - the crash log of Redis's crash-log-enabled: when the server
 * dies of SIGSEGV, SIGBUS, SIGFPE, SIGILL or SIGABRT it first writes a
 * report into its log (stderr or the logfile): the signal, the address it
 * faulted on and a stack trace, between START and END lines that a user
 * can cut out for a bug report. Then it dies of the same signal with the
 * default action, so the exit status, and a core dump where the system
 * takes one, are what they would have been without the report.
 *
 * The handler makes only async-signal-safe calls (open, write, close,
 * sigaction, raise) and glibc's backtrace and backtrace_symbols_fd, which
 * allocate nothing once libgcc is loaded: crash_configure calls backtrace
 * once for that. Frames name the binary's exported functions (it is
 * linked with -rdynamic); static ones show as offsets, for addr2line. The
 * handler runs on an alternate stack, so a stack overflow is reported
 * too.
 *
 * Not done: Redis's memory test after a crash (crash-memcheck-enabled is
 * accepted, no effect), and INFO and the client list in the report.
 * Under AddressSanitizer the handler is not installed: its report says
 * more. */
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "server/crash.h"
#include "server/server.h"

#if defined(__SANITIZE_ADDRESS__)
#define CRASH_HANDLER 0
#else
#define CRASH_HANDLER 1
#endif

#define MAX_FRAMES 64

static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL,
                                     SIGABRT };

/* Read by the handler: the logfile's path, "" for stderr. A copy, as the
 * configuration's own string is freed at exit. */
static char crash_logfile[4096];

static char alt_stack[64 * 1024];

/* ---- Writing without stdio --------------------------------------------- */

static void put(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

/* v in base 10 or 16 (with "0x"). */
static void put_num(int fd, uintptr_t v, unsigned base)
{
    char buf[2 + 2 * sizeof(v) * 3];
    char *p = buf + sizeof(buf);
    *--p = '\0';
    do {
        *--p = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (base == 16) {
        *--p = 'x';
        *--p = '0';
    }
    put(fd, p);
}

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS:  return "SIGBUS";
    case SIGFPE:  return "SIGFPE";
    case SIGILL:  return "SIGILL";
    default:      return "SIGABRT";
    }
}

/* ---- The handler ------------------------------------------------------- */

static void report(int fd, int sig, const siginfo_t *info)
{
    void *frames[MAX_FRAMES];
    put(fd, "\n=== RESPITE BUG REPORT START ===\n");
    put(fd, "Respite " RESPITE_VERSION " (pid ");
    put_num(fd, (uintptr_t)getpid(), 10);
    put(fd, ") crashed by signal ");
    put_num(fd, (uintptr_t)sig, 10);
    put(fd, " (");
    put(fd, signal_name(sig));
    put(fd, ")\n");
    if (sig != SIGABRT) {
        put(fd, "Faulting address: ");
        put_num(fd, (uintptr_t)info->si_addr, 16);
        put(fd, "\n");
    }
    put(fd, "------ STACK TRACE ------\n");
    int n = backtrace(frames, MAX_FRAMES);
    backtrace_symbols_fd(frames, n, fd);
    put(fd, "=== RESPITE BUG REPORT END ===\n");
}

static void on_fatal(int sig, siginfo_t *info, void *uctx)
{
    (void)uctx;
    int fd = crash_logfile[0] ? open(crash_logfile,
                                     O_WRONLY | O_APPEND | O_CREAT, 0644)
                              : STDERR_FILENO;
    if (fd >= 0) {
        report(fd, sig, info);
        if (fd != STDERR_FILENO)
            close(fd);
    }
    /* Die of the signal itself: the default action, raised again. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, NULL);
    raise(sig);
}

/* ---- Installing -------------------------------------------------------- */

static void install(int on)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    if (on) {
        sa.sa_sigaction = on_fatal;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
    } else {
        sa.sa_handler = SIG_DFL;
    }
    for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(*fatal_signals);
         i++)
        sigaction(fatal_signals[i], &sa, NULL);
}

/* See crash.h. */
void crash_configure(const struct server *srv)
{
    static int prepared;
    char pbuf[sizeof(crash_logfile)];
    const char *path = server_dir_path(srv, srv->conf.logfile, pbuf,
                                       sizeof(pbuf));
    if (!path)
        path = "";
    if (strlen(path) < sizeof(crash_logfile))
        memcpy(crash_logfile, path, strlen(path) + 1);
    if (!CRASH_HANDLER)
        return;
    if (!prepared && srv->conf.crash_log_enabled) {
        void *frame;
        stack_t ss;
        memset(&ss, 0, sizeof(ss));
        ss.ss_sp = alt_stack;
        ss.ss_size = sizeof(alt_stack);
        sigaltstack(&ss, NULL);
        backtrace(&frame, 1);          /* loads libgcc now, not in a crash */
        prepared = 1;
    }
    install(srv->conf.crash_log_enabled);
}
