/* cmd_lock.c - the commands that make a safe lock one round trip each:
 * DIGEST and DELEX (Redis 8.4), DELIFEQ (Valkey 9.0), and the digest
 * helpers SET's IFDEQ/IFDNE share (lock.h).
 *
 *   acquire   SET k token NX PX 30000
 *   extend    SET k token XX PX 30000 IFEQ token   (cmd_string.c)
 *   release   DELEX k IFEQ token    or    DELIFEQ k token
 *
 * A digest is XXH3-64 of the value (seed 0), replied as 16 lower-case
 * hex digits with leading zeros; operands compare case-insensitively and
 * only their length is validated, as Redis 8.4 does.
 *
 * DELEX checks in Redis's order, which clients can observe: the argument
 * count (exactly "DELEX key" or "DELEX key COND operand"), then the key
 * (a missing key replies 0 whatever the condition, even an unknown one),
 * then the type (conditions need a string), then the condition's name,
 * then a digest's length. Without a condition DELEX deletes a key of any
 * type, like DEL with one key. */
#include <string.h>
#include <strings.h>

#include "server/handlers.h"
#include "server/keys.h"
#include "server/lock.h"
#include "server/pubsub.h"
#include "server/server.h"

/* Writes v's digest as 16 lower-case hex digits and a NUL. */
void server_digest_hex(const char *v, size_t n,
                       char out[SERVER_DIGEST_HEX + 1])
{
    static const char hex[] = "0123456789abcdef";
    uint64_t h = store_digest(v, n);
    for (int i = SERVER_DIGEST_HEX - 1; i >= 0; i--) {
        out[i] = hex[h & 15];
        h >>= 4;
    }
    out[SERVER_DIGEST_HEX] = '\0';
}

/* Returns 1 if d (any case) is the digest of v. */
int server_digest_matches(const char *v, size_t n, const char *d, size_t dlen)
{
    char mine[SERVER_DIGEST_HEX + 1];
    if (dlen != SERVER_DIGEST_HEX)
        return 0;
    server_digest_hex(v, n, mine);
    return strncasecmp(mine, d, SERVER_DIGEST_HEX) == 0;
}

/* Returns 1 if argument i is 16 characters long, else replies. */
int server_digest_arg_ok_or_reply(struct client *c, size_t i)
{
    if (c->argvlen[i] == SERVER_DIGEST_HEX)
        return 1;
    reply_error(c, ERR_DIGEST_LEN);
    return 0;
}

/* DIGEST key: the value's digest, null for a missing key. */
void cmd_digest(struct client *c)
{
    struct store_entry *e = key_lookup_read(c, c->argv[1], c->argvlen[1],
                                            server_now_ms(c->srv));
    if (!e) {
        resp_add_null(&c->out);
        return;
    }
    if (!key_is_string_or_reply(c, e))
        return;
    size_t n;
    const char *v = store_entry_str(e, &n);
    char hex[SERVER_DIGEST_HEX + 1];
    server_digest_hex(v, n, hex);
    resp_add_bulk(&c->out, hex, SERVER_DIGEST_HEX);
}

/* Deletes argv[1] and replies :1 (the key is known to be live). Emits
 * the "del" event DEL would. */
static void lock_delete(struct client *c, int64_t now)
{
    store_key_delete(client_db(c), c->argv[1], c->argvlen[1], now);
    server_key_modified(c->srv, c->db, c->argv[1], c->argvlen[1]);
    server_notify(c->srv, NOTIFY_GENERIC, "del", c->db, c->argv[1],
                  c->argvlen[1]);
    resp_add_int(&c->out, 1);
}

/* DELEX key [IFEQ v | IFNE v | IFDEQ d | IFDNE d] */
void cmd_delex(struct client *c)
{
    if (c->argc != 2 && c->argc != 4) {
        reply_error(c, ERR_ARITY, "delex");
        return;
    }
    int64_t now = server_now_ms(c->srv);
    struct store_entry *e =
        store_key_find(client_db(c), c->argv[1], c->argvlen[1], now);
    if (!e) {
        resp_add_int(&c->out, 0);
        return;
    }
    if (c->argc == 2) {
        lock_delete(c, now);
        return;
    }
    if (store_entry_type(e) != STORE_T_STRING) {
        reply_error(c, ERR_DELEX_TYPE);
        return;
    }
    int digest = arg_is(c, 2, "IFDEQ") || arg_is(c, 2, "IFDNE");
    int want_eq = arg_is(c, 2, "IFEQ") || arg_is(c, 2, "IFDEQ");
    if (!digest && !want_eq && !arg_is(c, 2, "IFNE")) {
        reply_error(c, ERR_DELEX_COND);
        return;
    }
    if (digest && !server_digest_arg_ok_or_reply(c, 3))
        return;
    size_t n;
    const char *v = store_entry_str(e, &n);
    int eq = digest ? server_digest_matches(v, n, c->argv[3], c->argvlen[3])
                    : n == c->argvlen[3] && memcmp(v, c->argv[3], n) == 0;
    if (eq == want_eq)
        lock_delete(c, now);
    else
        resp_add_int(&c->out, 0);
}

/* DELIFEQ key value (Valkey): deletes the key if it holds exactly value. */
void cmd_delifeq(struct client *c)
{
    int64_t now = server_now_ms(c->srv);
    struct store_entry *e =
        store_key_find(client_db(c), c->argv[1], c->argvlen[1], now);
    if (e && !key_is_string_or_reply(c, e))
        return;
    size_t n = 0;
    const char *v = e ? store_entry_str(e, &n) : NULL;
    if (e && n == c->argvlen[2] && memcmp(v, c->argv[2], n) == 0)
        lock_delete(c, now);
    else
        resp_add_int(&c->out, 0);
}
