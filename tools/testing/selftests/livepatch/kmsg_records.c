// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmsg_records - read the kernel log records waiting in an open /dev/kmsg
 *
 * Usage:
 *	kmsg_records <&FD	print the records logged since the last read
 *				of FD, one per line, without waiting for more
 *	kmsg_records --skip <&FD	move FD past every record logged so far
 *	kmsg_records --serve 3<&FD 4<>FILE
 *				the same, once per request: a line "r TAG"
 *				on standard input writes the records into
 *				FILE, replacing what it held, and a line
 *				"s TAG" skips; either is answered by a
 *				line "-end TAG", or "-error TAG" if it
 *				failed; end of input, or the end of the
 *				process that started it, ends it
 *
 * /dev/kmsg hands out one record per read(2) and refuses a buffer that is
 * too small for it, so the shell's read builtin cannot read it; dd can,
 * but it is a dynamically linked program, and the tests read the log
 * hundreds of times: started from a static binary, the read costs a third
 * as much on the debug kernel under TCG, and a server started once per
 * script costs no process per read at all.  The server hands the records
 * over in a file because the shell reads a pipe one byte per read(2), and
 * a regular file a block at a time.
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
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* One record: /dev/kmsg's records are at most 8 KiB, text included. */
#define RECORD_MAX	16384

static int print_record(FILE *out, const char *rec, size_t len)
{
	const char *newline = memchr(rec, '\n', len);

	/* Continuation lines ("KEY=value" after the text) are left out. */
	if (newline)
		len = newline - rec;
	return fwrite(rec, 1, len, out) == len && putc('\n', out) != EOF;
}

/* Print the records waiting in @fd to @out; 0, or 1 after saying why not. */
static int print_waiting(int fd, FILE *out)
{
	static char rec[RECORD_MAX];
	ssize_t len;
	int flags, err = 0;

	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		perror("kmsg_records: the kernel log's descriptor");
		return 1;
	}
	for (;;) {
		len = read(fd, rec, sizeof(rec));
		if (len > 0) {
			if (!print_record(out, rec, len))
				break;
		} else if (len == 0) {
			break;
		} else if (errno == EPIPE) {
			if (fputs("-lost\n", out) == EOF)
				break;
		} else if (errno != EINTR) {
			if (errno != EAGAIN)
				err = errno;
			break;
		}
	}
	/* The file description is shared: leave it as it was found. */
	fcntl(fd, F_SETFL, flags);
	if (err) {
		fprintf(stderr, "kmsg_records: read: %s\n", strerror(err));
		return 1;
	}
	return 0;
}

static int skip_waiting(int fd)
{
	if (lseek(fd, 0, SEEK_END) < 0) {
		perror("kmsg_records: seek to the end");
		return 1;
	}
	return 0;
}

static int flush_output(FILE *out)
{
	if (fflush(out) == EOF || ferror(out)) {
		perror("kmsg_records: write");
		return 1;
	}
	return 0;
}

/*
 * Replace what the file open at @file_fd holds with the records of @fd;
 * 0, or 1 after saying why not.
 */
static int write_waiting(int fd, int file_fd)
{
	FILE *out;
	int dup_fd, err;

	if (ftruncate(file_fd, 0) < 0 || lseek(file_fd, 0, SEEK_SET) < 0) {
		perror("kmsg_records: the records file");
		return 1;
	}
	dup_fd = dup(file_fd);
	out = dup_fd < 0 ? NULL : fdopen(dup_fd, "w");
	if (!out) {
		perror("kmsg_records: the records file");
		if (dup_fd >= 0)
			close(dup_fd);
		return 1;
	}
	err = print_waiting(fd, out);
	if (fclose(out) == EOF) {
		perror("kmsg_records: the records file");
		err = 1;
	}
	return err;
}

/*
 * Answer requests until standard input ends.  The reply repeats the
 * request's tag, so that a reader that was killed before it read its
 * reply leaves no answer that the next one could take for its own.
 */
static int serve(int fd, int file_fd)
{
	char req[64], *tag;
	int err;

	/*
	 * Not beyond the script that reads through it, even while a process
	 * it started still holds the requests open (had it died before
	 * this call, its requests have ended).
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
		perror("kmsg_records: prctl");
		return 1;
	}
	while (fgets(req, sizeof(req), stdin)) {
		tag = strchr(req, ' ');
		if (!tag || !strchr(tag, '\n')) {
			fprintf(stderr, "kmsg_records: bad request: %s", req);
			return 1;
		}
		*tag++ = '\0';
		if (!strcmp(req, "r")) {
			err = write_waiting(fd, file_fd);
		} else if (!strcmp(req, "s")) {
			err = skip_waiting(fd);
		} else {
			fprintf(stderr, "kmsg_records: bad request: %s\n", req);
			err = 1;
		}
		if (printf("%s %s", err ? "-error" : "-end", tag) < 0 ||
		    flush_output(stdout))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--skip"))
		return skip_waiting(0);
	if (argc == 2 && !strcmp(argv[1], "--serve"))
		return serve(3, 4);
	if (argc != 1) {
		fprintf(stderr, "usage: kmsg_records [--skip] <&FD\n"
			"       kmsg_records --serve 3<&FD 4<>FILE\n");
		return 1;
	}
	return print_waiting(0, stdout) || flush_output(stdout);
}
