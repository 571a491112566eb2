"""Each figures page: its numbers (``queries``) turned into suppressed tables and a chart."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from portal.figures import queries
from portal.figures.filters import Filters, all_localities
from portal.figures.privacy import THRESHOLD, Cell, count, share, statistic, suppress
from portal.figures.tables import (
    DisplayTable,
    Page,
    Row,
    bar_chart,
    counts_table,
    decimal,
    month_label,
    number,
    of_group,
    percent,
    plain,
    week_label,
)

WORDS_SHOWN = 30


def _locality_name(locality: object) -> str:
    return str(getattr(locality, "name", "")) or _("No locality known")


# Carer's assessments ---------------------------------------------------------------------

def carers(session: Session, filters: Filters) -> Page:
    found = queries.carer_referrals(session, filters)
    rows = found.localities
    months = filters.months
    labels = [_locality_name(row.locality) if row.locality else _("No locality (triage queue)")
              for row in rows]
    monthly, table = counts_table(
        "referrals-by-month", _("Referrals per locality and month"), _("Locality"), labels,
        [month_label(m) for m in months], [[row.per_month.get(m, 0) for m in months] for row in rows])
    assert table.row_totals is not None and table.column_totals is not None  # nosec B101
    outcomes = suppress([[r.contact.count, r.reached, r.completed] for r in rows],
                        row_totals=False, column_totals=True, width=3)
    assert outcomes.column_totals is not None  # nosec B101
    detail = []
    groups = [*zip(labels, rows, table.row_totals, outcomes.cells, strict=True)]
    for label, row, referrals, (contacted, reached, completed) in groups:
        detail.append(Row(label, _carer_cells(referrals, row.urgent, contacted, row.contact,
                                              row.within_target, reached, completed)))
    all_days = found.contact
    grand = table.grand_total or Cell(None)
    contacted, reached, completed = outcomes.column_totals
    detail.append(Row(_("Total"), _carer_cells(
        grand, sum(r.urgent for r in rows), contacted, all_days,
        sum(r.within_target for r in rows), reached, completed), total=True))
    page = Page("carers", _("Carer's assessments"), _(
        "Requests for a carer's assessment sent in the period, where they were from, how soon "
        "the carer was first contacted and how many reached an assessment."))
    page.tables = [monthly, DisplayTable(
        "referrals-by-locality", _("Urgency, first contact and outcome per locality"), _("Locality"),
        [_("Referrals"), _("Flagged urgent"), _("Contacted"), _("Median days to first contact"),
         _("90th percentile days to first contact"), _("Contacted within target"),
         _("Reached assessment"), _("Completed")], detail)]
    page.charts = [bar_chart("referrals-chart", _("Referrals per month"),
                             [month_label(m) for m in months], list(table.column_totals))]
    page.notes = [
        _("First contact: when staff first set the request's status to \"Contact made\" or a "
          "later status."),
        _("Target: first contact within 5 working days, or by the end of the next working day "
          "for a request flagged urgent (the promise on the request's sent page)."),
        _("Reached assessment: an assessment was booked or completed."),
    ]
    return page


def _carer_cells(referrals: Cell, urgent: int, contacted: Cell, days: queries.Spread,
                 within: int, reached: Cell, completed: Cell) -> list[str]:
    return [number(referrals), of_group(referrals, percent(share(urgent, referrals))),
            number(contacted),
            of_group(contacted, decimal(statistic(days.median, contacted))),
            of_group(contacted, decimal(statistic(days.p90, contacted))),
            of_group(contacted, percent(share(within, contacted))), number(reached),
            number(completed)]


# Messaging -------------------------------------------------------------------------------

def messaging(session: Session, filters: Filters) -> Page:
    threads = queries.message_threads(session, filters)
    teams = threads.teams
    weeks = filters.weeks
    weekly, table = counts_table(
        "threads-by-week", _("Threads started per week and team"), _("Week starting"),
        [week_label(w) for w in weeks], [t.team.name for t in teams],
        [[t.per_week.get(w, 0) for t in teams] for w in weeks])
    totals = table.column_totals or tuple(Cell(None) for _t in teams)
    detail = []
    for team, started in zip(teams, totals, strict=True):
        detail.append(Row(team.team.name, _team_cells(started, team.urgent, team.reply,
                                                      team.overdue, str(team.promise_days))))
    detail.append(Row(_("Total"), _team_cells(
        table.grand_total or Cell(None), sum(t.urgent for t in teams), threads.reply,
        sum(t.overdue for t in teams), ""), total=True))
    page = Page("messaging", _("Messaging"), _(
        "Message threads that people started in the period, and how soon each care team first "
        "replied, counted in the team's working hours."))
    page.tables = [weekly, DisplayTable(
        "reply-times", _("Reply times per team"), _("Team"),
        [_("Threads"), _("Flagged urgent"), _("Median working hours to first reply"),
         _("90th percentile working hours to first reply"), _("Promise (working days)"),
         _("Overdue")], detail)]
    page.charts = [bar_chart("threads-chart", _("Threads per team"),
                             [t.team.name for t in teams], list(totals))]
    page.notes = [
        _("Working hours are each team's opening hours; weekends and bank holidays in England "
          "do not count."),
        _("Overdue: the first reply came after the team's promise, or has not come and the "
          "promise has passed."),
    ]
    return page


def _team_cells(threads: Cell, urgent: int, hours: queries.Spread, overdue: int, promise: str
                ) -> list[str]:
    replied = count(hours.count)
    return [number(threads), of_group(threads, percent(share(urgent, threads))),
            of_group(replied, decimal(statistic(hours.median, replied))),
            of_group(replied, decimal(statistic(hours.p90, replied))), promise,
            of_group(threads, percent(share(overdue, threads)))]


# Community assets ------------------------------------------------------------------------

def community_assets(session: Session, filters: Filters) -> Page:
    names = {loc.slug: loc.name for loc in all_localities(session)}
    gaps = queries.search_gaps(session, filters, at_least=THRESHOLD)
    months = filters.months
    slugs = sorted(gaps.per_locality, key=lambda s: (s is None, names.get(s or "", s or "")))
    by_locality, _table = counts_table(
        "gaps-by-locality", _("Searches that found nothing, per locality and month"),
        _("Locality"), [names.get(s, s) if s else _("No locality given") for s in slugs],
        [month_label(m) for m in months],
        [[gaps.per_locality[s].get(m, 0) for m in months] for s in slugs])
    page = Page("community-assets", _("Community assets"), _(
        "Searches of the directory that found nothing, how up to date the listings are, and "
        "needs that have no service in a locality."))
    page.tables = [by_locality, _words_table(gaps, names, months)]
    fresh_locality, fresh_organisation = queries.listing_freshness(session, filters)
    page.tables += [_freshness("freshness-by-locality", _("Listing freshness per locality"),
                               _("Locality"), fresh_locality),
                    _freshness("freshness-by-organisation", _("Listing freshness per organisation"),
                               _("Organisation"), fresh_organisation)]
    coverage = queries.need_coverage(session, filters)
    page.tables.append(DisplayTable(
        "services-per-need", _("Services per need and locality"), _("Need"),
        [loc.name for loc in coverage.localities],
        [Row(name, [plain(coverage.services.get((nid, loc.id), 0)) for loc in coverage.localities])
         for nid, name in coverage.needs]))
    gaps_list = [_("%(need)s: no service in %(localities)s", need=name, localities=", ".join(
        loc.name for loc in coverage.localities if not coverage.services.get((nid, loc.id))))
        for nid, name in coverage.needs
        if any(not coverage.services.get((nid, loc.id)) for loc in coverage.localities)]
    page.lists = [(_("Needs with no service in a locality"), gaps_list or [
        _("None: every need has a service in every locality shown.")])]
    page.charts = [bar_chart(
        "freshness-chart", _("Share of listings checked in the last 12 months, per locality"),
        [f.label for f in fresh_locality],
        [100 * f.checked / f.listings if f.listings else None for f in fresh_locality],
        [_("%(share)s%% of %(count)s", share=format_decimal(round(100 * f.checked / f.listings)),
           count=plain(f.listings)) if f.listings else _("no listings") for f in fresh_locality])]
    page.notes = [
        _("Words are counted together after folding case, spaces and punctuation. Only words "
          "searched 5 times or more in the period are listed, so nothing one person typed is shown."),
        _("A search is counted in the locality of the postcode searched near, or else the first "
          "locality chosen in its filters."),
        _("Listings and their freshness are public, so they are shown exactly."),
    ]
    return page


def _words_table(gaps: queries.Gaps, names: dict[str, str], months: list[date]) -> DisplayTable:
    """``gaps.words`` is already normalised and holds only words searched 5 times or more."""
    totals: dict[str, int] = defaultdict(int)
    for (words, _slug), per_month in gaps.words.items():
        totals[words] += sum(per_month.values())
    listed = sorted(gaps.words, key=lambda key: (-totals[key[0]], key[0],
                                                 names.get(key[1] or "", "")))[:WORDS_SHOWN]
    labels = [_("\"%(words)s\" in %(locality)s", words=words,
                locality=names.get(slug, slug) if slug else _("no locality given"))
              for words, slug in listed]
    display, _table = counts_table(
        "gaps-by-words", _("Searches that found nothing, by words and locality"),
        _("Words searched"), labels, [month_label(m) for m in months],
        [[gaps.words[key].get(m, 0) for m in months] for key in listed], column_totals=False)
    return display


def _freshness(key: str, caption: str, header: str, rows: list[queries.Freshness]) -> DisplayTable:
    return DisplayTable(key, caption, header,
                        [_("Listings"), _("Checked in the last 12 months"), _("Share checked")],
                        [Row(r.label, [plain(r.listings), plain(r.checked),
                                       percent(r.checked / r.listings) if r.listings else "-"])
                         for r in rows])


# Guidance --------------------------------------------------------------------------------

def guidance(session: Session, filters: Filters) -> Page:
    items = queries.guidance(session, filters)
    states = {"live": _("Live"), "under_review": _("Under review"), "withdrawn": _("Withdrawn"),
              "draft": _("Not yet published")}
    counts = {state: sum(item.state == state for item in items) for state in states}
    page = Page("guidance", _("Guidance"), _(
        "Self-management guidance items by status, reviews due in the next 90 days, and what "
        "readers said when asked \"Was this helpful?\" in the period."))
    status = DisplayTable("guidance-status", _("Guidance items by status"), _("Status"),
                          [_("Items")], [Row(label, [plain(counts[s])]) for s, label in states.items()])
    due = DisplayTable("reviews-due", _("Reviews due in the next 90 days"), _("Guidance"),
                       [_("Review date"), _("Status")],
                       [Row(item.title, [format_date(item.review_due, "d MMM yyyy")
                                         if item.review_due else "", states[item.state]])
                        for item in queries.reviews_due(items)])
    answered = [item for item in items if item.responses]
    responses = suppress([[item.responses] for item in answered], row_totals=False,
                         column_totals=True, width=1)
    helpful = [Row(item.title, [number(cell[0]), of_group(cell[0], percent(share(item.helpful, cell[0])))])
               for item, cell in zip(answered, responses.cells, strict=True)]
    if responses.column_totals is not None:
        total = responses.column_totals[0]
        helpful.append(Row(_("Total"), [number(total), of_group(total, percent(share(
            sum(item.helpful for item in answered), total)))], total=True))
    page.tables = [status, due, DisplayTable(
        "helpful", _("\"Was this helpful?\" per item"), _("Guidance"),
        [_("Answers"), _("Said it was helpful")], helpful)]
    page.charts = [bar_chart("status-chart", _("Guidance items by status"), list(states.values()),
                             [float(counts[s]) for s in states],
                             [plain(counts[s]) for s in states])]
    page.notes = [
        _("Under review: the live version's review date has passed, or a new version waits for "
          "clinical approval."),
        _("Guidance has no locality: the locality filter does not change this page."),
    ]
    return page


# Use -------------------------------------------------------------------------------------

def use(session: Session, filters: Filters) -> Page:
    rows = queries.use(session, filters)
    labels = [_locality_name(row.locality) for row in rows]
    display, table = counts_table(
        "use-by-locality", _("People, plans and carers per locality"), _("Locality"), labels,
        [_("People registered"), _("Registered in the period"), _("Plans written"),
         _("Plans shared"), _("Carers acting for someone")],
        [[r.registered, r.new, r.plans_written, r.plans_shared, r.carers_acting] for r in rows],
        row_totals=False)
    page = Page("use", _("Use"), _(
        "How many people have an account, how many have written and shared a plan, and how many "
        "carers act for someone: counts only."))
    page.tables = [display]
    page.charts = [bar_chart("registered-chart", _("People registered per locality"), labels,
                             [cells[0] for cells in table.cells])]
    page.notes = [
        _("People registered: residents' and carers' accounts made by the end of the period, by "
          "their home locality. Plans and carers are counted as they are today."),
        _("Plans shared: shared with the person's care team or with a carer."),
    ]
    return page


# Experience pulse ------------------------------------------------------------------------

def quarter_label(quarter: date) -> str:
    return _("%(first)s to %(last)s", first=format_date(quarter, "MMM"),
             last=format_date(date(quarter.year, quarter.month + 2, 1), "MMM yyyy"))


def pulse(session: Session, filters: Filters) -> Page:
    from portal.pulse.statements import AGREE, DISAGREE, Statement

    found = queries.pulse(session, filters)
    quarters = found.quarters
    keys: list[int | None] = [loc.id for loc in found.localities]
    if filters.locality is None and None in found.per_locality:
        keys.append(None)
    names: dict[int | None, str] = {loc.id: loc.name for loc in found.localities}
    labels = [names.get(k) or _("No locality known") for k in keys]
    cells = [[found.per_locality.get(k, {}).get(q, [0, 0])[0] for q in quarters] for k in keys]
    answers, table = counts_table(
        "pulse-by-locality", _("Answers per locality and quarter"), _("Locality"), labels,
        [quarter_label(q) for q in quarters], cells)
    agreeing = []
    for key, label, row in zip(keys, labels, table.cells, strict=True):
        agreeing.append(Row(label, [
            of_group(cell, percent(share(found.per_locality.get(key, {}).get(q, [0, 0])[1], cell)))
            for q, cell in zip(quarters, row, strict=True)]))
    if table.column_totals is not None:
        agreeing.append(Row(_("Total"), [
            of_group(cell, percent(share(sum(found.per_locality.get(k, {}).get(q, [0, 0])[1]
                                             for k in keys), cell)))
            for q, cell in zip(quarters, table.column_totals, strict=True)], total=True))
    statements = list(Statement)
    per_statement = suppress([[sum(found.statements.get(s.value, {}).values())] for s in statements],
                             row_totals=False, column_totals=True, width=1)
    detail = []
    shares: list[float | None] = []
    texts: list[str] = []
    for statement, (cell,) in zip(statements, per_statement.cells, strict=True):
        spread = found.statements.get(statement.value, {})
        agree = share(sum(spread.get(v, 0) for v in AGREE), cell)
        disagree = share(sum(spread.get(v, 0) for v in DISAGREE), cell)
        detail.append(Row(statement.short, [number(cell), of_group(cell, percent(agree)),
                                            of_group(cell, percent(disagree))]))
        shares.append(None if agree is None else float(agree) * 100)
        texts.append(_("no answers") if cell.value == 0 else percent(agree))
    page = Page("pulse", _("Experience pulse"), _(
        "How much people agreed with the \"I\" statements from the system's consultations, asked "
        "after a conversation with the care team was closed or a carer's assessment was "
        "completed. Answers are kept without anyone's name."))
    page.tables = [answers, DisplayTable(
        "pulse-agree-by-locality", _("Share who agree, per locality and quarter"), _("Locality"),
        [quarter_label(q) for q in quarters], agreeing), DisplayTable(
        "pulse-by-statement", _("Answers per statement"), _("Statement"),
        [_("Answers"), _("Agree or strongly agree"), _("Disagree or strongly disagree")], detail)]
    page.charts = [bar_chart("pulse-chart", _("Share who agree, per statement"),
                             [s.short for s in statements], shares, texts)]
    page.lists = [(_("The statements, in full"), [s.text for s in statements])]
    page.notes = [
        _("Each statement is answered on a 5-point scale from \"strongly disagree\" to "
          "\"strongly agree\"; answering is optional and takes one click."),
        _("An answer is stored with its locality and quarter only: not the person, the "
          "conversation or the request, and not the time."),
        _("Quarters are calendar quarters; a quarter that overlaps the period is shown whole."),
    ]
    return page


PAGES = {"carers": carers, "messaging": messaging, "community-assets": community_assets,
         "guidance": guidance, "use": use, "pulse": pulse}
