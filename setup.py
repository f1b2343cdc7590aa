"""Compiles the simulation's hot modules to C with mypyc, beside their source: ``make setup`` runs
``python setup.py build_ext --inplace``.

The modules are the typed Python they always are (mypy-clean); mypyc turns
them into C extensions, which run a growth year in less time (figures: the
README's "How fast").  ``sim.engine.native`` decides at import which runs:
the extensions, or the source when they are stale, missing or
``STORE_SIM_PURE=1``.

``pip install .`` and ``pip install -e .`` build no extensions: pip's
isolated build environment has no mypyc, and the package runs as Python.

Writing for the build: mypyc runs in C what it can type - a list of plain
numbers, a class of these modules (its fields, and an ``__init__`` written
out), a method called on its object.  It goes through Python, at a few
hundred instructions a time, for a NamedTuple's fields, a dataclass-made
``__init__``, an ``array.array``, ``heapq`` and ``deque`` calls, a numpy
scalar, and a method bound to a local name (a CPython trick that costs here).
mypy's promotions are real in C: a value typed ``float`` that is ``False``
becomes ``0.0``.
The per-order code follows those rules; valgrind's callgrind, with the
build's C mapped back to the source lines, shows where it does not.
"""

from setuptools import setup

#: The per-order code: placement, collections and closings, the order book, stock, crews, the service desk,
#: the customers, the day's draws and the event log.  The rest runs once a day or less; compiling all of
#: sim/engine gained 1% more (valgrind instruction counts).  Not here: ``sim/engine/environment.py``
#: (a subclass of SimPy's Python class with a swapped property, which mypyc cannot compile).
NATIVE_MODULES = [
    "sim/engine/model.py",
    "sim/engine/clock.py",
    "sim/engine/fate.py",
    "sim/engine/log.py",
    "sim/engine/operations/orders.py",
    "sim/engine/operations/fulfilment.py",
    "sim/engine/operations/inventory.py",
    "sim/engine/operations/staffing.py",
    "sim/engine/operations/fcfs.py",
    "sim/engine/aftersales/service.py",
    "sim/engine/aftersales/customers.py",
]


def _extensions() -> list:
    try:
        from mypyc.build import mypycify
    except ImportError:  # pip's isolated build: no mypyc, a pure-Python package
        return []
    # group_name: the shared library becomes sim/engine/native__mypyc*.so, inside the package
    return mypycify(NATIVE_MODULES, opt_level="3", group_name="sim.engine.native")


setup(ext_modules=_extensions())
