/* SPDX-License-Identifier: Apache-2.0 */
/* The bare boot's /init for bench/vm-boot.sh: end the VM at once.  A reboot (reboot=t, and
 * QEMU's -no-reboot turns it into QEMU's exit) works with and without ACPI.  A benchmark
 * helper. */
#include <sys/reboot.h>
#include <unistd.h>

int main(void)
{
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}
