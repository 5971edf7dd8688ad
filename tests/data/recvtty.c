/* SPDX-License-Identifier: Apache-2.0 */
/* recvtty SOCKET [INPUT]: listen on a unix socket, take one pty master (SCM_RIGHTS) as a
 * runtime's --console-socket peer does, write INPUT to it, and copy its output to stdout
 * until the container side hangs up (or is silent for $RECVTTY_TIMEOUT seconds, 10 by
 * default).  A test helper. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char name[256], buf[4096];
	struct iovec iov = {name, sizeof(name)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	int ls, c, master, timeout_ms = 10000;
	ssize_t n;

	if (getenv("RECVTTY_TIMEOUT"))
		timeout_ms = atoi(getenv("RECVTTY_TIMEOUT")) * 1000;
	if (argc < 2) {
		fprintf(stderr, "usage: recvtty SOCKET [INPUT]\n");
		return 2;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	ls = socket(AF_UNIX, SOCK_STREAM, 0);
	unlink(argv[1]);
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 1) < 0) {
		perror("recvtty: listen");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	c = accept(ls, NULL, NULL);
	if (c < 0 || recvmsg(c, &mh, 0) <= 0 || !CMSG_FIRSTHDR(&mh)) {
		perror("recvtty: receive");
		return 1;
	}
	memcpy(&master, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof(int));
	if (argc > 2) {
		if (write(master, argv[2], strlen(argv[2])) < 0)
			perror("recvtty: write");
	}
	for (;;) {
		struct pollfd p = {master, POLLIN, 0};
		if (poll(&p, 1, timeout_ms) <= 0)
			break;
		n = read(master, buf, sizeof(buf));
		if (n <= 0)
			break;
		fwrite(buf, 1, (size_t)n, stdout);
		fflush(stdout);
	}
	return 0;
}
