/* ping.h - `respite --ping HOST:PORT [PASSWORD]`, the shell-free health
 * check (see ping.c). */
#ifndef RESPITE_PING_H
#define RESPITE_PING_H

/* Runs the check with the arguments after "--ping"; returns the exit
 * status: 0 on +PONG, 1 on any other outcome, 2 on bad usage. The
 * password is argv[1] or else $REDISCLI_AUTH. */
int server_ping_main(int argc, char **argv);

#endif
