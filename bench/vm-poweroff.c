/* The bare boot's /init for bench/vm-boot.sh: power the VM off at once, as hull's guest init
 * does at the end (ACPI off, else reboot=t with QEMU's -no-reboot).  A benchmark helper. */
#include <sys/reboot.h>
#include <unistd.h>

int main(void)
{
	reboot(RB_POWER_OFF);
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}
