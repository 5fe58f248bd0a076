"""The synthetic pool: shape, determinism, under-representation of low trust and low education."""

from minipublic.sortition import check_feasibility, synthetic_pool


def test_synthetic_pool_shape_and_bias():
    sp = synthetic_pool(1500, seed=2, panel_size=40)
    assert len(sp.people) == 1500 and sp.people["id"].is_unique
    pop = sp.population.set_index(["feature", "value"])
    for key in [
        ("trust_in_government", "low"),
        ("education", "no qualifications"),
        ("no_point", "yes"),
    ]:
        assert pop.loc[key, "pool_share"] < 0.8 * pop.loc[key, "population_share"]
    assert set(sp.quotas["feature"]) == set(sp.quota_features)
    assert check_feasibility(sp.pool(), sp.quota_set(), 40).feasible
    assert sp.people.equals(synthetic_pool(1500, seed=2, panel_size=40).people)
    assert not sp.people.equals(synthetic_pool(1500, seed=3, panel_size=40).people)
