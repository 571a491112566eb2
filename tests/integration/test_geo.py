"""`flask geo import-onspd`: the postcode table from the ONS Postcode Directory CSV."""

from __future__ import annotations

from sqlalchemy import select

from portal.places.models import Postcode

SAMPLE = """\
pcd,pcd2,pcds,dointr,doterm,oslaua,lat,long,imd
TQ1 1AA,TQ1  1AA,TQ1 1AA,198001,,E06000027,50.465370,-3.528040,1234
TQ11AB,TQ1  1AB,tq1 1ab,198001,,E06000027,50.466000,-3.529000,1235
PL1 1AA,PL1  1AA,PL1 1AA,198001,,E06000026,99.999999,0.000000,2000
PL1 1AB,PL1  1AB,PL1 1AB,198001,,E06000026,,,2001
NOT,NOT,NOT A POSTCODE,198001,,E06000026,50.1,-4.1,2002
PL2 1AA,PL2  1AA,PL2 1AA,198001,200012,E06000026,50.380000,-4.150000,2003
"""


def _run(app, tmp_path, text: str, *extra: str):
    path = tmp_path / "ONSPD_sample.csv"
    path.write_text(text, encoding="utf-8")
    return app.test_cli_runner().invoke(args=["geo", "import-onspd", str(path), *extra])


def _table(session) -> dict[str, tuple[float, float]]:
    session.expire_all()
    return {row.postcode: (row.latitude, row.longitude) for row in session.scalars(select(Postcode))}


def test_import_onspd_loads_postcodes_and_skips_rows_without_coordinates(app, session, tmp_path):
    result = _run(app, tmp_path, SAMPLE, "--batch-size", "2")
    assert result.exit_code == 0, result.output
    assert result.output == ("Read 6 rows: 3 postcodes added, 0 updated, 0 unchanged, "
                             "3 skipped.\n")
    assert _table(session) == {"TQ1 1AA": (50.46537, -3.52804), "TQ1 1AB": (50.466, -3.529),
                               "PL2 1AA": (50.38, -4.15)}


def test_import_onspd_again_updates_only_what_moved(app, session, tmp_path):
    _run(app, tmp_path, SAMPLE)
    moved = SAMPLE.replace("50.466000,-3.529000", "50.467000,-3.530000")
    result = _run(app, tmp_path, moved)
    assert result.output == ("Read 6 rows: 0 postcodes added, 1 updated, 2 unchanged, "
                             "3 skipped.\n")
    assert _table(session)["TQ1 1AB"] == (50.467, -3.53)


def test_import_onspd_file_without_the_columns_is_refused(app, session, tmp_path):
    result = _run(app, tmp_path, "postcode,latitude,longitude\nTQ1 1AA,50.1,-3.5\n")
    assert result.exit_code == 1
    assert "The file needs the columns pcds, lat and long." in result.output
    assert _table(session) == {}


def test_import_onspd_reads_a_byte_order_mark(app, session, tmp_path):
    result = _run(app, tmp_path, "\ufeff" + SAMPLE)
    assert result.exit_code == 0, result.output
    assert len(_table(session)) == 3


def test_demo_postcodes_file_loads_completely(app, session):
    from portal.directory.reference import DATA_DIR
    from portal.places.onspd import import_onspd

    with (DATA_DIR / "postcodes_demo.csv").open(encoding="utf-8", newline="") as fh:
        counts = import_onspd(session, fh)
    assert (counts.read, counts.skipped) == (500, 0)
    assert counts.added == 500
