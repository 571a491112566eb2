"""Fictional demo and benchmark data for the community services directory.

Everything here is made up: organisations, services, people, venues and addresses are fictional
(organisation names end in "(demo)", phone numbers are Ofcom's drama ranges, web and email
addresses use the reserved ``.example`` domain). Postcodes and coordinates come from
``data/postcodes_demo.csv``, localities from ``data/localities.json``, need terms from
``data/taxonomy.json`` and delivery methods from ``data/delivery_methods.json``.

Standard library only; output is deterministic for a given seed.

``generate(seed)`` returns ``{"organizations": [...], "services": [...]}``: ORUK 3.0
organization objects and full ORUK 3.0 service objects (schema/service.json).

Conventions an importer can rely on
-----------------------------------
* Locality coverage: each ``service_areas`` entry names one locality:
  ``name`` = locality name, ``extent`` = locality id (from localities.json),
  ``extent_type`` = ``"text"``, ``uri`` = ``"urn:x-portal:locality:<id>"``.
* Needs: ``attributes`` with ``link_type`` ``"need"``; ``taxonomy_term_id`` is a term id from
  taxonomy.json (usually a child term; the parent is implied through ``parent_id``).
* How it is delivered (attendance), three consistent signals:
  - ``attributes`` with ``link_type`` ``"delivery_method"``, term ids from delivery_methods.json
    (codes ``in-person``, ``online``, ``telephone``, ``home-visit``);
  - every schedule's ``attending_type`` is one of the same codes: ``"in-person"``, ``"online"``,
    ``"telephone"``, ``"home-visit"``;
  - venues are ``location_type`` ``"physical"``; online and telephone services have a
    ``location_type`` ``"virtual"`` location with no address and no coordinates; home-visit only
    services have no location (their reach is their ``service_areas``).
* Confidential venues (refuges): the location carries ``"x_confidential": true``. Its address and
  coordinates are present for the importer (staff use, distance to locality) but MUST NOT be
  published: drop ``addresses``, ``latitude``, ``longitude`` (and ``x_confidential`` itself) from
  published output. Name and description are written to be safe to show.
* Extra keys beyond ORUK 3.0 service.json, all permitted by the schemas (no
  ``additionalProperties: false``): ``eligibility_description`` (service), ``phones`` (service,
  each item valid against phone.json), ``name``/``code``/``note`` (language),
  ``link_entity`` (attribute), ``x_confidential`` (location). Languages use ISO 639-1 codes,
  British Sign Language uses ISO 639-3 ``bfi``.
* Schedules: times are UK local time in ``HH:MM``; ``freq`` WEEKLY/MONTHLY with ``byday``
  (``interval`` 2 + ``dtstart`` = fortnightly); "by appointment" schedules have no ``freq`` and
  say so in ``description`` and ``notes``.
* Freshness: ``last_modified`` (UTC, milliseconds) and ``assured_date``; reference date is
  2026-11-23. Stale listings (checked more than 12 months earlier) are part of the demo.

Regenerate the demo directory (after changing this file or the reference data) with
``python -m tools.demo_generator`` from the repository root: it rewrites
``demo/directory/oruk-services.json``, which ``flask --app wsgi demo`` loads. The portal never
imports this module; ``bench/bulk_services.py`` builds benchmark services with it.
"""

from __future__ import annotations

import csv
import json
import random
import re
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "portal" / "directory" / "data"  # the reference data the portal ships
DEMO_FILE = ROOT / "demo" / "directory" / "oruk-services.json"
REFERENCE_DATE = date(2026, 11, 23)
STALE_BEFORE = date(2025, 11, 23)  # checked before this = stale (more than 12 months old)

# --------------------------------------------------------------------------------------------
# Reference data
# --------------------------------------------------------------------------------------------


def _load_reference() -> dict[str, Any]:
    localities = json.loads((DATA_DIR / "localities.json").read_text(encoding="utf-8"))
    needs = json.loads((DATA_DIR / "taxonomy.json").read_text(encoding="utf-8"))
    delivery = json.loads((DATA_DIR / "delivery_methods.json").read_text(encoding="utf-8"))
    by_sector: dict[str, list[tuple[str, float, float]]] = {}
    with (DATA_DIR / "postcodes_demo.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            pc = row["pcds"]
            by_sector.setdefault(pc[:-2], []).append((pc, float(row["lat"]), float(row["long"])))
    return {"localities": localities, "needs": needs, "delivery": delivery, "postcodes": by_sector}


# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------

DAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday",
        "SA": "Saturday", "SU": "Sunday"}
ORDINAL = {"1": "first", "2": "second", "3": "third", "4": "fourth", "-1": "last"}
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR"]

# schedule.attending_type uses the delivery method codes themselves (machine-readable).
ATTENDING = {"in-person": "in-person", "online": "online", "telephone": "telephone",
             "home-visit": "home-visit"}

# Template: key -> dict(terms, names, intro, details, sched, delivery, ages, cost, elig, role)
# names may use {place} (short place name) and {day}.
T: dict[str, dict[str, Any]] = {}


def _t(key: str, terms: list[str], names: list[str], intro: list[str], details: list[str],
       sched: list[str], delivery: list[tuple[str, ...]], ages: list[tuple[int | None, int | None]],
       cost: list[Any], elig: list[str], role: str = "Group organiser") -> None:
    T[key] = dict(terms=terms, names=names, intro=intro, details=details, sched=sched,
                  delivery=delivery, ages=ages, cost=cost, elig=elig, role=role)


ADULTS = [(18, None)]
OLDER = [(50, None), (60, None), (65, None), (18, None)]
IP = [("in-person",)]
PHONE = [("telephone",)]
ONLINE = [("online",)]
HOME = [("home-visit",)]

# ---- befriending and social groups
_t("saturday_friendship", ["social-clubs"],
   ["Saturday Friendship Circle", "{place} Saturday Social", "Saturday Morning Get-Together"],
   ["A warm, welcoming befriending group for anyone who would like some company at the weekend.",
    "Weekends can be the loneliest part of the week, so our friendship group meets every Saturday "
    "for a chat and a cuppa."],
   ["Board games, a gentle quiz and plenty of conversation; nobody has to join in with anything "
    "they don't want to.",
    "A volunteer meets newcomers at the door, so you will not walk in on your own.",
    "Many of our members live alone and came along not knowing anyone."],
   ["saturday"], IP, ADULTS, ["free"],
   ["Adults who feel lonely or isolated, or would just like to meet new people. No referral needed."])
_t("friendship_group", ["social-clubs"],
   ["{place} Friendship Club", "{place} Tuesday Club", "Friends Together {place}",
    "{place} Afternoon Tea Club", "{place} Coffee and Chat", "Open Door Social {place}"],
   ["A friendly social club for older people who enjoy good company.",
    "Come along to meet neighbours, make friends and share a pot of tea.",
    "A relaxed afternoon group where conversation comes first."],
   ["Each week brings something different: a speaker, a sing-along, bingo or a craft table.",
    "Members plan occasional outings to garden centres and the seaside.",
    "We can help arrange a lift if getting there is difficult."],
   ["weekday_pm", "weekday_am", "fortnightly", "sunday"], IP, OLDER,
   ["free", "donation", ("session", [1.5, 2, 2.5, 3])],
   ["Older people living in or near {place}, especially anyone who lives alone.",
    "Anyone over 50 who would like to meet people. Carers and partners welcome too."])
_t("befriend_visit", ["befriending-visits"],
   ["Home Befriending", "Befriending at Home", "Good Neighbours Visiting Scheme", "Doorstep Friends",
    "Friendly Visitors"],
   ["A trained volunteer visits you at home once a week for a chat, a cup of tea and some company.",
    "Our befriending volunteers visit people who find it hard to get out of the house."],
   ["Volunteers are matched with you by shared interests, and every volunteer is DBS checked.",
    "Visits last about an hour; some people like to go for a short walk or to a café together.",
    "We can also put you in touch with clubs and groups when you feel ready."],
   ["appointment"], [("home-visit",), ("home-visit", "telephone")], [(60, None), (18, None)],
   ["free"],
   ["Older people and adults who are housebound or live alone and feel lonely. You can refer "
    "yourself, or a relative, GP or social worker can refer you with your agreement."],
   "Befriending coordinator")
_t("phone_befriend", ["telephone-befriending"],
   ["Telephone Friendship Calls", "Chatterbox Phone Friends", "Weekly Check-in Calls",
    "Call and Care", "Friendly Voice Phone Service"],
   ["A volunteer rings you each week at a time that suits you, for a chat and a friendly voice.",
    "Regular friendship calls for people who feel lonely or cut off."],
   ["Calls last 20 to 40 minutes and you will usually speak to the same volunteer each time.",
    "Some callers like to talk about the news or the football; others just want someone to listen.",
    "Group phone calls are also available if you would like to chat with a few people at once."],
   ["phone_weekday"], PHONE, [(18, None), (55, None)], ["free"],
   ["Adults who feel lonely, are housebound or would like a regular chat. Self-referral welcome."],
   "Befriending coordinator")
_t("coffee_morning", ["social-clubs"],
   ["{place} Community Coffee Morning", "Cuppa and Cake", "{place} Coffee Morning",
    "Second Saturday Coffee Club"],
   ["An informal coffee morning open to everyone in the community.",
    "Pop in for a hot drink, homemade cake and a natter."],
   ["Drop in at any time during the morning; there is no need to book.",
    "A table of local information is available, and volunteers can help you find other groups."],
   ["weekday_am", "saturday", "monthly"], IP, [(None, None), (18, None)],
   ["donation", ("session", [1, 1.5, 2])],
   ["Everyone is welcome, including older people, carers, parents and new residents."])
_t("mens_shed", ["mens-sheds"],
   ["{place} Men's Shed", "The Shed at {place}", "Tools and Tea Workshop", "{place} Community Workshop"],
   ["A community workshop where people make, mend and chat side by side.",
    "Men's Shed members share skills in woodwork, metalwork and repairs over a brew."],
   ["Members repair furniture and bikes, build bird boxes and take on small jobs for local charities.",
    "No experience needed; experienced members pass on their skills. Women are welcome too.",
    "It's as much about the conversation and the tea as it is about the tools."],
   ["twice_weekly", "weekday_am", "saturday"], IP, [(18, None)],
   [("membership", [10, 15, 20]), ("session", [2, 3])],
   ["Adults, particularly retired men, men living alone and veterans."], "Shed coordinator")
_t("craft_group", ["arts-and-crafts"],
   ["Knit and Natter", "Stitch and Chat", "{place} Art Club for Beginners",
    "Creative Writing Circle", "{place} Community Choir", "Ukulele Strummers", "Painting for Pleasure"],
   ["A friendly creative group for all abilities, from complete beginners to experienced makers.",
    "Bring a project or try something new, surrounded by good company."],
   ["Materials are provided for your first few sessions.",
    "Once a year the group shows its work at a local exhibition or concert.",
    "No one needs to read music or have any experience."],
   ["evening", "weekday_pm", "fortnightly"], IP, [(16, None), (18, None)],
   [("session", [2, 3, 4]), "donation"],
   ["Adults of any age and ability. Carers and people with long-term conditions are very welcome."])
_t("veterans_breakfast", ["social-clubs", "peer-support"],
   ["Veterans' Breakfast Club", "Armed Forces Breakfast Club", "Forces Friends Breakfast"],
   ["A monthly breakfast for veterans, service leavers and their families.",
    "Veterans meet for a full English, a catch-up and some banter."],
   ["Members can also get signposting to housing, money and mental health support for ex-forces.",
    "Partners, widows and widowers of veterans are welcome."],
   ["monthly", "saturday"], IP, ADULTS, [("breakfast", [4.5, 5, 6])],
   ["Veterans of any age and any service, their partners and families."])
_t("lgbt_social", ["social-clubs"],
   ["Rainbow Social for Over-50s", "LGBTQ+ Social Evening", "Out and About Social Group"],
   ["A relaxed social evening for LGBTQ+ people and friends.",
    "A friendly, safe space for lesbian, gay, bisexual and trans people to meet."],
   ["We meet in a quiet venue with step-free access and a separate room for anyone who needs space.",
    "Occasional film nights and walks are arranged by members."],
   ["monthly", "evening"], IP, [(18, None), (50, None)], ["free", "donation"],
   ["LGBTQ+ adults and allies."])
_t("online_social", ["social-clubs", "digital-skills"],
   ["Online Coffee and Chat", "Virtual Tea Party", "Zoom Quiz and Chat"],
   ["A friendly video call where people meet from home for a chat, a quiz or a sing-along.",
    "Join a cheerful online group from your sofa."],
   ["We can talk you through joining a video call by phone before your first session.",
    "Cameras on or off, whatever you prefer."],
   ["weekday_am", "evening"], ONLINE, [(18, None)], ["free"],
   ["Anyone who finds it hard to get out, including people who are housebound or shielding."],
   "Online groups coordinator")

# ---- carers
_t("carers_cafe", ["carers-groups"],
   ["{place} Carers' Café", "Carers' Cuppa", "Carers Together {place}", "Time for You Carers' Group",
    "Carers' Coffee Stop"],
   ["A relaxed café for unpaid carers to meet others who understand.",
    "Take an hour for yourself: tea, cake and conversation with other carers."],
   ["A carers' support worker is usually there to answer questions about carer's assessments and "
    "benefits for carers.",
    "If the person you care for cannot be left, they are welcome to come with you.",
    "Guest speakers cover topics such as power of attorney, respite and looking after yourself."],
   ["monthly", "fortnightly", "weekday_am"], IP, ADULTS, ["free"],
   ["Unpaid carers looking after a family member, partner or friend, of any age over 18."],
   "Carers' support worker")
_t("working_carers", ["carers-groups", "carers-advice"],
   ["Working Carers' Evening", "Carers After Work", "Juggling Work and Caring Group"],
   ["An evening support group for carers who also work or study.",
    "Meet other carers after work and share ways of juggling a job with caring."],
   ["Covers flexible working rights, carer's leave and planning for emergencies.",
    "The group alternates between a café venue and a video call."],
   ["evening"], [("in-person",), ("online",), ("in-person", "online")], ADULTS, ["free"],
   ["Unpaid carers who work, study or are looking for work."], "Carers' support worker")
_t("carers_sitting", ["carers-breaks"],
   ["Sitting Service for Carers", "Carers' Breathing Space", "A Few Hours Off", "Carers' Respite Sitters"],
   ["A trained sitter stays with the person you care for so you can have a few hours off.",
    "Regular short breaks for carers, with a familiar volunteer or support worker at home."],
   ["Sits can be in the day or evening; many carers use the time for appointments, shopping or rest.",
    "We spend time getting to know you both before the first break."],
   ["appointment"], HOME, ADULTS, ["free", ("hour", [10, 12, 14])],
   ["Unpaid carers of adults, including people living with dementia. A carer's assessment is "
    "helpful but not required."], "Respite coordinator")
_t("young_carers_club", ["young-carers", "youth-clubs"],
   ["Young Carers Club", "Young Carers Time Out", "Young Carers' Saturday Club"],
   ["A club where young carers can have fun, relax and meet others in the same situation.",
    "Time out for children and teenagers who help look after someone at home."],
   ["Activities include trips, cooking, sport and games, and there is always someone to talk to.",
    "We can also talk to your school about support for young carers."],
   ["evening", "saturday"], IP, [(8, 18)], ["free"],
   ["Children and young people aged 8 to 18 who help care for a family member."],
   "Young carers worker")
_t("carers_advice_line", ["carers-advice"],
   ["Carers' Advice Line", "Carers' Information and Assessment Support", "Carers' Helpline"],
   ["Information and advice for unpaid carers by phone.",
    "Talk through your situation with a carers' adviser and find out what help is available."],
   ["Advisers can help you ask for a carer's assessment and prepare for it.",
    "We can help with carer's allowance, emergency planning and finding a break."],
   ["office", "phone_weekday"], [("telephone",), ("telephone", "online")], [(16, None)], ["free"],
   ["Anyone looking after a family member or friend, including parent carers."], "Carers' adviser")
_t("carers_online", ["carers-groups"],
   ["Online Carers' Support Group", "Carers' Evening Chat (online)"],
   ["An online group for carers who can't easily get out.",
    "Meet other carers by video call from home."],
   ["Sessions are informal; a trained facilitator keeps things friendly and confidential."],
   ["evening", "weekday_pm"], ONLINE, ADULTS, ["free"],
   ["Unpaid carers aged 18 and over."], "Carers' support worker")

# ---- dementia and memory
_t("memory_cafe", ["memory-cafes"],
   ["{place} Memory Café", "Forget-Me-Not Café", "Remember When Café", "Memory Lane Café",
    "Moments Memory Café"],
   ["A friendly, relaxed memory café for people living with dementia and the people who care for them.",
    "A dementia-friendly café where families can enjoy time together and talk to others."],
   ["Reminiscence activities, music and gentle games, with tea and cake.",
    "Staff from memory services sometimes join us to answer questions.",
    "People worried about memory problems, with or without a diagnosis, are welcome."],
   ["monthly", "fortnightly", "weekday_pm"], IP, [(None, None), (18, None)], ["free", "donation"],
   ["People with memory problems or dementia, and their carers, family and friends."],
   "Café coordinator")
_t("singing_memory", ["music-and-memory"],
   ["Singing for Memory", "Music and Memories", "Songs and Smiles", "Golden Oldies Sing-Along"],
   ["A singing group for people living with dementia and their carers.",
    "Familiar songs and warm-up games that help people with memory problems feel connected."],
   ["Song sheets are in large print and no one has to sing solo.",
    "Led by a music leader trained in dementia-friendly sessions."],
   ["fortnightly", "weekday_pm"], IP, [(None, None)], ["free", ("session", [2, 3])],
   ["People with dementia or memory loss together with a carer, relative or friend."])
_t("dementia_advice", ["dementia-advice", "carers-advice"],
   ["Dementia Support Drop-in", "Memory Worries Advice Clinic", "Dementia Navigator Appointments"],
   ["Someone to talk to about memory worries, a dementia diagnosis or caring for someone with dementia.",
    "One-to-one advice from an experienced dementia adviser."],
   ["We can explain what happens at a memory assessment and what support is available afterwards.",
    "Practical help with lasting power of attorney, benefits and planning ahead."],
   ["appointment", "monthly"], [("in-person", "telephone"), ("in-person",), ("telephone", "home-visit")],
   ADULTS, ["free"],
   ["People with memory problems or dementia, and family members and carers."], "Dementia adviser")
_t("dementia_walk", ["walking-groups", "dementia-memory"],
   ["Dementia-Friendly Walk", "Memory Walkers", "Strolls and Stories"],
   ["A short, flat walk followed by tea, for people living with dementia and their companions.",
    "Gentle walks at a comfortable pace for people with memory problems and their carers."],
   ["Walk leaders are trained Dementia Friends; the route is the same each time so it becomes familiar."],
   ["weekday_am", "fortnightly"], IP, [(None, None)], ["free"],
   ["People living with dementia with a carer or friend."], "Walk leader")

# ---- physical activity
_t("walking_group", ["walking-groups"],
   ["{place} Health Walk", "Wednesday Wanderers", "Coast Path Strollers", "Step Out Together",
    "Nordic Walking for Beginners", "Park Walk and Talk", "Riverside Ramblers"],
   ["A free, friendly led walk at a steady pace, ending with a cuppa.",
    "Short and longer walks led by trained volunteer walk leaders."],
   ["Routes are mostly on paths, with a shorter option for anyone who needs it.",
    "A great way to get active, see the area and meet people.",
    "Walking poles can be borrowed for Nordic walking sessions."],
   ["weekday_am", "saturday", "sunday"], IP, [(18, None), (None, None)], ["free"],
   ["Anyone who can walk for 30 minutes or more. Children welcome with an adult."], "Walk leader")
_t("chair_yoga", ["chair-based-exercise"],
   ["Chair Yoga", "Seated Exercise Class", "Chair-Based Pilates", "Sit and Be Fit",
    "Gentle Chair Exercise", "Seated Tai Chi"],
   ["Gentle exercise done sitting down, to improve movement, breathing and strength.",
    "A chair-based class for people who find standing exercise difficult."],
   ["Suitable for wheelchair users and people with arthritis, COPD or after a stroke.",
    "Classes are led by a qualified instructor who adapts every move.",
    "There is a social chat and a hot drink after each class."],
   ["weekday_am", "weekday_pm"], [("in-person",), ("in-person", "online")], [(50, None), (18, None)],
   [("session", [3, 3.5, 4, 5]), "free"],
   ["Adults of any fitness level, including people with long-term conditions."], "Instructor")
_t("walking_football", ["walking-football"],
   ["Walking Football (over-50s)", "Walking Football for All", "Walking Netball", "Walking Rugby Sessions"],
   ["The beautiful game at a slower pace: no running, no tackling and lots of laughs.",
    "A sociable team sport for people who can no longer play at full pace."],
   ["Players of all abilities mix together; several players have heart or joint conditions.",
    "Teams occasionally enter friendly festivals across Devon."],
   ["evening", "saturday", "sunday"], IP, [(50, None), (18, None)],
   [("session", [2, 3, 4])], ["Adults, especially people aged 50 and over. Mixed sessions."], "Coach")
_t("strength_balance", ["strength-and-balance"],
   ["Steady Steps Strength and Balance", "Falls Prevention Exercise", "Stand Tall Balance Class",
    "Strong and Steady"],
   ["A progressive exercise class to build leg strength and balance and reduce the risk of falls.",
    "Exercise for people who feel unsteady on their feet or have had a fall."],
   ["The course runs for 24 weeks and includes exercises to practise at home.",
    "Led by a qualified postural stability instructor."],
   ["weekday_am", "weekday_pm", "twice_weekly"], IP, [(60, None), (65, None)],
   [("session", [3, 3.5]), "free"],
   ["Older people who are unsteady, worried about falling or have had a fall."], "Instructor")
_t("swim_water", ["swimming-and-water"],
   ["Aqua Fit for Bad Backs", "Quiet Swim for Older People", "Rowing for Health", "Sea Swimming Buddies",
    "Gentle Aqua Aerobics"],
   ["Exercise in the water, which supports your joints and is easy on the body.",
    "A friendly water-based session at your own pace."],
   ["Changing rooms have hoists and an accessible toilet.",
    "Beginners are welcome and buddies are on hand for your first session."],
   ["weekday_am", "evening", "sunday"], IP, [(18, None), (16, None)], [("session", [3.5, 4, 4.5])],
   ["Adults, including people with arthritis, back pain or weight worries."], "Instructor")
_t("tea_dance", ["physical-activity", "social-clubs"],
   ["Tea Dance", "Seated Dance", "Line Dancing for Beginners", "Dance for Health"],
   ["Dance to music you know, with tea and cake in the interval.",
    "A fun dance session that gets you moving without feeling like exercise."],
   ["Partners are not needed; you can dance seated if you prefer.",
    "Music from the 40s to the 80s."],
   ["weekday_pm", "sunday", "monthly"], IP, [(50, None), (18, None)], [("session", [2.5, 3, 4])],
   ["Older people and anyone who loves music."], "Dance leader")
_t("bat_chat", ["walking-football", "social-clubs"],
   ["Bat and Chat Table Tennis", "Short Mat Bowls Club", "Boccia for All"],
   ["A friendly session of gentle sport and conversation.",
    "Easy-to-learn games for all abilities, seated or standing."],
   ["Equipment is provided. Wheelchair users play alongside everyone else."],
   ["weekday_pm", "weekday_am"], IP, [(18, None), (50, None)], [("session", [1.5, 2, 2.5])],
   ["Adults of all abilities, including people with disabilities."], "Club organiser")

# ---- mental wellbeing
_t("peer_support", ["peer-support"],
   ["Anxiety Peer Support Group", "Men's Mental Health Circle", "Mums' Wellbeing Group", "Talk Club",
    "Hearing Voices Group", "Low Mood Support Group"],
   ["A peer support group for people who are struggling with anxiety, stress or low mood.",
    "Talk openly with people who understand, in a safe and confidential group."],
   ["Groups are facilitated by people with their own experience of mental health problems.",
    "You can just listen until you feel ready to talk.",
    "We also share practical ways of coping with panic and worry."],
   ["evening", "weekday_pm", "fortnightly"], [("in-person",), ("in-person", "online")],
   [(18, None), (16, None)], ["free"],
   ["Adults experiencing mental health difficulties. No diagnosis or referral needed."], "Facilitator")
_t("crisis_cafe", ["crisis-cafes"],
   ["Evening Safe Haven", "Night Light Café", "Sanctuary Evening Space"],
   ["A calm place to go in the evening when you are struggling and need to talk to someone.",
    "An out-of-hours safe space for anyone in emotional distress, as an alternative to A&E."],
   ["Trained staff and peer workers will listen and help you make a plan for the next few days.",
    "You can also call ahead and speak to someone by phone.",
    "If you are in immediate danger call 999."],
   ["late_evening"], [("in-person", "telephone")], [(18, None), (16, None)], ["free"],
   ["Adults experiencing a mental health crisis or feeling overwhelmed. Just turn up."], "Team leader")
_t("counselling", ["counselling"],
   ["Low-Cost Counselling", "Listening Ear Service", "Community Counselling", "Talking Space Counselling"],
   ["Confidential one-to-one counselling with a qualified or trainee counsellor.",
    "Short-term talking support for anxiety, relationship problems, low self-esteem and stress."],
   ["Usually six to twelve weekly sessions of 50 minutes.",
    "Sessions can be face to face, by phone or by video call.",
    "Fees are on a sliding scale; nobody is turned away for lack of money."],
   ["appointment"], [("in-person", "telephone", "online"), ("in-person", "online")], [(18, None), (16, None)],
   [("sliding", [5, 10, 15])], ["Adults who would like to talk things through with a counsellor."],
   "Counselling coordinator")
_t("green_wellbeing", ["green-wellbeing"],
   ["Wellbeing Allotment", "Green Gym", "Nature Connection Walks", "Community Garden Sessions",
    "Grow Together Garden"],
   ["Gardening and outdoor activity to lift your mood and meet people.",
    "Get your hands in the soil at our community growing space."],
   ["Raised beds make the garden accessible to wheelchair users.",
    "You take home what you grow; tools, gloves and tea are provided.",
    "GPs and social prescribers often suggest this group for people feeling low."],
   ["weekday_am", "weekday_pm", "saturday"], IP, [(18, None), (16, None)], ["free", "donation"],
   ["Adults who would benefit from time outdoors, including people with mental health problems."],
   "Garden coordinator")
_t("online_wellbeing", ["peer-support", "mental-wellbeing"],
   ["Online Wellbeing Circle", "Mindfulness by Video Call", "Evening Calm Online"],
   ["A supportive online group to learn simple ways to manage stress and worry.",
    "Guided relaxation and mindfulness from home."],
   ["Sessions are recorded only with everyone's agreement; you can keep your camera off."],
   ["evening", "weekday_am"], ONLINE, [(18, None)], ["free"],
   ["Adults wanting to look after their mental wellbeing."], "Facilitator")
_t("wellbeing_course", ["mental-wellbeing"],
   ["Five Ways to Wellbeing Course", "Managing Stress Workshop", "Building Confidence Course",
    "Better Sleep Workshop"],
   ["A friendly short course with practical ideas for feeling better day to day.",
    "Learn simple, proven ways to cope with stress, worry and poor sleep."],
   ["The course runs for six weeks in a small group.", "Course handouts are available in large print."],
   ["weekday_am", "evening"], [("in-person",), ("online",)], [(18, None)], ["free"],
   ["Adults. You can book yourself on."], "Course tutor")

# ---- money and benefits advice
_t("debt_advice", ["debt-advice"],
   ["Debt Advice Drop-in", "Money Worries Clinic", "Debt Help Appointments", "Debt and Budgeting Advice"],
   ["Free, confidential debt advice from trained advisers.",
    "Struggling with debts, arrears or bills? Our advisers can help you take back control."],
   ["We can deal with creditors for you, help with bailiffs and explain options such as debt relief orders.",
    "Bring any letters and bills you have; we will go through them with you.",
    "Advisers will help you make a budget that works."],
   ["weekday_am", "office", "appointment"], [("in-person", "telephone"), ("in-person",)],
   ADULTS, ["free"], ["Anyone aged 18 or over with money worries."], "Debt adviser")
_t("benefits_check", ["benefits-advice"],
   ["Benefits Check and Form Filling", "Help with PIP and Attendance Allowance Forms",
    "Pension Credit Check", "Benefits Advice Surgery"],
   ["Find out if you are getting all the benefits you are entitled to.",
    "Help to complete benefit forms, including Universal Credit, PIP and Attendance Allowance."],
   ["Advisers can help with mandatory reconsiderations and appeals.",
    "Home visits are available for people who cannot get to us.",
    "Many older people are missing out on Pension Credit; a check takes about 30 minutes."],
   ["appointment", "weekday_am"], [("in-person", "telephone"), ("in-person", "home-visit")], ADULTS, ["free"],
   ["Adults and families in the area. Priority for disabled people and older people."],
   "Welfare rights adviser")
_t("energy_advice", ["energy-bills"],
   ["Warm Home Energy Advice", "Help with Your Bills", "Energy Saving Drop-in", "Beat the Cold Advice"],
   ["Advice on cutting energy bills and keeping your home warm.",
    "Help if you are struggling to pay gas, electricity or water bills."],
   ["We can check your tariff, help with prepayment meter problems and apply for grants.",
    "Home energy visits can include draught-proofing and free energy-saving items."],
   ["office", "appointment", "weekday_am"], [("telephone", "home-visit"), ("in-person", "telephone")],
   ADULTS, ["free"], ["Households struggling with energy or water bills."], "Energy adviser")
_t("money_line", ["debt-advice", "benefits-advice"],
   ["Money Advice Line", "Money Helpline", "Bills and Benefits Phone Advice"],
   ["Free phone advice on debt, benefits and budgeting.",
    "Talk to a money adviser by phone without leaving home."],
   ["Call-backs can be booked at a time that suits you, including early evening."],
   ["office", "phone_weekday"], PHONE, ADULTS, ["free"], ["Adults with money worries."],
   "Money adviser")
_t("warm_space", ["energy-bills", "social-clubs"],
   ["Warm Welcome Space", "Winter Warm Hub", "Warm and Well Café"],
   ["A free warm space with a hot drink, soup and company during the colder months.",
    "Somewhere warm to spend the day, with Wi-Fi, newspapers and friendly faces."],
   ["Energy and money advisers visit regularly.",
    "Phone chargers and board games are available."],
   ["twice_weekly", "weekday_lunch"], IP, [(None, None)], ["free"],
   ["Everyone welcome. No questions asked."], "Volunteer lead")

# ---- food
_t("food_bank", ["food-banks"],
   ["{place} Food Bank", "Emergency Food Parcels", "{place} Food Bank Distribution Centre"],
   ["Emergency food parcels for people in crisis, with a friendly welcome.",
    "Three days of nutritionally balanced emergency food for individuals and families."],
   ["You need a food bank voucher from a professional such as a GP, Citizens Advice or a support "
    "worker; call us if you are not sure how to get one.",
    "Toiletries, baby items and pet food are often available.",
    "Volunteers can also refer you to debt and benefits advice."],
   ["twice_weekly", "weekday_am"], IP, [(None, None)], ["free"],
   ["People in financial crisis who have a food bank voucher."], "Centre manager")
_t("community_meal", ["community-meals"],
   ["Community Supper", "Pay-as-you-Feel Café", "Sunday Community Lunch", "Free Hot Meal Night",
    "Soup and Company"],
   ["A hot, home-cooked meal shared with others, in a welcoming space.",
    "Everyone is welcome to come and eat together; pay what you can."],
   ["Vegetarian and halal options are usually available.",
    "Leftover food is shared out at the end of the evening.",
    "Volunteers can help you find other support if you need it."],
   ["evening", "sunday", "weekday_lunch"], IP, [(None, None)], ["free", ("payg", [0])],
   ["Anyone who would like a hot meal and some company."], "Kitchen coordinator")
_t("lunch_club", ["lunch-clubs"],
   ["{place} Lunch Club", "Friday Lunch Club", "Luncheon Club for Older People", "Wednesday Dinner Club",
    "{place} Over-60s Lunch"],
   ["A two-course home-cooked lunch with good company, for older people.",
    "A hot lunch, pudding and a chat, followed by bingo or a quiz."],
   ["Special diets can be catered for if you let us know in advance.",
    "Transport can be arranged for members who cannot get there on their own.",
    "Booking is needed so the cook knows how many to expect."],
   ["weekday_lunch", "fortnightly"], IP, [(60, None), (55, None), (65, None)],
   [("meal", [4, 4.5, 5, 5.5, 6])], ["Older people, especially those who live alone."], "Lunch club organiser")
_t("pantry", ["community-pantries"],
   ["{place} Community Pantry", "Community Fridge", "{place} Food Club", "Share Shack Community Larder"],
   ["A membership food club where you pay a small amount each week for a bag of groceries.",
    "Free surplus food from local shops and farms, available to anyone."],
   ["Members choose their own food, including fresh fruit, vegetables and chilled items.",
    "No referral needed. Bring your own bags if you can.",
    "Helps reduce food waste as well as food bills."],
   ["twice_weekly", "weekday_pm", "saturday"], IP, [(None, None)],
   [("pantry", [3, 3.5, 4]), "free"], ["Local residents; membership is open to everyone."],
   "Pantry coordinator")
_t("cook_budget", ["community-meals", "food"],
   ["Cook and Eat on a Budget", "Cooking Together Course", "Slow Cooker Club"],
   ["Learn to cook tasty, healthy meals on a budget, then eat together.",
    "A friendly cookery course with free ingredients to take home."],
   ["Participants who complete the course can receive a free slow cooker.",
    "Recipes are chosen to use cheap store-cupboard ingredients."],
   ["weekday_am", "evening"], IP, [(16, None), (18, None)], ["free"],
   ["Adults on a low income, including parents and people living alone."], "Course tutor")

# ---- transport
_t("dial_a_ride", ["community-transport"],
   ["Dial-a-Ride Minibus", "Door-to-Door Shopper Bus", "Community Minibus", "Ring and Ride"],
   ["Accessible door-to-door minibus transport for people who find ordinary buses difficult.",
    "A wheelchair accessible minibus service for shopping, social outings and appointments."],
   ["Book your journey by phone at least two days ahead.",
    "Drivers help you on and off the bus and carry shopping to your door.",
    "Bus passes are not accepted; fares are kept low."],
   ["office"], IP, [(None, None), (18, None)],
   [("journey", [2.5, 3, 3.5, 4]), ("membership", [5, 10])],
   ["People who cannot use public transport because of age, disability or illness."],
   "Transport coordinator")
_t("car_scheme", ["volunteer-car-schemes"],
   ["Volunteer Car Scheme", "Hospital Appointments Driver Service", "Good Neighbour Car Scheme"],
   ["Volunteer drivers take you to medical appointments, the hospital and other essential trips.",
    "Lifts in volunteers' cars to GP, dentist and hospital appointments."],
   ["Please give at least 48 hours' notice. Drivers wait and bring you home.",
    "Passengers pay a mileage contribution towards the volunteer's fuel."],
   ["appointment", "office"], IP, [(None, None), (18, None)], [("mileage", [0.45, 0.5, 0.55])],
   ["Residents without their own transport who cannot easily use buses."], "Scheme coordinator")
_t("mobility_hire", ["mobility-equipment-hire"],
   ["Town Centre Mobility Hire", "Wheelchair and Scooter Loan", "Scooter and Wheelchair Hire"],
   ["Borrow a manual wheelchair, powered wheelchair or mobility scooter to get around town.",
    "Short-term wheelchair loans for people recovering from an operation or visiting the area."],
   ["Training is given before you use a scooter for the first time.", "Booking is recommended."],
   ["office", "weekday_am"], IP, [(None, None), (16, None)],
   [("hire", [3, 5]), ("membership", [10, 15])],
   ["Anyone with limited mobility, whether permanent or temporary."], "Mobility centre manager")

# ---- housing and help at home
_t("housing_advice", ["housing-advice"],
   ["Housing Advice Surgery", "Tenancy Help Drop-in", "Renters' Advice Clinic", "Housing Options Advice"],
   ["Independent advice on renting, tenancy problems, repairs and threatened eviction.",
    "Help with housing problems, from damp and mould to rent arrears and notices to leave."],
   ["Advisers can write to landlords and help you apply for housing.",
    "Bring any letters or notices you have received."],
   ["weekday_am", "appointment", "office"], [("in-person", "telephone"), ("in-person",)], ADULTS,
   ["free"], ["Tenants, homeowners and anyone worried about losing their home."], "Housing adviser")
_t("homeless_outreach", ["homelessness"],
   ["Street Outreach Team", "Homeless Drop-in Breakfast", "Rough Sleeper Day Centre", "Open Door Day Centre"],
   ["Support for people who are homeless or sleeping rough.",
    "A day centre offering breakfast, showers, laundry and advice for people with nowhere to stay."],
   ["Caseworkers can help with ID, benefits, health and finding accommodation.",
    "Dogs are welcome.", "You can use the centre's address for post."],
   ["weekday_am", "twice_weekly", "sunday"], IP, [(18, None), (16, None)], ["free"],
   ["People who are homeless, at risk of homelessness or sleeping rough."], "Outreach worker")
_t("handyperson", ["home-adaptations", "handyperson-and-gardening"],
   ["Handyperson Service", "Small Repairs and Grab Rails", "Safe at Home Repairs"],
   ["Help with small repairs and adaptations so you can stay safe and independent at home.",
    "A trusted handyperson fits grab rails, key safes and stair rails and does small jobs."],
   ["Labour is free for people aged 65 and over; you pay for materials.",
    "All handypeople are DBS checked and carry ID."],
   ["appointment"], HOME, [(60, None), (65, None), (18, None)], [("labour", [0]), ("hour", [15, 18])],
   ["Older people and disabled people living in their own home or renting."], "Handyperson coordinator")
_t("shopping_help", ["shopping-and-errands"],
   ["Shopping and Prescription Collection", "Good Neighbour Errands", "Shop and Drop"],
   ["Volunteers collect your shopping and prescriptions and bring them to your door.",
    "Practical help with errands for people who can't get out."],
   ["Order by phone; volunteers can pay on your behalf and you repay them safely.",
    "Volunteers will stop for a chat if you would like one."],
   ["appointment", "phone_weekday"], [("home-visit", "telephone")], [(18, None), (60, None)], ["free"],
   ["People who are housebound, recovering from illness or self-isolating."], "Volunteer coordinator")
_t("garden_help", ["handyperson-and-gardening"],
   ["Garden Helpers", "Green Fingers Garden Help", "Garden Tidy Volunteers"],
   ["Volunteers help keep your garden tidy and safe: mowing, weeding and hedge trimming.",
    "A garden-tidying service for people who can no longer manage their garden."],
   ["Visits are fortnightly in the growing season.", "A small contribution towards fuel is asked for."],
   ["appointment"], HOME, [(65, None), (18, None)], [("visit", [5, 8, 10])],
   ["Older and disabled people living in their own home."], "Garden team leader")

# ---- bereavement
_t("bereavement_cafe", ["bereavement-groups"],
   ["Bereavement Café", "Grief Support Group", "After Loss Coffee Morning", "Walk and Talk for the Bereaved",
    "Widowed and Young Group"],
   ["A gentle, informal group for people who have lost someone close to them.",
    "Meet others who are grieving, over a cup of tea, and talk as much or as little as you like."],
   ["Trained bereavement volunteers are always present.",
    "It does not matter how long ago your loss was.",
    "Some members go on to join walks and social outings together."],
   ["monthly", "fortnightly", "weekday_am", "sunday"], IP, [(18, None)], ["free"],
   ["Adults who have been bereaved, however recently or long ago."], "Bereavement support lead")
_t("bereavement_support", ["bereavement-counselling"],
   ["Bereavement Listening Service", "One-to-One Bereavement Support", "Grief Counselling"],
   ["One-to-one support from a trained bereavement listener or counsellor.",
    "Time and space to talk about the person who has died and how you are coping."],
   ["Support is offered face to face, by phone or by video call.",
    "There may be a short waiting list; we will keep in touch while you wait."],
   ["appointment"], [("in-person", "telephone"), ("telephone", "online"), ("in-person", "home-visit")],
   [(18, None), (16, None)], ["free", "donation"], ["Adults who have been bereaved."],
   "Bereavement service coordinator")
_t("bereavement_line", ["bereavement-counselling"],
   ["Bereavement Support Line", "Grief Listening Line"],
   ["A phone line for anyone who needs to talk after a death.",
    "Someone to listen when grief feels overwhelming."],
   ["Calls are confidential and you don't have to give your name."],
   ["phone_weekday", "evening"], PHONE, [(16, None), (18, None)], ["free"],
   ["Anyone affected by the death of someone close."], "Line coordinator")
_t("child_bereavement", ["bereavement-groups", "family-support"],
   ["Children's Grief Group", "Young People's Bereavement Support", "Little Stars Grief Group"],
   ["Support for children and young people after the death of someone important.",
    "Creative activities that help children express and understand their grief."],
   ["Parents and carers meet in a separate group at the same time."],
   ["saturday", "monthly"], IP, [(5, 17)], ["free"],
   ["Bereaved children aged 5 to 17 and their families."], "Family support worker")

# ---- learning disability and autism
_t("autism_session", ["autism-friendly-sessions"],
   ["Autism-Friendly Swim", "Quiet Hour Soft Play", "Relaxed Cinema Screening", "Autism-Friendly Gaming Club",
    "Sensory-Friendly Saturday Club"],
   ["A relaxed, autism-friendly session with fewer people, less noise and softer lighting.",
    "A sensory-friendly session where nobody minds if you move around or make noise."],
   ["A quiet room is available if you need a break.",
    "Visual guides to the venue can be sent before your visit.",
    "Siblings and parents are welcome too."],
   ["saturday", "sunday", "evening"], IP, [(None, None), (4, 18), (16, None)],
   [("session", [2, 3, 4]), "free"],
   ["Autistic children, young people and adults, and people with sensory needs, with their families."],
   "Session lead")
_t("ld_club", ["learning-disability-groups"],
   ["Friday Night Disco for Adults with Learning Disabilities", "Drama Group for Adults with a Learning Disability",
    "Art Club for Adults with Learning Disabilities", "Friends and Fun Social Club", "Inclusive Cooking Club"],
   ["A social club for adults with a learning disability to have fun and see friends.",
    "An inclusive group where adults with a learning disability can be creative and try new things."],
   ["Support workers and family carers are welcome to stay.",
    "Members help choose the activities each term.",
    "Information is available in easy read."],
   ["evening", "weekday_pm", "saturday"], IP, [(16, None), (18, None)],
   [("session", [2, 3, 5]), "free"], ["Adults with a learning disability."], "Club leader")
_t("autism_support", ["autism-support"],
   ["Autistic Adults Peer Support", "Parents of Autistic Children Support Group",
    "Post-Diagnosis Autism Support", "Autism Family Coffee Morning"],
   ["Peer support for autistic people and families, with or without a formal diagnosis.",
    "A welcoming group to share experiences and practical tips about autism."],
   ["Sessions have a clear structure and are sent out in advance.",
    "Speakers cover education, benefits, sensory needs and wellbeing."],
   ["evening", "monthly", "weekday_am"], [("in-person",), ("online",), ("in-person", "online")],
   [(18, None), (16, None)], ["free"],
   ["Autistic adults and parents or carers of autistic children."], "Autism support worker")

# ---- digital inclusion
_t("digital_dropin", ["digital-skills"],
   ["Digital Drop-in", "Tech Help Café", "Get Online Week by Week", "Smartphone Help Sessions",
    "NHS App Help Clinic", "Computer Club for Beginners", "Tablet Tea and Tech"],
   ["Friendly one-to-one help with computers, tablets and smartphones.",
    "Bring your device and your questions; patient volunteers will help you get online."],
   ["We can help with email, video calls, online shopping, the NHS App and avoiding scams.",
    "Laptops and tablets are available if you don't have your own.",
    "No question is too basic."],
   ["weekday_am", "weekday_pm", "saturday", "evening"], IP, [(16, None), (18, None)], ["free"],
   ["Anyone who wants to build their confidence online, especially older people."], "Digital champion")
_t("device_lending", ["device-and-data-lending"],
   ["Tablet Loan Scheme", "Free Mobile Data SIMs", "Laptop Lending Library"],
   ["Borrow a tablet or laptop and get free mobile data to get online at home.",
    "Free SIM cards with mobile data for people who can't afford the internet."],
   ["Devices come set up and ready to use, with a short lesson.",
    "Loans are for up to three months and can be extended."],
   ["weekday_am", "office"], IP, [(16, None), (18, None)], ["free"],
   ["Residents on a low income or without internet access at home."], "Digital inclusion officer")
_t("digital_home", ["digital-skills"],
   ["Digital Champions at Home", "Tech Help at Home"],
   ["A digital champion visits you at home to help you use your phone, tablet or computer.",
    "Home visits to help people who can't get to a drop-in to get online."],
   ["Up to six visits at your own pace."],
   ["appointment"], [("home-visit", "telephone")], [(50, None), (18, None)], ["free"],
   ["People who are housebound or find it hard to get out."], "Digital champion")

# ---- health conditions
_t("breathe_group", ["heart-and-lung"],
   ["Breathe Better Singing Group", "Lung Health Support Group", "COPD Friends", "Breathe Easy Club"],
   ["Support, singing and gentle exercise for people with COPD, asthma and other lung conditions.",
    "A friendly group for anyone who gets short of breath."],
   ["Singing helps with breathing control and confidence.",
    "Respiratory nurses give talks a few times a year.",
    "Carers and family members are welcome."],
   ["fortnightly", "monthly", "weekday_pm"], IP, [(18, None)], ["free", "donation"],
   ["People living with a lung condition and their carers."], "Group leader")
_t("heart_group", ["heart-and-lung"],
   ["Cardiac Support Club", "Heart Health Exercise", "Heart to Heart Support Group"],
   ["Support and exercise for people living with heart conditions.",
    "A safe place to exercise and share experiences after a heart attack or heart surgery."],
   ["Exercise is led by a cardiac rehabilitation instructor.", "Partners are welcome at social events."],
   ["weekday_am", "evening"], IP, [(18, None)], [("session", [3, 4]), "free"],
   ["People with heart conditions who have finished hospital cardiac rehab."], "Instructor")
_t("stroke_club", ["stroke"],
   ["Stroke Survivors' Club", "Aphasia Conversation Café", "Life After Stroke Group"],
   ["A social and support group for stroke survivors and their families.",
    "A relaxed café where people with aphasia can practise conversation."],
   ["Volunteers are trained in supported conversation.", "Transport can sometimes be arranged."],
   ["fortnightly", "weekday_pm"], IP, [(18, None)], ["free", ("session", [2])],
   ["People who have had a stroke, and their carers."], "Group coordinator")
_t("diabetes_group", ["diabetes"],
   ["Diabetes Support Group", "Type 2 Together", "Living Well with Diabetes"],
   ["Share tips and experience of living with diabetes.",
    "A group for people with type 1 or type 2 diabetes and their families."],
   ["Guest speakers include dietitians and podiatrists.", "Sessions alternate between meeting and online."],
   ["monthly", "evening"], [("in-person",), ("in-person", "online")], [(18, None)], ["free"],
   ["Adults living with diabetes and their families."], "Group coordinator")
_t("sight_group", ["sight-loss"],
   ["Sight Loss Social Club", "Low Vision Equipment Clinic", "Talking Newspaper", "Macular Support Group"],
   ["Support and friendship for people who are blind or partially sighted.",
    "See and try magnifiers, talking clocks and other equipment for low vision."],
   ["Large print, audio and braille information available.",
    "A volunteer can meet you at the bus stop."],
   ["monthly", "weekday_am"], [("in-person",), ("in-person", "home-visit")], [(18, None)], ["free"],
   ["People with sight loss, and their families."], "Sight loss adviser")
_t("hearing_group", ["hearing-loss"],
   ["Hearing Aid Maintenance Clinic", "BSL Coffee Club", "Lipreading Class", "Deaf Community Social"],
   ["Support for people who are deaf or hard of hearing.",
    "Free NHS hearing aid retubing, batteries and cleaning from trained volunteers."],
   ["A hearing loop is fitted and BSL interpreters can be booked.",
    "The BSL coffee club is run by Deaf people, for everyone who signs or is learning."],
   ["weekday_am", "monthly", "evening"], IP, [(18, None), (None, None)], ["free", ("session", [3])],
   ["People who are deaf or hard of hearing, BSL users, and family members."], "Hearing support worker")
_t("cancer_group", ["cancer-support"],
   ["Cancer Support Drop-in", "Living With Cancer Group", "Moving On After Cancer"],
   ["Emotional and practical support for anyone affected by cancer.",
    "A welcoming drop-in for people with cancer, carers and families."],
   ["Help with benefits, travel costs to hospital and complementary therapies.",
    "There is always someone to talk to in private if you prefer."],
   ["weekday_am", "monthly"], [("in-person", "telephone")], [(18, None)], ["free"],
   ["People affected by cancer, including family and friends."], "Support coordinator")
_t("parkinsons_group", ["parkinsons-and-neurological"],
   ["Parkinson's Exercise Class", "MS Support Group", "Neuro Friends Café", "Parkinson's Singing Group"],
   ["Exercise, singing and friendship for people living with Parkinson's and other neurological conditions.",
    "Meet others with MS, Parkinson's or similar conditions."],
   ["Classes are adapted for people with tremor, stiffness and balance problems.",
    "Partners and carers join the social time afterwards."],
   ["weekday_am", "weekday_pm", "fortnightly"], IP, [(18, None)], [("session", [2, 3]), "free"],
   ["People living with Parkinson's, MS or other neurological conditions, and their carers."],
   "Group coordinator")
_t("arthritis_group", ["arthritis-and-pain"],
   ["Living With Pain Group", "Arthritis Hydrotherapy Group", "Pain Management Peer Group"],
   ["Support and gentle activity for people living with arthritis or long-term pain.",
    "Learn ways to manage pain and stay active with people who understand."],
   ["Sessions combine gentle movement, relaxation and sharing tips.",
    "Fibromyalgia and back pain are very common among members."],
   ["weekday_pm", "fortnightly"], IP, [(18, None)], [("session", [2, 3, 4])],
   ["Adults with arthritis, fibromyalgia or persistent pain."], "Group coordinator")

# ---- advocacy
_t("advocacy", ["care-act-advocacy"],
   ["Independent Advocacy Service", "Care and Health Advocacy", "Community Advocacy Project"],
   ["Independent advocates help you have your say in decisions about your care and health.",
    "An advocate can support you at social care assessments, reviews and safeguarding meetings."],
   ["Advocates are independent of the council and the NHS.",
    "We can visit you at home, in hospital or in a care home.",
    "Easy read information is available."],
   ["office", "appointment"], [("telephone", "home-visit"), ("in-person", "telephone", "home-visit")],
   [(18, None), (16, None)], ["free"],
   ["Adults who find it hard to be heard in decisions about care, health or support."], "Advocate")
_t("self_advocacy", ["self-advocacy", "learning-disability-groups"],
   ["Speak Up Group", "Our Voices Self-Advocacy Group", "Have Your Say Forum"],
   ["A group where people help each other speak up about what matters to them.",
    "A self-advocacy group run by and for people with a learning disability."],
   ["The group gives feedback to the council and NHS about local services.", "Easy read minutes are shared after each meeting."],
   ["monthly", "weekday_pm"], IP, [(16, None), (18, None)], ["free"],
   ["Adults with a learning disability or autism."], "Group facilitator")

# ---- domestic abuse
_t("refuge", ["safe-accommodation"],
   ["Safe Accommodation for Women and Children", "Refuge Accommodation", "Safe House Accommodation"],
   ["Safe, confidential accommodation for women, and their children, escaping domestic abuse.",
    "A refuge offering a safe place to stay and support to rebuild your life."],
   ["The address is kept confidential; staff arrange a safe meeting point when a place is offered.",
    "Each resident has a key worker for safety planning, housing, benefits and legal help.",
    "Children's workers support children who have lived with domestic abuse."],
   ["always"], IP, [(16, None)], ["free"],
   ["Women (16+) and their children who are experiencing domestic abuse. Referrals by phone, "
    "including self-referrals."], "Refuge manager")
_t("da_helpline", ["domestic-abuse-helplines"],
   ["Domestic Abuse Support Line", "Safe to Talk Helpline", "Domestic Abuse Advice Line"],
   ["Confidential phone support for anyone experiencing domestic abuse, or worried about someone.",
    "Talk in confidence to a trained domestic abuse worker."],
   ["We can help with safety planning, refuge places and legal options.",
    "If you are in immediate danger call 999. If you cannot speak, press 55 when prompted."],
   ["always", "phone_daily"], PHONE, [(16, None)], ["free"],
   ["Anyone affected by domestic abuse, including men and LGBTQ+ people."], "Helpline manager")
_t("da_group", ["domestic-abuse-helplines"],
   ["Moving On Recovery Course", "Domestic Abuse Recovery Group", "Stronger Together Women's Group"],
   ["A group programme for women who have experienced domestic abuse.",
    "Understand what happened, rebuild confidence and meet women who understand."],
   ["The group room is given when you book; the building has a discreet entrance.",
    "A free crèche is available for children under five."],
   ["weekday_am", "evening"], IP, [(18, None)], ["free"],
   ["Women who have experienced domestic abuse and are no longer living with the abuser."],
   "Group facilitator")
_t("da_outreach", ["domestic-abuse-helplines"],
   ["Domestic Abuse Outreach", "Community Domestic Abuse Support"],
   ["One-to-one support in the community for people experiencing domestic abuse.",
    "Outreach workers meet you somewhere safe, at a time that suits you."],
   ["Help with safety planning, housing, court and reporting to the police if you choose to."],
   ["appointment"], [("telephone", "home-visit")], [(16, None)], ["free"],
   ["Anyone aged 16 or over affected by domestic abuse."], "Outreach worker")

# ---- employment and volunteering
_t("volunteering_hub", ["volunteering"],
   ["Volunteer Drop-in", "Find Your Volunteering Role", "Volunteer Matching Service"],
   ["Find a volunteering role that suits your interests and the time you have.",
    "Give something back, meet people and learn new skills."],
   ["We match volunteers with hundreds of local groups.",
    "Volunteering can help you get back to work after illness or caring."],
   ["weekday_am", "office", "evening"], [("in-person", "online"), ("in-person",)], [(16, None)],
   ["free"], ["Anyone aged 16 or over who would like to volunteer."], "Volunteer broker")
_t("job_club", ["employment-support"],
   ["Job Club", "CV and Interview Help", "Back to Work Support", "Skills for Work Café"],
   ["Help with CVs, job applications and interview practice.",
    "One-to-one support to find work, training or an apprenticeship."],
   ["Computers and printing are free for job seekers.",
    "We work with local employers who are recruiting."],
   ["weekday_am", "weekday_pm", "evening"], IP, [(16, None), (18, None)], ["free"],
   ["Anyone looking for work, including people with health conditions."], "Employment adviser")
_t("polish_advice", ["benefits-advice", "employment-support"],
   ["Polish-Speaking Advice Session", "Advice in Polish and English", "Eastern European Advice Drop-in"],
   ["Advice in Polish and English on benefits, work, housing and settled status.",
    "Porady w języku polskim: help with forms, letters and appointments."],
   ["Advisers speak Polish, Romanian and English.", "Interpreting at appointments can be arranged."],
   ["weekday_pm", "saturday", "evening"], [("in-person", "telephone")], [(16, None)], ["free"],
   ["Polish and other Eastern European residents."], "Community adviser")

# ---- drugs and alcohol
_t("recovery_cafe", ["recovery-groups"],
   ["Recovery Café", "Recovery Breakfast Club", "Sober Social", "Recovery Walk and Talk"],
   ["A peer-led recovery café for people in or seeking recovery from drugs or alcohol.",
    "A welcoming, alcohol-free space for anyone in recovery."],
   ["Mutual aid meetings run alongside the café.",
    "Peer mentors can help you take the next step, whatever your goals."],
   ["evening", "saturday", "sunday", "weekday_am"], IP, [(18, None)], ["free"],
   ["Adults in recovery or thinking about changing their drinking or drug use."], "Peer mentor")
_t("family_substance", ["family-support-substance"],
   ["Families Affected by Addiction Group", "Family and Friends Support Group"],
   ["Support for families and friends of someone who drinks too much or uses drugs.",
    "A confidential group for anyone worried about a loved one's drinking or drug use."],
   ["You don't need the person you are worried about to be getting help."],
   ["evening", "monthly"], [("in-person",), ("in-person", "online")], [(18, None)], ["free"],
   ["Family members, partners and friends affected by someone else's drug or alcohol use."],
   "Family support worker")

# ---- young people and families
_t("youth_club", ["youth-clubs"],
   ["{place} Youth Club", "Friday Night Youth Café", "Teen Skate and Chat", "Junior Youth Club",
    "Youth Music Project"],
   ["A safe, friendly place for young people to meet friends and try new things.",
    "Youth workers run games, sport, music and cooking sessions."],
   ["Tuck shop and free toast.", "Youth workers can talk in confidence about anything worrying you."],
   ["evening", "saturday"], IP, [(11, 18), (11, 16), (8, 12), (13, 19)],
   ["free", ("session", [0.5, 1, 1.5])], ["Young people living in the area."], "Youth worker")
_t("stay_play", ["parent-and-toddler"],
   ["Stay and Play", "Baby Massage and Chat", "Toddler Tuesdays", "Bumps and Babies", "Rhyme Time"],
   ["A relaxed play session for parents and carers with babies and young children.",
    "Meet other parents while little ones play, sing and explore."],
   ["Health visitors drop in once a month.", "Tea and coffee for grown-ups, snacks for children."],
   ["weekday_am"], IP, [(None, None)], ["free", ("session", [1, 1.5, 2])],
   ["Parents and carers of children aged 0 to 4."], "Family worker")
_t("family_support", ["family-support"],
   ["Family Support Worker Visits", "Parenting Teens Course", "Family Wellbeing Service"],
   ["Practical and emotional support for families going through a difficult time.",
    "A family support worker works with you at home to make things easier."],
   ["Support with routines, behaviour, school and money worries.", "Parenting courses are run in the evening."],
   ["appointment", "evening"], [("home-visit", "telephone"), ("in-person",)], [(None, None)], ["free"],
   ["Families with children aged 0 to 18 living in the area."], "Family support worker")
_t("arabic_families", ["parent-and-toddler", "family-support"],
   ["Arabic-Speaking Families Group", "Arabic and English Family Play Session"],
   ["A friendly group for Arabic-speaking parents and children.",
    "مجموعة للعائلات الناطقة بالعربية: play, advice and friendship."],
   ["Sessions are in Arabic and English; volunteers can help with school and GP letters.",
    "Children's activities run alongside a parents' chat."],
   ["saturday", "weekday_am"], IP, [(None, None)], ["free"],
   ["Arabic-speaking families with children, including refugees and asylum seekers."], "Family worker")

# --------------------------------------------------------------------------------------------
# Organisations: (name, localities or area key, legal form, template keys)
# Area keys: "tsd" = all Torbay and South Devon localities, "ply" = all Plymouth localities.
# --------------------------------------------------------------------------------------------

ORGS: list[tuple[str, Any, str, list[str]]] = [
    # Torquay
    ("Torbay Friendship Circle", ["torquay"], "charity",
     ["saturday_friendship", "friendship_group", "befriend_visit", "phone_befriend", "coffee_morning", "craft_group"]),
    ("Babbacombe Memory Café Collective", ["torquay"], "group", ["memory_cafe", "singing_memory", "dementia_walk", "dementia_advice"]),
    ("Upton Vale Community Larder", ["torquay"], "cio", ["pantry", "community_meal", "cook_budget", "warm_space", "food_bank"]),
    ("Bay Breathe Easy Singers", ["torquay", "paignton-brixham"], "group", ["breathe_group", "heart_group", "craft_group"]),
    ("Torre Money Matters", ["torquay"], "charity", ["debt_advice", "benefits_check", "energy_advice", "money_line", "housing_advice"]),
    ("Watcombe Woodworkers' Shed", ["torquay"], "cic", ["mens_shed", "volunteering_hub", "veterans_breakfast", "garden_help"]),
    ("Shiphay Stroke and Neuro Club", ["torquay"], "charity", ["stroke_club", "parkinsons_group", "chair_yoga", "arthritis_group"]),
    # Paignton & Brixham
    ("Paignton Pier Walkers", ["paignton-brixham"], "group", ["walking_group", "walking_group", "strength_balance", "dementia_walk"]),
    ("Brixham Harbour Lunch Club", ["paignton-brixham"], "charity", ["lunch_club", "lunch_club", "friendship_group", "coffee_morning", "community_meal"]),
    ("Goodrington Carers' Cuppa", ["paignton-brixham"], "group", ["carers_cafe", "working_carers", "carers_sitting", "carers_advice_line"]),
    ("Preston Parish Digital Buddies", ["paignton-brixham"], "group", ["digital_dropin", "digital_home", "online_social", "device_lending"]),
    ("Brixham Quayside Bereavement Friends", ["paignton-brixham"], "charity", ["bereavement_cafe", "bereavement_support", "bereavement_cafe", "bereavement_line"]),
    ("Churston Autism Family Network", ["paignton-brixham", "torquay"], "cio", ["autism_session", "autism_support", "ld_club", "stay_play", "autism_session"]),
    ("Bayline Community Minibus", ["paignton-brixham", "torquay"], "charity", ["dial_a_ride", "car_scheme", "mobility_hire", "shopping_help"]),
    # Newton Abbot
    ("Teign Valley Carers Network", ["newton-abbot", "coastal"], "charity",
     ["carers_cafe", "carers_cafe", "carers_advice_line", "young_carers_club", "carers_online", "carers_sitting"]),
    ("Newton Abbot Community Fridge Project", ["newton-abbot"], "cic", ["pantry", "food_bank", "community_meal", "cook_budget", "warm_space"]),
    ("Kingsteignton Tuesday Club", ["newton-abbot"], "group", ["friendship_group", "lunch_club", "tea_dance", "coffee_morning"]),
    ("Racecourse Road Recovery Café", ["newton-abbot"], "cic", ["recovery_cafe", "family_substance", "peer_support", "recovery_cafe"]),
    ("Bovey Tracey Moorland Movers", ["newton-abbot"], "group", ["walking_group", "chair_yoga", "bat_chat", "strength_balance"]),
    ("Forde Park Housing Advice Centre", ["newton-abbot"], "charity", ["housing_advice", "homeless_outreach", "handyperson"]),
    ("Newton Abbot Sight and Sound Group", ["newton-abbot", "coastal"], "charity", ["sight_group", "hearing_group", "sight_group"]),
    # Coastal
    ("Teignmouth Lighthouse Befrienders", ["coastal"], "charity", ["befriend_visit", "phone_befriend", "friendship_group", "lgbt_social", "coffee_morning"]),
    ("Dawlish Warren Seaside Social", ["coastal"], "group", ["coffee_morning", "tea_dance", "craft_group", "walking_group"]),
    ("Shaldon Ness Memory Singers", ["coastal"], "group", ["singing_memory", "memory_cafe", "dementia_advice"]),
    ("Teignmouth Coastal Food Share", ["coastal"], "cio", ["food_bank", "community_meal", "pantry", "warm_space"]),
    ("Dawlish Debt and Benefits Help Point", ["coastal"], "charity", ["debt_advice", "benefits_check", "housing_advice"]),
    ("Teign Estuary Rowing for Health", ["coastal"], "cic", ["swim_water", "walking_group", "green_wellbeing", "swim_water"]),
    ("Coastal Young Carers Hub", ["coastal", "newton-abbot"], "charity", ["young_carers_club", "youth_club", "family_support", "stay_play"]),
    # Moor-to-Sea
    ("Totnes Ten Tors Befriending", ["moor-to-sea"], "charity", ["befriend_visit", "friendship_group", "phone_befriend", "shopping_help", "online_social"]),
    ("Dart Valley Community Wheels", ["moor-to-sea"], "charity", ["dial_a_ride", "car_scheme", "car_scheme"]),
    ("Kingsbridge Estuary Memory Café", ["moor-to-sea"], "group", ["memory_cafe", "memory_cafe", "singing_memory", "dementia_advice"]),
    ("Ashburton Stannary Men's Shed", ["moor-to-sea"], "cic", ["mens_shed", "garden_help", "craft_group", "veterans_breakfast"]),
    ("Erme Valley Walking Group", ["moor-to-sea"], "group", ["walking_group", "walking_group", "dementia_walk"]),
    ("Dart Bridge Food Hub", ["moor-to-sea"], "cio", ["food_bank", "pantry", "lunch_club", "community_meal", "warm_space"]),
    ("South Brent Village Digital Café", ["moor-to-sea"], "group", ["digital_dropin", "device_lending", "digital_dropin", "digital_home"]),
    ("Dartmouth Castle Quay Carers Circle", ["moor-to-sea"], "group", ["carers_cafe", "carers_sitting", "bereavement_cafe"]),
    ("Moor-to-Sea Rural Advice Van", ["moor-to-sea"], "charity", ["debt_advice", "benefits_check", "energy_advice", "housing_advice", "money_line"]),
    # Plymouth city centre
    ("Plymouth Hoe Befriending Trust", ["city-centre", "plymouth-east"], "charity",
     ["befriend_visit", "friendship_group", "coffee_morning", "lgbt_social", "phone_befriend"]),
    ("Barbican Bereavement Café", ["city-centre"], "cic", ["bereavement_cafe", "bereavement_support", "child_bereavement"]),
    ("Drake Circus Digital Skills Hub", ["city-centre"], "cic", ["digital_dropin", "device_lending", "job_club", "digital_dropin", "volunteering_hub"]),
    ("Stonehouse Welcome Kitchen", ["city-centre"], "cio", ["community_meal", "community_meal", "food_bank", "cook_budget", "pantry"]),
    ("City Centre Wellbeing Collective", ["city-centre"], "cic", ["peer_support", "crisis_cafe", "wellbeing_course", "counselling", "online_wellbeing"]),
    ("Plymouth Independent Voices Advocacy", "ply", "charity", ["advocacy", "self_advocacy", "advocacy"]),
    ("Harbourside Recovery Network", ["city-centre", "devonport"], "charity", ["recovery_cafe", "recovery_cafe", "family_substance", "homeless_outreach", "peer_support"]),
    # Devonport
    ("Devonport Dockyard Memories Group", ["devonport"], "group", ["memory_cafe", "singing_memory", "veterans_breakfast", "coffee_morning"]),
    ("Devonport Park Community Pantry", ["devonport"], "cio", ["pantry", "food_bank", "warm_space", "community_meal"]),
    ("Morice Town Men's Shed", ["devonport"], "cic", ["mens_shed", "volunteering_hub", "garden_help"]),
    ("Keyham Carers' Corner", ["devonport"], "group", ["carers_cafe", "working_carers", "carers_sitting", "young_carers_club"]),
    ("Ford Park Family Hub Friends", ["devonport", "north-plymouth"], "charity", ["stay_play", "youth_club", "family_support", "stay_play"]),
    ("Devonport Polish and Eastern European Advice Centre", ["devonport", "city-centre"], "charity",
     ["polish_advice", "polish_advice", "job_club", "benefits_check"]),
    # Plympton
    ("Plympton St Maurice Lunch Club", ["plympton"], "group", ["lunch_club", "friendship_group", "tea_dance", "coffee_morning"]),
    ("Ridgeway Walking Football", ["plympton"], "group", ["walking_football", "walking_football", "walking_group", "bat_chat"]),
    ("Plym Valley Parkinson's Friends", ["plympton", "plymstock"], "charity", ["parkinsons_group", "parkinsons_group", "arthritis_group"]),
    ("Plympton Carers Together", ["plympton"], "charity", ["carers_cafe", "carers_advice_line", "dementia_advice", "carers_online"]),
    ("Hemerdon Heights Autism Social Club", ["plympton"], "cic", ["autism_session", "autism_support", "ld_club", "autism_session"]),
    # Plymstock
    ("Plymstock Broadway Friendship Club", ["plymstock"], "group", ["friendship_group", "saturday_friendship", "coffee_morning", "craft_group"]),
    ("Hooe Lake Chair Yoga", ["plymstock"], "cic", ["chair_yoga", "chair_yoga", "strength_balance", "walking_group"]),
    ("Elburton Memory Lane Café", ["plymstock"], "group", ["memory_cafe", "dementia_walk", "singing_memory", "dementia_advice"]),
    ("Plymstock Community Transport Scheme", ["plymstock", "plympton"], "charity", ["dial_a_ride", "car_scheme", "shopping_help"]),
    ("Oreston Quay Bereavement Walks", ["plymstock"], "group", ["bereavement_cafe", "walking_group", "bereavement_line"]),
    # North Plymouth
    ("Tamerton Foliot Village Friends", ["north-plymouth"], "group", ["friendship_group", "coffee_morning", "befriend_visit", "walking_group"]),
    ("Crownhill Veterans' Breakfast Club", ["north-plymouth"], "charity", ["veterans_breakfast", "peer_support", "walking_football", "mens_shed"]),
    ("Southway and Estover Food Network", ["north-plymouth"], "cio", ["food_bank", "pantry", "lunch_club", "community_meal", "cook_budget"]),
    ("Whitleigh Learning Disability Arts Group", ["north-plymouth"], "cic", ["ld_club", "ld_club", "self_advocacy", "craft_group"]),
    ("St Budeaux Money Advice Project", ["north-plymouth", "devonport"], "charity", ["debt_advice", "benefits_check", "energy_advice", "money_line"]),
    ("Derriford Heart and Lung Support Group", ["north-plymouth"], "charity", ["heart_group", "breathe_group", "diabetes_group", "cancer_group", "breathe_group"]),
    # Plymouth East
    ("Efford Community Wellbeing Garden", ["plymouth-east"], "cic", ["green_wellbeing", "green_wellbeing", "peer_support", "wellbeing_course"]),
    ("Lipson Vale Befriending Project", ["plymouth-east"], "charity", ["befriend_visit", "phone_befriend", "friendship_group"]),
    ("Laira Lunch and Learn", ["plymouth-east"], "group", ["lunch_club", "digital_dropin", "craft_group", "device_lending"]),
    ("Mount Gould Young People's Project", ["plymouth-east"], "charity", ["youth_club", "youth_club", "young_carers_club", "family_support"]),
    ("Plymouth East Arabic-Speaking Families Group", ["plymouth-east", "city-centre"], "group", ["arabic_families", "stay_play", "cook_budget"]),
    # Torbay and South Devon wide
    ("South Devon Safe Homes", "tsd", "charity", ["refuge", "refuge", "refuge", "refuge", "da_helpline", "da_group", "da_outreach"]),
    ("Torbay and South Devon Deaf Connect", "tsd", "charity", ["hearing_group", "hearing_group", "hearing_group"]),
    ("South Devon Telephone Friendship Line", "tsd", "charity", ["phone_befriend", "online_social", "carers_advice_line"]),
    ("Devon Coast and Country Advocacy", "tsd", "charity", ["advocacy", "advocacy", "self_advocacy"]),
    ("Bay Bereavement Listening Line", "tsd", "cic", ["bereavement_line", "bereavement_support", "child_bereavement"]),
    ("South Devon Home Help Hands", "tsd", "cic", ["handyperson", "shopping_help", "garden_help"]),
    ("Torbay Online Wellbeing Circle", "tsd", "cic", ["online_wellbeing", "online_wellbeing", "crisis_cafe", "wellbeing_course"]),
    ("South Devon Cancer Companions", "tsd", "charity", ["cancer_group", "cancer_group", "diabetes_group"]),
    # Plymouth wide
    ("Tamar Safe Harbour Women's Service", "ply", "charity", ["refuge", "refuge", "refuge", "da_helpline", "da_group", "da_outreach"]),
    ("Plymouth Carers' Listening Line", "ply", "charity", ["carers_advice_line", "carers_online", "carers_cafe", "working_carers"]),
    ("Plymouth Home Visiting Companions", "ply", "charity", ["befriend_visit", "shopping_help", "digital_home"]),
    ("Plymouth Volunteer Connect", "ply", "charity", ["volunteering_hub", "volunteering_hub", "job_club", "digital_dropin"]),
    ("Plymouth Sound Homelessness Outreach", "ply", "charity", ["homeless_outreach", "homeless_outreach", "housing_advice", "community_meal"]),
    ("Plymouth Sight Loss Friends", "ply", "charity", ["sight_group", "sight_group", "stroke_club"]),
]

# Where the refuges of each domestic abuse organisation are (one confidential venue each).
REFUGE_LOCALITIES = {
    "South Devon Safe Homes": ["torquay", "newton-abbot", "paignton-brixham", "coastal"],
    "Tamar Safe Harbour Women's Service": ["city-centre", "north-plymouth", "plympton"],
}

FORM = {
    "charity": ("registered charity", "GB-CHC", "Charity number"),
    "cio": ("charitable incorporated organisation", "GB-CHC", "Charity number"),
    "cic": ("community interest company", "GB-COH", "Company number"),
    "group": ("volunteer-led community group", None, None),
}

ORG_BLURB = [
    "{name} is a {form} serving {where}.",
    "Founded by local volunteers, {name} is a {form} working across {where}.",
    "{name} is a small {form} based in {where}.",
]
ORG_PURPOSE = {
    "befriend": "We help people feel less lonely and more connected to their community.",
    "carers": "We support unpaid carers to look after themselves as well as the people they care for.",
    "memory": "We help people living with dementia, and their families, to live well.",
    "food": "We make sure nobody in our area goes hungry, and we reduce food waste along the way.",
    "move": "We help people of all ages and abilities to get active and stay active.",
    "money": "We give free, independent and confidential advice on money, debt and benefits.",
    "safety": "We help people affected by domestic abuse to be safe and to rebuild their lives.",
    "voice": "We make sure people are heard in decisions about their own lives, care and health.",
    "health": "We support people living with long-term health conditions, and their families.",
    "young": "We support children, young people and families to thrive.",
    "mind": "We help people look after their mental wellbeing and recover from hard times.",
    "general": "We run friendly, practical services that help local people stay well and independent.",
}

FIRST_NAMES = ["Alison", "Bev", "Colin", "Dawn", "Eddie", "Fiona", "Gareth", "Hazel", "Ian", "Janet",
               "Kerry", "Lorraine", "Martin", "Nadia", "Oliver", "Pauline", "Ray", "Sandra", "Tom",
               "Una", "Vikram", "Wendy", "Yusuf", "Zofia", "Agnieszka", "Bilal", "Carys", "Derek",
               "Elaine", "Femi", "Graham", "Helen", "Imran", "Jo", "Kasia", "Linda", "Mo", "Nigel",
               "Priya", "Rachel", "Steve", "Tracey", "Vera", "Will", "Amira", "Brian", "Chloe"]
LAST_NAMES = ["Ashworth", "Blackmore", "Coombe", "Davey", "Endacott", "Fursdon", "Gillard", "Hext",
              "Irish", "Jago", "Kelland", "Luscombe", "Mudge", "Northcott", "Oldreive", "Pengelly",
              "Quick", "Rowe", "Stidston", "Tozer", "Underhill", "Veale", "Widdicombe", "Yeo",
              "Nowak", "Hassan", "Kowalski", "Haddad", "Osei", "Patel", "Chen", "Murphy"]
STREETS = ["Church Road", "Fore Street", "Market Street", "Station Road", "Victoria Road", "Queen Street",
           "Park Road", "Higher Street", "Chapel Street", "Mill Lane", "New Road", "Albert Road",
           "Bridge Street", "Hill Road", "Priory Road", "Orchard Way", "Woodland Avenue", "Highfield Road",
           "Moor View", "Harbour Road", "North Road", "Old Road", "School Lane", "Manor Road",
           "West Street", "East Street", "Belgrave Road", "St Mary's Road", "Beacon Lane", "Rectory Road"]
VENUE_KINDS = ["{p} Community Centre", "{p} Methodist Church Hall", "St {s}'s Church Hall, {p}",
               "{p} Library", "{p} Scout and Guide Hut", "{p} Bowling Club Pavilion", "The {p} Hub",
               "{p} Village Hall", "{p} Family Hub", "{p} Leisure Centre", "{p} United Reformed Church",
               "{p} Baptist Church Rooms", "{p} Social Club", "{p} Health and Wellbeing Centre",
               "The Old School Rooms, {p}", "{p} Community Café", "{p} Neighbourhood Centre",
               "{p} Quaker Meeting House", "{p} Memorial Hall", "{p} Youth and Community Centre"]
SAINTS = ["Andrew", "Luke", "Michael", "Peter", "Mary", "John", "Paul", "Mark", "George", "Matthew"]
ACCESS = [
    ("Step-free access", "Step-free access from the car park to the main hall, suitable for wheelchair users."),
    ("Accessible toilet", "An accessible toilet with grab rails is on the ground floor."),
    ("Hearing loop", "A hearing loop is fitted in the main room; switch your hearing aid to the T setting."),
    ("Blue badge parking", "Two blue badge parking spaces next to the entrance."),
    ("Quiet room", "A quiet room is available for anyone who needs a break from noise."),
    ("Lift to all floors", "A lift serves all floors."),
    ("Assistance dogs welcome", "Assistance dogs are welcome; water bowls available."),
    ("Changing Places toilet", "A Changing Places toilet with hoist and adult changing bench."),
    ("Large print", "Large print and easy read information available on request."),
    ("Seating", "Chairs with arms and plenty of seating throughout."),
]
LIMITED_ACCESS = [
    ("Steps at entrance", "There are three steps at the entrance and no ramp; please call ahead so we can help."),
    ("First floor, no lift", "The group meets in an upstairs room with no lift. Please ask about our ground-floor alternative."),
]
PRACTICAL = {
    "in-person": ["Just turn up; there is no need to book.", "Please ring before your first visit so we can welcome you.",
                  "Booking is recommended as places are limited.", "You can refer yourself, or ask your GP or social prescriber to refer you.",
                  "A bus stop is a short walk away and there is free parking nearby.",
                  "Tea, coffee and biscuits are always on offer."],
    "telephone": ["Call us to ask for a call-back at a time that suits you.", "Lines can be busy first thing; please leave a message and we will ring back.",
                  "Calls are free from mobiles and landlines."],
    "online": ["We email you a link before each session.", "You need a phone, tablet or computer with internet; we can lend one if you don't have one."],
    "home-visit": ["Home visits are arranged after a short phone conversation.", "Volunteers carry photo ID and are DBS checked."],
}
PRACTICAL["appointment"] = ["Appointments can be booked by phone or email.",
                            "Ring to book an appointment; we try to see people within a week.",
                            "Please book ahead; evening appointments can sometimes be arranged."]
PRACTICAL_BY_TEMPLATE = {
    "food_bank": ["Please bring your voucher with you.", "Ring us if you need help to get a voucher."],
    "dial_a_ride": ["Journeys must be booked by phone in advance.", "Ring the booking line to register and book."],
    "car_scheme": ["Book by phone at least two working days before your appointment."],
    "mobility_hire": ["Ring ahead to reserve a scooter or wheelchair."],
    "da_group": ["Call the service to book a confidential place on the next course."],
}
FUNDERS = ["A community grant from the local council (demo).", "The local NHS integrated care board's community fund (demo).",
           "National lottery community funding and local fundraising (demo).", "Donations from members and local businesses (demo).",
           "A town council grant and a charitable trust (demo)."]
ALERTS = ["Closed for two weeks over Christmas and New Year.", "We are looking for new volunteers; please get in touch.",
          "Our venue car park is being resurfaced; use the street parking for now.",
          "Sessions in August may be cancelled; please check before travelling."]
ACCREDITATIONS = ["All volunteers are DBS checked and trained in safeguarding.",
                  "Advice is given by trained advisers working to a national quality standard for advice services.",
                  "Instructors hold recognised qualifications in exercise for older adults.",
                  "Our counsellors are members of a professional counselling body."]

LANGS = {"en": ("English", None), "pl": ("Polish", "Polish-speaking staff or volunteers are available."),
         "ar": ("Arabic", "Arabic-speaking staff or volunteers are available."),
         "bfi": ("British Sign Language", "BSL users are welcome; staff sign or a BSL interpreter can be booked.")}


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

_V4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_V4_SET = (0x4000 << 64) | (0x8000 << 48)


def _uuid(rng: random.Random) -> str:
    """Same value as str(uuid.UUID(int=rng.getrandbits(128), version=4)), about 3x faster."""
    h = "%032x" % ((rng.getrandbits(128) & _V4_CLEAR) | _V4_SET)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "").replace("&", "and")).strip("-")


def _clock(hhmm: str) -> str:
    h, m = int(hhmm[:2]), int(hhmm[3:])
    if (h, m) == (12, 0):
        return "12 noon"
    if (h, m) in ((0, 0), (23, 59)):
        return "midnight"
    suffix = "am" if h < 12 else "pm"
    h12 = h % 12 or 12
    return f"{h12}{suffix}" if m == 0 else f"{h12}:{m:02d}{suffix}"


def _days_text(byday: str) -> str:
    days = byday.split(",")
    if days == WEEKDAYS:
        return "Monday to Friday"
    if len(days) == 7:
        return "every day"
    names = [DAYS[d] for d in days]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _short_place(place: str) -> str:
    return place.replace(" town centre", "").replace(" city centre", "")


def _money(x: float) -> str:
    if x < 1:
        return f"{round(x * 100)}p"
    return f"£{x:.2f}".replace(".00", "")


def _iso_ms(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


# Schedule kinds -> (freq, byday, interval, opens, closes, description, notes)
def _schedule_spec(kind: str, rng: random.Random) -> dict[str, Any]:
    day = rng.choice(WEEKDAYS)
    if kind == "weekday_am":
        o, c = rng.choice([("10:00", "12:00"), ("09:30", "11:30"), ("10:30", "12:30"), ("10:00", "11:30")])
        return dict(freq="WEEKLY", byday=day, opens=o, closes=c)
    if kind == "weekday_pm":
        o, c = rng.choice([("13:30", "15:30"), ("14:00", "16:00"), ("14:00", "15:30"), ("13:00", "15:00")])
        return dict(freq="WEEKLY", byday=day, opens=o, closes=c)
    if kind == "weekday_lunch":
        o, c = rng.choice([("12:00", "14:00"), ("11:45", "13:30"), ("12:15", "14:00")])
        days = day if rng.random() < 0.6 else ",".join(sorted(rng.sample(WEEKDAYS, 2), key=WEEKDAYS.index))
        return dict(freq="WEEKLY", byday=days, opens=o, closes=c)
    if kind == "twice_weekly":
        o, c = rng.choice([("10:00", "12:00"), ("09:30", "12:30"), ("10:00", "13:00"), ("13:00", "16:00")])
        return dict(freq="WEEKLY", byday=",".join(sorted(rng.sample(WEEKDAYS, 2), key=WEEKDAYS.index)), opens=o, closes=c)
    if kind == "office":
        o, c = rng.choice([("09:00", "17:00"), ("09:30", "16:30"), ("09:00", "16:00")])
        days = rng.choice(["MO,TU,WE,TH,FR", "MO,TU,WE,TH,FR", "MO,TU,WE,TH"])
        return dict(freq="WEEKLY", byday=days, opens=o, closes=c)
    if kind == "phone_weekday":
        o, c = rng.choice([("09:00", "17:00"), ("10:00", "16:00"), ("09:00", "19:00")])
        return dict(freq="WEEKLY", byday="MO,TU,WE,TH,FR", opens=o, closes=c)
    if kind == "phone_daily":
        o, c = rng.choice([("08:00", "20:00"), ("09:00", "21:00")])
        return dict(freq="WEEKLY", byday="MO,TU,WE,TH,FR,SA,SU", opens=o, closes=c)
    if kind == "always":
        return dict(freq="WEEKLY", byday="MO,TU,WE,TH,FR,SA,SU", opens="00:00", closes="23:59",
                    text="24 hours a day, every day")
    if kind == "evening":
        o, c = rng.choice([("18:00", "20:00"), ("18:30", "20:30"), ("19:00", "21:00"), ("17:30", "19:30"), ("19:00", "20:30")])
        return dict(freq="WEEKLY", byday=day, opens=o, closes=c)
    if kind == "late_evening":
        days = rng.choice(["MO,TU,WE,TH,FR,SA,SU", "TH,FR,SA,SU", "MO,TU,WE,TH,FR"])
        return dict(freq="WEEKLY", byday=days, opens=rng.choice(["18:00", "17:00"]), closes="23:00")
    if kind == "saturday":
        o, c = rng.choice([("10:00", "12:00"), ("10:00", "13:00"), ("09:00", "11:00"), ("14:00", "16:00")])
        return dict(freq="WEEKLY", byday="SA", opens=o, closes=c)
    if kind == "sunday":
        o, c = rng.choice([("10:30", "12:30"), ("12:30", "14:30"), ("14:00", "16:00"), ("11:00", "13:00")])
        return dict(freq="WEEKLY", byday="SU", opens=o, closes=c)
    if kind == "monthly":
        nth = rng.choice(["1", "2", "3", "-1"])
        d = rng.choice([*WEEKDAYS, "SA"])
        o, c = rng.choice([("14:00", "16:00"), ("10:00", "12:00"), ("13:30", "15:30"), ("18:30", "20:30")])
        return dict(freq="MONTHLY", byday=f"{nth}{d}", opens=o, closes=c,
                    text=f"{ORDINAL[nth].capitalize()} {DAYS[d]} of every month")
    if kind == "fortnightly":
        d = rng.choice(WEEKDAYS)
        first = date(2026, 1, 5) + timedelta(days=WEEKDAYS.index(d) + 7 * rng.randrange(2))
        o, c = rng.choice([("10:00", "12:00"), ("14:00", "16:00"), ("13:30", "15:30")])
        return dict(freq="WEEKLY", byday=d, interval=2, dtstart=first.isoformat(), opens=o, closes=c,
                    text=f"Every other {DAYS[d]}")
    if kind == "appointment":
        return dict(appointment=True)
    raise ValueError(kind)


_DAY_WORDS = {v: k for k, v in DAYS.items()}
_NTH_WORDS = {v.capitalize(): k for k, v in ORDINAL.items()}


def _name_day(name: str) -> tuple[str | None, str] | None:
    """The day a service name promises ("Friday Lunch Club", "Second Saturday Coffee Club")."""
    for word, code in _DAY_WORDS.items():
        if word in name:
            for nth_word, nth in _NTH_WORDS.items():
                if f"{nth_word} {word}" in name:
                    return nth, code
            return None, code
    return None


_TIME_WORDS = {"Night": ("18:30", "20:30"), "Evening": ("18:30", "20:30"), "Supper": ("18:00", "20:00"),
               "Disco": ("18:30", "21:00"), "Lunch": ("12:00", "14:00"), "Dinner Club": ("12:00", "14:00"),
               "Breakfast": ("08:30", "10:30"), "Morning": ("10:00", "12:00"), "Coffee": ("10:00", "12:00")}


def _needs_fit(name: str) -> bool:
    return _name_day(name) is not None or any(w in name for w in _TIME_WORDS)


def _fit_day(spec: dict[str, Any], name: str) -> dict[str, Any]:
    """Make a schedule agree with the day ("Friday Lunch Club") and time of day ("Night Café",
    "Breakfast Club") that a service name promises."""
    if spec.get("appointment") or not _needs_fit(name) or spec["opens"] == "00:00":
        return spec
    new = dict(spec)
    for word, (opens, closes) in _TIME_WORDS.items():
        if word in name:
            evening = opens >= "17:00"
            if evening != (new["opens"] >= "17:00") or (word in ("Breakfast", "Morning", "Coffee") and new["opens"] >= "12:00"):
                new["opens"], new["closes"] = opens, closes
            break
    nd = _name_day(name)
    if nd is None:
        return new
    nth, day = nd
    new.pop("text", None)
    if nth:
        new.update(freq="MONTHLY", byday=f"{nth}{day}", text=f"{ORDINAL[nth].capitalize()} {DAYS[day]} of every month")
        new.pop("interval", None)
        new.pop("dtstart", None)
    elif new["freq"] == "MONTHLY":
        n = re.match(r"-?\d", new["byday"]).group()
        new["byday"] = f"{n}{day}"
        new["text"] = f"{ORDINAL[n].capitalize()} {DAYS[day]} of every month"
    else:
        new["byday"] = day
        if new.get("interval"):
            first = date(2026, 1, 5) + timedelta(days=list(DAYS).index(day))
            new["dtstart"] = first.isoformat()
            new["text"] = f"Every other {DAYS[day]}"
    return new


def _schedule(spec: dict[str, Any], sid: str, attending: str, rng: random.Random,
              sal_id: str | None = None, phone_number: str | None = None) -> dict[str, Any]:
    s: dict[str, Any] = {"id": _uuid(rng), "service_id": sid}
    if sal_id:
        s["service_at_location_id"] = sal_id
    if spec.get("appointment"):
        how = {"home-visit": "We arrange a time to visit you at home.",
               "telephone": "We arrange a time to call you.",
               "online": "We arrange a video call at a time that suits you.",
               "in-person": "Appointments are usually on weekdays."}[attending]
        s["description"] = "By appointment. " + how
        s["notes"] = "By appointment only: " + (f"call {phone_number} to arrange." if phone_number else "contact us to arrange.")
    else:
        s["freq"] = spec["freq"]
        s["byday"] = spec["byday"]
        if spec.get("interval"):
            s["interval"] = spec["interval"]
            s["dtstart"] = spec["dtstart"]
        s["opens_at"], s["closes_at"] = spec["opens"], spec["closes"]
        when = spec.get("text")
        if when is None:
            days = _days_text(spec["byday"])
            when = days[0].upper() + days[1:] if spec["byday"].count(",") >= 4 else "Every " + days
        if spec["opens"] == "00:00":
            s["description"] = when
        else:
            s["description"] = f"{when}, {_clock(spec['opens'])} to {_clock(spec['closes'])}"
        s["valid_from"] = "2026-01-01"
    s["attending_type"] = attending
    return s


# --------------------------------------------------------------------------------------------
# Builder
# --------------------------------------------------------------------------------------------


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # nosec B311 # deterministic fictional demo data
        self.ref = _load_reference()
        self.localities = {loc["id"]: loc for loc in self.ref["localities"]}
        self.area_ids = {
            "tsd": [loc["id"] for loc in self.ref["localities"] if loc["area"] == "Torbay and South Devon"],
            "ply": [loc["id"] for loc in self.ref["localities"] if loc["area"] == "Plymouth"],
        }
        self.need_terms = {t["code"]: t for t in self.ref["needs"]["terms"]}
        self.need_by_id = {t["id"]: t for t in self.ref["needs"]["terms"]}
        self.delivery_terms = {t["code"]: t for t in self.ref["delivery"]["terms"]}
        self.term_objs: dict[str, dict[str, Any]] = {}
        self.venues: dict[str, list[dict[str, Any]]] = {}  # place name -> venues
        self.used_postcodes: set[str] = set()
        self.virtual: dict[tuple[str, str], dict[str, Any]] = {}
        self.phone_seq = 0
        self.used_names: set[str] = set()
        self.organizations: list[dict[str, Any]] = []
        self.org_meta: list[dict[str, Any]] = []

    # ---- reference helpers
    def term_obj(self, code: str, kind: str = "need") -> dict[str, Any]:
        key = f"{kind}:{code}"
        if key not in self.term_objs:
            if kind == "need":
                t = self.need_terms[code]
                tax = self.ref["needs"]["taxonomy"]
            else:
                t = self.delivery_terms[code]
                tax = self.ref["delivery"]["taxonomy"]
            obj = {"id": t["id"], "name": t["name"], "description": t["description"],
                   "taxonomy": tax["name"], "taxonomy_id": tax["id"], "term": t["name"]}
            if t.get("parent_id"):
                obj["parent_id"] = t["parent_id"]
            self.term_objs[key] = obj
        return self.term_objs[key]

    def locality_places(self, lid: str) -> list[dict[str, Any]]:
        return self.localities[lid]["places"]

    def service_area(self, lid: str, sid: str) -> dict[str, Any]:
        loc = self.localities[lid]
        return {"id": _uuid(self.rng), "service_id": sid, "name": loc["name"], "extent": lid,
                "extent_type": "text", "uri": f"urn:x-portal:locality:{lid}",
                "service_area": f"{loc['name']} locality ({loc['area']})"}

    def phone_number(self) -> str:
        self.phone_seq += 1
        n = (self.phone_seq * 37) % 1000
        kind = self.phone_seq % 10
        if kind < 6:
            return f"01632 960{n:03d}"
        if kind < 8:
            return f"07700 900{n:03d}"
        if kind < 9:
            return f"0808 157 0{n:03d}"
        return f"0306 999 0{n:03d}"

    def pick_postcode(self, sector: str) -> tuple[str, float, float]:
        rows = self.ref["postcodes"][sector]
        free = [r for r in rows if r[0] not in self.used_postcodes]
        row = self.rng.choice(free or rows)
        self.used_postcodes.add(row[0])
        return row

    # ---- locations
    def _address(self, loc_id: str, place: dict[str, Any], postcode: str, street: str) -> dict[str, Any]:
        return {"id": _uuid(self.rng), "location_id": loc_id, "address_1": street,
                "city": place["post_town"], "state_province": "Devon", "region": "South West England",
                "postal_code": postcode, "country": "GB", "address_type": "physical"}

    def new_venue(self, place: dict[str, Any], force_postcode: str | None = None) -> dict[str, Any]:
        rng = self.rng
        lid = _uuid(rng)
        if force_postcode:
            row = next(r for r in self.ref["postcodes"][place["postcode_sector"]] if r[0] == force_postcode)
            self.used_postcodes.add(row[0])
        else:
            row = self.pick_postcode(place["postcode_sector"])
        taken = {v["name"] for v in self.venues.get(place["name"], [])}
        p = _short_place(place["name"])
        for _ in range(20):
            name = rng.choice(VENUE_KINDS).format(p=p, s=rng.choice(SAINTS))
            if name not in taken:
                break
        street = f"{rng.randint(1, 120)} {rng.choice(STREETS)}" if rng.random() < 0.6 else rng.choice(STREETS)
        feats = rng.sample(ACCESS, rng.randint(1, 4))
        if rng.random() < 0.85:
            feats = [ACCESS[0]] + [f for f in feats if f is not ACCESS[0]]
        else:
            feats = [rng.choice(LIMITED_ACCESS)] + [f for f in feats if f is not ACCESS[0]]
        venue = {
            "id": lid, "location_type": "physical", "name": name,
            "description": f"{name} in {p}.",
            "latitude": row[1], "longitude": row[2],
            "addresses": [self._address(lid, place, row[0], street)],
            "accessibility": [{"id": _uuid(rng), "location_id": lid, "description": d, "details": det}
                              for d, det in feats],
        }
        self.venues.setdefault(place["name"], []).append(venue)
        return venue

    def venue(self, place: dict[str, Any], force_postcode: str | None = None) -> dict[str, Any]:
        existing = self.venues.get(place["name"], [])
        if force_postcode:
            for v in existing:
                if v["addresses"][0]["postal_code"] == force_postcode:
                    return v
            return self.new_venue(place, force_postcode)
        if existing and (len(existing) >= 4 or self.rng.random() < 0.55):
            return self.rng.choice(existing)
        return self.new_venue(place)

    def confidential_location(self, place: dict[str, Any], locality_name: str) -> dict[str, Any]:
        rng = self.rng
        lid = _uuid(rng)
        row = self.pick_postcode(place["postcode_sector"])
        street = f"{rng.randint(2, 90)} {rng.choice(STREETS)}"
        return {
            "id": lid, "location_type": "physical",
            "name": f"Refuge accommodation ({locality_name} area)",
            "description": "Confidential address. The location is shared only with residents and referrers, "
                           "after a safety check by phone.",
            "latitude": row[1], "longitude": row[2],
            "addresses": [self._address(lid, place, row[0], street)],
            "accessibility": [{"id": _uuid(rng), "location_id": lid, "description": "Ground-floor room",
                               "details": "At least one ground-floor room with step-free access; please ask when you call."}],
            "x_confidential": True,
        }

    def virtual_location(self, org: dict[str, Any], mode: str) -> dict[str, Any]:
        key = (org["id"], mode)
        if key not in self.virtual:
            if mode == "online":
                loc = {"id": _uuid(self.rng), "location_type": "virtual", "name": f"{org['name']}: online",
                       "description": "Sessions take place by video call. A link is sent when you book."}
            else:
                loc = {"id": _uuid(self.rng), "location_type": "virtual", "name": f"{org['name']}: by telephone",
                       "description": "This service is delivered over the phone. There is no venue to visit."}
            self.virtual[key] = loc
        return self.virtual[key]

    # ---- organisations
    def build_orgs(self) -> None:
        rng = self.rng
        chc, coh = 1290100, 19900100
        for name, locs, form, templates in ORGS:
            lids = self.area_ids[locs] if isinstance(locs, str) else list(locs)
            oid = _uuid(rng)
            full = f"{name} (demo)"
            domain = _slug(name).replace("-", "") [:40] + ".example"
            form_text, scheme, scheme_type = FORM[form]
            if isinstance(locs, str):
                where = "Torbay and South Devon" if locs == "tsd" else "Plymouth"
            else:
                names = [self.localities[x]["name"] for x in lids]
                where = names[0] if len(names) == 1 else " and ".join(names)
            purpose = ORG_PURPOSE[self._purpose(templates)]
            desc = (rng.choice(ORG_BLURB).format(name=name, form=form_text, where=where) + " " + purpose +
                    " This is a fictional organisation created as demo data for the community directory; "
                    "it does not exist.")
            org = {"id": oid, "name": full, "description": desc, "email": f"hello@{domain}",
                   "website": f"https://www.{domain}/"}
            if scheme:
                chc += rng.randint(3, 400)
                coh += rng.randint(3, 900)
                ident = str(chc) if scheme == "GB-CHC" else f"{coh:08d}"
                org["organization_identifiers"] = [{
                    "id": _uuid(rng), "organization_id": oid, "identifier_scheme": scheme,
                    "identifier_type": scheme_type, "identifier": ident}]
            self.organizations.append(org)
            self.org_meta.append({"org": org, "localities": lids, "templates": templates, "area": locs,
                                  "domain": domain})

    @staticmethod
    def _purpose(templates: list[str]) -> str:
        joined = " ".join(templates)
        for key, words in (("safety", ("refuge", "da_")), ("voice", ("advocacy",)),
                           ("memory", ("memory", "dementia", "singing")), ("carers", ("carers",)),
                           ("food", ("food", "pantry", "meal", "lunch")), ("money", ("debt", "benefit", "money")),
                           ("move", ("walking", "chair", "football", "swim", "strength")),
                           ("befriend", ("friend", "befriend", "coffee", "shed")),
                           ("health", ("breathe", "heart", "stroke", "sight", "hearing", "cancer", "parkinsons")),
                           ("young", ("youth", "stay_play", "family", "arabic")),
                           ("mind", ("peer_support", "wellbeing", "recovery", "bereavement", "crisis"))):
            if any(w in joined for w in words):
                return key
        return "general"

    # ---- services
    def cost_options(self, spec: Any, sid: str) -> list[dict[str, Any]]:
        rng = self.rng

        def co(option: str, amount: float, desc: str) -> dict[str, Any]:
            return {"id": _uuid(rng), "service_id": sid, "valid_from": "2026-04-01", "option": option,
                    "amount": amount, "amount_description": desc}

        if spec == "free":
            return [co("Free", 0, "No charge")]
        if spec == "donation":
            return [co("Free, donations welcome", 0, "Optional donation towards tea and room hire")]
        kind, amounts = spec
        a = rng.choice(amounts)
        if kind == "session":
            return [co("Per session", a, f"{_money(a)} per session, including refreshments")]
        if kind == "membership":
            return [co("Annual membership", a, f"{_money(a)} a year")]
        if kind == "meal":
            return [co("Two-course lunch", a, f"{_money(a)} per meal"),
                    co("Transport to the club", 2, "£2 return, if needed")]
        if kind == "breakfast":
            return [co("Breakfast", a, f"You pay for your own breakfast, about {_money(a)}")]
        if kind == "journey":
            return [co("Single journey", a, f"{_money(a)} per single journey"),
                    co("Annual membership", 5, "£5 a year")]
        if kind == "mileage":
            return [co("Mileage contribution", a, f"{_money(a)} per mile, paid to the driver")]
        if kind == "hire":
            return [co("Hire", a, f"{_money(a)} per day")]
        if kind == "hour":
            return [co("Free allowance", 0, "First 3 hours a week free for eligible carers"),
                    co("Additional hours", a, f"{_money(a)} per hour")]
        if kind == "labour":
            return [co("Labour", 0, "Free labour for people aged 65+ and disabled people; you pay for materials")]
        if kind == "visit":
            return [co("Per visit", a, f"{_money(a)} contribution per visit")]
        if kind == "pantry":
            return [co("Weekly shop", a, f"{_money(a)} per visit for around £15 of groceries")]
        if kind == "payg":
            return [co("Pay as you feel", 0, "Pay what you can afford, or nothing")]
        if kind == "sliding":
            return [co("Sliding scale", a, f"From {_money(a)} per session, depending on income; free for people on benefits")]
        raise ValueError(kind)

    def languages(self, sid: str, extra: list[str]) -> list[dict[str, Any]]:
        out = []
        for code in ["en", *extra]:
            name, note = LANGS[code]
            item = {"id": _uuid(self.rng), "service_id": sid, "name": name, "code": code}
            if note:
                item["note"] = note
            out.append(item)
        return out

    def make_service(self, meta: dict[str, Any], tkey: str, locality: str,
                     force_postcode: str | None = None, force_sched: str | None = None,
                     force_cost: Any = None, refuge: bool = False) -> dict[str, Any]:
        rng = self.rng
        org = meta["org"]
        tpl = T[tkey]
        sid = _uuid(rng)
        places = self.locality_places(locality)
        if force_postcode:
            place = next(p for p in places if p["postcode_sector"] == force_postcode[:-2])
        else:
            place = rng.choice(places)
        p = _short_place(place["name"])
        delivery = rng.choice(tpl["delivery"])
        if refuge:
            delivery = ("in-person",)
        sched_kind = force_sched or rng.choice(tpl["sched"])
        name = rng.choice(tpl["names"]).format(place=p)
        spec = _fit_day(_schedule_spec(sched_kind, rng), name)
        if refuge:  # never name a neighbourhood for a refuge, only the locality
            name = f"{name} ({self.localities[locality]['name']} area)"
        if p not in name and "in-person" in delivery and not refuge and rng.random() < 0.7:
            name = f"{name}, {p}"
        if name in self.used_names:
            by_org = f"{name} - {org['name'].removesuffix(' (demo)')}"
            by_place = f"{name}, {p}"
            for candidate in ((by_place, by_org) if "in-person" in delivery else (by_org, by_place)):
                if candidate not in self.used_names:
                    name = candidate
                    break
        self.used_names.add(name)
        phone = self.phone_number()
        # ---- locations
        sals: list[dict[str, Any]] = []
        area_lids: list[str] = []
        if "in-person" in delivery:
            if refuge:
                loc = self.confidential_location(place, self.localities[locality]["name"])
            else:
                loc = self.venue(place, force_postcode)
            sals.append({"id": _uuid(rng), "service_id": sid, "location_id": loc["id"], "location": loc})
            area_lids.append(locality)
            # a few services run at a second venue in another locality of the organisation
            others = [x for x in meta["localities"] if x != locality]
            if not refuge and not force_postcode and others and rng.random() < 0.12:
                l2 = rng.choice(others)
                loc2 = self.venue(rng.choice(self.locality_places(l2)))
                sals.append({"id": _uuid(rng), "service_id": sid, "location_id": loc2["id"], "location": loc2})
                area_lids.append(l2)
        for mode in ("online", "telephone"):
            if mode in delivery:
                loc = self.virtual_location(org, mode)
                sals.append({"id": _uuid(rng), "service_id": sid, "location_id": loc["id"], "location": loc})
        if set(delivery) - {"in-person"}:
            for x in meta["localities"]:
                if x not in area_lids:
                    area_lids.append(x)
        # ---- schedules
        # one schedule per physical venue (linked by service_at_location_id), or one for the first
        # mode; then one per further mode (telephone hours, online sessions, home visits).
        schedules = []
        primary = delivery[0]
        if primary == "in-person":
            for sal in sals:
                if sal["location"]["location_type"] == "physical":
                    sp = spec if not schedules else _fit_day(_schedule_spec(sched_kind, rng), name)
                    schedules.append(_schedule(sp, sid, "in-person", rng, sal["id"], phone))
        else:
            schedules.append(_schedule(spec, sid, ATTENDING[primary], rng, None, phone))
        for mode in delivery[1:]:
            if mode == "telephone":
                alt = _schedule_spec(rng.choice(["office", "phone_weekday"]), rng)
            elif mode == "home-visit":
                alt = _schedule_spec("appointment", rng)
            else:
                alt = spec
            schedules.append(_schedule(alt, sid, ATTENDING[mode], rng, None, phone))
        # ---- description
        venue_name = sals[0]["location"]["name"] if sals and sals[0]["location"]["location_type"] == "physical" else None
        parts = [rng.choice(tpl["intro"])]
        parts += rng.sample(tpl["details"], min(len(tpl["details"]), rng.choice([1, 1, 2])))
        if venue_name and not refuge:
            when = schedules[0]["description"].rstrip(".")
            parts.append(rng.choice([f"We meet at {venue_name}. {when}.",
                                     f"Sessions are held at {venue_name}: {when[0].lower() + when[1:]}.",
                                     f"{when} at {venue_name}."]))
        elif schedules and not refuge:
            parts.append(schedules[0]["description"].rstrip(".") + ".")
        if "home-visit" in delivery and primary != "home-visit":
            parts.append("We can visit you at home if you cannot get out.")
        if "telephone" in delivery and "in-person" in delivery:
            parts.append("Support is also available by telephone.")
        if "online" in delivery and "in-person" in delivery:
            parts.append("You can also join online by video call.")
        if refuge:
            parts.append("Call us first: a place is offered after a confidential phone conversation.")
        elif tkey in PRACTICAL_BY_TEMPLATE:
            parts.append(rng.choice(PRACTICAL_BY_TEMPLATE[tkey]))
        elif sched_kind == "appointment" and primary == "in-person":
            parts.append(rng.choice(PRACTICAL["appointment"]))
        else:
            parts.append(rng.choice(PRACTICAL[primary]))
        if sched_kind in ("evening", "late_evening"):
            parts.append(rng.choice(["An evening session, so it suits people who work during the day.",
                                     "Evening sessions fit around work and school."]))
        costs = self.cost_options(force_cost or rng.choice(tpl["cost"]), sid)
        if all(c["amount"] == 0 for c in costs) and "free" not in " ".join(parts).lower():
            parts.append(rng.choice(["It's free.", "There is no charge.", "Free of charge."]))
        # ---- languages
        extra = []
        if tkey == "polish_advice" or ("Polish" in org["name"]):
            extra.append("pl")
        if tkey == "arabic_families" or "Arabic" in org["name"]:
            extra.append("ar")
        if tkey == "hearing_group" or "Deaf" in org["name"]:
            extra.append("bfi")
        r = rng.random()
        if not extra:
            if r < 0.04:
                extra.append("pl")
            elif r < 0.07:
                extra.append("ar")
            elif r < 0.11:
                extra.append("bfi")
        if "bfi" in extra:
            parts.append("BSL users are welcome.")
        if "pl" in extra and tkey != "polish_advice":
            parts.append("Polish speakers are welcome; a Polish-speaking volunteer is available.")
        if "ar" in extra and tkey != "arabic_families":
            parts.append("Arabic speakers are welcome; an Arabic-speaking volunteer is available.")
        ages = rng.choice(tpl["ages"])
        elig = rng.choice(tpl["elig"]).format(place=p)
        service: dict[str, Any] = {
            "id": sid,
            "organization_id": org["id"],
            "name": name,
            "description": " ".join(parts),
            "url": f"{org['website']}{_slug(name)}",
            "email": org["email"],
            "status": "active",
        }
        if ages[0] is not None:
            service["minimum_age"] = ages[0]
        if ages[1] is not None:
            service["maximum_age"] = ages[1]
        service["eligibility_description"] = elig
        service["organization"] = {"id": org["id"], "name": org["name"], "description": org["description"],
                                   "email": org["email"], "website": org["website"]}
        if org.get("organization_identifiers"):
            service["organization"]["organization_identifiers"] = org["organization_identifiers"]
        if rng.random() < 0.2:
            service["accreditations"] = rng.choice(ACCREDITATIONS)
        service["schedules"] = schedules
        service["service_areas"] = [self.service_area(x, sid) for x in area_lids]
        service["service_at_locations"] = sals
        service["languages"] = self.languages(sid, extra)
        if rng.random() < 0.45:
            service["funding"] = [{"id": _uuid(rng), "service_id": sid, "source": rng.choice(FUNDERS)}]
        service["cost_options"] = costs
        contact_id = _uuid(rng)
        cname = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        service["contacts"] = [{"id": contact_id, "service_id": sid, "name": cname, "title": tpl["role"]}]
        phones = [{"id": _uuid(rng), "number": phone,
                   "description": f"Ask for {cname.split()[0]} ({tpl['role'].lower()})."}]
        if rng.random() < 0.3:
            phones[0]["contact_id"] = contact_id
        if "telephone" in delivery:
            phones[0]["description"] = "Main line for this service. " + phones[0]["description"]
        if extra:
            phones[0]["languages"] = [{"id": _uuid(rng), "phone_id": phones[0]["id"], "name": LANGS[c][0], "code": c}
                                      for c in ["en", *extra]]
        service["phones"] = phones
        attrs = []
        for code in tpl["terms"]:
            term = self.term_obj(code)
            attrs.append({"id": _uuid(rng), "link_id": sid, "link_type": "need", "link_entity": "service",
                          "taxonomy_term_id": term["id"], "taxonomy_term": term})
        for mode in delivery:
            term = self.term_obj(mode, "delivery")
            attrs.append({"id": _uuid(rng), "link_id": sid, "link_type": "delivery_method",
                          "link_entity": "service", "taxonomy_term_id": term["id"], "taxonomy_term": term})
        service["attributes"] = attrs
        return service

    def date_fields(self, service: dict[str, Any], stale: bool) -> None:
        rng = self.rng
        if stale:
            start, end = date(2023, 5, 1), date(2025, 10, 31)
        else:
            start, end = date(2025, 12, 1), date(2026, 11, 20)
        d = start + timedelta(days=rng.randrange((end - start).days + 1))
        dt = datetime(d.year, d.month, d.day, rng.randint(8, 18), rng.randrange(60), rng.randrange(60),
                      rng.randrange(1000) * 1000)
        service["assured_date"] = d.isoformat()
        service["assurer_email"] = service["email"]
        service["last_modified"] = _iso_ms(dt)
        # keep key order tidy: dates after status
        for k in ("assured_date", "assurer_email", "last_modified"):
            service[k] = service.pop(k)

    # ---- whole data set
    def build(self) -> dict[str, Any]:
        rng = self.rng
        self.build_orgs()
        services: list[dict[str, Any]] = []
        for meta in self.org_meta:
            refuges = list(REFUGE_LOCALITIES.get(meta["org"]["name"].removesuffix(" (demo)"), []))
            for i, tkey in enumerate(meta["templates"]):
                if tkey == "refuge":
                    lid = refuges.pop(0)
                    services.append(self.make_service(meta, tkey, lid, refuge=True))
                    continue
                locs = meta["localities"]
                lid = locs[(i + rng.randrange(len(locs))) % len(locs)] if len(locs) > 1 else locs[0]
                if meta is self.org_meta[0] and i == 0:
                    # the required free Saturday befriending group near TQ1 1AA, Torquay
                    services.append(self.make_service(meta, tkey, "torquay", force_postcode="TQ1 1AA",
                                                      force_sched="saturday", force_cost="free"))
                    continue
                services.append(self.make_service(meta, tkey, lid))
        # statuses and alerts
        for s in services:
            r = rng.random()
            if r < 0.03:
                s["status"] = "temporarily closed"
                s["alert"] = rng.choice(["Temporarily closed while we find a new venue.",
                                         "Paused until we recruit more volunteers."])
            elif r < 0.045:
                s["status"] = "inactive"
            elif r < 0.12:
                s["alert"] = rng.choice(ALERTS)
        stale = set(rng.sample(range(len(services)), max(36, len(services) // 9)))
        for i, s in enumerate(services):
            self.date_fields(s, i in stale)
            # keep the showcase Saturday group fresh and active
        first = services[0]
        first["status"] = "active"
        first.pop("alert", None)
        if first["assured_date"] < STALE_BEFORE.isoformat():
            self.date_fields(first, False)
        return {"organizations": self.organizations, "services": services}


def generate(seed: int = 2026) -> dict[str, list[dict[str, Any]]]:
    """Full demo data set: {"organizations": [...], "services": [...]} (ORUK 3.0 objects)."""
    return _Builder(seed).build()


def write_services(services: list[dict[str, Any]], path: Path) -> None:
    """A JSON list with one service per line (as ``flask directory export-oruk`` writes it), so
    a regenerated file diffs service by service."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("[\n")
        fh.write(",\n".join(json.dumps(s, ensure_ascii=False, separators=(",", ":"))
                             for s in services))
        fh.write("\n]\n")


def main(argv: list[str]) -> int:
    import argparse

    ap = argparse.ArgumentParser(
        prog="python -m tools.demo_generator",
        description="Regenerate the fictional demo directory as ORUK 3.0 JSON.")
    ap.add_argument("out", nargs="?", type=Path, default=DEMO_FILE,
                    help=f"output JSON file (default {DEMO_FILE.relative_to(ROOT)})")
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args(argv)
    services = generate(args.seed)["services"]
    write_services(services, args.out)
    print(f"wrote {len(services)} services to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
