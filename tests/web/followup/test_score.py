"""The follow-through score against hand-computed cases (no database)."""

import pytest

from minipublic.web.followup.score import Item, follow_through_score, item_score, progress


def test_nothing_adopted_scores_zero():
    assert follow_through_score([]) == 0.0


def test_worked_example():
    """Four recommendations, worked by hand:

    1. accepted, done, as recommended          -> 1 × 1    × 1    = 1
    2. accepted in part, 40 %, modified        -> 0.5 × 0.4 × 0.75 = 0.15
    3. rejected                                 -> 0
    4. no response yet                          -> 0
    score = 100 × (1 + 0.15 + 0 + 0) / 4 = 28.75
    """
    items = [
        Item("accepted", "done", 60, "as_recommended"),
        Item("accepted_in_part", "in_progress", 40, "modified"),
        Item("rejected"),
        Item(None),
    ]
    assert [item_score(i) for i in items] == pytest.approx([1.0, 0.15, 0.0, 0.0])
    assert follow_through_score(items) == pytest.approx(28.75)


def test_weighted_sub_items_replace_the_percentage():
    """Sub-items (weight 1 at 100 %, weight 3 at 40 %): (100 + 120) / 4 = 55 %."""
    item = Item("accepted", "in_progress", 5, sub_items=[(1, 100), (3, 40)])
    assert progress(item) == pytest.approx(0.55)
    assert item_score(
        Item("already_happening", "in_progress", 5, "watered_down", [(1, 100), (3, 40)])
    ) == pytest.approx(0.275)


def test_abandoned_counts_zero_and_done_counts_full():
    assert progress(Item("accepted", "abandoned", 90)) == 0.0
    assert progress(Item("accepted", "done", 0)) == 1.0


def test_every_answer_but_acceptance_scores_zero():
    for category in ("under_consideration", "rejected", "outside_powers"):
        assert item_score(Item(category, "done", 100)) == 0.0
