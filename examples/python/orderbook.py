"""A tiny shop that keeps state: orders arrive, revenue adds up.

Run it under hotframe and edit price() or describe() while it runs: the order count and
revenue carry on from where they were; only the behaviour changes.
"""

import sys
import time

CATALOG = {"widget": 4.00, "gadget": 12.50, "gizmo": 7.25}
ORDERS = []  # state that a restart would lose


def price(item, quantity):
    return CATALOG[item] * quantity


def describe(order):
    return f"{order['quantity']} x {order['item']} = {order['total']:.2f}"


def take_order(n):
    item = sorted(CATALOG)[n % len(CATALOG)]
    quantity = 1 + n % 3
    order = {"item": item, "quantity": quantity, "total": price(item, quantity)}
    ORDERS.append(order)
    return order


def main(ticks, interval):
    for n in range(1, ticks + 1):
        order = take_order(n)
        revenue = sum(o["total"] for o in ORDERS)
        print(f"order {len(ORDERS):>3}: {describe(order):<24} revenue {revenue:8.2f}", flush=True)
        time.sleep(interval)


if __name__ == "__main__":
    try:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000, float(sys.argv[2]) if len(sys.argv) > 2 else 0.5)
    except KeyboardInterrupt:
        print(f"closed after {len(ORDERS)} orders", flush=True)
