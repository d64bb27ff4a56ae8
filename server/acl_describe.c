/* acl_describe.c - a user as ACL LIST and ACL GETUSER show it.
 *
 * Commands are described as Redis 7.0 does, not as they were given: from
 * "+@all" when the user may run commands added later (ACL_USER_FUTURE),
 * else "-@all"; then, over and over, the category that best fits what is
 * left to say (the largest share of its commands that differ from the
 * start the same way, ties to the larger category), as long as more than
 * half of it does; then each command and subcommand still different, in
 * the command table's order (Redis's follows its hash table's, which
 * changes from one start to the next); then the first-arg rules of the
 * commands not allowed whole. A scratch bitmap ("fake") tracks what the
 * rules said so far, another ("left") what remains to say.
 *
 * Keys: "~*" for allkeys, else each pattern, "%R~", "%W~" or "~" (both).
 * Channels: "&*" for allchannels, else each pattern; ACL LIST puts
 * "resetchannels" before them, as channels default to all in old
 * configurations. Selectors follow the user's own, each in parentheses. */
#include <stdlib.h>
#include <string.h>

#include "protocol/resp.h"
#include "server/acl.h"
#include "server/server.h"

static void add_str(struct resp_out *out, const char *s)
{
    resp_add_raw(out, s, strlen(s));
}

/* Appends " " unless out is empty, then s[0..n). */
static void add_word(struct resp_out *out, const char *s, size_t n)
{
    if (out->len)
        resp_add_raw(out, " ", 1);
    resp_add_raw(out, s, n);
}

static int bit_of(const uint64_t *bits, size_t id)
{
    return (int)((bits[id / 64] >> (id % 64)) & 1);
}

/* Counts the commands of category cat set and clear in bits. */
static void count_category(const struct acl *acl, const uint64_t *bits,
                           uint32_t cat, size_t *on, size_t *off)
{
    *on = *off = 0;
    for (size_t id = 0; id < acl->ncmds; id++) {
        if (!(acl->cmds[id].cats & cat))
            continue;
        if (bit_of(bits, id))
            (*on)++;
        else
            (*off)++;
    }
}

/* The category that best describes what left holds (set bits when
 * additive, clear ones otherwise), or -1 when none covers more than half
 * its commands. */
static int best_category(const struct acl *acl, const uint64_t *left,
                         int additive)
{
    int best = -1;
    size_t best_want = 0, best_total = 1;
    for (size_t j = 0; command_acl_category_name(j); j++) {
        size_t on, off;
        count_category(acl, left, (uint32_t)1 << j, &on, &off);
        size_t want = additive ? on : off, other = additive ? off : on;
        if (want <= other)
            continue;
        size_t total = want + other;
        /* want / total against best_want / best_total. */
        if (best < 0 || want * best_total > best_want * total ||
            (want * best_total == best_want * total && want > best_want)) {
            best = (int)j;
            best_want = want;
            best_total = total;
        }
    }
    return best;
}

/* Appends " +name" or " -name" for id. */
static void add_command(const struct acl *acl, struct resp_out *out,
                        size_t id, int allow)
{
    resp_add_raw(out, allow ? " +" : " -", 2);
    add_str(out, acl->cmds[id].name);
}

/* See acl.h. */
void acl_describe_commands(const struct acl *acl, const struct acl_user *u,
                           struct resp_out *out)
{
    int additive = !(u->flags & ACL_USER_FUTURE);
    size_t bytes = acl->nwords * sizeof(uint64_t);
    uint64_t *fake = malloc(bytes ? bytes : 1);
    uint64_t *left = malloc(bytes ? bytes : 1);
    if (!fake || !left) {
        free(fake);
        free(left);
        out->nomem = 1;
        return;
    }
    memset(fake, additive ? 0 : 0xff, bytes);
    memcpy(left, u->bits, bytes);
    add_str(out, additive ? "-@all" : "+@all");
    int j;
    while ((j = best_category(acl, left, additive)) >= 0) {
        uint32_t cat = (uint32_t)1 << j;
        acl__category_bits(acl, fake, cat, additive);
        acl__category_bits(acl, left, cat, !additive);
        resp_add_raw(out, additive ? " +@" : " -@", 3);
        add_str(out, command_acl_category_name((size_t)j));
    }
    size_t n;
    command_table(&n);
    for (size_t i = 0; i < n; i++) {
        int ub = acl_bit(u, i);
        if (ub != bit_of(fake, i)) {
            add_command(acl, out, i, ub);
            acl__perm_bits(acl, fake, i, ub);
        }
        const struct acl_cmd *ac = &acl->cmds[i];
        for (size_t k = 0; k < ac->nsubs; k++) {
            size_t id = ac->first_sub + k;
            int sb = acl_bit(u, id);
            if (sb != bit_of(fake, id)) {
                add_command(acl, out, id, sb);
                acl__perm_bits(acl, fake, id, sb);
            }
        }
        for (size_t k = 0; !ub && k < u->nfa; k++) {
            if (u->fa[k].id != i)
                continue;
            add_command(acl, out, i, 1);
            resp_add_raw(out, "|", 1);
            add_str(out, u->fa[k].arg);
        }
    }
    free(fake);
    free(left);
}

/* See acl.h. */
void acl_describe_keys(const struct acl_user *u, struct resp_out *out)
{
    if (u->flags & ACL_USER_ALLKEYS) {
        add_word(out, "~*", 2);
        return;
    }
    for (size_t i = 0; i < u->nkeys; i++) {
        unsigned f = u->keys[i].flags;
        add_word(out, f == ACL_READ ? "%R~" : f == ACL_WRITE ? "%W~" : "~",
                 f == (ACL_READ | ACL_WRITE) ? 1 : 3);
        resp_add_raw(out, u->keys[i].pat, u->keys[i].len);
    }
}

/* See acl.h. */
void acl_describe_channels(const struct acl_user *u, struct resp_out *out)
{
    if (u->flags & ACL_USER_ALLCHANNELS) {
        add_word(out, "&*", 2);
        return;
    }
    for (size_t i = 0; i < u->nchans; i++) {
        add_word(out, "&", 1);
        resp_add_raw(out, u->chans[i].pat, u->chans[i].len);
    }
}

/* Keys, channels (after "resetchannels" unless all) and commands of
 * the selector u, as ACL LIST shows them. */
static void describe_selector(const struct acl *acl, const struct acl_user *u,
                              struct resp_out *out)
{
    acl_describe_keys(u, out);
    if (!(u->flags & ACL_USER_ALLCHANNELS))
        add_word(out, "resetchannels", 13);
    acl_describe_channels(u, out);
    if (out->len)
        resp_add_raw(out, " ", 1);
    acl_describe_commands(acl, u, out);
}

/* See acl.h. */
void acl_describe_user(const struct acl *acl, const struct acl_user *u,
                       struct resp_out *out)
{
    add_str(out, "user ");
    resp_add_raw(out, u->name, u->namelen);
    add_str(out, (u->flags & ACL_USER_ON) ? " on" : " off");
    if (u->flags & ACL_USER_NOPASS)
        add_str(out, " nopass");
    if (u->flags & ACL_USER_SKIP_SANITIZE)
        add_str(out, " skip-sanitize-payload");
    if (u->flags & ACL_USER_SANITIZE)
        add_str(out, " sanitize-payload");
    for (size_t i = 0; i < u->npass; i++) {
        add_str(out, " #");
        resp_add_raw(out, u->pass[i], ACL_HASH_LEN);
    }
    describe_selector(acl, u, out);
    for (size_t i = 0; i < u->nsels; i++) {
        struct resp_out sel;
        resp_out_init(&sel, 2);
        describe_selector(acl, u->sels[i], &sel);
        add_str(out, " (");
        resp_add_raw(out, sel.data ? sel.data : "", sel.len);
        add_str(out, ")");
        out->nomem |= sel.nomem;
        resp_out_close(&sel);
    }
}
