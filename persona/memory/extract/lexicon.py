"""Word lists the rule-based extractor matches against."""

from __future__ import annotations

NON_OBJECTS = {"you", "it", "that", "this", "them", "him", "her", "to", "when", "how", "what"}
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
