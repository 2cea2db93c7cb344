// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * getpid_loop - call getpid(2) in a tight loop until killed, so that the
 * task spends its time entering and leaving the kernel through a patched
 * system call (test-syscall.sh).  The system call is made directly: the C
 * library may answer getpid() without entering the kernel.
 */

#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	for (;;)
		syscall(SYS_getpid);
	return 0;
}
