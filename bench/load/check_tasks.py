"""Run every task of every user class of bench/load/locustfile.py once, in order, against a server, and
print one JSON object: {class: {request name: [count, failures]}, "_errors": [...]}. Used by
src/fanpin/core/tests/test_load_benchmark.py so the benchmark does not rot; runs in its own process because
Locust patches the standard library with gevent on import.

    LOAD_ACCOUNTS=/tmp/fanpin-load/accounts.json python bench/load/check_tasks.py http://127.0.0.1:8608
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main(host: str) -> int:
    import locustfile
    from locust.env import Environment

    out: dict = {"_errors": []}
    for cls in (locustfile.VillageUser, locustfile.TownshipUser, locustfile.CountyUser, locustfile.ApiReader):
        seen: dict[str, list[int]] = {}

        def on_request(
            request_type, name, response_time, response_length, exception=None, seen=seen, cls=cls, **kw
        ):
            entry = seen.setdefault(name, [0, 0])
            entry[0] += 1
            if exception is not None:
                entry[1] += 1
                out["_errors"].append(f"{cls.__name__} {request_type} {name}: {exception}")

        env = Environment(user_classes=[cls], host=host)
        env.events.request.add_listener(on_request)
        cls.host = host
        user = cls(env)
        user.on_start()
        for task in dict.fromkeys(cls.tasks):  # each task once, in the order written
            task(user)
        out[cls.__name__] = seen
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
