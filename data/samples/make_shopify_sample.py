"""Write ``shopify_orders_export.csv``: a year of a fictional Shopify shop's "Export orders" CSV, as the real one looks.

Juniper & Pine, a small homewares shop in New York, from 2024-03-01 to
2025-02-28: 2,700 orders of 1,669 customers.  New customers arrive every day
(more at weekends, in the run-up to Christmas and on Black Friday weekend);
each buys again at a rate of their own (lognormal: half buy less than once in
300 days, a few loyal ones every month) for a lifetime of their own
(exponential, mean 100 days), so about a quarter of the customers come back -
a Pareto/NBD-like process, not the BG/NBD the calibration fits.  Evenings are
busiest.  One to three line items of twelve products, free shipping from 50
dollars, state sales tax, a WELCOME10 code on some first orders; 4% of orders
refunded in full, 3% in part, 1% cancelled, the last two days' orders not
yet fulfilled, a few gifts shipped to another name.  Every customer has an
invented name, e-mail (the reserved ``example`` domains), street address and
phone number (555-01xx, the numbers set aside for fiction), so a test can
check that none of them leaks into an output.

The layout copies the real export: one row per line item, the order-level
fields on each order's first row only, local times with their UTC offset
(-0500, or -0400 in summer time), newest order first.  Same seed, same bytes:
``python data/samples/make_shopify_sample.py``.  ``shopify_orders_small.csv``
(12 hand-written orders) stays for the loaders' tests.
"""

from __future__ import annotations

import csv
import io
import zoneinfo
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).with_name("shopify_orders_export.csv")
ZONE = zoneinfo.ZoneInfo("America/New_York")
START, DAYS = pd.Timestamp("2024-03-01"), 365
HEADER = [
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at", "Accepts Marketing",
    "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code", "Discount Amount", "Shipping Method",
    "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem compare at price", "Lineitem sku",
    "Lineitem requires shipping", "Lineitem taxable", "Lineitem fulfillment status", "Billing Name",
    "Billing Address1", "Billing City", "Billing Zip", "Billing Province", "Billing Country", "Shipping Name",
    "Shipping Address1", "Shipping City", "Shipping Zip", "Shipping Province", "Shipping Country", "Notes",
    "Cancelled at", "Payment Method", "Refunded Amount", "Vendor", "Id", "Tags", "Risk Level", "Source",
    "Lineitem discount", "Phone",
]  # fmt: skip
# sku, name, price, demand weight
PRODUCTS = [
    ("MUG-SND", "Stoneware Mug - Sand", 16.0, 14), ("MUG-SLT", "Stoneware Mug - Slate", 16.0, 10),
    ("BWL-SET", "Nesting Bowls (set of 3)", 42.0, 6), ("TWL-LIN", "Linen Tea Towel", 12.0, 12),
    ("CND-CED", "Cedar Candle 8oz", 24.0, 11), ("CND-FIG", "Fig Leaf Candle 8oz", 24.0, 8),
    ("TRY-OAK", "Oak Serving Tray", 58.0, 4), ("VAS-BUD", "Bud Vase - Clay", 19.0, 7),
    ("THR-WOL", "Wool Throw - Oat", 89.0, 3), ("BSK-SEA", "Seagrass Basket", 34.0, 6),
    ("CST-CRK", "Cork Coasters (set of 4)", 14.0, 9), ("GFT-BOX", "Gift Box - Morning Coffee", 65.0, 4),
]  # fmt: skip
FIRST = (
    "Maya",
    "Ethan",
    "Priya",
    "Lucas",
    "Chloe",
    "Mateo",
    "Hannah",
    "Omar",
    "Sofia",
    "Daniel",
    "Aisha",
    "Noah",
    "Grace",
    "Diego",
    "Leah",
    "Kenji",
    "Nora",
    "Samuel",
    "Ines",
    "Tariq",
    "Clara",
    "Jonah",
    "Mei",
    "Elias",
)
LAST = (
    "Whitfield",
    "Okonkwo",
    "Castellano",
    "Lindgren",
    "Abernathy",
    "Nakamura",
    "Delacroix",
    "Petrovic",
    "Halvorsen",
    "Marchetti",
    "Quintero",
    "Fairbanks",
    "Oyelaran",
    "Sorensen",
    "Vasquez",
    "Kowalczyk",
    "Thornbury",
    "Ramaswamy",
)
STREETS = ("Linden Ave", "Orchard St", "Bayberry Ln", "Harrow Rd", "Wexford Ct", "Summit Pl", "Foxglove Dr")
# city, state, zip prefix, sales tax
PLACES = [
    ("Brooklyn", "NY", "112", 0.08875), ("Albany", "NY", "122", 0.08), ("Hoboken", "NJ", "070", 0.06625),
    ("Cambridge", "MA", "021", 0.0625), ("Philadelphia", "PA", "191", 0.08), ("Baltimore", "MD", "212", 0.06),
    ("Asheville", "NC", "288", 0.07), ("Chicago", "IL", "606", 0.1025), ("Denver", "CO", "802", 0.0881),
    ("Portland", "OR", "972", 0.0), ("Seattle", "WA", "981", 0.1035), ("Austin", "TX", "787", 0.0825),
]  # fmt: skip
PLACE_WEIGHTS = np.array([20, 5, 8, 8, 10, 6, 7, 7, 7, 7, 7, 7], dtype=float)  # the shop's customers by city
AREA = {"NY": 718, "NJ": 201, "MA": 617, "PA": 215, "MD": 410, "NC": 828, "IL": 312, "CO": 303, "OR": 503}
AREA |= {"WA": 206, "TX": 512}  # phone area codes by state
DOMAINS = ("example.com", "example.net", "example.org")
#: New customers on an ordinary weekday; the median of the customers' mean days between orders (lognormal, with
#: SPREAD the sd of its log: a few loyal customers buy every month); mean days a customer stays.
NEW_PER_DAY, MEDIAN_GAP, SPREAD, LIFETIME = 4.2, 300.0, 1.3, 100.0
WEEKDAY = np.array([0.85, 0.9, 0.95, 1.0, 1.05, 1.2, 1.15])  # Mon ... Sun: new customers
HOURS = np.array([2, 1, 1, 1, 1, 2, 3, 5, 6, 7, 8, 8, 9, 8, 7, 7, 8, 9, 11, 13, 14, 12, 8, 4], dtype=float)


def _season(day: pd.Timestamp) -> float:
    """New customers on ``day`` relative to an ordinary day: a quiet summer, a busy autumn, Black Friday weekend."""
    month = {6: 0.8, 7: 0.75, 8: 0.8, 10: 1.1, 11: 1.4, 12: 1.6, 1: 0.85}.get(day.month, 1.0)
    black_friday = pd.Timestamp("2024-11-29")
    return month * (3.0 if 0 <= (day - black_friday).days <= 3 else 1.0)


def _stamp(t: pd.Timestamp | None) -> str:
    """Shopify's local time with its UTC offset: '2024-07-04 19:12:05 -0400'."""
    return (
        ""
        if t is None
        else t.floor("s")
        .tz_localize(ZONE, ambiguous=False, nonexistent="shift_forward")
        .strftime("%Y-%m-%d %H:%M:%S %z")
    )


def _customer(rng: np.random.Generator, number: int) -> dict[str, str]:
    first, last = FIRST[rng.integers(len(FIRST))], LAST[rng.integers(len(LAST))]
    city, state, prefix, _ = PLACES[rng.choice(len(PLACES), p=PLACE_WEIGHTS / PLACE_WEIGHTS.sum())]
    name = f"{first} {last}"
    return {
        "Email": f"{first}.{last}{number}@{DOMAINS[number % 3]}".lower(),
        "name": name,
        "gift_to": f"{FIRST[rng.integers(len(FIRST))]} {last}",  # the name on a present's parcel
        "Address1": f"{rng.integers(2, 990)} {STREETS[rng.integers(len(STREETS))]}",
        "City": city,
        "Zip": f"{prefix}{rng.integers(0, 100):02d}",
        "Province": state,
        "Phone": f"+1 ({AREA[state]}) 555-01{rng.integers(0, 100):02d}",
        "Accepts Marketing": "yes" if rng.random() < 0.45 else "no",
    }


def _visits(rng: np.random.Generator) -> list[tuple[int, float]]:
    """(customer, day as a float) of every order, in time order: a Pareto/NBD-like buying process."""
    orders: list[tuple[int, float]] = []
    customers = 0
    for day in range(DAYS):
        date = START + pd.Timedelta(days=day)
        for _ in range(rng.poisson(NEW_PER_DAY * WEEKDAY[date.day_of_week] * _season(date))):
            rate, t = rng.lognormal(np.log(1 / MEDIAN_GAP), SPREAD), day + rng.random()
            end = min(DAYS, t + rng.exponential(LIFETIME))
            while t < end:
                orders.append((customers, t))
                t += rng.exponential(1 / rate)
            customers += 1
    return sorted(orders, key=lambda o: o[1])


def make(seed: int = 2025) -> str:
    """The CSV text of a year of fictional orders."""
    rng = np.random.default_rng(seed)
    people: dict[int, dict[str, str]] = {}
    weights = np.array([p[3] for p in PRODUCTS], dtype=float)
    orders = []
    for number, (c, t) in enumerate(_visits(rng)):
        first_order = c not in people
        if first_order:
            people[c] = _customer(rng, c)
        person = people[c]
        created = START + pd.Timedelta(days=int(t), hours=int(rng.choice(24, p=HOURS / HOURS.sum())))
        created += pd.Timedelta(seconds=int(rng.integers(3600)))
        picks = rng.choice(len(PRODUCTS), size=1 + rng.binomial(2, 0.2), replace=False, p=weights / weights.sum())
        quantities = 1 + rng.binomial(2, 0.12, size=len(picks))
        subtotal = float(sum(PRODUCTS[k][2] * q for k, q in zip(picks, quantities, strict=True)))
        code = "WELCOME10" if first_order and rng.random() < 0.3 else ""
        discount = round(0.1 * subtotal, 2) if code else 0.0
        subtotal -= discount
        shipping = 0.0 if subtotal >= 50 else 6.95
        taxes = round(PLACES[[p[0] for p in PLACES].index(person["City"])][3] * subtotal, 2)
        total = round(subtotal + shipping + taxes, 2)
        u = rng.random()
        status = (
            "refunded" if u < 0.04 else "partially_refunded" if u < 0.07 else "voided" if u < 0.08 else "paid"
        )  # fmt: skip
        refund = {"refunded": total, "partially_refunded": min(PRODUCTS[picks[0]][2], total)}.get(status, 0.0)
        shipped = status != "voided" and t < DAYS - 2  # the last two days' orders wait to be fulfilled
        fulfilled = created + pd.Timedelta(hours=float(rng.uniform(6, 52))) if shipped else None
        gift = rng.random() < 0.06
        lines = []
        for i, (k, q) in enumerate(zip(picks, quantities, strict=True)):
            sku, title, price, _ = PRODUCTS[k]
            line = dict.fromkeys(HEADER, "")
            line.update({
                "Name": f"#{1001 + number}", "Email": person["Email"], "Lineitem quantity": str(q),
                "Lineitem name": title, "Lineitem price": f"{price:.2f}", "Lineitem sku": sku,
                "Lineitem requires shipping": "true", "Lineitem taxable": "true",
                "Lineitem fulfillment status": "fulfilled" if fulfilled is not None else "pending",
                "Vendor": "Juniper & Pine",
                "Lineitem discount": f"{round(0.1 * price * q, 2):.2f}" if code else "0.00",
            })  # fmt: skip
            if i == 0:
                line.update({
                    "Financial Status": status, "Paid at": _stamp(created + pd.Timedelta(seconds=5)),
                    "Fulfillment Status": "fulfilled" if fulfilled is not None else "unfulfilled",
                    "Fulfilled at": _stamp(fulfilled), "Accepts Marketing": person["Accepts Marketing"],
                    "Currency": "USD", "Subtotal": f"{subtotal:.2f}", "Shipping": f"{shipping:.2f}",
                    "Taxes": f"{taxes:.2f}", "Total": f"{total:.2f}", "Discount Code": code,
                    "Discount Amount": f"{discount:.2f}",
                    "Shipping Method": "Free shipping" if shipping == 0 else "Standard",
                    "Created at": _stamp(created), "Billing Name": person["name"],
                    "Shipping Name": person["gift_to"] if gift else person["name"],
                    "Notes": "Gift - please leave out the receipt" if gift else "",
                    "Cancelled at": _stamp(created + pd.Timedelta(hours=2)) if status == "voided" else "",
                    "Payment Method": "Shopify Payments" if rng.random() < 0.85 else "PayPal Express Checkout",
                    "Refunded Amount": f"{refund:.2f}", "Id": str(5_523_671_000_000 + 1371 * number),
                    "Risk Level": "Low", "Source": "web" if rng.random() < 0.93 else "pos",
                    "Tags": "wholesale" if rng.random() < 0.01 else "", "Phone": person["Phone"],
                })  # fmt: skip
                for side in ("Billing", "Shipping"):
                    for field in ("Address1", "City", "Zip", "Province"):
                        line[f"{side} {field}"] = person[field]
                    line[f"{side} Country"] = "US"
            lines.append([line[h] for h in HEADER])
        orders.append(lines)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for lines in reversed(orders):  # newest first, as Shopify lists them
        writer.writerows(lines)
    return out.getvalue()


if __name__ == "__main__":
    OUT.write_text(make(), encoding="utf-8", newline="")
    print(f"wrote {OUT}")
