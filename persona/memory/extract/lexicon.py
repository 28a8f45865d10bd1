"""Word lists and phrase patterns the rule-based extractor matches against."""

from __future__ import annotations

import re

NON_OBJECTS = {
    "you", "it", "that", "this", "those", "these", "them", "him", "her", "to", "when", "how",
    "what", "your", "yours",
}  # fmt: skip
# a captured value ending in one of these was cut mid-phrase ("going to", "working on")
DANGLING = {
    "to", "in", "at", "on", "with", "for", "the", "a", "an", "of", "my", "from", "by", "like",
    "and", "or", "about",
}  # fmt: skip
JOBS = {
    "nurse", "chef", "doctor", "lawyer", "engineer", "teacher", "student", "pilot", "cook",
    "judge", "clerk", "barista", "dentist", "surgeon", "architect", "farmer", "consultant",
    "accountant", "developer", "programmer", "designer", "manager", "writer", "artist",
    "musician", "scientist", "researcher", "professor", "freelancer", "firefighter",
    "electrician", "plumber", "mechanic", "pharmacist", "therapist", "journalist", "analyst",
    "paramedic", "veterinarian", "vet", "carpenter", "baker", "waiter", "waitress", "cashier",
}  # fmt: skip
JOB_SUFFIXES = ("er", "or", "ist", "ian", "eer")
NOT_JOBS = {
    "fan", "lover", "beginner", "member", "user", "customer", "owner", "believer", "person",
    "big", "huge", "other", "brother", "mother", "father", "sister", "daughter", "partner",
    "neighbor", "neighbour", "vegetarian", "vegan", "foreigner", "newcomer", "player", "gamer",
    "reader", "runner", "dreamer", "nerd", "introvert",
}  # fmt: skip
PETS = (
    "dog|cat|puppy|kitten|parrot|hamster|rabbit|bunny|bird|fish|horse|turtle|tortoise|snake|"
    "lizard|ferret|guinea pig"
)
NUMBER_WORDS = r"a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d+"
PARTNERS = {"wife", "husband", "partner", "girlfriend", "boyfriend", "fiancee", "fiancée",
             "fiance", "fiancé", "spouse"}  # fmt: skip
EVENT_VERBS = (
    "got married|got engaged|got divorced|got promoted|got a new job|graduated|retired|"
    "started|began|finished|completed|bought|adopted|visited|went|travel(?:l)?ed|ran|had|met|"
    "lost|won|quit|joined|left|broke up|gave birth|had a baby|launched|published|climbed"
)

EVENT_CUT = re.compile(
    r"\s[-\u2013\u2014]\s.*$|,.*$|\s+(?:but|and it|and that|and i|which|so|when|because|since|"
    r"while)\b.*$",
    re.IGNORECASE,
)
TIME = (
    r"(?:last|this|next) (?:week|weekend|month|year|summer|winter|spring|fall|autumn|night|"
    r"morning|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
)
CUT_COMMON = (
    r",.*$|\s[-\u2013\u2014]\s.*$|\s+(?:but|because|since|so|where|which|who|though|although|"
    rf"for now|right now|these days|at the moment|currently|now|recently|ago|too|{TIME})\b.*$"
)
DEICTIC = re.compile(r"\b(?:this|these|those|here)\b", re.IGNORECASE)
VALUE_CUT = re.compile(rf"{CUT_COMMON}|\s+(?:and|with)\b.*$", re.IGNORECASE)
# "I love action and sci-fi movies": an object may contain "and"/"with"
OPINION_CUT = re.compile(CUT_COMMON, re.IGNORECASE)
