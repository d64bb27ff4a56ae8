/* cmd_cluster.c - what cluster-aware clients send: CLUSTER, ASKING,
 * READONLY and READWRITE. Respite has no cluster mode, so each answers as
 * Redis does with cluster-enabled no: "This instance has cluster support
 * disabled". CLUSTER still knows Redis 7.0's subcommands and their
 * arities, so an unknown subcommand or a wrong argument count gets the
 * same error as from Redis, and COMMAND INFO lists the same entries. */
#include "server/handlers.h"
#include "server/server.h"

/* Every cluster command and subcommand, once its arguments are counted. */
static void cluster_disabled(struct client *c)
{
    reply_error(c, ERR_CLUSTER_DISABLED);
}

#define A CMD_ADMIN
static const struct subcommand cluster_subcommands[] = {
    { "ADDSLOTS", cluster_disabled, -3, A },
    { "ADDSLOTSRANGE", cluster_disabled, -4, A },
    { "BUMPEPOCH", cluster_disabled, 2, A },
    { "COUNT-FAILURE-REPORTS", cluster_disabled, 3, A },
    { "COUNTKEYSINSLOT", cluster_disabled, 3, 0 },
    { "DELSLOTS", cluster_disabled, -3, A },
    { "DELSLOTSRANGE", cluster_disabled, -4, A },
    { "FAILOVER", cluster_disabled, -2, A },
    { "FLUSHSLOTS", cluster_disabled, 2, A },
    { "FORGET", cluster_disabled, 3, A },
    { "GETKEYSINSLOT", cluster_disabled, 4, 0 },
    { "HELP", cluster_disabled, 2, 0 },
    { "INFO", cluster_disabled, 2, 0 },
    { "KEYSLOT", cluster_disabled, 3, 0 },
    { "LINKS", cluster_disabled, 2, 0 },
    { "MEET", cluster_disabled, -4, A },
    { "MYID", cluster_disabled, 2, 0 },
    { "NODES", cluster_disabled, 2, 0 },
    { "REPLICAS", cluster_disabled, 3, A },
    { "REPLICATE", cluster_disabled, 3, A },
    { "RESET", cluster_disabled, -2, A | CMD_NOSCRIPT },
    { "SAVECONFIG", cluster_disabled, 2, A },
    { "SET-CONFIG-EPOCH", cluster_disabled, 3, A },
    { "SETSLOT", cluster_disabled, -4, A },
    { "SHARDS", cluster_disabled, 2, 0 },
    { "SLAVES", cluster_disabled, 3, A },
    { "SLOTS", cluster_disabled, 2, 0 },
};
#undef A

const struct subcommand_table cluster_subs = {
    cluster_subcommands,
    sizeof(cluster_subcommands) / sizeof(cluster_subcommands[0])
};

void cmd_cluster(struct client *c)
{
    subcommand_dispatch(c, &cluster_subs);
}

/* ASKING, READONLY and READWRITE take no arguments: refused outright. */
void cmd_cluster_only(struct client *c)
{
    cluster_disabled(c);
}
