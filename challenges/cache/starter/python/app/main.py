"""The driver: speaks crack's line protocol and calls your classes in cache.py.

You do not need to edit this file. One command per line on stdin, one reply per line on
stdout:

    NEW LRU <capacity>                   -> OK   (a fresh, empty cache replaces the old one)
    NEW LRU <capacity> STORE <path>      -> OK   (write-through to the file at <path>)
    NEW LFU <capacity>                   -> OK
    NEW TTL <capacity> <ttl_ms>          -> OK
    PUT <now_ms> <key> <value>           -> OK
    GET <now_ms> <key>                   -> the value, or NOT_FOUND
    SIZE <now_ms>                        -> the number of entries

<now_ms> is the current time in milliseconds; only the TTL cache uses it. Keys have no
spaces; a value is the rest of the line and may contain spaces. When your code raises an
exception the reply is "ERROR <exception>" and the traceback goes to stderr, which crack
shows you.
"""

import sys
import traceback

from cache import LFUCache, LRUCache, TTLCache
from store import Store

NOT_FOUND = "NOT_FOUND"


class Driver:
    def __init__(self) -> None:
        self.cache: LRUCache | LFUCache | TTLCache | None = None

    def handle(self, line: str) -> str:
        command, _, rest = line.partition(" ")
        if command == "NEW":
            kind, capacity, *options = rest.split(" ", 3)
            if kind == "LRU":
                store = Store(options[1]) if options[:1] == ["STORE"] else None
                self.cache = LRUCache(int(capacity), store)
            elif kind == "LFU":
                self.cache = LFUCache(int(capacity))
            elif kind == "TTL":
                self.cache = TTLCache(int(capacity), int(options[0]))
            else:
                return f"ERROR unknown cache kind {kind}"
            return "OK"
        cache = self.cache
        if cache is None:
            return "ERROR no cache yet: send NEW first"
        if command == "PUT":
            now, key, value = rest.split(" ", 2)
            if isinstance(cache, TTLCache):
                cache.put(key, value, int(now))
            else:
                cache.put(key, value)
            return "OK"
        if command == "GET":
            now, key = rest.split(" ")
            found = cache.get(key, int(now)) if isinstance(cache, TTLCache) else cache.get(key)
            return NOT_FOUND if found is None else found
        if command == "SIZE":
            return str(cache.size(int(rest)) if isinstance(cache, TTLCache) else cache.size())
        return f"ERROR unknown command {command}"


def main() -> None:
    driver = Driver()
    for line in sys.stdin:
        try:
            reply = driver.handle(line.rstrip("\r\n"))
        except Exception as exc:
            traceback.print_exc()
            reply = f"ERROR {type(exc).__name__}: {exc}".replace("\n", " ")
        print(reply, flush=True)


if __name__ == "__main__":
    main()
