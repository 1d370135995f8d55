#!/usr/bin/env python3
"""Moved: the Python worker is now the `spool-client` package (clients/python); this runs its
reference worker, clients/python/examples/worker.py, with the same arguments."""
import os
import runpy
import sys

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "clients",
                        "python", "examples")
sys.path.insert(0, EXAMPLES)
runpy.run_path(os.path.join(EXAMPLES, "worker.py"), run_name="__main__")
