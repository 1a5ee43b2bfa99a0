"""The processes of a day (MODEL.md §3), one module each.

Every module declares the columns it adds to the daily record, its vectorised
version (``vector(people, run, today)``: the whole population as numpy arrays)
and its per-agent version (``agent(customers, run, today)``: Mesa agents, one
at a time) side by side, both calling the rules of ``agents.rules``; ``run`` is
the run's fixed context, ``today`` the day's state (``agents.processes.base``). The order of
the day is written once, in ``sim.model.ServiceModel.DAY``:

    advertising     §3.1      promises pull expectations
    service         §3.2-3.3  visits, the service chain, perception
    judgement       §3.4-3.7  disconfirmation, satisfaction, trust, learning
    voice           §3.8      complain or stay silent
    recovery        §3.9      the front line, and the desk's queue (SimPy)
    defection       §3.10     stay or leave
    word_of_mouth   §3.11     customers talk
    acquisition     §3.12     prospects join
    bookkeeping     §3.13     customers age; the day is read into the record
"""

from agents.processes.acquisition import ACQUISITION
from agents.processes.advertising import ADVERTISING
from agents.processes.bookkeeping import BOOKKEEPING
from agents.processes.defection import DEFECTION
from agents.processes.judgement import JUDGEMENT
from agents.processes.recovery import RECOVERY
from agents.processes.service import SERVICE
from agents.processes.voice import VOICE
from agents.processes.word_of_mouth import WORD_OF_MOUTH

__all__ = [
    "ACQUISITION",
    "ADVERTISING",
    "BOOKKEEPING",
    "DEFECTION",
    "JUDGEMENT",
    "RECOVERY",
    "SERVICE",
    "VOICE",
    "WORD_OF_MOUTH",
]
