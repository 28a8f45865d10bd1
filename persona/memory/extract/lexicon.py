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
    r"for now|right now|by the way|btw|these days|at the moment|currently|now|recently|ago|"
    rf"too|{TIME})\b.*$"
)
DEICTIC = re.compile(r"\b(?:this|these|those|here)\b", re.IGNORECASE)
VALUE_CUT = re.compile(rf"{CUT_COMMON}|\s+(?:and|with)\b.*$", re.IGNORECASE)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# a place ends where the when and why of the move begin ("Dublin for my husband's job",
# "Lisbon in March", "Seattle two months ago")
PLACE_CUT = re.compile(
    rf"{CUT_COMMON}|\s+(?:and|with|for|after|before|during|last|this|"
    rf"in (?:{_MONTHS}|\d{{4}}))\b.*$|"
    r"\s+(?:\w+ )?(?:days?|weeks?|months?|years?) ago\b.*$",
    re.IGNORECASE,
)
# a list of objects runs past commas ("peanuts, shellfish and eggs")
LIST_CUT = re.compile(CUT_COMMON.replace(",.*$|", "", 1), re.IGNORECASE)
# "I love action and sci-fi movies": an object may contain "and"/"with"
OPINION_CUT = re.compile(CUT_COMMON, re.IGNORECASE)

# a job ends where a place or employer begins ("a nurse at the county hospital")
JOB_CUT = re.compile(
    rf"{CUT_COMMON}|\s+(?:and|with|at|in|for|an|am|bei|im|und|seit|à|au|dans|chez|pour|et|"
    r"depuis|en|a|al|en un|en una|y|desde|para|em|na|no|numa|num|e|há|presso|da|per|"
    r"con|nel|nella|di)\b.*$",
    re.IGNORECASE,
)
# a medication ends where its schedule begins ("metformin every morning")
MED_CUT = re.compile(
    rf"{CUT_COMMON}|\s+(?:every|each|daily|twice|once|in the|for|against|täglich|jeden|jede|"
    r"morgens|abends|gegen|für|seit|tous|toutes|chaque|le matin|le soir|contre|pour|depuis|"
    r"todos|todas|cada|por la|para|contra|desde|ogni|tutti|tutte|al giorno|la mattina|"
    r"per|contro|da|por dia|de manhã|à noite|há)\b.*$",
    re.IGNORECASE,
)
# a condition ends where the when begins ("diabetes el año pasado", "asthma as a kid")
CONDITION_CUT = re.compile(
    rf"{CUT_COMMON}|\s+(?:as a|since|last|when|for|and|el año|el mes|desde|hace|l'année|"
    r"depuis|seit|letztes|vor|da|dall'|l'anno|há|no ano|desde)\b.*$",
    re.IGNORECASE,
)
NON_NAMES = {
    "not", "sure", "sorry", "tired", "here", "back", "fine", "ok", "okay", "done", "busy",
    "übrigens", "auch", "nicht", "aussi", "pas", "también", "no", "anche", "non", "também",
}  # fmt: skip
# pronoun objects in the other languages ("ich mag es", "j'aime ça", "me gusta eso")
NON_OBJECTS_I18N = {
    "es", "das", "dich", "euch", "sie", "ihn", "ça", "cela", "ceci", "le", "la", "les", "eso",
    "esto", "esta", "este", "lo", "questo", "questa", "quello", "quella", "ciò", "isso",
    "isto", "disso", "disto", "você", "voce", "te", "ti", "du", "mucho", "muito", "molto",
    "beaucoup", "sehr", "bien", "tanto", "poco", "nicht", "nada", "niente", "tutto", "todo",
    "alles", "tout",
}  # fmt: skip
NOT_EMPLOYERS = {"home", "the moment", "night", "nights", "weekends", "casa", "home office"}
# occupations in German, French, Spanish, Italian and Portuguese (both genders)
JOBS_I18N = {
    # de
    "lehrer", "lehrerin", "arzt", "ärztin", "krankenpfleger", "krankenpflegerin",
    "krankenschwester", "pfleger", "pflegerin", "ingenieur", "ingenieurin", "entwickler",
    "entwicklerin", "programmierer", "programmiererin", "anwalt", "anwältin", "koch", "köchin",
    "student", "studentin", "architekt", "architektin", "journalist", "journalistin",
    "apotheker", "apothekerin", "buchhalter", "buchhalterin", "polizist", "polizistin",
    "feuerwehrmann", "pilot", "pilotin", "kellner", "kellnerin", "elektriker", "elektrikerin",
    "mechaniker", "mechanikerin", "zahnarzt", "zahnärztin", "tierarzt", "tierärztin",
    "psychologe", "psychologin", "forscher", "forscherin", "übersetzer", "übersetzerin",
    "berater", "beraterin", "bäcker", "bäckerin", "friseur", "friseurin", "musiker",
    "musikerin", "schriftsteller", "schriftstellerin", "designer", "designerin", "erzieher",
    "erzieherin", "verkäufer", "verkäuferin", "hebamme", "physiotherapeut", "physiotherapeutin",
    "softwareentwickler", "softwareentwicklerin", "rentner", "rentnerin", "landwirt",
    "landwirtin", "schreiner", "schreinerin", "tischler", "tischlerin", "fotograf",
    "fotografin", "professor", "professorin", "wissenschaftler", "wissenschaftlerin",
    "krankenhausarzt", "sozialarbeiter", "sozialarbeiterin", "manager", "managerin",
    # fr
    "infirmier", "infirmière", "professeur", "professeure", "prof", "enseignant", "enseignante",
    "instituteur", "institutrice", "médecin", "ingénieur", "ingénieure", "développeur",
    "développeuse", "programmeur", "programmeuse", "avocat", "avocate", "cuisinier",
    "cuisinière", "étudiant", "étudiante", "architecte", "journaliste", "pharmacien",
    "pharmacienne", "comptable", "policier", "policière", "pompier", "pilote", "serveur",
    "serveuse", "électricien", "électricienne", "mécanicien", "mécanicienne", "dentiste",
    "vétérinaire", "psychologue", "chercheur", "chercheuse", "traducteur", "traductrice",
    "consultant", "consultante", "boulanger", "boulangère", "coiffeur", "coiffeuse",
    "musicien", "musicienne", "écrivain", "écrivaine", "graphiste", "vendeur", "vendeuse",
    "sage-femme", "kinésithérapeute", "kiné", "retraité", "retraitée", "agriculteur",
    "agricultrice", "photographe", "chauffeur", "plombier", "menuisier", "caissier",
    "caissière", "chef", # es
    "enfermero", "enfermera", "profesor", "profesora", "maestro", "maestra", "médico", "médica",
    "ingeniero", "ingeniera", "desarrollador", "desarrolladora", "programador", "programadora",
    "abogado", "abogada", "cocinero", "cocinera", "estudiante", "arquitecto", "arquitecta",
    "periodista", "farmacéutico", "farmacéutica", "contable", "contador", "contadora",
    "policía", "bombero", "bombera", "piloto", "camarero", "camarera", "electricista",
    "mecánico", "mecánica", "dentista", "veterinario", "veterinaria", "psicólogo", "psicóloga",
    "investigador", "investigadora", "traductor", "traductora", "consultor", "consultora",
    "panadero", "panadera", "peluquero", "peluquera", "músico", "música", "escritor",
    "escritora", "diseñador", "diseñadora", "fisioterapeuta", "jubilado", "jubilada",
    "agricultor", "agricultora", "fotógrafo", "fotógrafa", "fontanero", "carpintero",
    "cajero", "cajera", "funcionario", "funcionaria", # it
    "infermiere", "infermiera", "insegnante", "professoressa", "medico", "dottore",
    "dottoressa", "ingegnere", "sviluppatore", "sviluppatrice", "programmatore",
    "programmatrice", "avvocato", "avvocatessa", "cuoco", "cuoca", "studente", "studentessa",
    "architetto", "giornalista", "farmacista", "commercialista", "contabile", "poliziotto",
    "poliziotta", "vigile del fuoco", "pilota", "cameriere", "cameriera", "elettricista",
    "meccanico", "psicologo", "psicologa", "ricercatore", "ricercatrice",
    "traduttore", "traduttrice", "consulente", "panettiere", "panettiera", "parrucchiere",
    "parrucchiera", "musicista", "scrittore", "scrittrice", "pensionato", "pensionata",
    "agricoltore", "fotografo", "fotografa", "idraulico", "falegname", "cassiere", "cassiera",
    "impiegato", "impiegata", "ostetrica",
    # pt
    "enfermeiro", "enfermeira", "professora", "engenheiro", "engenheira", "desenvolvedor",
    "desenvolvedora", "advogado", "advogada", "cozinheiro", "cozinheira", "estudante",
    "arquiteto", "arquiteta", "jornalista", "farmacêutico", "farmacêutica", "policial",
    "bombeiro", "bombeira", "garçom", "garçonete", "eletricista", "veterinário",
    "veterinária", "pesquisador", "pesquisadora", "tradutor", "tradutora", "padeiro",
    "padeira", "cabeleireiro", "cabeleireira", "aposentado",
    "aposentada", "encanador", "caixa", "funcionário", "funcionária",
}  # fmt: skip
# German compounds end in an occupation ("Grundschullehrerin", "Kinderärztin")
JOB_STEMS_DE = (
    "lehrer", "lehrerin", "arzt", "ärztin", "pfleger", "pflegerin", "ingenieur", "ingenieurin",
    "entwickler", "entwicklerin", "berater", "beraterin", "techniker", "technikerin",
    "manager", "managerin", "designer", "designerin", "verkäufer", "verkäuferin", "kaufmann",
    "kauffrau", "wissenschaftler", "wissenschaftlerin", "therapeut", "therapeutin",
    "arbeiter", "arbeiterin", "meister", "meisterin",
)  # fmt: skip
# relatives and pets in the six languages, by their English word
RELATIVES = {
    "sohn": "son", "fils": "son", "hijo": "son", "figlio": "son", "filho": "son",
    "tochter": "daughter", "fille": "daughter", "hija": "daughter", "figlia": "daughter",
    "filha": "daughter", "frau": "wife", "femme": "wife", "mujer": "wife", "esposa": "wife",
    "moglie": "wife", "mulher": "wife", "mann": "husband", "mari": "husband",
    "marido": "husband", "marito": "husband", "partner": "partner", "partnerin": "partner",
    "freundin": "girlfriend", "freund": "boyfriend", "copine": "girlfriend",
    "copain": "boyfriend", "novia": "girlfriend", "novio": "boyfriend", "ragazza": "girlfriend",
    "ragazzo": "boyfriend", "namorada": "girlfriend", "namorado": "boyfriend",
    "bruder": "brother", "frère": "brother", "hermano": "brother", "fratello": "brother",
    "irmão": "brother", "schwester": "sister", "sœur": "sister", "soeur": "sister",
    "hermana": "sister", "sorella": "sister", "irmã": "sister", "mutter": "mother",
    "mère": "mother", "madre": "mother", "mãe": "mother", "vater": "father", "père": "father",
    "padre": "father", "pai": "father", "hund": "dog", "chien": "dog", "perro": "dog",
    "cane": "dog", "cachorro": "dog", "cão": "dog", "katze": "cat", "chat": "cat",
    "gato": "cat", "gatto": "cat", "gata": "cat",
}  # fmt: skip
HABITS = {
    "smoke": "smoking", "smoking": "smoking", "rauche": "smoking", "rauchen": "smoking",
    "fume": "smoking", "fumer": "smoking", "fumo": "smoking", "fumar": "smoking",
    "fumare": "smoking",
}  # fmt: skip
HABIT_TEXT = {"smoking": "Smokes"}
