"""One run of the store on a SimPy clock, in the order the data flows.

* ``model``: ``StoreModel``, the SimPy environment that wires the parts below together
* ``sales/``: traffic and its channels, the offer and prices, the funnel, A/B variants, the assortment
* ``operations/``: orders, picking crews on shifts, carriers, stock and restocking
* ``aftersales/``: service tickets, customers' reviews and repeat visits, CRM programmes
* ``fate``: each day's per-order draws made as arrays; ``rng``: one stream per source of randomness
* ``clock``: model hours and calendar; ``shocks``: disruptions; ``log``: the auditable event log
* ``environment``: SimPy's environment, plus a clock step without an event
* ``native``: whether the hot modules run compiled by mypyc (``setup.py``) or as Python
"""

# First, before any module below is imported: the modules compiled by mypyc, or their Python source.
from sim.engine import native as native
