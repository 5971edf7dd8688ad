#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The mutation harness's own check (scripts/mutate.py --self-test): its operators on a sample
of C, its seeded choice, and its map and equivalent list.  Run by tests/run.sh unit, so that
`make test` notices a broken harness without running any mutant."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import mutate  # noqa: E402

sys.exit(mutate.self_test())
