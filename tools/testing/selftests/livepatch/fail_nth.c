// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fail_nth - fail the fault-injection points of one system call, one at a
 * time
 *
 * Usage:
 *	fail_nth FIRST[:STEP] write FILE STRING		write(2) STRING to FILE
 *	fail_nth FIRST[:STEP] load MODULE.ko [PARAMS]	finit_module(2)
 *	fail_nth FIRST[:STEP] unload MODULE		delete_module(2)
 *
 * Writing N to /proc/thread-self/fail-nth makes the Nth call of the
 * kernel's should_fail() in this thread fail: the Nth slab or page
 * allocation that failslab or fail_page_alloc may fail, in whatever order
 * the kernel makes them.  Files are opened before arming it, and nothing
 * runs between arming and the system call, so only the call under test
 * counts.
 *
 * The call is made with N = FIRST, FIRST + STEP, ... (STEP is 1 unless
 * given: a larger one samples the points) until it succeeds, one line per
 * attempt: "n=N injected=I ret=R", where I is 1 when the Nth point
 * was reached (and failed) and R is the call's result, 0 or -errno.  The
 * last line is a success: with injected=0 when N went past the call's last
 * point, with injected=1 when the call coped with the failure.  A failure
 * without a fault injected also ends the loop: the call cannot succeed.
 * The exit status is 0 unless the helper itself failed.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fail_nth_fd = -1;

static void die(const char *what)
{
	fprintf(stderr, "fail_nth: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void set_fail_nth(unsigned long n)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%lu", n);

	if (pwrite(fail_nth_fd, buf, len, 0) != len)
		die("writing /proc/thread-self/fail-nth");
}

/* Still counting down: the call did not reach the Nth point. */
static int fault_pending(void)
{
	char buf[32];
	ssize_t len = pread(fail_nth_fd, buf, sizeof(buf) - 1, 0);

	if (len <= 0)
		die("reading /proc/thread-self/fail-nth");
	buf[len] = '\0';
	return strtoul(buf, NULL, 10) != 0;
}

static void bad_usage(void)
{
	fprintf(stderr, "usage: fail_nth FIRST[:STEP] write FILE STRING\n"
			"       fail_nth FIRST[:STEP] load MODULE.ko [PARAMS]\n"
			"       fail_nth FIRST[:STEP] unload MODULE\n");
	exit(2);
}

enum op { OP_WRITE, OP_LOAD, OP_UNLOAD };

/* The call under test, with the Nth point armed: 0 or -errno. */
static long call_with_fault(unsigned long n, enum op op, int fd, char **argv,
			    int argc)
{
	long ret;

	set_fail_nth(n);
	switch (op) {
	case OP_WRITE:
		ret = pwrite(fd, argv[4], strlen(argv[4]), 0);
		break;
	case OP_LOAD:
		ret = syscall(SYS_finit_module, fd, argc == 5 ? argv[4] : "", 0);
		break;
	default:
		ret = syscall(SYS_delete_module, argv[3], O_NONBLOCK);
		break;
	}
	return ret < 0 ? -errno : 0;
}

int main(int argc, char **argv)
{
	unsigned long n, step = 1;
	int fd = -1, injected;
	char *end;
	enum op op;
	long ret;

	if (argc < 4)
		bad_usage();
	n = strtoul(argv[1], &end, 10);
	if (*end == ':')
		step = strtoul(end + 1, &end, 10);
	if (!n || !step || *end)
		bad_usage();

	if (!strcmp(argv[2], "write") && argc == 5) {
		op = OP_WRITE;
		fd = open(argv[3], O_WRONLY);
	} else if (!strcmp(argv[2], "load") && (argc == 4 || argc == 5)) {
		op = OP_LOAD;
		fd = open(argv[3], O_RDONLY | O_CLOEXEC);
	} else if (!strcmp(argv[2], "unload") && argc == 4) {
		op = OP_UNLOAD;
	} else {
		bad_usage();
	}
	if (fd < 0 && op != OP_UNLOAD)
		die(argv[3]);

	fail_nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (fail_nth_fd < 0)
		die("/proc/thread-self/fail-nth");

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;; n += step) {
		ret = call_with_fault(n, op, fd, argv, argc);
		injected = !fault_pending();
		set_fail_nth(0);
		printf("n=%lu injected=%d ret=%ld\n", n, injected, ret);
		if (!ret || !injected)
			break;
	}
	return 0;
}
