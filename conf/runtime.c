/* runtime.c - the configuration while the server runs: CONFIG SET's
 * rules (which names it takes, all values or none) and the walk over every
 * directive that CONFIG GET prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf_int.h"

/* Deep-copies src into dst (which is overwritten). Returns 0, or -1 on OOM
 * with dst left empty. */
static int conf_copy(struct conf *dst, const struct conf *src)
{
    *dst = *src;
    dst->noop = NULL;
    dst->users = NULL;          /* start-up only: not carried over */
    dst->nusers = 0;
    dst->renames = NULL;
    dst->nrenames = 0;
    for (int i = 0; i < CONF_MAX_BIND; i++)
        dst->bind[i] = NULL;
    for (size_t i = 0; i < conf__ndefs; i++) {
        const struct conf_def *d = &conf__defs[i];
        if (d->size && conf__is_str_type(d->type))
            *(char **)conf__field(dst, d) = NULL;
    }
    int nbind = dst->nbind;
    dst->nbind = 0;
    int oom = 0;
    for (int i = 0; i < nbind; i++) {
        dst->bind[i] = conf__dup_str(src->bind[i]);
        oom |= dst->bind[i] == NULL;
        dst->nbind = i + 1;
    }
    dst->noop = calloc(conf__ndefs, sizeof(*dst->noop));
    oom |= dst->noop == NULL;
    for (size_t i = 0; i < conf__ndefs && !oom; i++) {
        const struct conf_def *d = &conf__defs[i];
        const char *from = NULL;
        char **to = NULL;
        if (d->size == 0) {
            from = src->noop[i];
            to = &dst->noop[i];
        } else if (conf__is_str_type(d->type)) {
            from = *(char *const *)conf__cfield(src, d);
            to = (char **)conf__field(dst, d);
        }
        if (from) {
            *to = conf__dup_str(from);
            oom |= *to == NULL;
        }
    }
    if (oom) {
        conf_close(dst);
        return -1;
    }
    return 0;
}

static const char set_failed[] = "CONFIG SET failed (possibly related to "
                                 "argument '%s') - %s";

/* The first check of CONFIG SET, on the name alone: writes the error for
 * an unknown (or hidden), immutable or protected (unless protected_ok)
 * directive into err, the name shown as the client spelled it, and
 * returns -1 (unknown) or -2; else returns the row. */
static int set_row(const char *name, int protected_ok, char *err,
                   size_t errlen)
{
    char shown[64];
    int row = conf__lookup(name);
    conf__clip(shown, sizeof(shown), name);
    if (row < 0 || (conf__defs[row].flags & F_HIDDEN)) {
        snprintf(err, errlen, "Unknown option or number of arguments for "
                 "CONFIG SET - '%s'", shown);
        return -1;
    }
    if (!(conf__defs[row].flags & F_MUTABLE)) {
        snprintf(err, errlen, set_failed, shown, "can't set immutable config");
        return -2;
    }
    if ((conf__defs[row].flags & F_PROTECTED) && !protected_ok) {
        snprintf(err, errlen, set_failed, shown, "can't set protected config");
        return -2;
    }
    return row;
}

/* Applies one CONFIG SET value to row; a directive that takes several
 * arguments gets the value split at single spaces. Errors name the
 * directive as Redis 7.0 does: in lower case, the alias if the client used
 * it. Returns 0, or -1 with err set. */
static int set_value(struct conf *c, int row, const char *name,
                     const char *const *args, int nargs, char *err,
                     size_t errlen)
{
    const struct conf_def *d = &conf__defs[row];
    const char *shown = d->alias && !strcasecmp(name, d->alias) ? d->alias
                                                                : d->name;
    char why[256];
    struct args split = {0};
    if ((d->flags & F_MULTI) && nargs == 1) {
        if (conf__split_spaces(args[0], &split) != 0) {
            snprintf(err, errlen, set_failed, shown, "out of memory");
            return -1;
        }
        args = (const char *const *)split.v;
        nargs = split.n;
    }
    int rc = conf__apply(c, (size_t)row, args, nargs, NULL, why, sizeof(why));
    conf__args_free(&split);
    switch (rc) {
    case APPLY_OK:
        return 0;
    case APPLY_ARITY:
        snprintf(err, errlen, set_failed, shown, "wrong number of arguments");
        return -1;
    case APPLY_NOMEM:
        snprintf(err, errlen, set_failed, shown, "out of memory");
        return -1;
    default:
        snprintf(err, errlen, set_failed, shown, why);
        return -1;
    }
}

/* One directive from already-split arguments. With runtime set, the CONFIG
 * SET rules apply (set_row); a single argument to a directive that takes
 * several is split on spaces either way. Returns 0, or -1 with err set; c
 * is unchanged on error. */
int conf_set(struct conf *c, const char *name, const char *const *args,
             int nargs, int runtime, char *err, size_t errlen)
{
    int row;
    if (runtime) {
        row = set_row(name, 0, err, errlen);
        if (row < 0)
            return -1;
    } else {
        row = conf__lookup(name);
        if (row < 0) {
            char shown[64];
            conf__clip(shown, sizeof(shown), name);
            snprintf(err, errlen, "Unknown option or number of arguments "
                     "for CONFIG SET - '%s'", shown);
            return -1;
        }
    }
    return set_value(c, row, name, args, nargs, err, errlen);
}

/* CONFIG SET name value [name value ...], Redis 7.0's configSetCommand:
 * every name is checked first, in order, and the first unknown, immutable,
 * protected or repeated one fails the command (a name and its alias are
 * two parameters there, so both may appear); then the values are applied
 * in order to a copy of c, which replaces c only if all of them succeed. */
int conf_set_many(struct conf *c, const char *const *names,
                  const char *const *values, int n, int protected_ok,
                  char *err, size_t errlen)
{
    return conf_set_many_checked(c, names, values, n, protected_ok, NULL,
                                 NULL, err, errlen);
}

/* See conf.h. */
int conf_set_many_checked(struct conf *c, const char *const *names,
                          const char *const *values, int n, int protected_ok,
                          conf_check_cb check, void *ctx, char *err,
                          size_t errlen)
{
    int *rows = calloc(n > 0 ? (size_t)n : 1, sizeof(*rows));
    if (!rows) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        rows[i] = set_row(names[i], protected_ok, err, errlen);
        if (rows[i] < 0) {
            rc = -1;
            break;
        }
        const struct conf_def *d = &conf__defs[rows[i]];
        int alias = d->alias && !strcasecmp(names[i], d->alias);
        for (int j = 0; j < i; j++) {
            const struct conf_def *e = &conf__defs[rows[j]];
            if (rows[j] == rows[i] &&
                alias == (e->alias && !strcasecmp(names[j], e->alias))) {
                char shown[64];
                conf__clip(shown, sizeof(shown), names[i]);
                snprintf(err, errlen, set_failed, shown,
                         "duplicate parameter");
                rc = -1;
                break;
            }
        }
    }
    struct conf tmp;
    if (rc == 0 && conf_copy(&tmp, c) != 0) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    } else if (rc == 0) {
        for (int i = 0; i < n && rc == 0; i++)
            rc = set_value(&tmp, rows[i], names[i], &values[i], 1, err,
                           errlen);
        if (rc == 0 && check)
            rc = check(ctx, &tmp, err, errlen);
        if (rc == 0) {
            conf_close(c);
            *c = tmp;
        } else {
            conf_close(&tmp);
        }
    }
    free(rows);
    return rc;
}

/* See conf.h. */
int conf_unlisted(const char *name)
{
    int row = conf__lookup(name);
    return row >= 0 && (conf__defs[row].flags & F_UNLISTED);
}

/* Calls cb for every visible directive in table order, and once more
 * under its alias right after it; values as CONFIG GET prints them. */
void conf_each(const struct conf *c, conf_visit_cb cb, void *ctx)
{
    struct sbuf b = {0};
    for (size_t i = 0; i < conf__ndefs; i++) {
        const struct conf_def *d = &conf__defs[i];
        if (d->flags & F_HIDDEN)
            continue;
        b.len = 0;
        b.oom = 0;
        if (b.p)
            b.p[0] = '\0';
        const char *v = conf__format_value(c, i, &b);
        cb(ctx, d->name, v);
        if (d->alias)
            cb(ctx, d->alias, v);
    }
    free(b.p);
}
