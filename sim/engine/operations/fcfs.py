"""First come, first served on ``c`` identical servers, computed exactly as each job arrives.

A queue where nobody overtakes and a job's work is known when it joins (a
pick's hours are drawn with its order's fate) needs no events to be
simulated: job ``n`` starts when it is ready and the earliest of the ``c``
servers is free (the Kiefer-Wolfowitz recursion, kept as the list of the
servers' free times).  One shift adds a rule: a job taken while the shift is
closed (it queued past closing) holds its server until the next opening.  So
for a picker shift 08-16 with five pickers, an order placed at 02:10 is ready
at 08:00, takes the first picker free at or after 08:00, and its start and end
are known at 02:10 - the same numbers a SimPy ``Resource`` gives, at a tenth
of the cost (``tests/sim/engine/test_fcfs.py`` runs both on the same jobs).
"""

from __future__ import annotations

from sim.engine.clock import ShiftClock


class FcfsServers:
    """``servers`` identical servers; :meth:`start` books one job and returns when it starts.

    Work may start when ``shift`` is open (``ShiftClock.next_open``).  Jobs
    must be booked in the order they join the queue (non-decreasing ready
    times).
    """

    __slots__ = ("_free", "_shift", "_pending", "_taken")

    def __init__(self, servers: int, shift: ShiftClock) -> None:
        #: when each server is next free (a list searched for its earliest: a heap's calls cost more for the
        #: few servers of a crew, and which of equal servers takes a job changes no start)
        self._free = [0.0] * max(servers, 1)
        self._shift = shift
        #: start times of booked jobs, in booking order (non-decreasing); those from ``_taken`` on had not
        #: started when last asked (:meth:`waiting`)
        self._pending: list[float] = []
        self._taken = 0

    def start(self, ready: float, hours: float) -> float:
        """Book a job that joins the queue at ``ready`` and takes ``hours``; return its start time."""
        free, shift = self._free, self._shift
        first, earliest = 0, free[0]
        for i in range(1, len(free)):
            if free[i] < earliest:
                first, earliest = i, free[i]
        ready = shift.next_open(ready)
        # the earliest server free after the job is ready takes it at once; one freed later (maybe after
        # closing) takes it at its next opening
        started = ready if earliest <= ready else shift.next_open(earliest)
        free[first] = started + hours
        self._pending.append(started)
        return started

    def waiting(self, now: float) -> int:
        """Jobs booked by ``now`` that have not started by ``now`` (the queue a newcomer sees)."""
        pending, taken = self._pending, self._taken
        while taken < len(pending) and pending[taken] <= now:
            taken += 1
        if taken > 4096:  # forget the jobs long started, a few thousand at a time
            del pending[:taken]
            taken = 0
        self._taken = taken
        return len(pending) - taken
