/* SPDX-License-Identifier: Apache-2.0 */
/* The loopback interface of a network namespace the runtime makes: up, as runc and crun
 * leave it (the kernel gives lo 127.0.0.1/8 and ::1 when it comes up), so a container with
 * no other network can still talk to itself (podman --network none, servers on 127.0.0.1). */
#include "runtime/loopback.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "lib/util.h"

int hull_loopback_up(struct hull_err *err)
{
	cleanup_close int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = {0};

	if (s < 0)
		return hull_error(err, errno, "socket for bringing up lo");
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return hull_error(err, errno, "read the flags of lo");
	if (ifr.ifr_flags & IFF_UP)
		return 0;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return hull_error(err, errno, "bring up lo");
	return 0;
}
