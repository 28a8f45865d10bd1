"""The rule extractor in six languages: each kind of statement, and what must store nothing
(other people's facts, hypotheticals, questions, plans)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from persona.memory.extract import Candidate, CurrentMemory, extract

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
H = 0.9  # health facts are high-importance
CURRENT = [
    CurrentMemory("m-loc", "fact", "Lives in Rome", "location"),
    CurrentMemory("m-tea", "preference", "Likes tea", "opinion:tea"),
    CurrentMemory("m-diet", "fact", "Is vegetarian", "diet"),
    CurrentMemory("m-smoke", "fact", "Smokes", "habit:smoking"),
    CurrentMemory("m-age", "fact", "Is 30 years old", "age"),
    CurrentMemory("m-bro", "fact", "Brother's name is Paul", "family:brother"),
]


def fact(text: str, attribute: str | None, value: str | None, importance: float) -> Candidate:
    return Candidate("fact", text, attribute, value, importance)


def forget(kind: str, text: str, attribute: str | None, value: str | None, imp: float) -> Candidate:
    return Candidate(kind, text, attribute, value, imp, op="forget")


def run(message: str) -> list[Candidate]:
    return extract(message, now=NOW, current=CURRENT).candidates


MOVES = [
    ("I moved to Seattle two months ago.", "Seattle"),
    ("We just relocated to Dublin for my husband's job.", "Dublin"),
    ("Ich bin vor zwei Monaten nach Köln gezogen.", "Köln"),
    ("Meine Frau und ich sind nach Graz gezogen.", "Graz"),
    ("J'habite à Bordeaux depuis 2020.", "Bordeaux"),
    ("Nous nous sommes installés à Rennes.", "Rennes"),
    ("Hace dos meses me mudé a Málaga.", "Málaga"),
    ("Mi marido y yo nos mudamos a Granada.", "Granada"),
    ("Vivo a Torino da tre anni.", "Torino"),
    ("Mi sono trasferita a Napoli l'anno scorso.", "Napoli"),
    ("Moro em Lisboa há dois anos.", "Lisboa"),
    ("Nos mudamos para Campinas no mês passado.", "Campinas"),
    ("I've been living in Oslo for three years.", "Oslo"),
    ("Just moved to Austin!", "Austin"),
    ("Ich lebe inzwischen in der Schweiz.", "Schweiz"),
]


@pytest.mark.parametrize(("message", "city"), MOVES)
def test_moves_including_we(message: str, city: str) -> None:
    assert run(message) == [fact(f"Lives in {city}", "location", city, 0.8)]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("I got a job at Microsoft.", fact("Works at Microsoft", "employer", "Microsoft", 0.6)),
        ("I left Google and joined Stripe.", fact("Works at Stripe", "employer", "Stripe", 0.6)),
        ("I was hired by Spotify last week.", fact("Works at Spotify", "employer", "Spotify", 0.6)),
        ("Seit März arbeite ich bei der Telekom.", fact("Works at Telekom", "employer", "Telekom", 0.6)),
        ("Je travaille chez Renault depuis janvier.", fact("Works at Renault", "employer", "Renault", 0.6)),
        ("Je travaille pour la SNCF.", fact("Works at SNCF", "employer", "SNCF", 0.6)),
        ("Ich habe bei Bosch angefangen.", fact("Works at Bosch", "employer", "Bosch", 0.6)),
        ("J'ai été embauchée chez Orange.", fact("Works at Orange", "employer", "Orange", 0.6)),
        ("Me contrataron en Mercadona.", fact("Works at Mercadona", "employer", "Mercadona", 0.6)),
        ("Sono stato assunto da Luxottica.", fact("Works at Luxottica", "employer", "Luxottica", 0.6)),
        ("Fui contratado pela Embraer.", fact("Works at Embraer", "employer", "Embraer", 0.6)),
        ("Ahora trabajo en Telefónica.", fact("Works at Telefónica", "employer", "Telefónica", 0.6)),
        ("Lavoro presso Eni.", fact("Works at Eni", "employer", "Eni", 0.6)),
        ("Trabalho na Natura.", fact("Works at Natura", "employer", "Natura", 0.6)),
        ("I'm a nurse at a children's hospital.", fact("Is a nurse", "job", "nurse", 0.7)),
        ("Ich bin Softwareentwicklerin.", fact("Works as Softwareentwicklerin", "job", "Softwareentwicklerin", 0.7)),
        ("Je suis infirmière.", fact("Works as infirmière", "job", "infirmière", 0.7)),
        ("Soy profesora de inglés.", fact("Works as profesora", "job", "profesora", 0.7)),
        ("Faccio l'insegnante.", fact("Works as insegnante", "job", "insegnante", 0.7)),
        ("Sou professor.", fact("Works as professor", "job", "professor", 0.7)),
    ],
)  # fmt: skip
def test_employers_and_jobs(message: str, expected: Candidate) -> None:
    assert run(message) == [expected]


@pytest.mark.parametrize(
    "message",
    [
        "I meant Turin, not Rome.",
        "Je voulais dire Turin, pas Rome.",
    ],
)
def test_i_meant_x_not_y_supersedes_the_memory_holding_y(message: str) -> None:
    assert run(message) == [
        Candidate(
            "fact", "Lives in Turin", "location", "Turin", 0.8, op="supersede", target_id="m-loc"
        )
    ]


@pytest.mark.parametrize(
    "message",
    [
        "Ich meinte Turin, nicht Paris.",  # no current memory says Paris: nothing to correct
        "Quise decir Turín, no Roma.",  # "Roma" is not the "Rome" of the memory
    ],
)
def test_a_correction_of_nothing_current_stores_nothing(message: str) -> None:
    assert run(message) == []


@pytest.mark.parametrize(
    "message",
    [
        "Sorry, I'm 31, not 30.",
        "Ich bin 31, nicht 30.",
        "J'ai 31 ans, pas 30.",
        "Tengo 31 años, no 30.",
        "Ho 31 anni, non 30.",
        "Tenho 31 anos, não 30.",
    ],
)
def test_a_statement_with_not_y_is_the_new_value(message: str) -> None:
    assert run(message) == [fact("Is 31 years old", "age", "31", 0.6)]


SMOKES = forget("fact", "Smokes", "habit:smoking", None, 0.6)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("I quit smoking last year.", SMOKES),
        ("I no longer smoke.", SMOKES),
        ("I used to smoke.", SMOKES),
        ("Ich rauche nicht mehr.", SMOKES),
        ("Ich habe aufgehört zu rauchen.", SMOKES),
        ("Je ne fume plus.", SMOKES),
        ("Ya no fumo.", SMOKES),
        ("Non fumo più.", SMOKES),
        ("Parei de fumar.", SMOKES),
        ("I'm not vegetarian anymore.", forget("fact", "Is vegetarian", "diet", "vegetarian", 0.8)),
        (
            "Je ne suis plus végétarienne.",
            forget("fact", "Is vegetarian (végétarienne)", "diet", "vegetarian", 0.8),
        ),
        (
            "Ya no soy vegetariana.",
            forget("fact", "Is vegetarian (vegetariana)", "diet", "vegetarian", 0.8),
        ),
        ("Ich mag keinen Tee mehr.", forget("preference", "Likes tee", "opinion:tee", "Tee", 0.5)),
        ("Non mi piace più il tè.", forget("preference", "Likes tè", "opinion:tè", "il tè", 0.5)),
        ("Não gosto mais de chá.", forget("preference", "Likes chá", "opinion:chá", "chá", 0.5)),
    ],
)
def test_negations_end_what_they_name(message: str, expected: Candidate) -> None:
    assert run(message) == [expected]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("I have celiac disease.", [fact("Has celiac disease", "condition:celiac disease", "celiac disease", H)]),
        ("I have a severe nut allergy.", [fact("Is allergic to nuts", "allergy:nuts", "nut", H)]),
        ("I take levothyroxine daily.", [fact("Takes levothyroxine", "medication:levothyroxine", "levothyroxine", H)]),
        ("I'm on blood thinners.", [fact("Takes blood thinners", "medication:blood thinners", "blood thinners", H)]),
        ("Ich habe Asthma.", [fact("Has Asthma", "condition:asthma", "Asthma", H)]),
        ("Ich bin allergisch gegen Katzen.", [fact("Is allergic to cats (Katzen)", "allergy:cats", "Katzen", H)]),
        ("Ich habe eine Laktoseintoleranz.", [fact("Is lactose intolerant (Laktose)", "intolerance:lactose", "lactose", 0.8)]),
        ("Ich nehme Insulin.", [fact("Takes insulin", "medication:insulin", "Insulin", H)]),
        ("J'ai de l'asthme.", [fact("Has asthma (asthme)", "condition:asthma", "asthme", H)]),
        ("Je prends de la metformine.", [fact("Takes metformin (metformine)", "medication:metformin", "metformine", H)]),
        ("Je suis intolérante au gluten.", [fact("Is gluten intolerant", "intolerance:gluten", "gluten", 0.8)]),
        (
            "Tengo asma y soy alérgica a los gatos.",
            [
                fact("Has asthma (asma)", "condition:asthma", "asma", H),
                fact("Is allergic to cats (gatos)", "allergy:cats", "gatos", H),
            ],
        ),
        ("Tomo insulina todos los días.", [fact("Takes insulin (insulina)", "medication:insulin", "insulina", H)]),
        ("Sono intollerante al lattosio.", [fact("Is lactose intolerant (lattosio)", "intolerance:lactose", "lactose", 0.8)]),
        ("Prendo la metformina ogni mattina.", [fact("Takes metformin (metformina)", "medication:metformin", "metformina", H)]),
        ("Tomo losartana todos os dias.", [fact("Takes losartana", "medication:losartana", "losartana", H)]),
        ("I was diagnosed with type 1 diabetes as a kid.", [fact("Has type 1 diabetes", "condition:diabetes", "type 1 diabetes", H)]),
        ("Bei mir wurde Asthma diagnostiziert.", [fact("Has Asthma", "condition:asthma", "Asthma", H)]),
        ("Ich bin Asthmatiker.", [fact("Has asthma (Asthmatiker)", "condition:asthma", "Asthmatiker", H)]),
        ("J'ai du diabète.", [fact("Has diabetes (diabète)", "condition:diabetes", "diabète", H)]),
        ("Ich bin Diabetikerin.", [fact("Has diabetes (Diabetikerin)", "condition:diabetes", "Diabetikerin", H)]),
        ("On m'a diagnostiqué une dépression.", [fact("Has depression (dépression)", "condition:depression", "dépression", H)]),
        ("Me diagnosticaron diabetes el año pasado.", [fact("Has diabetes", "condition:diabetes", "diabetes", H)]),
        ("Sono celiaca.", [fact("Has celiac disease (celiaca)", "condition:celiac disease", "celiaca", H)]),
        ("Fui diagnosticada com enxaqueca.", [fact("Has migraines (enxaqueca)", "condition:migraines", "enxaqueca", H)]),
    ],
)  # fmt: skip
def test_health_facts_are_first_class(message: str, expected: list[Candidate]) -> None:
    assert run(message) == expected


@pytest.mark.parametrize(
    ("message", "name", "rel"),
    [
        ("Remember this: my daughter's name is Ella.", "Ella", "daughter"),
        ("Merk dir bitte: meine Tochter heißt Emma.", "Emma", "daughter"),
        ("Souviens-toi que mon fils s'appelle Hugo.", "Hugo", "son"),
        ("Recuerda que mi hija se llama Sofía.", "Sofía", "daughter"),
        ("Ricordati che mia figlia si chiama Giulia.", "Giulia", "daughter"),
        ("Lembre-se que minha filha se chama Clara.", "Clara", "daughter"),
    ],
)
def test_remember_commands(message: str, name: str, rel: str) -> None:
    text = f"{rel.capitalize()}'s name is {name}"
    assert run(message) == [fact(text, f"family:{rel}", name, 0.8)]


@pytest.mark.parametrize(
    "message",
    [
        "Forget everything about Paul.",
        "Vergiss alles über Paul.",
        "Oublie tout sur Paul.",
        "Olvida lo que te dije sobre Paul.",
        "Dimentica tutto su Paul.",
        "Esquece tudo sobre o Paul.",
    ],
)
def test_forget_a_named_person(message: str) -> None:
    assert run(message) == [forget("fact", "Paul", None, None, 0.5)]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "Hey, long week. The train was late again. My name's Dana by the way, and I work as a pilot.",
            [
                fact("Name is Dana", "name", "Dana", 0.9),
                fact("Works as a pilot", "job", "a pilot", 0.7),
            ],
        ),
        (
            "Ich bin 35, wohne in Bremen und arbeite als Tischler.",
            [
                fact("Is 35 years old", "age", "35", 0.6),
                fact("Lives in Bremen", "location", "Bremen", 0.8),
                fact("Works as Tischler", "job", "Tischler", 0.7),
            ],
        ),
        (
            "Quel week-end ! Au fait, je m'appelle Inès.",
            [fact("Name is Inès", "name", "Inès", 0.9)],
        ),
    ],
)
def test_facts_inside_long_messages_and_lists(message: str, expected: list[Candidate]) -> None:
    assert run(message) == expected


def test_a_restated_fact_in_another_language_is_the_current_memory() -> None:
    # "Is vegetarian (vegetariana)" restates "Is vegetarian": consolidation refreshes it
    assert run("Sono vegetariana.") == [fact("Is vegetarian", "diet", "vegetarian", 0.8)]


@pytest.mark.parametrize(
    "message",
    [
        # other people's facts
        "My sister is allergic to shellfish.",
        "My husband has diabetes.",
        "My colleague lives in Madrid.",
        "Mein Bruder hat Diabetes.",
        "Meine Kollegin ist Veganerin.",
        "Ma sœur est végane.",
        "Mon mari a du diabète.",
        "Mi hermano es diabético.",
        "Mi jefe vive en Londres.",
        "Mio fratello è celiaco.",
        "Minha irmã é vegana.",
        # hypotheticals
        "If I were vegan, what would I eat?",
        "Wenn ich in Wien wohnen würde, wäre ich glücklich.",
        "Si j'habitais à Paris, je serais content.",
        "Si fuera vegano, ¿qué comería?",
        "Se vivessi a Milano sarei felice.",
        "Se eu morasse no Rio, seria feliz.",
        "Quizás me haga vegetariano.",
        "Vielleicht werde ich Lehrer.",
        # questions
        "Should I move to Denver?",
        "Soll ich Vegetarier werden?",
        "Est-ce que je devrais devenir végétarien ?",
        "¿Debería trabajar en Google?",
        # plans
        "I'm going to move to Austin.",
        "I'd like to work at Google someday.",
        "I'm thinking of quitting my job at Acme.",
        "Ich werde nach Wien ziehen.",
        "Ich ziehe nächsten Monat nach Bonn.",
        "Je vais déménager à Lille.",
        "Voy a mudarme a Valencia.",
        "Voglio trasferirmi a Genova.",
        "Vou me mudar para Natal.",
        # everyday phrases that look like statements
        "I have a meeting at 3.",
        "I take the train to work.",
        "I'm in Paris this week.",
        "My name is not important.",
        "moved to tears by the film",
        "J'ai faim.",
        "Tengo que trabajar mañana.",
        "Ho una domanda.",
        "Ich habe keine Zeit.",
        "Tenho uma pergunta.",
        "Ich bin müde.",
        "Estoy en Madrid.",
        "Me gusta mucho.",
        "Ich mag das nicht.",
        "Ich liebe dich.",
        "Ich nehme den Bus.",
        "Tomo un café.",
        "Lavoro da casa.",
        "Ho 3 figli.",
        # negated statements are no facts
        "I don't live in Paris.",
        "Ich wohne nicht in Berlin.",
        "No vivo en Madrid.",
        "Non abito a Roma.",
        "Não moro em Lisboa.",
    ],
)
def test_nothing_is_stored(message: str) -> None:
    assert run(message) == []


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "I'm allergic to peanuts, shellfish and eggs.",
            [("peanuts", "peanuts"), ("shellfish", "shellfish"), ("eggs", "eggs")],
        ),
        ("Ich bin allergisch gegen Nüsse und Katzen.", [("nuts (Nüsse)", "Nüsse"), ("cats (Katzen)", "Katzen")]),
        ("J'ai une allergie aux noix et aux arachides.", [("nuts (noix)", "noix"), ("peanuts (arachides)", "arachides")]),
        ("Soy alérgica a los gatos y a los perros.", [("cats (gatos)", "gatos"), ("dogs (perros)", "perros")]),
        ("Sono allergico alle noci e ai crostacei.", [("nuts (noci)", "noci"), ("shellfish (crostacei)", "crostacei")]),
        # not a list of allergens: only the first is one
        ("I'm allergic to cats and it gets worse in spring.", [("cats", "cats")]),
    ],
)  # fmt: skip
def test_a_list_of_allergies_is_one_fact_each(
    message: str, expected: list[tuple[str, str]]
) -> None:
    assert run(message) == [
        fact(f"Is allergic to {shown}", f"allergy:{shown.split(' (')[0]}", value, H)
        for shown, value in expected
    ]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Jetzt hasse ich Kaffee.", Candidate("preference", "Hates kaffee", "opinion:kaffee", "Kaffee", 0.5)),
        ("Maintenant je déteste le café.", Candidate("preference", "Hates café", "opinion:café", "le café", 0.5)),
        ("Ahora odio el café.", Candidate("preference", "Hates café", "opinion:café", "el café", 0.5)),
        ("Agora odeio café.", Candidate("preference", "Hates café", "opinion:café", "café", 0.5)),
    ],
)  # fmt: skip
def test_a_flipped_taste_is_keyed_by_its_object(message: str, expected: Candidate) -> None:
    # the key ("opinion:café") is what makes "Loves café" superseded by "Hates café"
    assert run(message) == [expected]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("I moved back to Rome.", [fact("Lives in Rome", "location", "Rome", 0.8)]),
        ("We settled in Porto.", [fact("Lives in Porto", "location", "Porto", 0.8)]),
        ("I go by Sasha.", [fact("Name is Sasha", "name", "Sasha", 0.9)]),
        ("My employer is Siemens.", [fact("Works at Siemens", "employer", "Siemens", 0.6)]),
        ("I recently joined Siemens as a designer.", [fact("Works at Siemens", "employer", "Siemens", 0.6)]),
        ("I'm a developer by profession.", [fact("Is a developer", "job", "developer", 0.7)]),
        ("I turned 42 last week.", [fact("Is 42 years old", "age", "42", 0.6)]),
        ("I'm gluten-free.", [Candidate("preference", "Does not eat gluten", "avoids:gluten", "gluten", 0.7)]),
        (
            "I take medication for high blood pressure.",
            [fact("Has high blood pressure", "condition:high blood pressure", "high blood pressure", H)],
        ),
        # "it's X, not Y" and a bare "X, not Y" correct the memory holding Y
        (
            "Actually it's Turin, not Rome.",
            [Candidate("fact", "Lives in Turin", "location", "Turin", 0.8, op="supersede", target_id="m-loc")],
        ),
        (
            "Turin, not Rome.",
            [Candidate("fact", "Lives in Turin", "location", "Turin", 0.8, op="supersede", target_id="m-loc")],
        ),
        ("It's cold, not warm.", []),
        # forget the named person, however they are introduced
        ("Please forget about my brother Paul.", [forget("fact", "Paul", None, None, 0.5)]),
        ("Delete what you know about Paul.", [forget("fact", "Paul", None, None, 0.5)]),
        ("Remove the comma from that sentence.", []),
    ],
)  # fmt: skip
def test_english_variants(message: str, expected: list[Candidate]) -> None:
    assert run(message) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Lembra-te de que sou alérgico a amendoim.", fact("Is allergic to peanuts (amendoim)", "allergy:peanuts", "amendoim", H)),
        ("N'oublie pas que je suis végane.", fact("Is vegan (végane)", "diet", "vegan", 0.8)),
        ("Non dimenticare che sono allergica alle arachidi.", fact("Is allergic to peanuts (arachidi)", "allergy:peanuts", "arachidi", H)),
        ("Ten en cuenta que soy celíaco.", fact("Has celiac disease (celíaco)", "condition:celiac disease", "celíaco", H)),
        ("Denk daran, dass ich Laktose nicht vertrage.", fact("Is lactose intolerant (Laktose)", "intolerance:lactose", "lactose", 0.8)),
        # explicit, so at least the explicit importance; the statement's own kind and key
        ("Remember that I live in Paris", fact("Lives in Paris", "location", "Paris", 0.8)),
    ],
)  # fmt: skip
def test_remember_a_statement_in_each_language(message: str, expected: Candidate) -> None:
    assert run(message) == [expected]


def test_a_correction_replaces_only_the_latest_memory_that_says_y() -> None:
    current = [
        CurrentMemory("old", "preference", "Loves Paris in spring", "opinion:paris in spring"),
        CurrentMemory("new", "fact", "Lives in Paris", "location"),
    ]
    assert extract("I meant Lyon, not Paris.", now=NOW, current=current).candidates == [
        Candidate("fact", "Lives in Lyon", "location", "Lyon", 0.8, op="supersede", target_id="new")
    ]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "I have high blood pressure and take lisinopril.",
            [
                fact("Has high blood pressure", "condition:high blood pressure", "high blood pressure", H),
                fact("Takes lisinopril", "medication:lisinopril", "lisinopril", H),
            ],
        ),
        (
            "I'm 35, live in Leeds and work as a nurse.",
            [
                fact("Is 35 years old", "age", "35", 0.6),
                fact("Lives in Leeds", "location", "Leeds", 0.8),
                fact("Works as a nurse", "job", "a nurse", 0.7),
            ],
        ),
        # an object with "and" is not cut: only a verb that shares the subject is
        ("I love cats and take them everywhere.", [Candidate("preference", "Loves cats", "opinion:cats", "cats", 0.5)]),
    ],
)  # fmt: skip
def test_an_english_clause_without_its_subject_shares_it(
    message: str, expected: list[Candidate]
) -> None:
    assert run(message) == expected
