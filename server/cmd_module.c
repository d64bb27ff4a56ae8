/* cmd_module.c - MODULE. Respite loads no modules (its own commands, such
 * as RATELIMIT and CL.THROTTLE, are built in), so MODULE LIST is always
 * empty, which is how clients that look for RedisJSON or RediSearch learn
 * they are absent. LOAD, LOADEX and UNLOAD are refused with the error
 * Redis gives under its default enable-module-command no, by dispatch as
 * Redis's protected commands are (CMD_PROTECTED: before NOAUTH, never
 * queued in MULTI); where that directive admits the client, they fail as
 * Redis's do for a library that cannot be loaded (LOAD, LOADEX) or a name
 * not loaded (UNLOAD). */
#include "server/handlers.h"
#include "server/server.h"

static void module_list(struct client *c)
{
    resp_add_array(&c->out, 0);
}

/* LOAD path [arg ...], LOADEX path [CONFIG name value ...] [ARGS ...],
 * once enable-module-command admitted the client (dispatch). */
static void module_load(struct client *c)
{
    server_log(c->srv, 'w', "Module %.*s failed to load: Respite loads no "
               "modules", (int)c->argvlen[2], c->argv[2]);
    reply_error(c, ERR_MODULE_LOAD);
}

static void module_unload(struct client *c)
{
    reply_error(c, ERR_MODULE_UNLOAD);
}

static void module_help(struct client *c)
{
    static const char *const lines[] = {
        "MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "LIST",
        "    Return a list of loaded modules.",
        "LOAD <path> [<arg> ...]",
        "    Load a module library from <path>, passing to it any optional "
        "arguments.",
        "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
        "    Load a module library from <path>, while passing it module "
        "configurations and optional arguments.",
        "UNLOAD <name>",
        "    Unload a module.",
        "HELP",
        "    Prints this help.",
    };
    reply_help(c, lines, sizeof(lines) / sizeof(lines[0]));
}

#define A (CMD_ADMIN | CMD_NOSCRIPT)
static const struct subcommand module_subcommands[] = {
    { "LIST", module_list, 2, A },
    { "LOAD", module_load, -3, A | CMD_PROTECTED },
    { "LOADEX", module_load, -3, A | CMD_PROTECTED },
    { "UNLOAD", module_unload, 3, A | CMD_PROTECTED },
    { "HELP", module_help, 2, 0 },
};
#undef A

const struct subcommand_table module_subs = {
    module_subcommands,
    sizeof(module_subcommands) / sizeof(module_subcommands[0])
};

void cmd_module(struct client *c)
{
    subcommand_dispatch(c, &module_subs);
}
