import pytest

from portal.places.postcodes import distance_km, normalise_postcode


@pytest.mark.parametrize(("typed", "normal"), [
    ("tq1 1aa", "TQ1 1AA"), ("TQ11AA", "TQ1 1AA"), (" pl1  1aa ", "PL1 1AA"),
    ("TQ12 1AA", "TQ12 1AA"), ("sw1a1aa", "SW1A 1AA"), ("EC1A 1BB", "EC1A 1BB"), ("GIR 0AA", "GIR 0AA"),
])
def test_normalise_postcode_accepts_real_formats(typed, normal):
    assert normalise_postcode(typed) == normal


@pytest.mark.parametrize("typed", [None, "", "TQ1", "12345", "Q1 1AA", "TQ1 1AAA", "<script>",
                                   "TQ1 1CA", "x" * 100, "TQ1\n1AA; DROP TABLE"])
def test_normalise_postcode_refuses_what_is_not_a_postcode(typed):
    assert normalise_postcode(typed) is None


def test_distance_between_torquay_and_plymouth_is_about_40_km():
    assert 38 < distance_km((50.4619, -3.5253), (50.3714, -4.1422)) < 46
    assert distance_km((50.0, -3.0), (50.0, -3.0)) == 0
