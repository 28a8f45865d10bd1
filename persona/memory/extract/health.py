"""Health words in six languages: allergens, conditions, medications, diets.

Health facts are stored with high importance and keyed by a canonical English name
("allergy:peanuts", "condition:diabetes"), so the same fact said in two languages is one
attribute. The user's own word is kept next to the canonical one ("Is allergic to peanuts
(Erdnüsse)"): a translation can lose a nuance, the user's word cannot.
"""

from __future__ import annotations

import re

HEALTH_IMPORTANCE = 0.9

# canonical name -> regex of the words for it (stems; matched case-insensitively, whole words)
_ALLERGENS = {
    "peanuts": r"peanuts?|erdn(?:uss|üsse?)|arachides?|cacahu[eè]tes?|man[ií]|amendoi[mn]s?|"
    r"arachidi",
    "nuts": r"(?:tree )?nuts?|n[üu]sse|noix|nueces|frutos secos|nozes|noci|frutta secca",
    "shellfish": r"shellfish|meeresfrüchte|schalentiere|krustentiere|fruits de mer|crustacés|"
    r"mariscos?|frutos do mar|crostacei|frutti di mare",
    "penicillin": r"penicillin[ea]?|pénicilline|penicilina",
    "gluten": r"gluten|glutine|glúten",
    "lactose": r"lactose|laktose|lactosa|lattosio",
    "eggs": r"eggs?|eier|œufs|oeufs|huevos?|ovos?|uova",
    "milk": r"milk|milch|lait|leche|leite|latte",
    "soy": r"soy|soja|soia",
    "fish": r"fish|fisch|poissons?|pescado|peixe|pesce",
    "sesame": r"sesame|sesam|sésamo|sesamo",
    "pollen": r"pollen|polen|pólen|polline|hay ?fever|heuschnupfen",
    "cats": r"cats?|katzen?|chats?|gatos?|gatti",
    "dogs": r"dogs?|hunde?|chiens?|perros?|cães|cachorros?|cani",
    "bee stings": r"bees?|bee stings?|bienen(?:stiche)?|abeilles|abejas|abelhas|api",
    "wasp stings": r"wasps?|wasp stings?|wespen(?:stiche)?|guêpes|avispas|vespas|vespe",
    "latex": r"latex|látex|lattice",
    "dust mites": r"dust(?: mites)?|hausstaub(?:milben)?|acariens|ácaros|acari|poeira",
    "aspirin": r"aspirin[ea]?|aspirine",
    "ibuprofen": r"ibuprofen[eo]?",
    "strawberries": r"strawberr(?:y|ies)|erdbeeren?|fraises?|fresas?|morangos?|fragole",
    "kiwi": r"kiwis?",
}
_CONDITIONS = {
    "diabetes": r"(?:type [12] |typ[- ][12][- ]?)?diab[eè]t(?:es|e|is)|zuckerkrankheit|"
    r"diabete|diabetic|diabétique|diab[ée]tic[oa]|diabetiker(?:in)?",
    "asthma": r"asthma|asthme|asma|asthmatic|asthmatique|asm[áa]tic[oa]|asthmatiker(?:in)?",
    "celiac disease": r"c(?:o)?eliac(?: disease)?|zöliakie|maladie cœliaque|cœliaque|"
    r"celiaqu[ií]a|celiachia|doença celíaca|cel[íi]ac[oa]",
    "Crohn's disease": r"(?:maladie de |morbus |enfermedad de |morbo di |doença de )?crohn(?:'s)?"
    r"(?: disease)?",
    "migraines": r"migraines?|migräne|migrañas?|emicrania|enxaquecas?",
    "high blood pressure": r"high blood pressure|hypertension|bluthochdruck|hipertensi[oó]n|"
    r"pressão alta|tensión alta|presión alta|pressione alta|tension artérielle élevée|"
    r"ipertensione|hipertensão|hypertonie",
    "epilepsy": r"epilep(?:sy|sie|sia)|épilepsie|epileptic|épileptique|epil[ée]ptic[oa]|"
    r"epilettic[oa]|epileptiker(?:in)?",
    "depression": r"depression|dépression|depresi[oó]n|depressione|depressão",
    "anxiety": r"anxiety(?: disorder)?|angststörung|anxiété|ansiedad|ansia|ansiedade",
    "ADHD": r"adhd|adhs|tdah|tdha",
    "arthritis": r"(?:rheumatoid )?arthrit(?:is|e)|artrite|artritis",
    "eczema": r"eczema|ekzem|neurodermitis|eczéma|eccema",
    "psoriasis": r"psoriasis|psoriase|psoriasi",
    "IBS": r"ibs|irritable bowel syndrome|reizdarm(?:syndrom)?|syndrome de l'intestin irritable|"
    r"colon irritable|colon irritabile|síndrome do intestino irritável",
    "hypothyroidism": r"hypothyroidism|hashimoto(?:'s)?(?: disease)?|schilddrüsenunterfunktion|"
    r"hypothyroïdie|hipotiroidismo|ipotiroidismo",
    "multiple sclerosis": r"multiple sclerosis|multiple sklerose|sclérose en plaques|"
    r"esclerosis múltiple|sclerosi multipla|esclerose múltipla|\bms\b",
    "anemia": r"an(?:a)?emia|anämie|anémie|anemia",
    "gout": r"gout|gicht|goutte|gota|gotta",
    "sleep apnea": r"sleep apn(?:o)?ea|schlafapnoe|apnée du sommeil|apnea del sueño",
    "hay fever": r"hay ?fever|heuschnupfen|rhume des foins|fiebre del heno|febbre da fieno|"
    r"rinite alérgica|rinitis alérgica",
    "tinnitus": r"tinnitus|acouphènes|acúfenos|acufene|zumbido",
    "endometriosis": r"endometriosis|endometriose|endométriose|endometriosi",
}
_MEDICATIONS = {
    "insulin": r"insulin[ea]?|insuline",
    "metformin": r"metformin[ea]?",
    "levothyroxine": r"levothyrox(?:ine)?|l-thyroxin|levotiroxina|euthyrox",
    "blood thinners": r"blood thinners|blutverdünner|anticoagulants|anticoagulantes|"
    r"anticoagulanti|warfarin[ea]?|marcumar",
    "antidepressants": r"antidepressants?|antidepressiva|antidépresseurs|antidepresivos|"
    r"antidepressivi|antidepressivos",
    "birth control pill": r"the pill|birth control(?: pills?)?|die pille|la pilule|"
    r"la píldora|la pillola|a pílula",
}
# drug names by their stem endings (international nonproprietary names)
_DRUG_SUFFIX = (
    r"[a-zà-ÿ]{2,}(?:statin[ea]?|pril|sartan[ae]?|olol|prazol[ea]?|cillin[ea]?|cilina|mycin[ea]?|"
    r"oxetin[ea]?|formin[ea]?|triptan[ae]?|profen[eo]?|zepam|zolam|gliptin[ea]?|"
    r"dipin[ea]?|thiazid[ea]?|tidin[ea]?|tiazida|tiazide)"
)
DIETS = {
    "vegan": r"vegan(?:er(?:in)?|e|o|a)?|végan(?:e)?|végétalien(?:ne)?",
    "vegetarian": r"vegetari(?:an|er(?:in)?|ano|ana)|végétarien(?:ne)?",
    "pescatarian": r"pes[ck]atari(?:an|er(?:in)?|ano|ana)|pescetari(?:an|er(?:in)?|ano|ana)|"
    r"pescétarien(?:ne)?|pescatarien(?:ne)?",
    "flexitarian": r"flexitari(?:an|er(?:in)?|ano|ana)|flexitarien(?:ne)?",
}


def _table(words: dict[str, str]) -> list[tuple[str, re.Pattern[str]]]:
    return [(name, re.compile(rf"\b(?:{rx})\b", re.IGNORECASE)) for name, rx in words.items()]


_ALLERGEN_RX = _table(_ALLERGENS)
_CONDITION_RX = _table(_CONDITIONS)
_MEDICATION_RX = _table(_MEDICATIONS)
_DIET_RX = [(n, re.compile(rf"(?:{rx})", re.IGNORECASE)) for n, rx in DIETS.items()]
_DRUG_RX = re.compile(rf"^(?:{_DRUG_SUFFIX})$", re.IGNORECASE)
DIET_WORDS = "|".join(DIETS.values())


def _lookup(table: list[tuple[str, re.Pattern[str]]], phrase: str) -> str | None:
    return next((name for name, rx in table if rx.search(phrase)), None)


def allergen(phrase: str) -> str | None:
    """The canonical name of the allergen a phrase names, or None."""
    return _lookup(_ALLERGEN_RX, phrase)


def condition(phrase: str) -> str | None:
    """The canonical name of a known condition in `phrase`, or None."""
    return _lookup(_CONDITION_RX, phrase)


def medication(phrase: str) -> str | None:
    """The canonical name of a medication `phrase` names, or None when it names none.

    A drug not in the word list counts when its name has a drug-stem ending ("losartana").
    """
    if (name := _lookup(_MEDICATION_RX, phrase)) is not None:
        return name
    word = phrase.split()[0] if phrase.split() else ""
    return word.lower() if _DRUG_RX.match(word) else None


def diet(word: str) -> str | None:
    """The canonical diet a word names ("Veganerin" -> "vegan"), or None."""
    return next((name for name, rx in _DIET_RX if rx.fullmatch(word)), None)


def with_original(canonical: str, original: str) -> str:
    """`canonical`, followed by the user's own word when it differs ("peanuts (Erdnüsse)")."""
    if original.lower() in (canonical.lower(), canonical.lower().rstrip("s")):
        return canonical
    return f"{canonical} ({original})"
