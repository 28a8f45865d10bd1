"""English statement patterns."""

from __future__ import annotations

from persona.memory.extract import builders as b
from persona.memory.extract import lexicon as lx
from persona.memory.extract.health import DIET_WORDS
from persona.memory.extract.lang.base import ORG, Language

_I_AM = r"i(?:'m| am)"
_I_HAVE = r"i(?:'ve| have)"
_HAVE = rf"(?:{_I_HAVE}(?: got)?|i(?:'ve)? got|i have)"
_NOT = r"(?:don't|do not|never)"
_WE = r"(?:we|my \w+ and i|\w+ and i)"
_SEVERITY = r"(?:(?:severely|very|mildly|deathly|highly|really|extremely|quite) )?"

PATTERNS = [
    (
        rf"^(?:my name(?:'s| is)|(?:the )?name's|call me|{_I_AM} called|people call me|i go by) "
        r"(?P<v>.+)$",
        b.name,
    ),
    (r"^i (?:currently |now |still )?(?:live|reside) in (?P<v>.+)$", b.location),
    (rf"^{_I_AM} (?:currently |now )?(?:living|based|residing|staying) in (?P<v>.+)$", b.location),
    (
        rf"^(?:i|{_I_HAVE}|{_WE}(?: have|'ve)?)(?: just| recently| finally| now)? "
        r"(?:moved|relocated)(?: back| over)? to (?P<v>.+)$",
        b.location,
    ),
    (
        rf"^(?:i|{_I_HAVE}|{_WE}(?: have|'ve)?)(?: just| recently| finally)? settled in (?P<v>.+)$",
        b.location,
    ),
    (r"^we (?:currently |now )?live in (?P<v>.+)$", b.location),
    # chat leaves the subject out: "Just moved to Austin!" (a capitalised place only)
    (r"^(?:just |recently |finally )?(?:moved|relocated) to (?P<v>(?-i:[A-Z]).+)$", b.location),
    (rf"^(?:{_I_HAVE}|we've|we have) been (?:living|based) in (?P<v>.+)$", b.location),
    (rf"^(?:{_I_AM} (?:originally )?from|i come from) (?P<v>.+)$", b.hometown),
    (r"^i was born in (?P<v>.+)$", b.born_in),
    (r"^i was born on (?P<v>.+)$", b.born_on),
    (r"^my birthday(?:'s| is)(?: on)? (?P<v>.+)$", b.birthday),
    (
        rf"^{_I_AM}(?: now| also| strictly| a strict)? (?:a |an )?"
        rf"(?P<v>vegetarian|vegan|pescatarian|pescetarian|flexitarian|carnivore)"
        r"(?: now| again| these days| nowadays| too)?$",
        b.diet,
    ),
    (
        rf"^{_I_HAVE} been (?:a |an )?(?P<v>{DIET_WORDS})"
        r"(?: (?:for|since) .*)?$",
        b.diet,
    ),
    (
        rf"^(?:i|{_I_HAVE}) (?:went|gone|become|became|turned) (?P<v>{DIET_WORDS})"
        r"(?: (?:in|last|this|since|a|two|three|\d+) .*| now| again)?$",
        b.diet,
    ),
    (rf"^{_I_AM} {_SEVERITY}allergic to (?P<v>.+)$", b.allergy),
    (
        rf"^{_HAVE} (?:an? )?{_SEVERITY}(?:severe |mild |bad |serious |strong )?"
        r"(?P<v>[\w -]+?) allergy$",
        b.allergy,
    ),
    (rf"^{_HAVE} (?:an? )?(?:severe |mild |bad |serious )?allergy to (?P<v>.+)$", b.allergy),
    (rf"^{_I_AM} (?P<v>lactose|gluten)[- ]intolerant$", b.intolerance),
    (rf"^{_I_AM} intolerant to (?P<v>lactose|gluten)$", b.intolerance),
    (rf"^{_HAVE} (?:an? )?(?P<v>lactose|gluten) intolerance$", b.intolerance),
    (
        rf"^{_I_AM} (?P<v>(?:type [12] )?diabetic|asthmatic|epileptic|celiac|coeliac|anemic|"
        r"anaemic)$",
        b.condition,
    ),
    (
        rf"^(?:(?:{_I_HAVE} been|i was|{_I_AM}) diagnosed with|{_HAVE}|i suffer from|"
        rf"{_I_AM} living with) (?P<v>.+)$",
        b.condition,
    ),
    (rf"^(?:i (?:take|use)|{_I_AM} on|{_I_AM} taking) (?P<v>.+)$", b.medication),
    (r"^i (?P<v>smoke)(?: (?:cigarettes|every day|a lot|daily))?$", b.habit),
    (rf"^i {_NOT} eat (?P<v>.+)$", b.avoids),
    (rf"^{_I_AM} (?:strictly )?(?P<v>gluten|dairy|lactose|sugar|meat|nut)-free$", b.avoids),
    (
        rf"^(?:i take|{_I_AM} on|{_I_AM} taking) (?:medication|medicine|meds|pills|tablets) "
        r"for (?P<v>.+)$",
        b.condition,
    ),
    (rf"^(?:i|{_I_AM}) (?:currently )?work(?:ing)? as (?P<v>.+)$", b.job),
    (r"^my (?:job|profession|occupation) is (?P<v>.+)$", b.job),
    (rf"^my (?:employer|company) is (?P<v>{ORG})$", b.employer),
    (rf"^{_I_AM} employed (?:at|by) (?P<v>{ORG})(?: .*)?$", b.employer),
    (
        rf"^(?:i|{_I_AM}|{_I_HAVE} been|i now) (?:currently |now )?work(?:ing)? (?:at|for) "
        r"(?P<v>.+)$",
        b.employer,
    ),
    (
        rf"^(?:i|{_I_HAVE}|i've) (?:just |recently )?(?:got |been |was )?(?:hired|employed) "
        rf"(?:at|by) (?P<v>{ORG})(?: .*)?$",
        b.employer,
    ),
    (
        r"^i (?:just |recently )?(?:started|got|began|took) (?:a )?(?:new )?(?:job|position|role)"
        r" (?:at|with|for) (?P<v>.+)$",
        b.employer,
    ),
    (
        rf"^(?:i|{_I_HAVE}) (?:just |recently )?"
        r"(?:(?:left|quit) (?-i:[A-Z][\w&.-]*(?: [A-Z][\w&.-]*)?) (?:and|to) )?"
        rf"(?:joined|started at|started working (?:at|for)) (?P<v>{ORG})"
        r"(?: as .*| last .*| this .*| in .*)?$",
        b.employer,
    ),
    (rf"^{_I_AM} (?:now )?(?P<v>retired|unemployed|self-employed)$", b.job_status),
    (
        rf"^{_I_AM} (?P<a>a|an) (?P<v>[\w -]+?)(?: (?:at|in|for|with|from|by profession|by trade)"
        r"\b.*)?$",
        b.job_is_a,
    ),
    (
        r"^i (?:really |absolutely |also |just |kind of |kinda )*"
        r"(?P<verb>like|love|enjoy|adore|prefer|hate|dislike|detest|loathe) "
        r"(?:also |really |so much |a lot )?(?P<v>.+)$",
        b.opinion,
    ),
    (rf"^i (?P<neg>{_NOT}) (?:really )?(?P<verb>like|enjoy|love) (?P<v>.+)$", b.opinion),
    (r"^i (?P<verb>can't|cannot|can not) stand (?P<v>.+)$", b.opinion),
    (rf"^{_I_AM} (?:a (?:big |huge )?fan of|really into|into|obsessed with) (?P<v>.+)$", b.fan_of),
    (
        rf"^{_I_AM} (?:happily )?(?P<v>married|single|divorced|engaged|widowed|separated)"
        r"(?: to (?P<p>.+))?$",
        b.marital,
    ),
    (
        rf"^(?:{_I_HAVE}|i)(?: got)? (?P<n>{lx.NUMBER_WORDS}) "
        r"(?P<what>kids?|children|child|sons?|daughters?)$",
        b.children,
    ),
    (
        rf"^(?:{_I_HAVE}|i)(?: got)? (?P<n>{lx.NUMBER_WORDS}) (?P<pet>{lx.PETS})s?"
        r"(?: (?:called|named) (?P<name>.+))?$",
        b.pet,
    ),
    (
        r"^my (?P<rel>wife|husband|partner|girlfriend|boyfriend|fiancee|fiancée|fiance|fiancé|"
        r"spouse|son|daughter|sister|brother|mother|father|mom|mum|dad|dog|cat)"
        r"(?:'s name is| is called| is named| is) (?P<v>.+)$",
        b.relative_name,
    ),
    (
        rf"^{_I_AM} (?:now )?(?P<v>\d{{1,3}})(?: years old| yrs old| years of age| year old)?"
        r"(?: now)?$",
        b.age,
    ),
    (r"^i (?:just )?turned (?P<v>\d{1,3})(?: (?:last|this|yesterday|today|on)\b.*)?$", b.age),
    (rf"^i (?:just )?(?P<verb>{lx.EVENT_VERBS})(?P<rest>\b.*)$", b.event),
]

LANGUAGE = Language(
    code="en",
    patterns=PATTERNS,
    starters=r"i|i'm|i've|my|we|we're|we've",
    conjunctions=r"and|but|also|plus|so",
    leads=(
        r"well|actually|oh|so|also|and|but|btw|by the way|anyway|now|fyi|just so you know|"
        r"as you know|oh and|these days|nowadays|sorry|oops|honestly|in fact|funny enough|"
        r"(?:after|since|for|in|during|from|as of|starting)\b[^,]*?(?=\s(?:i|we)\b)|"
        r"(?:last|this) (?:year|month|week|spring|summer|fall|autumn|winter)"
    ),
    leads_comma=r"ok|okay|yes|yeah|no|nope|hey|hi|hello",
    hypothetical=(
        r"\b(?:if|unless|would|might|wish|imagine|suppose|pretend|hypothetically|whether|"
        r"maybe|perhaps|possibly|planning|plan to|going to|gonna|want to|wanna|hope to|"
        r"hoping to|thinking about|thinking of|considering|intend to|about to|will|shall|"
        r"tomorrow|someday|some day|one day|at some point|"
        r"next (?:week|month|year|summer|winter|spring|fall|autumn|weekend))\b|"
        r"\bwhat if\b|'ll\b|'d\b"
    ),
    no_longer=[
        (r"^(?P<s>i(?:'m| am)?) no longer (?P<x>.+)$", r"\g<s> \g<x>"),
        (r"^(?P<s>i(?:'m| am)) not (?P<x>.+?) any ?more$", r"\g<s> \g<x>"),
        (r"^i (?:don't|do not) (?P<x>.+?) any ?more$", r"I \g<x>"),
        (r"^i used to (?P<x>.+)$", r"I \g<x>"),
        (r"^i(?: have|'ve)? (?:stopped|quit|given up|gave up) (?P<x>smoking)\b.*$", r"I smoke"),
    ],
    meant=r"i meant|i mean|i said|what i meant was|it's|it is",
    not_word=r"not",
    remember=(
        r"remember(?: this)?|don't forget|do not forget|keep in mind|note|please note|"
        r"make a note"
    ),
    # "delete …" is a command only about what persona knows ("delete what you know about X")
    forget=(
        r"forget(?: about| that)?|(?:delete|erase|remove)(?= (?:everything|all|anything|"
        r"what you know|what i told you)\b)"
    ),
)
