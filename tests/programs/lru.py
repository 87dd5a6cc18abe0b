"""A tiny LRU cache on a line protocol: `lru.py fast` is O(1), `lru.py slow` scans a list.

Commands: CAP n | FILL n (keys 0..n-1) | PUT k v | GET k (value or -1) | CRASH.
"""

import sys
from collections import OrderedDict

slow = sys.argv[1:] == ["slow"]
capacity = 0
data: "OrderedDict[str, str]" = OrderedDict()
order: list[str] = []  # the slow version's recency list


def touch(key: str) -> None:
    if slow:
        if key in data:
            order.remove(key)  # O(n)
        order.append(key)
    else:
        data.move_to_end(key)


def evict() -> None:
    while len(data) > capacity:
        oldest = order.pop(0) if slow else next(iter(data))
        del data[oldest]


for line in sys.stdin:
    cmd, *args = line.split()
    if cmd == "CAP":
        capacity = int(args[0])
        print("OK")
    elif cmd == "FILL":
        for i in range(int(args[0])):
            data[str(i)] = str(i)
            if slow:
                order.append(str(i))
        evict()
        print("OK")
    elif cmd == "PUT":
        key, value = args
        if slow and key in data:
            order.remove(key)
            data[key] = value
            order.append(key)
        else:
            data[key] = value
            touch(key)
        evict()
        print("OK")
    elif cmd == "GET":
        if args[0] in data:
            touch(args[0])
            print(data[args[0]])
        else:
            print("-1")
    elif cmd == "CRASH":
        sys.exit(4)
    else:
        print("ERR")
    sys.stdout.flush()
