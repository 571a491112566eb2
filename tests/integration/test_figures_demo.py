"""The demo data makes every figures page show something real."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.accounts.models import User
from portal.carers.models import CarerReferral
from tests.integration.test_figures import PAGES, tables


def test_the_demo_manager_sees_real_figures_on_every_page(app, client, session):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    referrals = session.scalar(select(func.count(CarerReferral.id)))
    assert runner.invoke(args=["demo"]).exit_code == 0  # a second load adds nothing
    assert session.scalar(select(func.count(CarerReferral.id))) == referrals
    with app.app_context():
        manager = session.scalar(select(User).where(User.email == "manager@demo.portal.test"))
    client.sign_in_as(manager)
    shown = {}
    for url in PAGES:
        found = tables(client.get(url).get_data(as_text=True))
        shown[url] = found
    monthly = shown["/figures/carers"]["referrals-by-month"]
    assert any(cells[0] == "Torquay" and cells[-1].isdigit() and int(cells[-1]) > 50
               for cells in monthly)
    assert any("fewer than 5" in cells for cells in monthly)
    words = shown["/figures/community-assets"]["gaps-by-words"]
    assert words[1][0] == "\"men's group\" in Paignton & Brixham"
    assert int(words[1][-1]) > 40  # 60 over 360 days; the default period is this month and 11 before
    helpful = shown["/figures/guidance"]["helpful"]
    assert len(helpful) > 3
    status = dict((cells[0], cells[1]) for cells in shown["/figures/guidance"]["guidance-status"][1:])
    assert int(status["Live"]) > 0
    threads = shown["/figures/messaging"]["reply-times"]
    assert len(threads) >= 3
    weekly = shown["/figures/messaging"]["threads-by-week"]
    assert weekly[-1][0] == "Total" and int(weekly[-1][-1]) > 0  # the demo's conversations
    use = shown["/figures/use"]["use-by-locality"]
    assert use[-1][0] == "Total"
    assert any(cell != "0" for cells in use[1:-1] for cell in cells[1:])  # the demo's people
    pulse = shown["/figures/pulse"]["pulse-by-locality"]
    torquay = next(cells for cells in pulse if cells[0] == "Torquay")
    assert int(torquay[-1]) > 50  # four quarters of answers
    assert any("fewer than 5" in cells for cells in pulse)  # Coastal's few
    agree = shown["/figures/pulse"]["pulse-by-statement"]
    assert any(cells[2].endswith("%") for cells in agree[1:])
