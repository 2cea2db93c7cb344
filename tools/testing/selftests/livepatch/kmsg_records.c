// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmsg_records - read the kernel log records waiting in an open /dev/kmsg
 *
 * Usage:
 *	kmsg_records <&FD	print the records logged since the last read
 *				of FD, one per line, without waiting for more
 *	kmsg_records --skip <&FD	move FD past every record logged so far
 *
 * /dev/kmsg hands out one record per read(2) and refuses a buffer that is
 * too small for it, so the shell's read builtin cannot read it; dd can,
 * but it is a dynamically linked program, and the tests read the log
 * hundreds of times: started from a static binary, the read costs a third
 * as much on the debug kernel under TCG.
 *
 * A record is printed as /dev/kmsg gives it ("PRIO,SEQ,TIME,FLAGS;TEXT",
 * with the \xNN escapes, and continuation lines dropped).  When records
 * were overwritten before they could be read (the log buffer wrapped),
 * reading goes on from the oldest one left, and a line "-lost" says so
 * where they are missing.  The exit status is 0 unless reading failed
 * otherwise.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* One record: /dev/kmsg's records are at most 8 KiB, text included. */
#define RECORD_MAX	16384

static int print_record(const char *rec, size_t len)
{
	const char *newline = memchr(rec, '\n', len);

	/* Continuation lines ("KEY=value" after the text) are left out. */
	if (newline)
		len = newline - rec;
	return fwrite(rec, 1, len, stdout) == len && putchar('\n') != EOF;
}

int main(int argc, char **argv)
{
	static char rec[RECORD_MAX];
	ssize_t len;
	int flags, err = 0;

	if (argc == 2 && !strcmp(argv[1], "--skip")) {
		if (lseek(0, 0, SEEK_END) < 0) {
			perror("kmsg_records: seek to the end");
			return 1;
		}
		return 0;
	}
	if (argc != 1) {
		fprintf(stderr, "usage: kmsg_records [--skip] <&FD\n");
		return 1;
	}

	flags = fcntl(0, F_GETFL);
	if (flags < 0 || fcntl(0, F_SETFL, flags | O_NONBLOCK) < 0) {
		perror("kmsg_records: standard input");
		return 1;
	}
	for (;;) {
		len = read(0, rec, sizeof(rec));
		if (len > 0) {
			if (!print_record(rec, len))
				break;
		} else if (len == 0) {
			break;
		} else if (errno == EPIPE) {
			if (puts("-lost") == EOF)
				break;
		} else if (errno != EINTR) {
			if (errno != EAGAIN)
				err = errno;
			break;
		}
	}
	/* The file description is shared: leave it as it was found. */
	fcntl(0, F_SETFL, flags);
	if (err) {
		fprintf(stderr, "kmsg_records: read: %s\n", strerror(err));
		return 1;
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		perror("kmsg_records: write");
		return 1;
	}
	return 0;
}
