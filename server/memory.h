/* memory.h - allocator and process memory figures for INFO. */
#ifndef RESPITE_MEMORY_H
#define RESPITE_MEMORY_H

#include <stddef.h>

size_t server_mem_used(void);
size_t server_mem_rss(void);
void server_mem_allocator(char *buf, size_t cap);

#endif
