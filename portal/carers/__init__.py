"""Carer's assessment self-referral (Care Act 2014 s.10): the form, routing, the team's queue."""
