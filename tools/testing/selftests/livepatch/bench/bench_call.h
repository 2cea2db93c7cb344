/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef _BENCH_CALL_H
#define _BENCH_CALL_H

/* The functions whose calls bench_call.c times (see there). */
int bench_call_fn(int x);
void bench_call_hold(void);
int bench_call_hop(int x);
void bench_call_stub(void);

#endif /* _BENCH_CALL_H */
