/* crash.h - the report written into the log when the server dies of a
 * fatal signal (crash-log-enabled, crash.c). */
#ifndef RESPITE_CRASH_H
#define RESPITE_CRASH_H

struct server;

/* Installs the fatal-signal handler when crash-log-enabled is yes, and
 * takes it away when no; run at start and after every CONFIG SET. */
void crash_configure(const struct server *srv);

#endif
