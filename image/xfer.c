/* SPDX-License-Identifier: Apache-2.0 */
#include "image/xfer.h"

const char *hull_xfer_state_name(enum hull_xfer_state s, int push)
{
	switch (s) {
	case HULL_XFER_WAITING:
		return "Waiting";
	case HULL_XFER_DOWNLOADING:
		return "Downloading";
	case HULL_XFER_RETRYING:
		return "Retrying";
	case HULL_XFER_VERIFYING:
		return "Verifying Checksum";
	case HULL_XFER_EXTRACTING:
		return "Extracting";
	case HULL_XFER_COMPLETE:
		return "Pull complete";
	case HULL_XFER_EXISTS:
		return push ? "Layer already exists" : "Already exists";
	case HULL_XFER_PREPARING:
		return "Preparing";
	case HULL_XFER_PUSHING:
		return "Pushing";
	case HULL_XFER_MOUNTED:
		return "Mounted from";
	case HULL_XFER_PUSHED:
		return "Pushed";
	}
	return "?";
}
