"""Fuzz harnesses: thousands of generated hostile inputs, each run under a time and memory guard.

* ``fuzz.harness``: the shared part - worker processes with ``resource.setrlimit`` memory limits
  and per-case time limits, the outcome classes and the results table;
* ``fuzz.scenarios``: scenario and sweep mutations (``python -m fuzz.scenarios --cases 10000``);
* ``fuzz.exports``: mutated Shopify, orders CSV, CDNOW and Taobao exports (``python -m fuzz.exports``).

``make fuzz`` runs them all; every outcome must be a valid run, a clear
one-line error, or legitimately empty KPIs - any other exception, a hang, a
crash or a NaN/inf where a value is defined is a failure.
"""

import os

# One BLAS thread per worker: the harness runs its own processes, and a memory limit per process
# should not be eaten by thread buffers.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
