"""Ordering pages of results with bitsets: groups, tie-breaks, paging."""

from __future__ import annotations

from portal.search import ranking
from portal.search.bitsets import from_ids, iter_bits


def bits(*ids: int) -> int:
    return from_ids(ids, 64)


def test_bitsets_round_trip():
    assert list(iter_bits(bits(0, 3, 63))) == [0, 3, 63]
    assert list(iter_bits(0)) == []


def test_page_orders_by_groups_then_document_number():
    everything = bits(*range(10))
    near, far = bits(7, 8), bits(1, 2, 3)
    orders = [[(1.0, near), (5.0, far)]]
    assert ranking.page(orders, everything, 0, 10) == [7, 8, 1, 2, 3, 0, 4, 5, 6, 9]
    assert ranking.page(orders, everything, 3, 4) == [2, 3, 0, 4]
    assert ranking.page(orders, everything, 20, 5) == []


def test_page_breaks_ties_with_the_next_order():
    everything = bits(*range(6))
    tiers = [[(0.0, bits(4, 5, 0))]]
    scores = [(9.0, bits(5, 3)), (4.0, bits(0))]
    assert ranking.page([*tiers, scores], everything, 0, 6) == [5, 0, 4, 3, 1, 2]


def test_score_groups_sum_weights_and_demote_stale_documents():
    final = bits(0, 1, 2, 3)
    weighted = [(3.0, bits(0, 1)), (1.0, bits(1, 2))]
    groups = ranking.score_groups(weighted, final, stale=bits(1), stale_factor=0.5)
    assert [(score, list(iter_bits(group))) for score, group in groups] == [
        (3.0, [0]), (2.0, [1]), (1.0, [2]), (0.0, [3])]
    assert ranking.score_of(1, groups) == 2.0


def test_km_between_is_close_to_the_great_circle_distance():
    from portal.places.postcodes import distance_km

    torquay, plymouth = (50.4619, -3.5253), (50.3714, -4.1422)
    assert abs(ranking.km_between(torquay, plymouth) - distance_km(torquay, plymouth)) < 0.05
