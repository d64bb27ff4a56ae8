/* acl_file.c - the aclfile: users loaded at start-up and by ACL LOAD,
 * written by ACL SAVE, one "user <name> <rule> ..." a line (split like
 * redis-cli's input: quotes allowed), as ACL LIST prints them.
 *
 * Loading is all or nothing, as in Redis 7.0: every line is read into
 * users of its own, every error is gathered into one message, and only a
 * file without errors replaces the users. Then the default user takes the
 * file's "default" line (or the built-in defaults when it has none) in
 * place, and every other user is new: the clients of the users replaced
 * are disconnected, whether or not the file has them again.
 *
 * Saving writes to a temporary file next to the aclfile and renames it
 * over, so a crash never leaves half a file. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/acl.h"
#include "server/server.h"

/* The errors gathered while loading go to a struct resp_out (sticky
 * nomem included) through resp_add_rawf; this hands its text over as the
 * caller's NUL-terminated string (NULL on OOM) and closes it. */
static char *errs_take(struct resp_out *e)
{
    char *s = e->nomem ? NULL : strndup(e->data ? e->data : "", e->len);
    resp_out_close(e);
    return s;
}

/* The whole file, owned, NUL-terminated; NULL with errno set. */
static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *b = realloc(buf, cap);
            if (!b) {
                free(buf);
                fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            buf = b;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* The users being loaded. */
struct loaded {
    struct acl_user **v;
    size_t n;
};

static struct acl_user *loaded_find(const struct loaded *l, const char *name,
                                    size_t len)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i]->namelen == len && memcmp(l->v[i]->name, name, len) == 0)
            return l->v[i];
    return NULL;
}

static void loaded_free(struct loaded *l)
{
    for (size_t i = 0; i < l->n; i++)
        acl_user_free(l->v[i]);
    free(l->v);
}

/* Applies the rules of a line (arguments 2 on, a selector's joined) to
 * u, or adds the error of the first refused. */
static void apply_line_rules(struct server *srv, struct acl_user *u,
                             const char *path, int no, const char *buf,
                             const size_t *offs, const size_t *lens,
                             size_t argc, struct resp_out *e)
{
    size_t n = argc - 2, bad = 0;
    const char **argv = calloc(n + 1, sizeof(*argv));
    char **ops = calloc(n + 1, sizeof(*ops));
    size_t *olens = calloc(n + 1, sizeof(*olens));
    size_t nops = (size_t)-1;
    if (argv && ops && olens) {
        for (size_t i = 0; i < n; i++)
            argv[i] = buf + offs[i + 2];
        nops = acl_merge_selectors(argv, lens + 2, n, ops, olens, &bad);
    } else
        bad = (size_t)-1;
    if (nops == (size_t)-1) {
        if (bad == (size_t)-1)
            e->nomem = 1;
        else
            resp_add_rawf(e, "%s:%d: Unmatched parenthesis in acl "
                             "selector starting at '%.*s'. ", path, no,
                          (int)lens[bad + 2], argv[bad]);
        nops = 0;
    }
    for (size_t i = 0; i < nops; i++) {
        enum acl_rule_err err = acl_rule_apply(srv, u, ops[i], olens[i]);
        if (err != ACL_RULE_OK) {
            resp_add_rawf(e, "%s:%d: Error in applying operation '%s': "
                             "%s. ", path, no, ops[i],
                          acl_rule_err_text(err));
            break;
        }
    }
    for (size_t i = 0; i < nops; i++)
        free(ops[i]);
    free(ops);
    free(olens);
    free(argv);
}

/* Reads line number no (line[0..n), trimmed) into l, or adds its error. */
static void load_line(struct server *srv, const char *path, int no,
                      const char *line, size_t n, struct loaded *l,
                      struct resp_out *e)
{
    char *buf = malloc(n + 1);
    size_t *lens = malloc((n / 2 + 2) * sizeof(*lens));
    size_t *offs = malloc((n / 2 + 2) * sizeof(*offs));
    if (!buf || !lens || !offs) {
        e->nomem = 1;
        goto out;
    }
    size_t pos = 0, used = 0, argc = 0, len;
    int rc;
    while ((rc = resp_split_next(line, n, &pos, buf + used, &len)) == 1) {
        offs[argc] = used;
        lens[argc++] = len;
        used += len;
    }
    if (rc < 0) {
        resp_add_rawf(e, "%s:%d: unbalanced quotes in acl line. ", path,
                      no);
        goto out;
    }
    if (argc < 2 || lens[0] != 4 || memcmp(buf + offs[0], "user", 4) != 0) {
        resp_add_rawf(e, "%s:%d should start with user keyword followed "
                         "by the username. ", path, no);
        goto out;
    }
    const char *name = buf + offs[1];
    if (memchr(name, ' ', lens[1]) || memchr(name, '\0', lens[1])) {
        resp_add_rawf(e, "%s:%d: Syntax error. ", path, no);
        goto out;
    }
    if (loaded_find(l, name, lens[1])) {
        resp_add_rawf(e, "WARNING: Duplicate user '%.*s' found on line "
                         "%d. ", (int)lens[1], name, no);
        goto out;
    }
    struct acl_user *u = acl_user_new(srv, name, lens[1]);
    struct acl_user **v = realloc(l->v, (l->n + 1) * sizeof(*v));
    if (!u || !v) {
        acl_user_free(u);
        if (v)
            l->v = v;
        e->nomem = 1;
        goto out;
    }
    l->v = v;
    v[l->n++] = u;
    apply_line_rules(srv, u, path, no, buf, offs, lens, argc, e);
    acl_user_changed(srv, u);
out:
    free(buf);
    free(lens);
    free(offs);
}

/* Puts the loaded users in place of the current ones (see the top). */
static void install(struct server *srv, struct loaded *l)
{
    struct acl *acl = srv->acl;
    struct acl_user *def = loaded_find(l, "default", 7);
    for (size_t i = 0; i < acl->nusers; i++) {
        struct acl_user *u = acl->users[i];
        if (u == acl->dflt)
            continue;
        acl_user_kill_clients(srv, u);
        acl_user_free(u);
    }
    acl->nusers = 0;
    acl_user_add(srv, acl->dflt);        /* fits: the array held it */
    if (def) {
        acl_user_replace(srv, acl->dflt, def);
    } else {
        static const char *const rules[] = { "reset", "+@all", "~*", "&*",
                                             "on", "nopass" };
        for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
            acl_rule_apply(srv, acl->dflt, rules[i], strlen(rules[i]));
        acl->dflt->flags &= ~(unsigned)ACL_USER_SANITIZE;
        acl_user_changed(srv, acl->dflt);
    }
    for (size_t i = 0; i < l->n; i++) {
        if (l->v[i] == def)
            continue;
        if (acl_user_add(srv, l->v[i]) != 0)
            acl_user_free(l->v[i]);
    }
    free(l->v);
    l->v = NULL;
    l->n = 0;
    acl_kill_pubsub_clients(srv, acl->dflt);
}

/* See acl.h. */
int acl_file_load(struct server *srv, char **err)
{
    const char *path = srv->conf.aclfile;
    char pbuf[PATH_MAX];
    size_t len;
    char *text = read_all(server_dir_path(srv, path, pbuf, sizeof(pbuf)),
                          &len);
    struct resp_out e;
    resp_out_init(&e, 2);
    if (!text) {
        resp_add_rawf(&e, "Error loading ACLs, opening file '%s': %s",
                      path, strerror(errno));
        *err = errs_take(&e);
        return -1;
    }
    struct loaded l = { 0 };
    int no = 0;
    for (size_t at = 0; at <= len;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - text) : len;
        no++;
        size_t a = at, b = end;
        while (a < b && strchr(" \t\r\n", text[a]))
            a++;
        while (b > a && strchr(" \t\r\n", text[b - 1]))
            b--;
        if (b > a)
            load_line(srv, path, no, text + a, b - a, &l, &e);
        if (!nl)
            break;
        at = end + 1;
    }
    free(text);
    if (e.len || e.nomem) {
        loaded_free(&l);
        if (e.nomem) {
            resp_out_reset(&e, 0);
            resp_add_rawf(&e, "Out of memory loading ACLs. ");
        }
        resp_add_rawf(&e, "WARNING: ACL errors detected, no change to "
                          "the previously active ACL rules was performed");
        *err = errs_take(&e);
        return -1;
    }
    resp_out_close(&e);
    install(srv, &l);
    return 0;
}

/* See acl.h. */
void acl_file_load_command(struct client *c)
{
    char *err = NULL;
    if (acl_file_load(c->srv, &err) == 0) {
        reply_ok(c);
        return;
    }
    size_t n = err ? strlen(err) : 0;
    char *msg = malloc(n + 5);
    if (!msg) {
        free(err);
        reply_error(c, ERR_OOM);
        return;
    }
    memcpy(msg, "ERR ", 4);
    memcpy(msg + 4, err ? err : "", n + 1);
    reply_error_text(c, msg, n + 4);
    free(msg);
    free(err);
}

/* Writes every user's line to path. Returns 0, or -1 with errno set. */
static int save_to(const struct acl *acl, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    struct resp_out text;
    resp_out_init(&text, 2);
    int bad = 0;
    for (size_t i = 0; i < acl->nusers && !bad; i++) {
        resp_out_reset(&text, 0);
        acl_describe_user(acl, acl->users[i], &text);
        resp_add_raw(&text, "\n", 1);
        bad = text.nomem || fwrite(text.data, 1, text.len, f) != text.len;
    }
    resp_out_close(&text);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0)
        bad = 1;
    if (fclose(f) != 0)
        bad = 1;
    return bad ? -1 : 0;
}

/* See acl.h. */
void acl_file_save_command(struct client *c)
{
    struct server *srv = c->srv;
    char pbuf[PATH_MAX];
    const char *path = server_dir_path(srv, srv->conf.aclfile, pbuf,
                                       sizeof(pbuf));
    size_t n = strlen(path);
    char *tmp = malloc(n + 32);
    if (!tmp) {
        reply_error(c, ERR_OOM);
        return;
    }
    snprintf(tmp, n + 32, "%s.tmp-%ld", path, (long)getpid());
    if (save_to(srv->acl, tmp) != 0 || rename(tmp, path) != 0) {
        server_log(srv, 'w', "Saving the ACL file %s: %s", path,
                   strerror(errno));
        unlink(tmp);
        free(tmp);
        static const char msg[] =
            "ERR There was an error trying to save the ACLs. Please check "
            "the server logs for more information";
        reply_error_text(c, msg, sizeof(msg) - 1);
        return;
    }
    free(tmp);
    reply_ok(c);
}
