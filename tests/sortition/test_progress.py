"""LEXIMIN reports progress while it works, so the CLI bar and the site's task page move."""

from minipublic.sortition import find_distribution, synthetic_pool


def test_leximin_reports_progress_while_reaching_the_target():
    sp = synthetic_pool(300, seed=2, panel_size=30)
    seen = []
    find_distribution(
        sp.pool(),
        sp.quota_set(),
        30,
        algorithm="leximin",
        progress=lambda fraction, message: seen.append((fraction, message)),
    )
    reaching = [f for f, m in seen if m.startswith("reaching the fairest target")]
    # Several reports during the column generation, never going backwards.
    assert len(reaching) >= 3
    assert reaching == sorted(reaching)
    assert all(0.0 <= f < 1.0 for f in reaching)
