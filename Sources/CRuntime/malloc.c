#include <malloc.h>

#include "CRuntime.h"

int skiff_set_malloc_arenas(int count) { return mallopt(M_ARENA_MAX, count); }
