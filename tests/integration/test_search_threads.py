"""Searches in one process run at the same time: no lock is held for a whole search."""

from __future__ import annotations

import threading

from portal.search.services import ServiceQuery, search_services
from tests.helpers.factories import fresh_search_index, make_listing


def test_a_search_runs_while_another_is_still_reading_the_index(app, session, tmp_path):
    make_listing(session, name="Tuesday lunch club", terms=[])
    make_listing(session, name="Coast walk", terms=[])
    session.flush()
    inside, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    with fresh_search_index(app, tmp_path / "index") as index:
        search_services(session, index, ServiceQuery(text="lunch"))  # builds the index

        def slow_reader() -> None:
            try:
                with index.reading() as (_searcher, bits):
                    inside.set()
                    release.wait(10)  # a long search, still using the searcher and bitsets
                    assert bits.live.bit_count() == 2
            except BaseException as error:  # reported below
                errors.append(error)

        reader = threading.Thread(target=slow_reader)
        reader.start()
        assert inside.wait(10)
        found: list[list[str]] = []
        other = threading.Thread(target=lambda: found.append(
            [hit.name for hit in search_services(session, index, ServiceQuery(text="walk")).hits]))
        other.start()
        other.join(5)
        finished_while_reading = not other.is_alive()
        release.set()
        reader.join(10)
        other.join(10)
    assert finished_while_reading, "the second search waited for the first one to finish"
    assert found == [["Coast walk"]]
    assert errors == []


def test_many_threads_search_at_once_while_the_index_changes(app, session, tmp_path):
    for number in range(20):
        make_listing(session, name=f"Walking group {number}")
    session.flush()
    errors: list[BaseException] = []
    counts: list[int] = []
    with fresh_search_index(app, tmp_path / "index") as index:
        search_services(session, index, ServiceQuery(text="walk"))

        def searching() -> None:
            try:
                with app.app_context():
                    for _ in range(15):
                        with index.reading() as (searcher, bits):
                            walking = bits.word("name", "walk")
                            index.stored(searcher, [0])
                            counts.append(walking.bit_count())
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=searching) for _ in range(6)]
        for thread in threads:
            thread.start()
        for _ in range(5):  # new index generations while the threads search
            with index.writing() as writer:
                writer.delete_by_term("id", "no-such-id")
        for thread in threads:
            thread.join(30)
    assert errors == []
    assert counts == [20] * (6 * 15)
