from dataclasses import dataclass


@dataclass
class Order:
    pk: int
    number: str
    item: str
    ship_to: str

    def __str__(self) -> str:  # two orders that print the same
        return "Order"


ORDERS = {
    1: Order(1, "A-1001", "olives for Alice", "12 Palm Street, Riyadh"),
    2: Order(2, "B-2002", "dates for Bob", "9 Cedar Road, Jeddah"),
}
BY_USER = {
    "alice": {
        "orders": [ORDERS[1]],
        "addresses": ["12 Palm Street, Riyadh"],
        "notifications": ["Alice, your olives shipped"],
        "participants": ["alice", "carol"],
    },
    "bob": {
        "orders": [ORDERS[2]],
        "addresses": ["9 Cedar Road, Jeddah"],
        "notifications": ["Bob, your dates are late"],
        "participants": ["bob", "dave"],
    },
}


def mine(request, key):
    return BY_USER.get(request.user.get_username(), {}).get(key, [])
