"""Whether the Redis server the tests use (127.0.0.1:6379) is up, for ``skipif``."""

import socket

REDIS = ("127.0.0.1", 6379)


def redis_up() -> bool:
    """True when a TCP connection to Redis opens within a second."""
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False
