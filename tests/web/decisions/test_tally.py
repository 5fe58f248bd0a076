"""The count and the thresholds, against hand-computed cases (no database)."""

import ast
from fractions import Fraction
from pathlib import Path

import pytest

from minipublic.web.decisions import tally
from minipublic.web.decisions.tally import BallotRule, RuleError, count_votes, default_rule


def rule(**kw):
    base = {"scale": "gradient5", "support": [1, 2], "support_percent": "80", "quorum_percent": "0"}
    return BallotRule.from_dict({**base, **kw})


def test_module_has_no_django_import():
    """The tally is pure Python: it can be checked without the site."""
    tree = ast.parse(Path(tally.__file__).read_text())
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [n for n in names if n.startswith("django")]


def test_hand_counted_gradient5():
    """10 votes: 4x1, 3x2, 1x3, 1x4, 1x5 -> support 7/10, block 1/10, turnout 10/12."""
    r = count_votes(
        rule(strong_opposition=[5], support_percent="70", quorum_percent="75"),
        [1, 2, 1, 3, 2, 1, 4, 5, 2, 1],
        electorate=12,
    )
    assert r.distribution == ((1, 4), (2, 3), (3, 1), (4, 1), (5, 1))
    assert (r.votes, r.counted, r.support, r.strong_opposition) == (10, 10, 7, 1)
    assert r.support_share == Fraction(7, 10)
    assert r.strong_opposition_share == Fraction(1, 10)
    assert r.turnout == Fraction(10, 12)
    assert r.quorum_met and r.support_met and r.adopted


def test_exact_threshold_at_least_versus_more_than():
    """12 of 15 is exactly 80 %: adopted under >= 80, not under > 80."""
    votes = [1] * 12 + [3] * 3
    at_least = count_votes(rule(), votes, electorate=15)
    more_than = count_votes(rule(strict=True), votes, electorate=15)
    assert at_least.support_share == Fraction(4, 5)
    assert at_least.adopted
    assert not more_than.adopted and more_than.reasons == ("support",)


def test_just_below_threshold():
    """11 of 14 = 78.57 % < 80 %."""
    r = count_votes(rule(), [1] * 11 + [4] * 3, electorate=14)
    assert r.support_share == Fraction(11, 14)
    assert not r.adopted


def test_tie_at_fifty_percent():
    """5 support, 5 not: a tie is 50 % exactly; >= 50 adopts, > 50 does not."""
    votes = [1, 2, 1, 2, 1, 4, 5, 4, 5, 3]
    assert count_votes(rule(support_percent="50"), votes, electorate=10).adopted
    assert not count_votes(rule(support_percent="50", strict=True), votes, electorate=10).adopted


def test_decimal_threshold_two_thirds():
    """66.67 %: 2 of 3 (66.666...) is below, 20 of 30 too, 67 of 100 above."""
    r = rule(support_percent="66.67")
    assert not count_votes(r, [1, 1, 4], electorate=3).adopted
    assert count_votes(r, [1] * 67 + [4] * 33, electorate=100).adopted


def test_strong_opposition_limit_exact_and_over():
    """>= 50 % support with <= 20 % strongly opposed: 2 of 10 blocks is allowed, 3 is not."""
    r = rule(support_percent="50", strong_opposition=[5], max_strong_opposition_percent="20")
    ok = count_votes(r, [1] * 6 + [3, 3] + [5, 5], electorate=10)
    assert ok.strong_opposition_share == Fraction(1, 5) and ok.adopted
    bad = count_votes(r, [1] * 6 + [3] + [5, 5, 5], electorate=10)
    assert bad.support_met and not bad.opposition_met and not bad.adopted
    assert bad.reasons == ("strong_opposition",)


def test_quorum_failure_and_exact_quorum():
    """Quorum 50 % of 20: 9 votes fail although all support; 10 votes meet it exactly."""
    r = rule(quorum_percent="50")
    nine = count_votes(r, [1] * 9, electorate=20)
    assert nine.support_share == 1 and not nine.quorum_met and not nine.adopted
    assert nine.reasons == ("quorum",)
    ten = count_votes(r, [1] * 10, electorate=20)
    assert ten.turnout == Fraction(1, 2) and ten.quorum_met and ten.adopted


def test_abstentions_count_for_turnout_not_for_shares():
    """Kaner 8-point: abstain (4) is out of the shares but in the turnout."""
    r = BallotRule.from_dict(
        {
            "scale": "gradient8",
            "support": [1, 2, 3, 6],
            "strong_opposition": [7, 8],
            "abstain": [4],
            "support_percent": "75",
            "quorum_percent": "60",
        }
    )
    # 3x1, 2x2, 1x6, 2x4 (abstain), 1x7, 1x5 -> counted 8, support 6/8 = 75 %.
    res = count_votes(r, [1, 1, 1, 2, 2, 6, 4, 4, 7, 5], electorate=16)
    assert (res.votes, res.abstentions, res.counted, res.support) == (10, 2, 8, 6)
    assert res.support_share == Fraction(3, 4) and res.support_met
    assert res.turnout == Fraction(10, 16) and res.quorum_met and res.adopted


def test_no_votes_or_only_abstentions():
    r = rule(scale="gradient8", support=[1, 2], abstain=[4])
    empty = count_votes(r, [], electorate=5)
    assert empty.support_share is None and not empty.adopted
    only = count_votes(r, [4, 4], electorate=2)
    assert only.counted == 0 and only.support_share is None and not only.adopted
    assert count_votes(r, [], electorate=0).turnout is None


def test_score10():
    r = default_rule("score10")  # support 7-10 >= 66.67 %
    res = count_votes(r, [10, 9, 8, 7, 7, 3, 1, 6, 10], electorate=9)
    assert res.support == 6 and res.support_share == Fraction(2, 3)
    assert not res.adopted  # 66.666...% < 66.67 %


def test_bad_values_and_rules_are_named():
    with pytest.raises(RuleError, match="vote 3: 9 is not a point"):
        count_votes(rule(), [1, 2, 9], electorate=5)
    with pytest.raises(RuleError, match="votes: 3 votes but only 2"):
        count_votes(rule(), [1, 2, 3], electorate=2)
    with pytest.raises(RuleError, match="^scale:"):
        BallotRule.from_dict({"scale": "stars", "support": [1]})
    with pytest.raises(RuleError, match="^support:"):
        BallotRule.from_dict({"scale": "gradient5", "support": []})
    with pytest.raises(RuleError, match="^strong_opposition: point 2"):
        rule(strong_opposition=[2, 5])
    with pytest.raises(RuleError, match="^support_percent:"):
        rule(support_percent="101")
    with pytest.raises(RuleError, match="two decimals"):
        rule(support_percent="66.667")
    with pytest.raises(RuleError, match="^strong_opposition: a limit"):
        rule(max_strong_opposition_percent="20")
    with pytest.raises(RuleError, match="^opens_if_outcome"):
        rule(opens_if_ballot=3, opens_if_outcome="maybe")


def test_seal_is_canonical_and_changes_with_any_field():
    a = rule(strong_opposition=[5])
    b = BallotRule.from_dict(
        {
            "quorum_percent": 0,
            "strong_opposition": ["5"],
            "support": [2, 1, 1],
            "support_percent": 80,
            "scale": "gradient5",
        }
    )
    assert a.canonical_json() == b.canonical_json()
    assert a.sha256() == b.sha256()
    assert len(a.sha256()) == 64
    assert rule(strong_opposition=[5], strict=True).sha256() != a.sha256()
    assert rule(strong_opposition=[5], quorum_percent="1").sha256() != a.sha256()
    assert BallotRule.from_dict(a.to_dict()) == a
    import hashlib

    assert hashlib.sha256(a.canonical_json().encode()).hexdigest() == a.sha256()
    assert '"support_percent":"80.00"' in a.canonical_json()
