"""The ``minipublic`` command starts without importing heavy libraries."""

import subprocess
import sys

HEAVY = ["numpy", "pandas", "scipy", "sklearn", "matplotlib", "django", "rich"]


def test_help_imports_nothing_heavy():
    code = (
        "import sys\n"
        "from minipublic.cli import app\n"
        "try:\n"
        "    app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_sortition_algorithms_named_in_the_help_are_the_real_ones():
    from minipublic.cli import _sortition
    from minipublic.sortition import ALGORITHMS

    assert tuple(_sortition.ALGORITHMS) == tuple(ALGORITHMS)
