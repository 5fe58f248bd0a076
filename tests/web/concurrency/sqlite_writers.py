"""Run N threads that each read, pause, then write inside one transaction (SQLite file).

Usage: python sqlite_writers.py N  (with MINIPUBLIC_DATA_DIR pointing at an empty folder).
Prints "ok <n written>" or "failed <errors>". Run by tests/web/concurrency/test_parallel_writes.py.
"""

import sys
import threading
import time

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from minipublic.web.assemblies.models import Assembly  # noqa: E402

call_command("migrate", verbosity=0)
n = int(sys.argv[1])
errors = []
barrier = threading.Barrier(n)


def writer(i: int) -> None:
    try:
        barrier.wait()
        with transaction.atomic():
            Assembly.objects.count()  # a read first: the classic lock-upgrade case
            time.sleep(0.2)
            Assembly.objects.create(slug=f"t{i}", title=f"T{i}", question="?")
    except Exception as exc:  # noqa: BLE001 - reported to the test
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()


threads = [threading.Thread(target=writer, args=(i,)) for i in range(n)]
for t in threads:
    t.start()
for t in threads:
    t.join()
written = Assembly.objects.filter(slug__startswith="t").count()
print("ok" if not errors else "failed", written, errors)
