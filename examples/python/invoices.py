"""hotframe demo (debugger): prices orders; one of them names an item with no price."""

ORDERS = [[("apple", 2)], [("pear", 4), ("apple", 1)], [("plum", 3)], [("pear", 1)]]
PRICES = {"apple": 0.5, "pear": 0.75}


def price(item, quantity):
    return PRICES[item] * quantity


def total(order):
    amount = 0
    for item, quantity in order:
        amount += price(item, quantity)
    return amount


def main():
    for number, order in enumerate(ORDERS, 1):
        print(f"order {number}: {total(order):.2f}", flush=True)
    print("all orders priced", flush=True)


main()
