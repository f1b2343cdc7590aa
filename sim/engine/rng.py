"""Random streams: one seeded ``numpy.random.Generator`` per source of randomness.

Every run starts from one ``numpy.random.SeedSequence``.  It is split into a
fixed list of named child streams, so that a what-if which changes one lever
(more agents, say) leaves the draws of the other sources (traffic, carriers,
returns ...) where they were: the *common random numbers* that make paired
comparisons tight.

Each stream is also cut into days (:meth:`Streams.start_day`): model day d
draws from its own stretch of the stream, ``d * DAY_STRIDE`` draws from the
start.  Two runs of a what-if drift apart as soon as one of them draws a
different number of values (one more order, a session more); without the cut
they would stay apart for the rest of the run, with it they meet again every
midnight.  No code in ``sim`` touches global random state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: The sources, in spawn order.  Append new ones at the end so old streams keep their seeds.
STREAMS = (
    "traffic",
    "funnel",
    "orders",
    "picking",
    "carriers",
    "returns",
    "service",
    "reviews",
    "customers",
    "cells",
    "offers",
    "crm",
)
#: Draws between the starts of two consecutive days of a stream: far more than a day uses (PCG64's period is 2^128).
DAY_STRIDE = 2**64


@dataclass(frozen=True)
class Streams:
    traffic: np.random.Generator
    funnel: np.random.Generator
    orders: np.random.Generator
    picking: np.random.Generator
    carriers: np.random.Generator
    returns: np.random.Generator
    service: np.random.Generator
    reviews: np.random.Generator
    customers: np.random.Generator
    #: split of sessions into markets and A/B arms
    cells: np.random.Generator
    #: per-order terms: free-shipping top-ups, warranty take-up
    offers: np.random.Generator
    #: CRM programmes: segments, membership, campaigns
    crm: np.random.Generator
    #: each stream's state at the start of day 0
    origins: tuple[dict[str, Any], ...] = field(default=(), repr=False, compare=False)

    @classmethod
    def from_seed(cls, seed: int | np.random.SeedSequence) -> Streams:
        """Spawn one generator per source from ``seed`` (an int or a SeedSequence)."""
        seq = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        generators = [np.random.Generator(np.random.PCG64(c)) for c in children_of(seq, len(STREAMS))]
        return cls(*generators, origins=tuple(g.bit_generator.state for g in generators))  # type: ignore[arg-type,misc]

    def start_day(self, day: int) -> None:
        """Put every stream at the start of model day ``day``'s stretch, whatever earlier days drew.

        The generators are moved in place, so every component holding one
        (the carriers, the desk ...) draws from the day's stretch too.
        """
        for name, origin in zip(STREAMS, self.origins, strict=True):
            bits = getattr(self, name).bit_generator
            bits.state = origin
            bits.advance(day * DAY_STRIDE)


def children_of(seq: np.random.SeedSequence, n: int) -> list[np.random.SeedSequence]:
    """The first ``n`` children ``seq.spawn(n)`` would give, without advancing ``seq``'s spawn counter.

    ``SeedSequence.spawn`` is stateful: spawning twice from one object gives
    different children.  Deriving them from the spawn key instead makes a
    seed usable any number of times - the paired runs of ``sim.compare`` rely
    on it.
    """
    return [
        np.random.SeedSequence(seq.entropy, spawn_key=seq.spawn_key + (i,), pool_size=seq.pool_size) for i in range(n)
    ]


def as_seed_sequence(seed: int | np.random.SeedSequence) -> np.random.SeedSequence:
    """Accept an int (entropy) or a SeedSequence; reject anything else with a clear error."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0:
        return np.random.SeedSequence(int(seed))
    raise ValueError(f"seed = {seed!r}: allowed: a non-negative integer or a numpy SeedSequence")
