"""Multi-page forms as data: questions, pages, branching and error wording in one YAML file.

``definition`` reads a journey file; ``flow`` works out the path through it from the answers
so far (the first unanswered page, where branches lead, which flags are raised); ``forms``
builds a WTForms form for one page; ``models``/``services`` keep a draft's answers, encrypted,
keyed by a random token (so it works without an account).
"""
