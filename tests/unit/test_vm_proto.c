/* The frames of the VM's exec and terminal sessions (vm/guest/proto.h), and the host's
 * frame writer (vm/relay.c). */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/unit/unit.h"
#include "vm/proto/proto.h"
#include "vm/host/host.h"

TEST(frame_round_trip)
{
	unsigned char buf[HULL_FRAME_HDR + 5];
	char type = 0;
	uint32_t len = 0;

	hull_frame_header(buf, HULL_F_STDIN, 5);
	memcpy(buf + HULL_FRAME_HDR, "hello", 5);
	CHECK_INT_EQ(hull_frame_parse(buf, sizeof(buf), &type, &len), (long)sizeof(buf));
	CHECK_INT_EQ(type, HULL_F_STDIN);
	CHECK_INT_EQ(len, 5);
	/* a partial frame asks for more, whatever its cut */
	for (unsigned long n = 0; n < sizeof(buf); n++)
		CHECK_INT_EQ(hull_frame_parse(buf, n, &type, &len), 0);
}

TEST(frame_garbage_and_oversize)
{
	unsigned char buf[HULL_FRAME_HDR] = {'x'};
	char type = 0;
	uint32_t len = 0;

	CHECK_INT_EQ(hull_frame_parse(buf, 1, &type, &len), -1);
	buf[0] = HULL_FRAME_MAGIC0;
	buf[1] = 'y';
	CHECK_INT_EQ(hull_frame_parse(buf, 2, &type, &len), -1);
	hull_frame_header(buf, HULL_F_STDOUT, HULL_FRAME_MAX + 1);
	CHECK_INT_EQ(hull_frame_parse(buf, sizeof(buf), &type, &len), -1);
}

TEST(send_frame_writes_one_frame)
{
	unsigned char got[64];
	char type = 0;
	uint32_t len = 0;
	int sv[2];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(hull_vm_send_frame(sv[0], HULL_F_SIGNAL, "15", 2) == 0);
	CHECK_INT_EQ(read(sv[1], got, sizeof(got)), HULL_FRAME_HDR + 2);
	CHECK_INT_EQ(hull_frame_parse(got, HULL_FRAME_HDR + 2, &type, &len), HULL_FRAME_HDR + 2);
	CHECK_INT_EQ(type, HULL_F_SIGNAL);
	CHECK(!memcmp(got + HULL_FRAME_HDR, "15", 2));
	CHECK(hull_vm_send_frame(sv[0], HULL_F_STDIN, got, HULL_FRAME_MAX + 1) < 0);
	close(sv[0]);
	close(sv[1]);
}

UNIT_MAIN()
