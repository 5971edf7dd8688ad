# SPDX-License-Identifier: Apache-2.0
# Fault injection (tests/fault.py): kill -9 of hull-oci create/run/start/delete and of
# hull run -d/hull start/hull rm at random moments, then delete --force and rm -f, and nothing
# may be left.  A short smoke of it; `make fault` runs 200 iterations (FAULT_ITERATIONS, FAULT_SEED).

test_fault_injection_smoke() {
	command -v python3 >/dev/null || skip "python3 is not installed"
	python3 "$REPO/tests/fault.py" --iterations "${FAULT_SMOKE_ITERATIONS:-15}" --time-limit 50 \
		--root "$ROOT" --work "$WORK/fault" --tag "$T-f" ${FAULT_SEED:+--seed "$FAULT_SEED"}
}
