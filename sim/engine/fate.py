"""What will happen to an order, drawn with its day's orders: its pick, journey, questions and return.

An order does not draw its random numbers one at a time as its life goes
on; each source draws them for the whole day's orders at once, as arrays
(``StoreModel._order_rows``).  That is about ten numpy calls a day
instead of ten per order, and it lines the draws up by order: in a paired
what-if, the n-th order of a day gets the same pick time, lead time and
return decision in both arms as long as the days' orders match, so common
random numbers stay paired for longer.  Each draw still comes from its own
stream (picking, carriers, service, returns, reviews, customers), so a lever that touches one
source leaves the others' numbers where they were.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, fields
from typing import Final

import numpy as np

from sim.engine.aftersales.customers import ReviewDraws
from sim.engine.operations.fulfilment import Carriers, Picking
from sim.engine.rng import Streams


@dataclass(slots=True, init=False)
class Fate:
    """One order's draws; whether each comes true is decided when its moment comes.

    A dataclass with its ``__init__`` written out, as :class:`ReviewDraws` is: the model reads these fields,
    and makes a few thousand fates a day, in compiled code.
    """

    pick_hours: float
    wrong_item: bool
    #: lead time as a multiple of the delivery option's mean (gamma with mean 1)
    lead: float
    #: a carrier incident happens if this uniform is below the option's late probability at collection
    incident_u: float
    #: the incident's delay as a standard exponential (times the option's late-delay mean)
    incident_delay: float
    #: a where-is-my-order question is asked if this uniform is below its probability ...
    wismo_u: float
    #: ... at this fraction of the journey (when the parcel is not late)
    wismo_at: float
    defect: bool
    #: a return is requested if this uniform is below the order's return probability
    return_u: float
    #: standard exponentials, times the means of the request delay, return transit and refund processing
    request_e: float
    transit_e: float
    refund_e: float
    #: a buyer who returns a sound item also opens a ticket about it if this uniform is below its probability
    return_ticket_u: float
    #: whether the buyer reviews, the stars, and whether the customer churns, once the order closes
    closing: ReviewDraws

    def __init__(
        self,
        pick_hours: float,
        wrong_item: bool,
        lead: float,
        incident_u: float,
        incident_delay: float,
        wismo_u: float,
        wismo_at: float,
        defect: bool,
        return_u: float,
        request_e: float,
        transit_e: float,
        refund_e: float,
        return_ticket_u: float,
        closing: ReviewDraws,
    ) -> None:
        self.pick_hours, self.wrong_item, self.lead = pick_hours, wrong_item, lead
        self.incident_u, self.incident_delay = incident_u, incident_delay
        self.wismo_u, self.wismo_at, self.defect = wismo_u, wismo_at, defect
        self.return_u, self.request_e, self.transit_e, self.refund_e = return_u, request_e, transit_e, refund_e
        self.return_ticket_u, self.closing = return_ticket_u, closing


#: a row of :class:`Fates`: the fields of a :class:`Fate`, its review draws in place of ``closing``
FIELDS = tuple(f.name for f in fields(Fate))[:-1] + tuple(f.name for f in fields(ReviewDraws))
#: each field's column in a row
COLUMN = {name: i for i, name in enumerate(FIELDS)}
_WIDTH: Final = len(FIELDS)


def _span(*names: str) -> slice:
    """The columns of ``names``, adjacent in this order: the rows :meth:`Fates.draw` fills with one draw."""
    first = COLUMN[names[0]]
    if [COLUMN[name] for name in names] != list(range(first, first + len(names))):
        raise ValueError(f"the fields {names} of a Fate must be adjacent, in this order")
    return slice(first, first + len(names))


_PICK = _span("pick_hours", "wrong_item")
_JOURNEY = _span("lead", "incident_u", "incident_delay")
_WISMO = _span("wismo_u", "wismo_at")
_RETURN_TIMES = _span("request_e", "transit_e", "refund_e")
_REVIEW = _span("review_u", "extreme_u")
_DEFECT, _RETURN_U, _RETURN_TICKET_U = COLUMN["defect"], COLUMN["return_u"], COLUMN["return_ticket_u"]
_NOISE, _CHURN = COLUMN["noise"], COLUMN["churn_u"]
_CLOSING: Final = len(fields(Fate)) - 1


def columns(rows: np.ndarray, *names: str) -> np.ndarray:
    """The columns ``names`` of fate ``rows`` (from :meth:`Fates.rows`), one array each: read by name, so a
    field added to :class:`Fate` moves no reader."""
    return rows[:, [COLUMN[name] for name in names]].T


class Fates:
    """Every fate drawn in the run, one row of numbers per order (flags as 0 and 1), numbered in the order drawn.

    Most orders never need their fate as an object: a right pick on one
    shift reads its pick time at placement and the rest of its draws as
    columns, with the other orders of its carrier collection
    (``StoreModel._ship``).  So a day's fates are appended as one block of
    bytes (:meth:`draw`), read many at a time (:meth:`rows`), and made into a
    :class:`Fate` only for an order that goes its own way (``fates[n]``):
    a growth year's 90,000 fates cost a block a day instead of two objects
    and 17 Python floats an order.
    """

    __slots__ = ("_data", "_count")

    def __init__(self) -> None:
        self._data = array("d")
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def draw(
        self,
        streams: Streams,
        picking: Picking,
        carriers: Carriers,
        defect_p: np.ndarray,
        skus: np.ndarray,
        options: np.ndarray,
    ) -> np.ndarray:
        """Draw the fates of orders of SKUs ``skus`` (indices) shipped with delivery ``options``; return
        their numbers."""
        n = len(skus)
        # each stream's draws in the order they have always been made (the same numbers for the same seed), into
        # the rows' transpose: a column is a row there, and adjacent columns take one call's draws (``out=``)
        cols = np.empty((_WIDTH, n))
        cols[_PICK] = picking.draw(n)
        cols[_JOURNEY] = carriers.draw(options)
        streams.service.random(out=cols[_WISMO])
        u = streams.returns.random((3, n))
        streams.returns.standard_exponential(out=cols[_RETURN_TIMES])
        cols[_DEFECT], cols[_RETURN_U], cols[_RETURN_TICKET_U] = u[0] < defect_p[skus], u[1], u[2]
        streams.reviews.random(out=cols[_REVIEW])
        streams.reviews.standard_normal(out=cols[_NOISE])
        streams.customers.random(out=cols[_CHURN])
        self._data.frombytes(cols.T.tobytes())
        first = self._count
        self._count += n
        return np.arange(first, self._count)

    def rows(self, numbers: np.ndarray) -> np.ndarray:
        """The rows of fates ``numbers`` (a copy), columns as in :data:`FIELDS`."""
        return np.frombuffer(self._data).reshape(-1, _WIDTH)[numbers]

    def __getitem__(self, number: int) -> Fate:
        return _fate(self._data[number * _WIDTH : (number + 1) * _WIDTH].tolist())

    @staticmethod
    def make(rows: np.ndarray) -> list[Fate]:
        """The :class:`Fate` of each of ``rows`` (from :meth:`rows`)."""
        table: list[list[float]] = rows.tolist()
        return [_fate(row) for row in table]

    @staticmethod
    def closings(rows: np.ndarray) -> list[ReviewDraws]:
        """The review draws of fate ``rows`` (from :meth:`rows`), one each."""
        table: list[list[float]] = rows[:, _CLOSING:].tolist()
        return [_closing(row, 0) for row in table]


def _fate(r: list[float]) -> Fate:
    """A :class:`Fate` from a row of :class:`Fates`, field by field in :data:`FIELDS`' order (spelled out: the
    compiled engine then calls the class in C; ``test_fate`` checks every field against its column)."""
    return Fate(
        r[0], r[1] > 0, r[2], r[3], r[4], r[5], r[6], r[7] > 0, r[8], r[9], r[10], r[11], r[12], _closing(r, _CLOSING)
    )


def _closing(r: list[float], at: int) -> ReviewDraws:
    """The :class:`ReviewDraws` in ``r`` from column ``at`` on."""
    return ReviewDraws(r[at], r[at + 1], r[at + 2], r[at + 3])
