/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* valgrind's client requests for bench/nssbench and bench/floor, or no-ops
 * without valgrind's headers (the drivers still measure wall time). */
#pragma once

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HAVE_CALLGRIND_H 1
#endif
#endif
#ifndef HAVE_CALLGRIND_H
#define CALLGRIND_TOGGLE_COLLECT
#define CALLGRIND_DUMP_STATS_AT(s) ((void)(s))
#define RUNNING_ON_VALGRIND 0
#endif
