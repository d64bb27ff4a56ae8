/* test_conf.c - conf/: defaults, config files, command-line directives,
 * CONFIG SET rules and the CONFIG GET view. Each test builds its own
 * struct conf; temporary files go under /tmp and are removed. */
#include "conf/conf.h"
#include "tests/unit/unit.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ----------------------------------------------------------- */

struct lookup {
    const char *name;
    char value[512];
    int found;
};

static void lookup_cb(void *ctx, const char *name, const char *value)
{
    struct lookup *l = ctx;
    if (strcmp(name, l->name) == 0) {
        snprintf(l->value, sizeof(l->value), "%s", value);
        l->found++;
    }
}

/* CONFIG GET name, or "(missing)"; valid until the next call. */
static const char *get(const struct conf *c, const char *name)
{
    static struct lookup l;
    memset(&l, 0, sizeof(l));
    l.name = name;
    conf_each(c, lookup_cb, &l);
    if (l.found != 1)
        return l.found ? "(duplicate)" : "(missing)";
    return l.value;
}

/* Writes text to a fresh temporary file whose name goes into path. */
static int write_tmp(char *path, size_t len, const char *text)
{
    snprintf(path, len, "/tmp/test_conf_XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    size_t n = strlen(text);
    int ok = write(fd, text, n) == (ssize_t)n;
    close(fd);
    return ok ? 0 : -1;
}

/* Loads text as a config file into c (already initialised). */
static int load_text(struct conf *c, const char *text, char *err,
                     size_t errlen, char *path, size_t pathlen)
{
    if (write_tmp(path, pathlen, text) != 0)
        return -2;
    int rc = conf_load_file(c, path, err, errlen);
    unlink(path);
    return rc;
}

/* Loads text and expects failure with "path:line: reason". */
static int load_fails(const char *text, int line, const char *reason)
{
    struct conf c;
    char err[512], path[64], want[700];
    if (conf_init(&c) != 0)
        return 0;
    int rc = load_text(&c, text, err, sizeof(err), path, sizeof(path));
    conf_close(&c);
    snprintf(want, sizeof(want), "%s:%d: %s", path, line, reason);
    if (rc != -1 || strcmp(err, want) != 0) {
        fprintf(stderr, "    got rc %d \"%s\"\n    want \"%s\"\n", rc,
                rc == -1 ? err : "", want);
        return 0;
    }
    return 1;
}

/* 1 when text loads without an error (the error is printed if not). */
static int loads(const char *text)
{
    struct conf c;
    char err[512], path[64];
    if (conf_init(&c) != 0)
        return 0;
    int rc = load_text(&c, text, err, sizeof(err), path, sizeof(path));
    if (rc != 0)
        fprintf(stderr, "    %s\n", err);
    conf_close(&c);
    return rc == 0;
}

static int set1(struct conf *c, const char *name, const char *value,
                int runtime, char *err, size_t errlen)
{
    const char *args[1] = { value };
    return conf_set(c, name, args, 1, runtime, err, errlen);
}

/* ---- defaults ---------------------------------------------------------- */

TEST(defaults_fields)
{
    struct conf c;
    ASSERT_OK(conf_init(&c));
    ASSERT_EQ(c.nbind, 1);
    ASSERT_STR_EQ(c.bind[0], "127.0.0.1");
    ASSERT(c.bind[1] == NULL);
    ASSERT_EQ(c.port, 6379);
    ASSERT(c.unixsocket == NULL);
    ASSERT_EQ(c.unixsocketperm, 0);
    ASSERT_EQ(c.databases, 16);
    ASSERT_EQ(c.shards, 16);
    ASSERT_EQ(c.hz, 10);
    ASSERT_EQ(c.active_expire_budget_us, 1000);
    ASSERT(c.requirepass == NULL);
    ASSERT_EQ(c.maxclients, 10000);
    ASSERT_EQ(c.busy_poll_us, 50);
    ASSERT_EQ(c.timeout, 0);
    ASSERT_EQ(c.tcp_keepalive, 300);
    ASSERT_EQ(c.tcp_backlog, 511);
    ASSERT(c.proto_max_bulk_len == 512ULL * 1024 * 1024);
    ASSERT(c.client_query_buffer_limit == 1024ULL * 1024 * 1024);
    ASSERT_EQ(c.obuf_normal.hard, 0);
    ASSERT_EQ(c.obuf_normal.soft, 0);
    ASSERT_EQ(c.obuf_normal.soft_seconds, 0);
    ASSERT_EQ(c.obuf_pubsub.hard, 32 * 1024 * 1024);
    ASSERT_EQ(c.obuf_pubsub.soft, 8 * 1024 * 1024);
    ASSERT_EQ(c.obuf_pubsub.soft_seconds, 60);
    ASSERT_EQ(c.maxmemory, 0);
    ASSERT_STR_EQ(c.loglevel, "notice");
    ASSERT_STR_EQ(c.logfile, "");
    ASSERT_STR_EQ(c.notify_keyspace_events, "");
    ASSERT_EQ(c.daemonize, 0);
    ASSERT_STR_EQ(c.dir, ".");
    conf_close(&c);
}

TEST(defaults_config_get)
{
    struct conf c;
    ASSERT_OK(conf_init(&c));
    ASSERT_STR_EQ(get(&c, "bind"), "127.0.0.1");
    ASSERT_STR_EQ(get(&c, "port"), "6379");
    ASSERT_STR_EQ(get(&c, "unixsocket"), "");
    ASSERT_STR_EQ(get(&c, "unixsocketperm"), "0");
    ASSERT_STR_EQ(get(&c, "requirepass"), "");
    ASSERT_STR_EQ(get(&c, "proto-max-bulk-len"), "536870912");
    ASSERT_STR_EQ(get(&c, "client-query-buffer-limit"), "1073741824");
    ASSERT_STR_EQ(get(&c, "client-output-buffer-limit"),
                  "normal 0 0 0 slave 268435456 67108864 60 "
                  "pubsub 33554432 8388608 60");
    ASSERT_STR_EQ(get(&c, "maxmemory"), "0");
    ASSERT_STR_EQ(get(&c, "maxclients"), "10000");
    ASSERT_STR_EQ(get(&c, "daemonize"), "no");
    ASSERT_STR_EQ(get(&c, "notify-keyspace-events"), "");
    ASSERT_STR_EQ(get(&c, "loglevel"), "notice");
    ASSERT_STR_EQ(get(&c, "logfile"), "");
    /* dir reads as Redis's getcwd(): absolute. */
    char cwd[PATH_MAX];
    ASSERT(getcwd(cwd, sizeof(cwd)) != NULL);
    char *real = realpath(cwd, NULL);
    ASSERT_STR_EQ(get(&c, "dir"), real);
    free(real);
    ASSERT_STR_EQ(c.dir, ".");
    ASSERT_STR_EQ(get(&c, "hz"), "10");
    ASSERT_STR_EQ(get(&c, "databases"), "16");
    ASSERT_STR_EQ(get(&c, "shards"), "16");
    ASSERT_STR_EQ(get(&c, "active-expire-budget-us"), "1000");
    ASSERT_STR_EQ(get(&c, "timeout"), "0");
    ASSERT_STR_EQ(get(&c, "tcp-keepalive"), "300");
    ASSERT_STR_EQ(get(&c, "tcp-backlog"), "511");
    /* No-ops with Redis 7's defaults. */
    ASSERT_STR_EQ(get(&c, "save"), "");
    ASSERT_STR_EQ(get(&c, "appendonly"), "no");
    ASSERT_STR_EQ(get(&c, "appendfsync"), "everysec");
    ASSERT_STR_EQ(get(&c, "protected-mode"), "yes");
    ASSERT_STR_EQ(get(&c, "hash-max-listpack-entries"), "512");
    ASSERT_STR_EQ(get(&c, "hash-max-ziplist-entries"), "512");
    ASSERT_STR_EQ(get(&c, "hash-max-listpack-value"), "64");
    ASSERT_STR_EQ(get(&c, "hash-max-ziplist-value"), "64");
    ASSERT_STR_EQ(get(&c, "set-max-intset-entries"), "512");
    ASSERT_STR_EQ(get(&c, "set-max-listpack-entries"), "128");
    ASSERT_STR_EQ(get(&c, "set-max-listpack-value"), "64");
    ASSERT_STR_EQ(get(&c, "zset-max-listpack-entries"), "128");
    ASSERT_STR_EQ(get(&c, "zset-max-ziplist-entries"), "128");
    ASSERT_STR_EQ(get(&c, "zset-max-listpack-value"), "64");
    ASSERT_STR_EQ(get(&c, "zset-max-ziplist-value"), "64");
    ASSERT_STR_EQ(get(&c, "list-max-listpack-size"), "-2");
    ASSERT_STR_EQ(get(&c, "list-max-ziplist-size"), "-2");
    ASSERT_STR_EQ(get(&c, "list-compress-depth"), "0");
    ASSERT_STR_EQ(get(&c, "stream-node-max-bytes"), "4096");
    ASSERT_STR_EQ(get(&c, "stream-node-max-entries"), "100");
    ASSERT_STR_EQ(get(&c, "activerehashing"), "yes");
    ASSERT_STR_EQ(get(&c, "lazyfree-lazy-eviction"), "no");
    ASSERT_STR_EQ(get(&c, "lazyfree-lazy-expire"), "no");
    ASSERT_STR_EQ(get(&c, "lazyfree-lazy-server-del"), "no");
    ASSERT_STR_EQ(get(&c, "lazyfree-lazy-user-del"), "no");
    ASSERT_STR_EQ(get(&c, "maxmemory-policy"), "noeviction");
    ASSERT_STR_EQ(get(&c, "maxmemory-samples"), "5");
    ASSERT_STR_EQ(get(&c, "lua-time-limit"), "5000");
    ASSERT_STR_EQ(get(&c, "busy-reply-threshold"), "5000");
    ASSERT_STR_EQ(get(&c, "slowlog-log-slower-than"), "10000");
    ASSERT_STR_EQ(get(&c, "slowlog-max-len"), "128");
    ASSERT_STR_EQ(get(&c, "latency-monitor-threshold"), "0");
    ASSERT_STR_EQ(get(&c, "io-threads"), "1");
    ASSERT_STR_EQ(get(&c, "supervised"), "no");
    ASSERT_STR_EQ(get(&c, "always-show-logo"), "no");
    ASSERT_STR_EQ(get(&c, "auto-aof-rewrite-min-size"), "67108864");
    ASSERT_STR_EQ(get(&c, "dbfilename"), "dump.rdb");
    /* Deprecated directives are not shown. */
    ASSERT_STR_EQ(get(&c, "list-max-ziplist-entries"), "(missing)");
    conf_close(&c);
}

struct names {
    char *v[256];
    int n;
};

static void names_cb(void *ctx, const char *name, const char *value)
{
    struct names *ns = ctx;
    (void)value;
    if (ns->n < 256)
        ns->v[ns->n++] = strdup(name);
}

TEST(each_names_unique)
{
    struct conf c;
    struct names ns = {0};
    ASSERT_OK(conf_init(&c));
    conf_each(&c, names_cb, &ns);
    conf_close(&c);
    int dup = 0;
    for (int i = 0; i < ns.n; i++)
        for (int j = i + 1; j < ns.n; j++)
            if (strcmp(ns.v[i], ns.v[j]) == 0)
                dup = 1;
    int n = ns.n;
    for (int i = 0; i < ns.n; i++)
        free(ns.v[i]);
    ASSERT(n > 60 && n < 256);
    ASSERT_EQ(dup, 0);
}

/* ---- config files ------------------------------------------------------ */

TEST(file_syntax)
{
    struct conf c;
    char err[512], path[64], base[64], dir[128], text[2048];
    /* dir must exist: a quoted name with a quote and a space in it. */
    snprintf(base, sizeof(base), "/tmp/test_conf_dir_XXXXXX");
    ASSERT(mkdtemp(base) != NULL);
    snprintf(dir, sizeof(dir), "%s/it's here", base);
    ASSERT_OK(mkdir(dir, 0700));
    ASSERT_OK(conf_init(&c));
    snprintf(text, sizeof(text),
        "# a comment\n"
        "\n"
        "   \t\n"
        "  # indented comment\n"
        "PORT 7000\r\n"
        "Bind 10.0.0.1   ::1\t 127.0.0.1\n"
        "requirepass \"p a\\\"s\\\\s\\n\\t\\x41\\x7a\"\n"
        "logfile '/tmp/a b.log'\n"
        "dir '%s/it\\'s here'\n"
        "unixsocket /tmp/respite.sock\n"
        "unixsocketperm 770\n"
        "maxmemory 100MB\n"
        "proto-max-bulk-len 2gb\n"
        "client-query-buffer-limit 1048576\n"
        "loglevel WARNING\n"
        "\vnotify-keyspace-events \"Ex\"\f\n"
        "timeout 30\n"
        "hz 100\n"
        "databases 32\n"
        "shards 64\n"
        "   maxclients   50   \n", base);
    int rc = load_text(&c, text, err, sizeof(err), path, sizeof(path));
    rmdir(dir);
    rmdir(base);
    if (rc)
        fprintf(stderr, "    %s\n", err);
    ASSERT_OK(rc);
    ASSERT_EQ(c.port, 7000);
    ASSERT_EQ(c.nbind, 3);
    ASSERT_STR_EQ(c.bind[0], "10.0.0.1");
    ASSERT_STR_EQ(c.bind[1], "::1");
    ASSERT_STR_EQ(c.bind[2], "127.0.0.1");
    ASSERT_STR_EQ(get(&c, "bind"), "10.0.0.1 ::1 127.0.0.1");
    ASSERT_STR_EQ(c.requirepass, "p a\"s\\s\n\tAz");
    ASSERT_STR_EQ(c.dir, dir);
    ASSERT_STR_EQ(c.logfile, "/tmp/a b.log");
    ASSERT_STR_EQ(c.unixsocket, "/tmp/respite.sock");
    ASSERT_EQ(c.unixsocketperm, 0770);
    ASSERT_STR_EQ(get(&c, "unixsocketperm"), "770");
    ASSERT_EQ(c.maxmemory, 100 * 1024 * 1024);
    ASSERT(c.proto_max_bulk_len == 2ULL * 1024 * 1024 * 1024);
    ASSERT_EQ(c.client_query_buffer_limit, 1048576);
    ASSERT_STR_EQ(c.loglevel, "warning");
    ASSERT_STR_EQ(c.notify_keyspace_events, "xE");
    ASSERT_EQ(c.timeout, 30);
    ASSERT_EQ(c.hz, 100);
    ASSERT_EQ(c.databases, 32);
    ASSERT_EQ(c.shards, 64);
    ASSERT_EQ(c.maxclients, 50);
    conf_close(&c);
}

TEST(file_single_quote_adjacent_fails)
{
    /* 'it''s' is two quoted strings glued together: Redis rejects it. */
    ASSERT(load_fails("port 1\nlogfile 'it''s'\n", 2, "unbalanced quotes"));
}

TEST(file_errors)
{
    ASSERT(load_fails("port 1\n\n# x\nfoo bar\n", 4,
                      "unknown directive 'foo'"));
    ASSERT(load_fails("port 70000\n", 1, "bad value for 'port': argument "
                      "must be between 0 and 65535 inclusive"));
    ASSERT(load_fails("port abc\n", 1, "bad value for 'port': argument "
                      "couldn't be parsed into an integer"));
    ASSERT(load_fails("port 1 2\n", 1, "wrong number of arguments for "
                      "'port'"));
    ASSERT(load_fails("port\n", 1, "wrong number of arguments for 'port'"));
    ASSERT(load_fails("requirepass \"abc\n", 1, "unbalanced quotes"));
    ASSERT(load_fails("requirepass \"abc\"def\n", 1, "unbalanced quotes"));
    ASSERT(load_fails("requirepass 'abc\n", 1, "unbalanced quotes"));
    /* \v and \f separate tokens only around quotes and before the
     * first, as in Redis: here the directive's name takes them in. */
    ASSERT(load_fails("loglevel\vwarning\n", 1,
                      "unknown directive 'loglevel\vwarning'"));
    ASSERT(load_fails("\floglevel\fwarning\n", 1,
                      "unknown directive 'loglevel\fwarning'"));
    ASSERT(load_fails("cluster-enabled yes\n", 1, "bad value for "
                      "'cluster-enabled': cluster mode is not supported: "
                      "Respite is a single node"));
    ASSERT(loads("cluster-enabled no\n"));
    ASSERT(load_fails("proc-title-template {bogus}\n", 1, "bad value for "
                      "'proc-title-template': template format is invalid "
                      "or contains unknown variables"));
    /* {unixsocket} fills the title only when there is a socket. */
    ASSERT(load_fails("proc-title-template {unixsocket}\n", 1, "bad value "
                      "for 'proc-title-template': template format is "
                      "invalid or contains unknown variables"));
    ASSERT(loads("unixsocket /tmp/x.sock\n"
                 "proc-title-template {unixsocket}\n"));
    ASSERT(load_fails("requirepass \"a\\x00b\"\n", 1,
                      "NUL byte (\\x00) in a value"));
    ASSERT(load_fails("include\n", 1,
                      "wrong number of arguments for 'include'"));
    ASSERT(load_fails("include /nonexistent/other.conf\n", 1,
                      "/nonexistent/other.conf: can't open: No such file "
                      "or directory"));
    ASSERT(load_fails("daemonize yes\n", 1, "bad value for 'daemonize': "
                      "daemonize yes is not supported; run respite in the "
                      "foreground under a supervisor"));
    ASSERT(load_fails("daemonize maybe\n", 1, "bad value for 'daemonize': "
                      "argument must be 'yes' or 'no'"));
    ASSERT(load_fails("loglevel loud\n", 1, "bad value for 'loglevel': "
                      "argument(s) must be one of the following: debug, "
                      "verbose, notice, warning"));
    ASSERT(load_fails("dir /nonexistent/x\n", 1, "bad value for 'dir': No "
                      "such file or directory"));
    ASSERT(load_fails("dir \"\"\n", 1, "bad value for 'dir': No such file "
                      "or directory"));
    ASSERT(load_fails("dir /dev/null\n", 1, "bad value for 'dir': Not a "
                      "directory"));
    ASSERT(load_fails("dbfilename a/b.rdb\n", 1, "bad value for "
                      "'dbfilename': dbfilename can't be a path, just a "
                      "filename"));
    ASSERT(load_fails("appendfilename \"\"\n", 1, "bad value for "
                      "'appendfilename': appendfilename can't be empty"));
    ASSERT(load_fails("appendfilename a\\\\b\n", 1, "bad value for "
                      "'appendfilename': appendfilename can't be a path, "
                      "just a filename"));
    ASSERT(load_fails("appenddirname ../x\n", 1, "bad value for "
                      "'appenddirname': appenddirname can't be a path, just "
                      "a dirname"));
    ASSERT(load_fails("maxmemory 1tb\n", 1, "bad value for 'maxmemory': "
                      "argument must be a memory value"));
    ASSERT(load_fails("proto-max-bulk-len 1000\n", 1,
                      "bad value for 'proto-max-bulk-len': argument must be "
                      "between 1048576 and 9223372036854775807 inclusive"));
    ASSERT(load_fails("databases 0\n", 1, "bad value for 'databases': "
                      "argument must be between 1 and 4096 inclusive"));
    ASSERT(load_fails("shards 257\n", 1, "bad value for 'shards': argument "
                      "must be between 1 and 256 inclusive"));
    ASSERT(load_fails("unixsocketperm 1777\n", 1, "bad value for "
                      "'unixsocketperm': argument must be between 0 and 777 "
                      "inclusive"));
    ASSERT(load_fails("unixsocketperm 8\n", 1, "bad value for "
                      "'unixsocketperm': argument couldn't be parsed as an "
                      "octal number"));
    ASSERT(load_fails("notify-keyspace-events KEQ\n", 1,
                      "bad value for 'notify-keyspace-events': Invalid event "
                      "class character. Use 'Ag$lshzxeKEtmdn'."));
    ASSERT(load_fails("client-output-buffer-limit pubsub 1 2\n", 1,
                      "bad value for 'client-output-buffer-limit': Wrong "
                      "number of arguments in buffer limit configuration."));
    ASSERT(load_fails("client-output-buffer-limit master 1 2 3\n", 1,
                      "bad value for 'client-output-buffer-limit': Invalid "
                      "client class specified in buffer limit "
                      "configuration."));
    ASSERT(load_fails("client-output-buffer-limit pubsub 1 2 x\n", 1,
                      "bad value for 'client-output-buffer-limit': Error in "
                      "hard, soft or soft_seconds setting in buffer limit "
                      "configuration."));
    ASSERT(load_fails("save 900\n", 1, "bad value for 'save': Invalid save "
                      "parameters"));
    ASSERT(load_fails("appendonly maybe\n", 1, "bad value for 'appendonly': "
                      "argument must be 'yes' or 'no'"));
    ASSERT(load_fails("appendonly yes\n", 1, "bad value for 'appendonly': "
                      "appendonly yes is not supported: Respite writes no "
                      "append-only file; persist with RDB snapshots "
                      "instead (save \"60 1\", or shutdown-on-sigterm "
                      "save)"));
    ASSERT(loads("appendonly no\n"));
    ASSERT(load_fails("maxmemory-samples 0\n", 1, "bad value for "
                      "'maxmemory-samples': argument must be between 1 and "
                      "2147483647 inclusive"));
    ASSERT(load_fails("bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n", 1,
                      "bad value for 'bind': Too many bind addresses "
                      "specified."));
    /* Names echoed in errors lose CR and LF, as in Redis's replies. */
    ASSERT(load_fails("\"a\\rb\\nc\\td\" 1\n", 1,
                      "unknown directive 'a b c\td'"));
}

/* Writes text to dir/name. */
static int write_in(const char *dir, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

/* include applies the files where it stands (a later line wins), a
 * wildcard's matches in alphabetical order, none when nothing matches;
 * included files include others; a file including itself stops at the
 * depth limit; an error is reported at the included file's line, one
 * that cannot be opened at the include line; --include works on the
 * command line as in Redis. */
TEST(file_include)
{
    char dir[64], main_conf[128], text[512], err[1024];
    snprintf(dir, sizeof(dir), "/tmp/test_conf_inc_XXXXXX");
    ASSERT(mkdtemp(dir) != NULL);
    ASSERT_OK(write_in(dir, "b.conf", "hz 20\ntimeout 5\n"));
    ASSERT_OK(write_in(dir, "a.conf", "hz 30\n"));
    ASSERT_OK(write_in(dir, "n.conf", "maxclients 77\n"));
    snprintf(text, sizeof(text), "include %s/n.conf\n", dir);
    ASSERT_OK(write_in(dir, "nest.conf", text));
    snprintf(text, sizeof(text), "hz 11\ninclude %s/?.conf\ndatabases 3\n"
             "include %s/nest.conf\ninclude %s/none-*.conf\ntimeout 9\n",
             dir, dir, dir);
    ASSERT_OK(write_in(dir, "main.conf", text));
    snprintf(main_conf, sizeof(main_conf), "%s/main.conf", dir);
    struct conf c;
    ASSERT_OK(conf_init(&c));
    ASSERT_OK(conf_load_file(&c, main_conf, err, sizeof(err)));
    ASSERT_STR_EQ(get(&c, "hz"), "20");           /* a.conf, then b.conf */
    ASSERT_STR_EQ(get(&c, "databases"), "3");
    ASSERT_STR_EQ(get(&c, "maxclients"), "77");
    ASSERT_STR_EQ(get(&c, "timeout"), "9");       /* the later line wins */
    conf_close(&c);

    char *argv[] = { "respite", "--hz", "40", "--include", text };
    snprintf(text, sizeof(text), "%s/b.conf", dir);
    ASSERT_OK(conf_init(&c));
    ASSERT_OK(conf_load_args(&c, 5, argv, err, sizeof(err)));
    ASSERT_STR_EQ(get(&c, "hz"), "20");
    conf_close(&c);

    ASSERT_OK(write_in(dir, "bad.conf", "\nport 99999\n"));
    snprintf(text, sizeof(text), "# x\ninclude %s/bad.conf\n", dir);
    ASSERT_OK(write_in(dir, "main.conf", text));
    ASSERT_OK(conf_init(&c));
    ASSERT_EQ(conf_load_file(&c, main_conf, err, sizeof(err)), -1);
    char want[512];
    snprintf(want, sizeof(want), "%s/bad.conf:2: bad value for "
             "'port': argument must be between 0 and 65535 inclusive", dir);
    ASSERT_STR_EQ(err, want);
    conf_close(&c);

    snprintf(text, sizeof(text), "include %s/main.conf\n", dir);
    ASSERT_OK(write_in(dir, "main.conf", text));
    ASSERT_OK(conf_init(&c));
    ASSERT_EQ(conf_load_file(&c, main_conf, err, sizeof(err)), -1);
    if (!strstr(err, "include files nested more than 16 deep"))
        fprintf(stderr, "    %s\n", err);
    ASSERT(strstr(err, "include files nested more than 16 deep") != NULL);
    conf_close(&c);

    static const char *const names[] = { "a.conf", "b.conf", "n.conf",
                                         "nest.conf", "bad.conf",
                                         "main.conf" };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(text, sizeof(text), "%s/%s", dir, names[i]);
        unlink(text);
    }
    rmdir(dir);
}

/* rename-command lines are kept in order for the server to apply (which
 * commands exist is its business); two arguments exactly; CONFIG GET
 * does not show them and CONFIG SET does not know them, as in Redis. */
TEST(file_rename_command)
{
    struct conf c;
    char err[512], path[64];
    ASSERT_OK(conf_init(&c));
    ASSERT_OK(load_text(&c, "rename-command FLUSHALL \"\"\n"
                        "Rename-Command config 'my config'\n",
                        err, sizeof(err), path, sizeof(path)));
    ASSERT_EQ(c.nrenames, 2);
    ASSERT_STR_EQ(c.renames[0].from, "FLUSHALL");
    ASSERT_STR_EQ(c.renames[0].to, "");
    ASSERT_STR_EQ(c.renames[1].from, "config");
    ASSERT_STR_EQ(c.renames[1].to, "my config");
    ASSERT_STR_EQ(get(&c, "rename-command"), "(missing)");
    ASSERT_EQ(set1(&c, "rename-command", "a b", 1, err, sizeof(err)), -1);
    conf_close(&c);
    ASSERT(load_fails("rename-command get\n", 1,
                      "wrong number of arguments for 'rename-command'"));
    ASSERT(load_fails("rename-command a b c\n", 1,
                      "wrong number of arguments for 'rename-command'"));
}

TEST(file_missing)
{
    struct conf c;
    char err[256];
    ASSERT_OK(conf_init(&c));
    ASSERT_EQ(conf_load_file(&c, "/nonexistent/respite.conf", err,
                             sizeof(err)), -1);
    ASSERT_STR_EQ(err, "/nonexistent/respite.conf: can't open: No such file "
                  "or directory");
    conf_close(&c);
}

TEST(file_error_keeps_earlier_lines_and_old_value)
{
    struct conf c;
    char err[512], path[64];
    ASSERT_OK(conf_init(&c));
    ASSERT_EQ(load_text(&c, "port 7001\nmaxclients 0\n", err, sizeof(err),
                        path, sizeof(path)), -1);
    ASSERT_EQ(c.port, 7001);
    ASSERT_EQ(c.maxclients, 10000);
    conf_close(&c);
}

TEST(file_save_lines_add_up)
{
    struct conf c;
    char err[512], path[64];
    ASSERT_OK(conf_init(&c));
    ASSERT_OK(load_text(&c, "save 900 1\nsave 300 10\nsave 60 10000\n",
                        err, sizeof(err), path, sizeof(path)));
    ASSERT_STR_EQ(get(&c, "save"), "900 1 300 10 60 10000");
    ASSERT_OK(load_text(&c, "save \"\"\n", err, sizeof(err), path,
                        sizeof(path)));
    ASSERT_STR_EQ(get(&c, "save"), "");
    conf_close(&c);
}

TEST(file_hz_clamped)
{
    struct conf c;
    char err[512], path[64];
    ASSERT_OK(conf_init(&c));
    ASSERT_OK(load_text(&c, "hz 1000\n", err, sizeof(err), path,
                        sizeof(path)));
    ASSERT_EQ(c.hz, 500);
    ASSERT_OK(load_text(&c, "hz 0\n", err, sizeof(err), path, sizeof(path)));
    ASSERT_EQ(c.hz, 1);
    ASSERT(load_fails("hz -1\n", 1, "bad value for 'hz': argument must be "
                      "between 0 and 2147483647 inclusive"));
    conf_close(&c);
}

TEST(file_deprecated_ignored)
{
    struct conf c;
    char err[512], path[64];
    ASSERT_OK(conf_init(&c));
    ASSERT_OK(load_text(&c, "list-max-ziplist-entries 512\n"
                        "list-max-ziplist-value 64\n"
                        "hash-max-ziplist-entries 100\n",
                        err, sizeof(err), path, sizeof(path)));
    ASSERT_STR_EQ(get(&c, "hash-max-listpack-entries"), "100");
    conf_close(&c);
}

/* The lines Redis 7.0's own redis.conf sets that apply to nothing here
 * load (a compose file may mount that file), as Redis checks them. */
TEST(file_redis_conf_lines)
{
    struct conf c;
    char err[512], path[64];
    ASSERT_OK(conf_init(&c));
    ASSERT_OK(load_text(&c,
        "proc-title-template \"{title} {listen-addr} {server-mode}\"\n"
        "rdb-del-sync-files no\n"
        "replica-serve-stale-data yes\n"
        "replica-read-only yes\n"
        "repl-diskless-sync yes\n"
        "repl-diskless-sync-delay 5\n"
        "repl-diskless-sync-max-replicas 0\n"
        "repl-diskless-load disabled\n"
        "repl-disable-tcp-nodelay no\n"
        "replica-priority 100\n"
        "replica-lazy-flush no\n"
        "oom-score-adj no\n"
        "oom-score-adj-values 0 200 800\n"
        "disable-thp yes\n"
        "aof-timestamp-enabled no\n"
        "aof-rewrite-incremental-fsync yes\n"
        "rdb-save-incremental-fsync yes\n"
        "slave-priority 7\n"
        "oom-score-adj-values -2000 +5 2000\n",
        err, sizeof(err), path, sizeof(path)));
    ASSERT_STR_EQ(get(&c, "replica-priority"), "7");
    ASSERT_STR_EQ(get(&c, "oom-score-adj-values"), "-2000 5 2000");
    ASSERT_STR_EQ(get(&c, "proc-title-template"),
                  "{title} {listen-addr} {server-mode}");
    conf_close(&c);
    ASSERT(load_fails("oom-score-adj-values 0 200\n", 1,
                      "bad value for 'oom-score-adj-values': wrong number "
                      "of arguments"));
    ASSERT(load_fails("oom-score-adj-values 0 200 2001\n", 1,
                      "bad value for 'oom-score-adj-values': Invalid "
                      "oom-score-adj-values, elements must be between "
                      "-2000 and 2000."));
    ASSERT(load_fails("repl-diskless-load sometimes\n", 1,
                      "bad value for 'repl-diskless-load': argument(s) "
                      "must be one of the following: disabled, "
                      "on-empty-db, swapdb"));
}

/* The shipped example must load, change nothing, and list every visible
 * directive once, in table order. */
static void example_path(char *buf, size_t len)
{
    static const char *const up[] = { "", "../", "../../", "../../../" };
    const char *self = __FILE__;
    const char *tail = strstr(self, "tests/unit/test_conf.c");
    int dir = tail ? (int)(tail - self) : 0;
    snprintf(buf, len, "%.*sconf/respite.conf", dir, self);
    /* __FILE__ is relative when built from the top directory; the test may
     * run from below it. */
    for (size_t i = 0; self[0] != '/' && i < 4; i++) {
        snprintf(buf, len, "%s%.*sconf/respite.conf", up[i], dir, self);
        if (access(buf, R_OK) == 0)
            return;
    }
}

struct pairs {
    char *name[256], *value[256];
    int n;
};

static void pairs_cb(void *ctx, const char *name, const char *value)
{
    struct pairs *p = ctx;
    if (p->n < 256) {
        p->name[p->n] = strdup(name);
        p->value[p->n] = strdup(value);
        p->n++;
    }
}

static void pairs_free(struct pairs *p)
{
    for (int i = 0; i < p->n; i++) {
        free(p->name[i]);
        free(p->value[i]);
    }
}

TEST(shutdown_signal_words)
{
    struct conf c;
    char err[256], path[64];
    ASSERT_OK(conf_init(&c));
    ASSERT_EQ(c.shutdown_on_sigterm, 0);
    ASSERT_STR_EQ(get(&c, "shutdown-on-sigterm"), "default");
    ASSERT_OK(load_text(&c, "shutdown-on-sigterm FORCE now save\n"
                        "shutdown-on-sigint default nosave\n", err,
                        sizeof(err), path, sizeof(path)));
    ASSERT_EQ(c.shutdown_on_sigterm,
              CONF_SHUTDOWN_SAVE | CONF_SHUTDOWN_NOW | CONF_SHUTDOWN_FORCE);
    ASSERT_STR_EQ(get(&c, "shutdown-on-sigterm"), "save now force");
    ASSERT_EQ(c.shutdown_on_sigint, CONF_SHUTDOWN_NOSAVE);
    /* A CONFIG SET value is split at spaces; a refused one changes
     * nothing. */
    ASSERT_OK(set1(&c, "shutdown-on-sigint", "default", 1, err,
                   sizeof(err)));
    ASSERT_EQ(c.shutdown_on_sigint, 0);
    ASSERT_EQ(set1(&c, "shutdown-on-sigterm", "save nosave", 1, err,
                   sizeof(err)), -1);
    ASSERT(strstr(err, "shutdown options SAVE and NOSAVE can't be used "
                  "simultaneously") != NULL);
    ASSERT_EQ(set1(&c, "shutdown-on-sigterm", "now  force", 1, err,
                   sizeof(err)), -1);
    ASSERT(strstr(err, "argument(s) must be one of the following: "
                  "default, save, nosave, now, force") != NULL);
    ASSERT_STR_EQ(get(&c, "shutdown-on-sigterm"), "save now force");
    conf_close(&c);
    ASSERT(load_fails("shutdown-on-sigint\n", 1, "bad value for "
                      "'shutdown-on-sigint': argument(s) must be one of "
                      "the following: default, save, nosave, now, force"));
    ASSERT(load_fails("shutdown-on-sigint save nosave\n", 1, "bad value "
                      "for 'shutdown-on-sigint': shutdown options SAVE and "
                      "NOSAVE can't be used simultaneously"));
}

TEST(example_file)
{
    static const char *const aliases[] = {
        "hash-max-ziplist-entries", "hash-max-ziplist-value",
        "list-max-ziplist-size", "zset-max-ziplist-entries",
        "zset-max-ziplist-value", "lua-time-limit",
        "slave-serve-stale-data", "slave-read-only", "slave-priority",
        "slave-lazy-flush", NULL
    };
    char path[PATH_MAX], err[512];
    struct conf def, ex;
    struct pairs a = {0}, b = {0};
    example_path(path, sizeof(path));
    ASSERT_OK(conf_init(&def));
    ASSERT_OK(conf_init(&ex));
    int rc = conf_load_file(&ex, path, err, sizeof(err));
    if (rc)
        fprintf(stderr, "    %s\n", err);
    conf_each(&def, pairs_cb, &a);
    conf_each(&ex, pairs_cb, &b);
    conf_close(&def);
    conf_close(&ex);

    int same = a.n == b.n;
    for (int i = 0; same && i < a.n; i++)
        if (strcmp(a.name[i], b.name[i]) || strcmp(a.value[i], b.value[i]))
            same = 0;

    /* Directive lines of the file, in order, against the table's names
     * without aliases. */
    int order_ok = 1, k = 0;
    FILE *fp = fopen(path, "r");
    char line[1024];
    while (fp && fgets(line, sizeof(line), fp)) {
        char word[128];
        if (line[0] == '#' || sscanf(line, "%127s", word) != 1)
            continue;
        while (k < a.n) {
            int alias = 0;
            for (int j = 0; aliases[j]; j++)
                alias |= !strcmp(a.name[k], aliases[j]);
            if (!alias)
                break;
            k++;
        }
        if (k >= a.n || strcmp(word, a.name[k]) != 0) {
            fprintf(stderr, "    file has '%s', table expects '%s'\n", word,
                    k < a.n ? a.name[k] : "(end)");
            order_ok = 0;
            break;
        }
        k++;
    }
    if (fp)
        fclose(fp);
    /* Aliases the table ends with have no line of their own. */
    for (int alias = 1; order_ok && alias && k < a.n;) {
        alias = 0;
        for (int j = 0; aliases[j]; j++)
            alias |= !strcmp(a.name[k], aliases[j]);
        k += alias;
    }
    int all_listed = k == a.n;
    if (order_ok && !all_listed)
        fprintf(stderr, "    file stops before '%s'\n", a.name[k]);
    pairs_free(&a);
    pairs_free(&b);
    ASSERT(fp != NULL);
    ASSERT_OK(rc);
    ASSERT(same);
    ASSERT(order_ok);
    ASSERT(all_listed);
}

/* ---- command line ------------------------------------------------------ */

/* "-" first or last reads config lines from standard input, after the
 * file and before the directives; elsewhere it is a stray argument, and a
 * bad line there is reported as "(stdin):line". */
TEST(args_stdin)
{
    struct conf c;
    char err[512], path[64], in[64];
    ASSERT_OK(write_tmp(path, sizeof(path), "hz 44\ntimeout 7\n"));
    ASSERT_OK(write_tmp(in, sizeof(in), "hz 33\nmaxclients 99\n"));
    ASSERT(freopen(in, "r", stdin) != NULL);
    char *last[] = { "respite", path, "--maxclients", "98", "-", NULL };
    ASSERT_OK(conf_init(&c));
    ASSERT_OK(conf_load_args(&c, 5, last, err, sizeof(err)));
    ASSERT_EQ(c.hz, 33);
    ASSERT_EQ(c.maxclients, 98);
    ASSERT_EQ(c.timeout, 7);
    conf_close(&c);

    ASSERT(freopen(in, "r", stdin) != NULL);
    char *first[] = { "respite", "-", "--timeout", "3", NULL };
    ASSERT_OK(conf_init(&c));
    ASSERT_OK(conf_load_args(&c, 4, first, err, sizeof(err)));
    ASSERT_EQ(c.hz, 33);
    ASSERT_EQ(c.timeout, 3);
    conf_close(&c);

    char *middle[] = { "respite", "--hz", "12", "-", "--timeout", "3",
                       NULL };
    ASSERT_OK(conf_init(&c));
    ASSERT_EQ(conf_load_args(&c, 6, middle, err, sizeof(err)), -1);
    ASSERT_STR_EQ(err, "command line: wrong number of arguments for 'hz'");
    conf_close(&c);

    unlink(in);
    ASSERT_OK(write_tmp(in, sizeof(in), "\nport x\n"));
    ASSERT(freopen(in, "r", stdin) != NULL);
    ASSERT_OK(conf_init(&c));
    ASSERT_EQ(conf_load_args(&c, 4, first, err, sizeof(err)), -1);
    ASSERT_STR_EQ(err, "(stdin):2: bad value for 'port': argument couldn't "
                  "be parsed into an integer");
    conf_close(&c);
    unlink(in);
    unlink(path);
}

TEST(args_override_file)
{
    struct conf c;
    char err[512], path[64];
    ASSERT_OK(write_tmp(path, sizeof(path),
                        "port 7000\nmaxclients 5\nsave 900 1\n"));
    char *argv[] = {
        "respite", path, "--port", "7001", "--save", "",
        "--client-output-buffer-limit", "pubsub", "64mb", "16mb", "30",
        "--bind", "127.0.0.1", "::1", "--requirepass", "--secret",
        "--timeout 15", "--loglevel", "debug", NULL
    };
    ASSERT_OK(conf_init(&c));
    int rc = conf_load_args(&c, 19, argv, err, sizeof(err));
    unlink(path);
    if (rc)
        fprintf(stderr, "    %s\n", err);
    ASSERT_OK(rc);
    ASSERT_EQ(c.port, 7001);
    ASSERT_EQ(c.maxclients, 5);
    ASSERT_STR_EQ(get(&c, "save"), "");
    ASSERT_EQ(c.obuf_pubsub.hard, 64 * 1024 * 1024);
    ASSERT_EQ(c.obuf_pubsub.soft, 16 * 1024 * 1024);
    ASSERT_EQ(c.obuf_pubsub.soft_seconds, 30);
    ASSERT_EQ(c.obuf_normal.hard, 0);
    ASSERT_EQ(c.nbind, 2);
    ASSERT_STR_EQ(c.bind[1], "::1");
    ASSERT_STR_EQ(c.requirepass, "--secret");
    ASSERT_EQ(c.timeout, 15);
    ASSERT_STR_EQ(c.loglevel, "debug");
    conf_close(&c);
}

TEST(args_only_directives)
{
    struct conf c;
    char err[512];
    char *argv[] = { "respite", "--port", "0", "--save", "--hz", "20",
                     "--version", "--shards", "8", NULL };
    ASSERT_OK(conf_init(&c));
    ASSERT_OK(conf_load_args(&c, 9, argv, err, sizeof(err)));
    ASSERT_EQ(c.port, 0);
    ASSERT_STR_EQ(get(&c, "save"), "");
    ASSERT_EQ(c.hz, 20);
    ASSERT_EQ(c.shards, 8);
    char *none[] = { "respite", NULL };
    ASSERT_OK(conf_load_args(&c, 1, none, err, sizeof(err)));
    conf_close(&c);
}

TEST(args_errors)
{
    struct conf c;
    char err[512];
    ASSERT_OK(conf_init(&c));
    char *a1[] = { "respite", "--nosuch", "1", NULL };
    ASSERT_EQ(conf_load_args(&c, 3, a1, err, sizeof(err)), -1);
    ASSERT_STR_EQ(err, "command line: unknown directive 'nosuch'");
    char *a2[] = { "respite", "--port", "x", NULL };
    ASSERT_EQ(conf_load_args(&c, 3, a2, err, sizeof(err)), -1);
    ASSERT_STR_EQ(err, "command line: bad value for 'port': argument "
                  "couldn't be parsed into an integer");
    char *a3[] = { "respite", "--port", NULL };
    ASSERT_EQ(conf_load_args(&c, 2, a3, err, sizeof(err)), -1);
    ASSERT_STR_EQ(err, "command line: wrong number of arguments for 'port'");
    char *a4[] = { "respite", "--port", "1", "2", NULL };
    ASSERT_EQ(conf_load_args(&c, 4, a4, err, sizeof(err)), -1);
    ASSERT_STR_EQ(err, "command line: wrong number of arguments for 'port'");
    char *a5[] = { "respite", "/nonexistent.conf", "--port", "1", NULL };
    ASSERT_EQ(conf_load_args(&c, 4, a5, err, sizeof(err)), -1);
    ASSERT_STR_EQ(err, "/nonexistent.conf: can't open: No such file or "
                  "directory");
    char *a6[] = { "respite", "--port", "1", NULL };
    char *a7[] = { "respite", "--", "1", NULL };
    ASSERT_OK(conf_load_args(&c, 3, a6, err, sizeof(err)));
    ASSERT_EQ(conf_load_args(&c, 3, a7, err, sizeof(err)), -1);
    ASSERT_STR_EQ(err, "command line: empty directive name '--'");
    ASSERT_EQ(c.port, 1);
    conf_close(&c);
}

/* ---- CONFIG SET -------------------------------------------------------- */

TEST(set_runtime_rules)
{
    struct conf c;
    char err[512];
    ASSERT_OK(conf_init(&c));

    ASSERT_EQ(set1(&c, "databases", "4", 1, err, sizeof(err)), -1);
    ASSERT_STR_EQ(err, "CONFIG SET failed (possibly related to argument "
                  "'databases') - can't set immutable config");
    ASSERT_EQ(c.databases, 16);
    ASSERT_OK(set1(&c, "databases", "4", 0, err, sizeof(err)));
    ASSERT_EQ(c.databases, 4);

    /* Redis 7.0 moves its listeners at run time (server/listen.c). */
    ASSERT_OK(set1(&c, "port", "7000", 1, err, sizeof(err)));
    ASSERT_EQ(c.port, 7000);
    ASSERT_OK(set1(&c, "bind", "0.0.0.0 ::1", 1, err, sizeof(err)));
    ASSERT_EQ(c.nbind, 2);
    ASSERT_EQ(set1(&c, "daemonize", "no", 1, err, sizeof(err)), -1);

    ASSERT_EQ(set1(&c, "foo", "1", 1, err, sizeof(err)), -1);
    ASSERT_STR_EQ(err, "Unknown option or number of arguments for CONFIG "
                  "SET - 'foo'");
    ASSERT_EQ(set1(&c, "list-max-ziplist-entries", "1", 1, err,
                   sizeof(err)), -1);

    ASSERT_EQ(set1(&c, "maxclients", "0", 1, err, sizeof(err)), -1);
    ASSERT_STR_EQ(err, "CONFIG SET failed (possibly related to argument "
                  "'maxclients') - argument must be between 1 and "
                  "4294967295 inclusive");
    ASSERT_EQ(c.maxclients, 10000);

    ASSERT_OK(set1(&c, "busy-poll-us", "0", 1, err, sizeof(err)));
    ASSERT_EQ(c.busy_poll_us, 0);
    ASSERT_EQ(set1(&c, "busy-poll-us", "10001", 1, err, sizeof(err)), -1);
    ASSERT_STR_EQ(err, "CONFIG SET failed (possibly related to argument "
                  "'busy-poll-us') - argument must be between 0 and "
                  "10000 inclusive");
    ASSERT_EQ(c.busy_poll_us, 0);

    ASSERT_OK(set1(&c, "hz", "1000", 1, err, sizeof(err)));
    ASSERT_EQ(c.hz, 500);
    ASSERT_STR_EQ(get(&c, "hz"), "500");
    ASSERT_EQ(set1(&c, "hz", "-5", 1, err, sizeof(err)), -1);
    ASSERT_STR_EQ(err, "CONFIG SET failed (possibly related to argument "
                  "'hz') - argument must be between 0 and 2147483647 "
                  "inclusive");
    ASSERT_EQ(set1(&c, "maxmemory", "lots", 1, err, sizeof(err)), -1);
    ASSERT_STR_EQ(err, "CONFIG SET failed (possibly related to argument "
                  "'maxmemory') - argument must be a memory value");

    /* Names are case-insensitive. */
    ASSERT_OK(set1(&c, "MaxMemory", "1gb", 1, err, sizeof(err)));
    ASSERT_STR_EQ(get(&c, "maxmemory"), "1073741824");

    /* Wrong argument counts. */
    ASSERT_EQ(conf_set(&c, "timeout", NULL, 0, 1, err, sizeof(err)), -1);
    ASSERT_STR_EQ(err, "CONFIG SET failed (possibly related to argument "
                  "'timeout') - wrong number of arguments");
    conf_close(&c);
}

TEST(set_requirepass)
{
    struct conf c;
    char err[512];
    ASSERT_OK(conf_init(&c));
    ASSERT_OK(set1(&c, "requirepass", "hunter2", 1, err, sizeof(err)));
    ASSERT_STR_EQ(c.requirepass, "hunter2");
    ASSERT_STR_EQ(get(&c, "requirepass"), "hunter2");
    ASSERT_OK(set1(&c, "requirepass", "other", 1, err, sizeof(err)));
    ASSERT_STR_EQ(c.requirepass, "other");
    ASSERT_OK(set1(&c, "requirepass", "", 1, err, sizeof(err)));
    ASSERT(c.requirepass == NULL);
    ASSERT_STR_EQ(get(&c, "requirepass"), "");
    conf_close(&c);
}

TEST(set_multi_arg_values)
{
    struct conf c;
    char err[512];
    ASSERT_OK(conf_init(&c));
    /* One CONFIG SET value is split on spaces. */
    ASSERT_OK(set1(&c, "client-output-buffer-limit",
                   "normal 1mb 2mb 3 pubsub 10 20 30", 1, err, sizeof(err)));
    ASSERT_EQ(c.obuf_normal.hard, 1024 * 1024);
    ASSERT_EQ(c.obuf_normal.soft, 2 * 1024 * 1024);
    ASSERT_EQ(c.obuf_normal.soft_seconds, 3);
    ASSERT_EQ(c.obuf_pubsub.hard, 10);
    ASSERT_STR_EQ(get(&c, "client-output-buffer-limit"),
                  "normal 1048576 2097152 3 slave 268435456 67108864 60 "
                  "pubsub 10 20 30");
    ASSERT_OK(set1(&c, "client-output-buffer-limit", "replica 1 2 3", 1,
                   err, sizeof(err)));
    ASSERT_STR_EQ(get(&c, "client-output-buffer-limit"),
                  "normal 1048576 2097152 3 slave 1 2 3 pubsub 10 20 30");
    /* All or nothing. */
    ASSERT_EQ(set1(&c, "client-output-buffer-limit",
                   "normal 0 0 0 pubsub 1 2 -1", 1, err, sizeof(err)), -1);
    ASSERT_EQ(c.obuf_normal.hard, 1024 * 1024);

    /* Already split arguments work too. */
    const char *args[] = { "10.0.0.1", "10.0.0.2" };
    ASSERT_OK(conf_set(&c, "bind", args, 2, 0, err, sizeof(err)));
    ASSERT_STR_EQ(get(&c, "bind"), "10.0.0.1 10.0.0.2");
    /* Split at every space, as Redis's sdssplitlen: empty pieces stay. */
    ASSERT_OK(set1(&c, "bind", "127.0.0.1 ::1 ", 0, err, sizeof(err)));
    ASSERT_EQ(c.nbind, 3);
    ASSERT_STR_EQ(c.bind[2], "");
    ASSERT_OK(set1(&c, "bind", "127.0.0.1 ::1", 0, err, sizeof(err)));
    ASSERT_EQ(c.nbind, 2);
    ASSERT_STR_EQ(get(&c, "bind"), "127.0.0.1 ::1");
    ASSERT_OK(set1(&c, "bind", "", 0, err, sizeof(err)));
    ASSERT_EQ(c.nbind, 0);
    ASSERT(c.bind[0] == NULL);
    ASSERT_STR_EQ(get(&c, "bind"), "");

    ASSERT_OK(set1(&c, "save", "3600 1 300 100", 1, err, sizeof(err)));
    ASSERT_STR_EQ(get(&c, "save"), "3600 1 300 100");
    ASSERT_OK(set1(&c, "save", "60 5", 1, err, sizeof(err)));
    ASSERT_STR_EQ(get(&c, "save"), "60 5");
    ASSERT_EQ(set1(&c, "save", "0 1", 1, err, sizeof(err)), -1);
    ASSERT_STR_EQ(err, "CONFIG SET failed (possibly related to argument "
                  "'save') - Invalid save parameters");
    ASSERT_EQ(set1(&c, "save", "60  5", 1, err, sizeof(err)), -1);
    ASSERT_EQ(set1(&c, "save", "60 5 ", 1, err, sizeof(err)), -1);
    ASSERT_EQ(set1(&c, "save", " ", 1, err, sizeof(err)), -1);
    ASSERT_STR_EQ(get(&c, "save"), "60 5");
    ASSERT_OK(set1(&c, "save", "", 1, err, sizeof(err)));
    ASSERT_STR_EQ(get(&c, "save"), "");
    /* Redis keeps the changes count in an int. */
    ASSERT_OK(set1(&c, "save", "3600 4294967297 60 2147483648", 1, err,
                   sizeof(err)));
    ASSERT_STR_EQ(get(&c, "save"), "3600 1 60 -2147483648");
    ASSERT_OK(set1(&c, "save", "", 1, err, sizeof(err)));

    /* No value at all leaves the limits as they are; so does a wrong
     * one, and the seconds wrap at 32 bits before the sign check. */
    ASSERT_OK(set1(&c, "client-output-buffer-limit", "", 1, err,
                   sizeof(err)));
    ASSERT_STR_EQ(get(&c, "client-output-buffer-limit"),
                  "normal 1048576 2097152 3 slave 1 2 3 pubsub 10 20 30");
    ASSERT_EQ(set1(&c, "client-output-buffer-limit", "pubsub 1 2 3 ", 1,
                   err, sizeof(err)), -1);
    ASSERT_STR_EQ(err, "CONFIG SET failed (possibly related to argument "
                  "'client-output-buffer-limit') - Wrong number of arguments "
                  "in buffer limit configuration.");
    ASSERT_OK(set1(&c, "client-output-buffer-limit",
                   "pubsub 1 2 4294967297", 1, err, sizeof(err)));
    ASSERT_EQ(c.obuf_pubsub.soft_seconds, 1);
    ASSERT_EQ(set1(&c, "client-output-buffer-limit",
                   "pubsub 1 2 2147483648", 1, err, sizeof(err)), -1);
    ASSERT_EQ(set1(&c, "client-output-buffer-limit",
                   "pubsub 1 2 99999999999999999999", 1, err, sizeof(err)),
              -1);
    ASSERT_EQ(c.obuf_pubsub.soft_seconds, 1);
    conf_close(&c);
}

/* CONFIG SET's rules over several pairs (conf_set_many). */
static int set_many(struct conf *c, char *err, size_t errlen, int n, ...)
{
    const char *names[8], *values[8];
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n && i < 8; i++) {
        names[i] = va_arg(ap, const char *);
        values[i] = va_arg(ap, const char *);
    }
    va_end(ap);
    return conf_set_many(c, names, values, n, 0, err, errlen);
}

TEST(set_many_all_or_nothing)
{
    struct conf c;
    char err[512];
    ASSERT_OK(conf_init(&c));
    ASSERT_OK(set_many(&c, err, sizeof(err), 3, "maxclients", "50",
                       "TIMEOUT", "7", "save", "3600 1"));
    ASSERT_EQ(c.maxclients, 50);
    ASSERT_EQ(c.timeout, 7);
    ASSERT_STR_EQ(get(&c, "save"), "3600 1");
    /* A bad value anywhere changes nothing, strings included. */
    ASSERT_EQ(set_many(&c, err, sizeof(err), 4, "maxclients", "60",
                       "requirepass", "pw", "save", "", "timeout", "x"), -1);
    ASSERT_STR_EQ(err, "CONFIG SET failed (possibly related to argument "
                  "'timeout') - argument couldn't be parsed into an "
                  "integer");
    ASSERT_EQ(c.maxclients, 50);
    ASSERT(c.requirepass == NULL);
    ASSERT_STR_EQ(get(&c, "save"), "3600 1");
    /* Every name is checked before any value, first problem reported,
     * as spelled. */
    ASSERT_EQ(set_many(&c, err, sizeof(err), 2, "maxclients", "x",
                       "DataBases", "1"), -1);
    ASSERT_STR_EQ(err, "CONFIG SET failed (possibly related to argument "
                  "'DataBases') - can't set immutable config");
    ASSERT_EQ(set_many(&c, err, sizeof(err), 2, "databases", "1", "nosuch",
                       "1"), -1);
    ASSERT_STR_EQ(err, "CONFIG SET failed (possibly related to argument "
                  "'databases') - can't set immutable config");
    ASSERT_EQ(set_many(&c, err, sizeof(err), 2, "nosuch", "1", "databases",
                       "1"), -1);
    ASSERT_STR_EQ(err, "Unknown option or number of arguments for CONFIG "
                  "SET - 'nosuch'");
    ASSERT_EQ(set_many(&c, err, sizeof(err), 2, "timeout", "1", "Dir",
                       "/tmp"), -1);
    ASSERT_STR_EQ(err, "CONFIG SET failed (possibly related to argument "
                  "'Dir') - can't set protected config");
    ASSERT_EQ(set_many(&c, err, sizeof(err), 1, "dbfilename", "x.rdb"), -1);
    ASSERT_STR_EQ(err, "CONFIG SET failed (possibly related to argument "
                  "'dbfilename') - can't set protected config");
    /* A name twice, in any case, is an error; a name and its alias are
     * two parameters to Redis 7.0, applied in order. */
    ASSERT_EQ(set_many(&c, err, sizeof(err), 2, "timeout", "1", "TimeOut",
                       "2"), -1);
    ASSERT_STR_EQ(err, "CONFIG SET failed (possibly related to argument "
                  "'TimeOut') - duplicate parameter");
    ASSERT_EQ(c.timeout, 7);
    ASSERT_OK(set_many(&c, err, sizeof(err), 2, "hash-max-ziplist-entries",
                       "10", "hash-max-listpack-entries", "20"));
    ASSERT_EQ(c.hash_max_listpack_entries, 20);
    /* Value errors name the parameter in lower case, alias if used. */
    ASSERT_EQ(set_many(&c, err, sizeof(err), 1, "HASH-MAX-ZIPLIST-ENTRIES",
                       "x"), -1);
    ASSERT_STR_EQ(err, "CONFIG SET failed (possibly related to argument "
                  "'hash-max-ziplist-entries') - argument couldn't be "
                  "parsed into an integer");
    /* Only multi-argument directives split a value. */
    ASSERT_OK(set_many(&c, err, sizeof(err), 1, "requirepass", "a b"));
    ASSERT_STR_EQ(c.requirepass, "a b");
    ASSERT_EQ(set_many(&c, err, sizeof(err), 1, "loglevel", "notice x"), -1);
    ASSERT_STR_EQ(err, "CONFIG SET failed (possibly related to argument "
                  "'loglevel') - argument(s) must be one of the following: "
                  "debug, verbose, notice, warning");
    /* The policy is a field now, for INFO. */
    ASSERT_OK(set_many(&c, err, sizeof(err), 1, "maxmemory-policy",
                       "Volatile-TTL"));
    ASSERT_STR_EQ(c.maxmemory_policy, "volatile-ttl");
    conf_close(&c);
}

/* The caller's last check sees every pair applied, and its refusal keeps
 * the old values of all of them (the server refuses a maxclients the
 * open-files limit cannot give). */
static int refuse_over_100(void *ctx, const struct conf *next, char *err,
                           size_t errlen)
{
    ++*(int *)ctx;
    if (next->maxclients <= 100)
        return 0;
    snprintf(err, errlen, "too many: %lld", (long long)next->maxclients);
    return -1;
}

TEST(set_many_checked_by_caller)
{
    struct conf c;
    char err[512];
    int calls = 0;
    const char *names[] = { "timeout", "maxclients" };
    const char *big[] = { "5", "101" }, *small[] = { "6", "100" };
    ASSERT_OK(conf_init(&c));
    ASSERT_EQ(conf_set_many_checked(&c, names, big, 2, 0, refuse_over_100,
                                    &calls, err, sizeof(err)), -1);
    ASSERT_STR_EQ(err, "too many: 101");
    ASSERT_EQ(c.timeout, 0);
    ASSERT_EQ(c.maxclients, 10000);
    ASSERT_OK(conf_set_many_checked(&c, names, small, 2, 0, refuse_over_100,
                                    &calls, err, sizeof(err)));
    ASSERT_EQ(c.timeout, 6);
    ASSERT_EQ(c.maxclients, 100);
    /* Not consulted when a value is bad: that error stands. */
    const char *bad[] = { "x", "100" };
    ASSERT_EQ(conf_set_many_checked(&c, names, bad, 2, 0, refuse_over_100,
                                    &calls, err, sizeof(err)), -1);
    ASSERT_EQ(calls, 2);
    conf_close(&c);
}

TEST(dir_like_getcwd)
{
    struct conf c;
    char err[512], base[64], sub[96], file[96];
    snprintf(base, sizeof(base), "/tmp/test_conf_dir_XXXXXX");
    ASSERT(mkdtemp(base) != NULL);
    snprintf(sub, sizeof(sub), "%s/sub", base);
    snprintf(file, sizeof(file), "%s/file", base);
    ASSERT_OK(mkdir(sub, 0700));
    FILE *f = fopen(file, "w");
    ASSERT(f != NULL);
    fclose(f);
    char *real_base = realpath(base, NULL), want[PATH_MAX + 8];
    ASSERT_OK(conf_init(&c));
    ASSERT_OK(set1(&c, "dir", base, 0, err, sizeof(err)));
    ASSERT_STR_EQ(get(&c, "dir"), real_base);
    /* Relative to the previous dir, as Redis's chdir() makes it. */
    ASSERT_OK(set1(&c, "dir", "sub", 0, err, sizeof(err)));
    snprintf(want, sizeof(want), "%s/sub", real_base);
    ASSERT_STR_EQ(get(&c, "dir"), want);
    ASSERT_OK(set1(&c, "dir", "..", 0, err, sizeof(err)));
    ASSERT_STR_EQ(get(&c, "dir"), real_base);
    ASSERT_EQ(set1(&c, "dir", "file", 0, err, sizeof(err)), -1);
    ASSERT_STR_EQ(err, "CONFIG SET failed (possibly related to argument "
                  "'dir') - Not a directory");
    ASSERT_EQ(set1(&c, "dir", "nosuch", 0, err, sizeof(err)), -1);
    ASSERT_STR_EQ(err, "CONFIG SET failed (possibly related to argument "
                  "'dir') - No such file or directory");
    ASSERT_STR_EQ(get(&c, "dir"), real_base);
    /* Gone: "" as getcwd() fails. */
    ASSERT_OK(set1(&c, "dir", "sub", 0, err, sizeof(err)));
    ASSERT_OK(rmdir(sub));
    ASSERT_STR_EQ(get(&c, "dir"), "");
    conf_close(&c);
    unlink(file);
    rmdir(base);
    free(real_base);
}

TEST(multi_arg_directive_in_one_argument)
{
    /* Redis 7.0 splits a lone argument of a multi-argument directive as a
     * config line: `--save "900 1"` and `save "900  1"` both work. */
    struct conf c;
    char err[512], path[64];
    ASSERT_OK(conf_init(&c));
    char *argv[] = { "respite", "--save", "900  1", "--save", "'300' 10",
                     "--client-output-buffer-limit", " pubsub 1mb 2mb 3 ",
                     "--bind", "127.0.0.1  ::1", NULL };
    int rc = conf_load_args(&c, 9, argv, err, sizeof(err));
    if (rc)
        fprintf(stderr, "    %s\n", err);
    ASSERT_OK(rc);
    ASSERT_STR_EQ(get(&c, "save"), "900 1 300 10");
    ASSERT_EQ(c.obuf_pubsub.hard, 1024 * 1024);
    ASSERT_EQ(c.obuf_pubsub.soft_seconds, 3);
    ASSERT_EQ(c.nbind, 2);
    ASSERT_STR_EQ(c.bind[1], "::1");
    /* Unbalanced quotes leave no argument: save "" then. */
    char *argv2[] = { "respite", "--save", "\"900 1", NULL };
    ASSERT_OK(conf_load_args(&c, 3, argv2, err, sizeof(err)));
    ASSERT_STR_EQ(get(&c, "save"), "");
    ASSERT_OK(load_text(&c, "save \"60 5\"\nsave \"\"\nsave \"1 2\"\n",
                        err, sizeof(err), path, sizeof(path)));
    ASSERT_STR_EQ(get(&c, "save"), "1 2");
    /* Not for single-argument directives. */
    char *argv3[] = { "respite", "--timeout", "1 2", NULL };
    ASSERT_EQ(conf_load_args(&c, 3, argv3, err, sizeof(err)), -1);
    ASSERT_STR_EQ(err, "command line: bad value for 'timeout': argument "
                  "couldn't be parsed into an integer");
    conf_close(&c);
}

/* ---- no-op directives -------------------------------------------------- */

TEST(noop_round_trip)
{
    struct conf c;
    char err[512];
    ASSERT_OK(conf_init(&c));
    ASSERT_OK(set1(&c, "hash-max-listpack-value", "1kb", 1, err,
                   sizeof(err)));
    ASSERT_STR_EQ(get(&c, "hash-max-listpack-value"), "1024");
    ASSERT_STR_EQ(get(&c, "hash-max-ziplist-value"), "1024");
    ASSERT_OK(set1(&c, "zset-max-ziplist-entries", "7", 1, err,
                   sizeof(err)));
    ASSERT_STR_EQ(get(&c, "zset-max-listpack-entries"), "7");
    ASSERT_OK(set1(&c, "maxmemory-policy", "ALLKEYS-LRU", 1, err,
                   sizeof(err)));
    ASSERT_STR_EQ(get(&c, "maxmemory-policy"), "allkeys-lru");
    ASSERT_OK(set1(&c, "activerehashing", "NO", 1, err, sizeof(err)));
    ASSERT_STR_EQ(get(&c, "activerehashing"), "no");
    ASSERT_OK(set1(&c, "dbfilename", "x.rdb", 0, err, sizeof(err)));
    ASSERT_STR_EQ(get(&c, "dbfilename"), "x.rdb");
    ASSERT_OK(set1(&c, "list-max-listpack-size", "-5", 1, err,
                   sizeof(err)));
    ASSERT_STR_EQ(get(&c, "list-max-ziplist-size"), "-5");
    ASSERT_OK(set1(&c, "lua-time-limit", "100", 1, err, sizeof(err)));
    ASSERT_STR_EQ(get(&c, "busy-reply-threshold"), "100");
    ASSERT_OK(set1(&c, "slowlog-log-slower-than", "-1", 1, err,
                   sizeof(err)));
    ASSERT_STR_EQ(get(&c, "slowlog-log-slower-than"), "-1");

    ASSERT_EQ(set1(&c, "maxmemory-policy", "lru", 1, err, sizeof(err)), -1);
    ASSERT_STR_EQ(err, "CONFIG SET failed (possibly related to argument "
                  "'maxmemory-policy') - argument(s) must be one of the "
                  "following: volatile-lru, volatile-lfu, volatile-random, "
                  "volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, "
                  "noeviction");
    ASSERT_EQ(set1(&c, "zset-max-ziplist-value", "-1", 1, err, sizeof(err)),
              -1);
    ASSERT_STR_EQ(err, "CONFIG SET failed (possibly related to argument "
                  "'zset-max-ziplist-value') - argument must be a memory "
                  "value");
    ASSERT_EQ(set1(&c, "io-threads", "4", 1, err, sizeof(err)), -1);
    ASSERT_STR_EQ(err, "CONFIG SET failed (possibly related to argument "
                  "'io-threads') - can't set immutable config");
    ASSERT_OK(set1(&c, "io-threads", "4", 0, err, sizeof(err)));
    ASSERT_STR_EQ(get(&c, "io-threads"), "4");
    conf_close(&c);
}

/* ---- notify-keyspace-events -------------------------------------------- */

static const char *notify(struct conf *c, const char *in)
{
    static char err[512];
    if (set1(c, "notify-keyspace-events", in, 1, err, sizeof(err)) != 0)
        return err;
    return c->notify_keyspace_events;
}

TEST(notify_canonical)
{
    struct conf c;
    ASSERT_OK(conf_init(&c));
    ASSERT_STR_EQ(notify(&c, "KEA"), "AKE");
    ASSERT_STR_EQ(notify(&c, "AKE"), "AKE");
    ASSERT_STR_EQ(notify(&c, "Ex"), "xE");
    ASSERT_STR_EQ(notify(&c, "E$g"), "g$E");
    ASSERT_STR_EQ(notify(&c, "mlK"), "lKm");
    ASSERT_STR_EQ(notify(&c, "Kg$lshzxetd"), "AK");
    ASSERT_STR_EQ(notify(&c, "KEAm"), "AKEm");
    ASSERT_STR_EQ(notify(&c, "nK"), "nK");
    ASSERT_STR_EQ(notify(&c, "AnK"), "AnK");
    /* Kept, so the flag stays, but printed as Redis 7 prints it. */
    ASSERT_STR_EQ(get(&c, "notify-keyspace-events"), "AK");
    ASSERT_STR_EQ(notify(&c, "gnK"), "gnK");
    ASSERT_STR_EQ(get(&c, "notify-keyspace-events"), "gnK");
    ASSERT_STR_EQ(notify(&c, "xxEE"), "xE");
    ASSERT_STR_EQ(notify(&c, "K"), "K");
    ASSERT_STR_EQ(get(&c, "notify-keyspace-events"), "K");
    ASSERT_STR_EQ(notify(&c, ""), "");
    ASSERT_STR_EQ(notify(&c, "Ea!"),
                  "CONFIG SET failed (possibly related to argument "
                  "'notify-keyspace-events') - Invalid event class "
                  "character. Use 'Ag$lshzxeKEtmdn'.");
    ASSERT_STR_EQ(c.notify_keyspace_events, "");
    conf_close(&c);
}

/* ---- memory units ------------------------------------------------------ */

static long long mem(struct conf *c, const char *in)
{
    char err[512];
    if (set1(c, "maxmemory", in, 1, err, sizeof(err)) != 0)
        return -1;
    return (long long)c->maxmemory;
}

TEST(memory_units)
{
    struct conf c;
    ASSERT_OK(conf_init(&c));
    ASSERT_EQ(mem(&c, "0"), 0);
    ASSERT_EQ(mem(&c, "12345"), 12345);
    ASSERT_EQ(mem(&c, "5b"), 5);
    ASSERT_EQ(mem(&c, "1k"), 1000);
    ASSERT_EQ(mem(&c, "1K"), 1000);
    ASSERT_EQ(mem(&c, "1kb"), 1024);
    ASSERT_EQ(mem(&c, "1KB"), 1024);
    ASSERT_EQ(mem(&c, "2m"), 2000000);
    ASSERT_EQ(mem(&c, "2mb"), 2 * 1024 * 1024);
    ASSERT_EQ(mem(&c, "2Mb"), 2 * 1024 * 1024);
    ASSERT_EQ(mem(&c, "3g"), 3000000000LL);
    ASSERT_EQ(mem(&c, "3gb"), 3LL * 1024 * 1024 * 1024);
    ASSERT_OK(set1(&c, "maxmemory", "18446744073709551615", 1, (char[64]){0},
                   64));
    ASSERT_STR_EQ(get(&c, "maxmemory"), "18446744073709551615");
    ASSERT_EQ(mem(&c, "1tb"), -1);
    ASSERT_EQ(mem(&c, "-1"), -1);
    ASSERT_EQ(mem(&c, "1.5mb"), -1);
    ASSERT_EQ(mem(&c, " 1"), -1);
    ASSERT_EQ(mem(&c, "1 mb"), -1);
    ASSERT_EQ(mem(&c, "mb"), 0);    /* as Redis 7.0's memtoull */
    /* Its overflows: digits saturate, units wrap, 128 digits fail. */
    ASSERT_OK(set1(&c, "maxmemory", "18446744073709551616", 1,
                   (char[64]){0}, 64));
    ASSERT_STR_EQ(get(&c, "maxmemory"), "18446744073709551615");
    ASSERT_OK(set1(&c, "maxmemory", "99999999999999999999999kb", 1,
                   (char[64]){0}, 64));
    ASSERT_STR_EQ(get(&c, "maxmemory"), "18446744073709550592");
    ASSERT_EQ(mem(&c, "17179869184gb"), 0);
    ASSERT_EQ(mem(&c, "17179869185gb"), 1024 * 1024 * 1024);
    char digits[130];
    memset(digits, '1', 128);
    digits[128] = '\0';
    ASSERT_EQ(mem(&c, digits), -1);
    digits[127] = '\0';
    ASSERT_EQ(mem(&c, digits), -1 /* ULLONG_MAX as long long */);
    ASSERT_STR_EQ(get(&c, "maxmemory"), "18446744073709551615");
    conf_close(&c);
}

TEST(integer_strictness)
{
    struct conf c;
    char err[512];
    ASSERT_OK(conf_init(&c));
    ASSERT_EQ(set1(&c, "timeout", "+5", 1, err, sizeof(err)), -1);
    ASSERT_EQ(set1(&c, "timeout", "05", 1, err, sizeof(err)), -1);
    ASSERT_EQ(set1(&c, "timeout", " 5", 1, err, sizeof(err)), -1);
    ASSERT_EQ(set1(&c, "timeout", "5s", 1, err, sizeof(err)), -1);
    ASSERT_EQ(set1(&c, "timeout", "", 1, err, sizeof(err)), -1);
    ASSERT_EQ(set1(&c, "timeout", "-0", 1, err, sizeof(err)), -1);
    ASSERT_EQ(set1(&c, "timeout", "99999999999999999999", 1, err,
                   sizeof(err)), -1);
    ASSERT_OK(set1(&c, "timeout", "2147483647", 1, err, sizeof(err)));
    ASSERT_EQ(c.timeout, 2147483647);
    ASSERT_OK(set1(&c, "stream-node-max-entries", "9223372036854775807", 1,
                   err, sizeof(err)));
    ASSERT_OK(set1(&c, "list-max-listpack-size", "-2147483648", 1, err,
                   sizeof(err)));
    ASSERT_EQ(set1(&c, "list-max-listpack-size", "-2147483649", 1, err,
                   sizeof(err)), -1);
    ASSERT_STR_EQ(err, "CONFIG SET failed (possibly related to argument "
                  "'list-max-listpack-size') - argument must be between "
                  "-2147483648 and 2147483647 inclusive");
    conf_close(&c);
}

/* ---- lifetime ---------------------------------------------------------- */

TEST(close_frees_everything)
{
    /* ASan reports any leak of the strings set below. */
    struct conf c;
    char err[512];
    ASSERT_OK(conf_init(&c));
    ASSERT_OK(set1(&c, "bind", "a b c d e f g h i j k l m n o p", 0, err,
                   sizeof(err)));
    ASSERT_EQ(c.nbind, 16);
    ASSERT_OK(set1(&c, "unixsocket", "/tmp/x.sock", 0, err, sizeof(err)));
    ASSERT_OK(set1(&c, "requirepass", "pw", 0, err, sizeof(err)));
    ASSERT_OK(set1(&c, "logfile", "/tmp/log", 0, err, sizeof(err)));
    ASSERT_OK(set1(&c, "dir", "/tmp", 0, err, sizeof(err)));
    ASSERT_OK(set1(&c, "loglevel", "debug", 0, err, sizeof(err)));
    ASSERT_OK(set1(&c, "notify-keyspace-events", "KEA", 0, err,
                   sizeof(err)));
    ASSERT_OK(set1(&c, "save", "1 2 3 4", 0, err, sizeof(err)));
    ASSERT_OK(set1(&c, "dbfilename", "d.rdb", 0, err, sizeof(err)));
    conf_close(&c);
    ASSERT(c.noop == NULL);
    ASSERT_EQ(c.nbind, 0);
    conf_close(&c);     /* twice is harmless */

    struct conf z;
    memset(&z, 0, sizeof(z));
    conf_close(&z);     /* a zeroed struct too */
}

TEST(latency_percentiles)
{
    struct conf c;
    char err[512];
    ASSERT_OK(conf_init(&c));
    ASSERT_STR_EQ(get(&c, "latency-tracking-info-percentiles"), "50 99 99.9");
    ASSERT_STR_EQ(get(&c, "latency-tracking"), "yes");
    /* Shown as Redis shows them: %f with its trailing zeros trimmed. */
    ASSERT_OK(set1(&c, "latency-tracking-info-percentiles",
                   "50.50 1e1 0x10 99.99999999 0", 1, err, sizeof(err)));
    ASSERT_STR_EQ(c.latency_tracking_info_percentiles, "50.5 10 16 100 0");
    ASSERT_OK(set1(&c, "latency-tracking-info-percentiles", "", 1, err,
                   sizeof(err)));
    ASSERT_STR_EQ(get(&c, "latency-tracking-info-percentiles"), "");
    /* Refused, and the old value kept. */
    ASSERT_EQ(set1(&c, "latency-tracking-info-percentiles", "100.5", 1, err,
                   sizeof(err)), -1);
    ASSERT(strstr(err, "') - latency-tracking-info-percentiles parameters "
                       "should sit between [0.0,100.0]") != NULL);
    ASSERT_EQ(set1(&c, "latency-tracking-info-percentiles", "50  99", 1, err,
                   sizeof(err)), -1);
    ASSERT(strstr(err, "') - Invalid latency-tracking-info-percentiles "
                       "parameters") != NULL);
    ASSERT_EQ(set1(&c, "latency-tracking-info-percentiles", "nan", 1, err,
                   sizeof(err)), -1);
    ASSERT_STR_EQ(get(&c, "latency-tracking-info-percentiles"), "");
    /* A config file's line: one argument each. */
    const char *args[] = { "90", "99.90" };
    ASSERT_OK(conf_set(&c, "latency-tracking-info-percentiles", args, 2, 0,
                       err, sizeof(err)));
    ASSERT_STR_EQ(c.latency_tracking_info_percentiles, "90 99.9");
    conf_close(&c);
}

static const struct unit_test tests[] = {
    UNIT(defaults_fields),
    UNIT(defaults_config_get),
    UNIT(each_names_unique),
    UNIT(file_syntax),
    UNIT(file_single_quote_adjacent_fails),
    UNIT(file_errors),
    UNIT(file_include),
    UNIT(file_rename_command),
    UNIT(file_missing),
    UNIT(file_error_keeps_earlier_lines_and_old_value),
    UNIT(file_save_lines_add_up),
    UNIT(file_hz_clamped),
    UNIT(file_deprecated_ignored),
    UNIT(file_redis_conf_lines),
    UNIT(shutdown_signal_words),
    UNIT(example_file),
    UNIT(args_stdin),
    UNIT(args_override_file),
    UNIT(args_only_directives),
    UNIT(args_errors),
    UNIT(set_runtime_rules),
    UNIT(set_requirepass),
    UNIT(set_multi_arg_values),
    UNIT(set_many_all_or_nothing),
    UNIT(set_many_checked_by_caller),
    UNIT(dir_like_getcwd),
    UNIT(multi_arg_directive_in_one_argument),
    UNIT(noop_round_trip),
    UNIT(notify_canonical),
    UNIT(memory_units),
    UNIT(integer_strictness),
    UNIT(close_frees_everything),
    UNIT(latency_percentiles),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
