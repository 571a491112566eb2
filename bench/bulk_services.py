"""Benchmark data: ``generate_bulk(n, seed)`` makes ``n`` realistic ORUK services.

Built from the demo generator's vocabulary (``tools/demo_generator.py``), so bulk services read
like the demo directory; nothing here is loaded by the portal itself.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Iterator
from datetime import date
from typing import Any

from tools.demo_generator import (
    ATTENDING,
    PRACTICAL,
    T,
    _Builder,
    _fit_day,
    _money,
    _needs_fit,
    _schedule,
    _schedule_spec,
    _short_place,
    _uuid,
)

_BULK_TAGS = ["", "", "", " (new)", " plus", " extra session", " for beginners", " outreach", " pop-up",
              " summer session", " winter session", " taster"]


def iter_bulk(n: int, seed: int = 1) -> Iterator[dict[str, Any]]:
    """Yield ``n`` lighter ORUK services for benchmarks.

    Each has one schedule, service area, location link and cost option and two attributes (need and
    delivery method). Locations, organisations and taxonomy terms are shared objects (do not mutate
    them); nested objects omit the optional back-references (service_id, link_id) to save memory.
    Memory use is independent of ``n`` when consumed lazily."""
    b = _Builder(seed)
    b.build_orgs()
    rng = b.rng
    # A fixed pool of venues per place, shared by all bulk services.
    pools: dict[str, list[dict[str, Any]]] = {}
    for loc in b.localities.values():
        for place in loc["places"]:
            pools[place["name"]] = [b.new_venue(place) for _ in range(3)]
    org_refs = {m["org"]["id"]: {"id": m["org"]["id"], "name": m["org"]["name"],
                                 "description": m["org"]["description"]} for m in b.org_meta}
    metas = b.org_meta
    all_keys = [k for k in T if k != "refuge"]
    sched_cache: dict[str, list[dict[str, Any]]] = {}
    for kind in ("weekday_am", "weekday_pm", "weekday_lunch", "twice_weekly", "office", "phone_weekday",
                 "phone_daily", "always", "evening", "late_evening", "saturday", "sunday", "monthly",
                 "fortnightly", "appointment"):
        sched_cache[kind] = [_schedule_spec(kind, rng) for _ in range(12)]
    sched_text: dict[int, tuple[str, str | None]] = {}
    keep: list[dict[str, Any]] = []  # keeps fitted specs alive so their id() stays unique
    day_names = {nm for t in T.values() for nm in t["names"] if _needs_fit(nm)}
    area_names = {lid: (loc["name"], f"urn:x-portal:locality:{lid}") for lid, loc in b.localities.items()}
    need_objs = {code: b.term_obj(code) for code in b.need_terms}
    deliv_objs = {code: b.term_obj(code, "delivery") for code in b.delivery_terms}
    virtual = {m["org"]["id"]: {mode: b.virtual_location(m["org"], mode) for mode in ("online", "telephone")}
               for m in metas}
    fresh0, stale0 = date(2025, 12, 1).toordinal(), date(2023, 5, 1).toordinal()
    day_iso = {o: date.fromordinal(o).isoformat() for o in range(stale0, date(2026, 11, 21).toordinal())}
    uid = _uuid
    choice, random_ = rng.choice, rng.random
    for i in range(n):
        meta = metas[i % len(metas)] if random_() < 0.7 else choice(metas)
        tkey = choice(meta["templates"]) if random_() < 0.6 else choice(all_keys)
        tpl = T[tkey]
        lid = choice(meta["localities"])
        place = choice(b.localities[lid]["places"])
        p = _short_place(place["name"])
        sid = uid(rng)
        delivery = choice(tpl["delivery"])
        mode = delivery[0]
        pattern = choice(tpl["names"])
        spec = choice(sched_cache[choice(tpl["sched"])])
        if pattern in day_names:
            spec = _fit_day(spec, pattern)
        key = id(spec)
        if key not in sched_text:
            tmp = _schedule(spec, "", "in-person", random.Random(0))  # nosec B311
            sched_text[key] = (tmp["description"], tmp.get("notes"))
            keep.append(spec)
        desc_when, notes = sched_text[key]
        name = pattern.format(place=p) + (f", {p}" if random_() < 0.5 else "") + choice(_BULK_TAGS)
        details = tpl["details"]
        parts = [choice(tpl["intro"]), choice(details)]
        if mode == "in-person":
            loc = choice(pools[place["name"]])
            parts.append(f"{desc_when} at {loc['name']}.")
        else:
            loc = virtual[meta["org"]["id"]]["online" if mode == "online" else "telephone"] if mode != "home-visit" else None
            parts.append(desc_when + ".")
        parts.append(choice(PRACTICAL[mode]))
        stale = random_() < 0.1
        o = (stale0 + int(random_() * 915)) if stale else (fresh0 + int(random_() * 354))
        ages = choice(tpl["ages"])
        sched: dict[str, Any] = {"id": uid(rng), "description": desc_when,
                                 "attending_type": ATTENDING[mode]}
        if "freq" in spec:
            sched["freq"], sched["byday"] = spec["freq"], spec["byday"]
            sched["opens_at"], sched["closes_at"] = spec["opens"], spec["closes"]
            if spec.get("interval"):
                sched["interval"], sched["dtstart"] = spec["interval"], spec["dtstart"]
        elif notes:
            sched["notes"] = notes
        cost = choice(tpl["cost"])
        if cost == "free" or cost == "donation":
            co = {"id": uid(rng), "option": "Free", "amount": 0, "amount_description": "No charge"}
        else:
            amt = choice(cost[1])
            co = {"id": uid(rng), "option": cost[0].capitalize(), "amount": amt,
                  "amount_description": _money(amt)}
        aname, auri = area_names[lid]
        s: dict[str, Any] = {
            "id": sid, "organization_id": meta["org"]["id"], "name": name, "description": " ".join(parts),
            "status": "active", "assured_date": day_iso[o], "last_modified": day_iso[o] + "T10:00:00.000Z",
            "eligibility_description": tpl["elig"][0],
            "organization": org_refs[meta["org"]["id"]],
            "schedules": [sched],
            "service_areas": [{"id": uid(rng), "name": aname, "extent": lid,
                               "extent_type": "text", "uri": auri}],
            "service_at_locations": ([{"id": uid(rng), "location_id": loc["id"], "location": loc}]
                                     if loc is not None else []),
            "cost_options": [co],
            "attributes": [{"id": uid(rng), "link_type": "need", "taxonomy_term_id": need_objs[tpl["terms"][0]]["id"],
                            "taxonomy_term": need_objs[tpl["terms"][0]]},
                           {"id": uid(rng), "link_type": "delivery_method",
                            "taxonomy_term_id": deliv_objs[mode]["id"], "taxonomy_term": deliv_objs[mode]}],
        }
        if ages[0] is not None:
            s["minimum_age"] = ages[0]
        if ages[1] is not None:
            s["maximum_age"] = ages[1]
        yield s


def generate_bulk(n: int, seed: int = 1) -> list[dict[str, Any]]:
    """``n`` services with varied vocabulary for benchmarks (nested objects are shared where possible)."""
    gc_was_enabled = gc.isenabled()
    gc.disable()  # millions of small containers and no cycles: the cyclic GC only slows this down
    try:
        return list(iter_bulk(n, seed))
    finally:
        if gc_was_enabled:
            gc.enable()


