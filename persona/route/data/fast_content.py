"""Hand-written templates and slot values for messages a fast chat model answers well.

Each entry of `FAST` is (category, language, templates); `{slot}` names refer to `SLOTS`.
"""

from __future__ import annotations

SLOTS: dict[str, list[str]] = {
    "country": ["France", "Japan", "Brazil", "Kenya", "Canada", "Norway", "Vietnam", "Peru",
                "Egypt", "Australia", "Portugal", "Chile", "Morocco", "Finland", "Thailand"],
    "book": ["Pride and Prejudice", "One Hundred Years of Solitude", "Moby-Dick", "The Hobbit",
             "Don Quixote", "Beloved", "The Trial", "Things Fall Apart", "Dune", "Emma"],
    "thing": ["the Eiffel Tower", "the Great Wall", "the printing press", "the telephone",
              "penicillin", "the bicycle", "jazz", "the Olympic Games", "the internet", "coffee"],
    "word": ["serendipity", "ephemeral", "ubiquitous", "melancholy", "gregarious", "hygge",
             "schadenfreude", "wanderlust", "petrichor", "saudade", "ennui", "zeitgeist"],
    "animal": ["octopus", "penguin", "giraffe", "honeybee", "dolphin", "red panda", "owl",
               "axolotl", "koala", "hedgehog", "sea turtle", "fox"],
    "topic": ["autumn in the city", "a rainy Monday", "my grandmother's kitchen", "the ocean",
              "friendship", "a lost umbrella", "moving to a new town", "the first day of spring",
              "a cat who hates mornings", "coffee shops", "learning to ride a bike", "the moon",
              "a small bakery", "an old lighthouse", "summer holidays", "a road trip"],
    "form": ["short poem", "haiku", "limerick", "two-line rhyme", "short story",
             "birthday message", "toast", "product description", "tweet", "slogan",
             "song chorus", "postcard note"],
    "who": ["my manager", "a client", "my landlord", "my professor", "the team", "a friend",
            "my neighbour", "a recruiter", "customer support", "my coach"],
    "what": ["rescheduling our meeting", "a late delivery", "asking for a day off",
             "thanking them for their help", "a broken heater", "joining the project",
             "a missed deadline", "a new office policy", "the holiday party",
             "following up on my application"],
    "tone": ["friendlier", "more formal", "shorter", "more playful", "more polite",
             "less stiff", "more confident", "warmer"],
    "character": ["a pirate captain", "Sherlock Holmes", "a medieval knight", "a grumpy wizard",
                  "a cheerful robot", "a tour guide in Rome", "a noir detective",
                  "a space explorer", "a barista", "a famous chef", "a talking cat",
                  "a Victorian butler"],
    "activity": ["sleeping better", "running my first 5k", "learning guitar", "staying focused",
                 "making friends in a new city", "keeping houseplants alive", "public speaking",
                 "cooking for one", "saving a bit of money", "drinking more water",
                 "a job interview", "a first date", "travelling light"],
    "emotion": ["a bit stressed", "bored", "nervous", "lonely", "tired", "overwhelmed",
                "unmotivated", "homesick"],
    "event": ["a summer wedding", "a job interview", "a beach party", "a funeral",
              "a winter hike", "a gallery opening", "a casual office day"],
    "genre": ["mystery", "science fiction", "fantasy", "romance", "history", "poetry",
              "self-help", "thriller", "cookbook", "travel"],
    "concept": ["photosynthesis", "inflation", "democracy", "the water cycle", "gravity",
                "impressionism", "the Renaissance", "supply and demand", "a black hole",
                "the immune system", "stoicism", "plate tectonics", "baroque music",
                "the Silk Road", "existentialism", "romanticism"],
    "lang": ["Spanish", "French", "German", "Italian", "Japanese", "Portuguese", "Dutch"],
    "phrase": ["good morning", "thank you very much", "where is the train station",
               "I love this song", "see you tomorrow", "how much does this cost",
               "nice to meet you", "happy birthday"],
    "name": ["Maya", "Liam", "Sofia", "Noah", "Aisha", "Lucas", "Chen", "Olga", "Ravi",
             "Elena", "Tom", "Fatima", "Jonas", "Priya", "Diego", "Hana"],
    "food": ["pancakes", "a vegetable soup", "guacamole", "banana bread", "a simple curry",
             "pasta carbonara", "hummus", "a fruit salad", "scrambled eggs", "lemonade"],
    "para": [
        "The town council met on Tuesday to discuss the new park. Residents asked for more "
        "benches and a playground, and the council agreed to hold a vote next month.",
        "Our team shipped the new mobile app last week. Early reviews are positive, although "
        "some users reported that the login screen is slow on older phones.",
        "Maria Lopez, 34, joined Greenleaf Ltd in Madrid as head of marketing in March. She "
        "previously worked at Sunfield for six years.",
        "The museum will be closed on Monday for maintenance. Tickets bought for that day can "
        "be used any other day this month, and members get free entry all week.",
        "Yesterday it rained all afternoon, so we stayed in, baked cookies and watched two old "
        "films. The kids fell asleep before the second one ended.",
        "Please note the office moves to 12 Harbour Street on 3 June. Parking is behind the "
        "building, and the front desk opens at 8 am.",
        "Dr. Ahmed Khan will present the results at the Lisbon conference on 14 May, together "
        "with Julia Novak from the Prague institute.",
    ],
    "entities": ["names", "dates", "places", "company names", "email addresses",
                 "product names", "people and their roles"],
    "dish_country": ["Italian", "Thai", "Mexican", "Indian", "Greek", "Korean", "Lebanese"],
}

FAST: list[tuple[str, str, list[str]]] = [
    (
        "discussion",
        "en",
        [
            "Discuss how {concept} changed everyday life, with a few examples.",
            "Write a short essay on the cultural importance of {thing}.",
            "What are the main arguments for and against {concept}? Keep it balanced.",
            "Describe how {concept} is taught in schools and why it matters.",
            "Explain {concept} and give two real-world examples of it.",
            "How did {thing} influence art and literature?",
            "In a few paragraphs, describe the legacy of {thing} in {country}.",
            "Share some insights into how {concept} shapes public opinion today.",
        ],
    ),
    (
        "roleplay_long",
        "en",
        [
            "Let's play a game. You are {character}, and I am a customer who just walked in "
            "looking for advice about {activity}. Stay in character and greet me, then ask me "
            "what I need.",
            "Imagine you are {character} giving a speech at {event}. Make it heartfelt and a "
            "little funny, and mention {topic}.",
            "From now on you are {character}. I'll ask you questions about your life and you "
            "answer in the first person, with your own quirks. First question: what did you "
            "have for breakfast?",
            "Pretend to be {character} writing a letter home from {country}, describing the "
            "food, the weather and the people you met.",
            "Act as {character} and convince me to try {food} for the first time.",
        ],
    ),
    (
        "extraction_long",
        "en",
        [
            "From the following report, list each company with its revenue and the year: "
            "'Northwind posted revenue of ${big} million in {year}, while Contoso reported "
            "${big} million in {year}. Fabrikam, founded in {year}, earned ${n1} million.' "
            "Return one line per company.",
            "Read these reviews and give each a sentiment label (positive, negative, neutral): "
            "1. 'The {food} was amazing and the staff were lovely.' 2. 'Waited {n1} minutes, "
            "cold food.' 3. 'It was fine, nothing special.'",
            "Pull the name, age, city and job of each person into JSON: '{name}, {n1}, lives "
            "in Lisbon and works as a nurse. {name}, {n2}, is a pilot based in Oslo.'",
            "Extract the dates and amounts from this invoice text: 'Invoice {big} issued "
            "{n1}/0{n3}/{year}, total ${price}, due within {n2} days, paid ${price} on "
            "{n4}/0{n3}/{year}.'",
            "Identify the book title, author and year of publication in each sentence: "
            "'{book} was published in {year}.' 'Readers loved {book} when it came out in "
            "{year}.'",
            "Summarise the key numbers from this update in a table: 'Visitors rose to {big} in "
            "{year}, up {pct}% from the year before; the average stay was {n1} days and "
            "{n2}% came from abroad.'",
        ],
    ),

    ("chitchat", "en", [
        "hi", "hello!", "hey there", "good morning :)", "hiya, how's it going?",
        "how are you today?", "what's up?", "thanks!", "thank you so much", "ok", "cool",
        "great, thanks", "lol that's funny", "nice", "awesome, appreciate it", "good night!",
        "see you later", "haha ok", "tell me a joke", "tell me a joke about {animal}s",
        "I'm {emotion} today", "what's your favourite colour?", "do you like music?",
        "I just got back from {country}!", "guess what, I finished reading {book}",
        "it's so hot today", "happy friday!", "I'm bored, entertain me",
        "say something nice", "are you a robot?", "what's your name?", "that made me smile",
        "sounds good", "perfect, that's all", "no worries", "yes please", "nope", "sure",
        "wow", "morning!", "thanks, that helps a lot", "got it", "okay cool, thanks",
        "you're the best", "bye!", "I love {animal}s", "my cat just knocked over my coffee",
    ]),
    ("quick_fact", "en", [
        "What is the capital of {country}?", "Who wrote {book}?", "What does {word} mean?",
        "When was {thing} invented?", "How do you say '{phrase}' in {lang}?",
        "What language do they speak in {country}?", "Is a {animal} a mammal?",
        "What do {animal}s eat?", "What's the currency of {country}?",
        "Define {word} in one sentence.", "Who painted the Mona Lisa?",
        "What's the tallest mountain in the world?", "How many continents are there?",
        "What year did World War II end?", "What is the chemical symbol for gold?",
        "Which planet is closest to the sun?", "What's a synonym for happy?",
        "quick question: what's the plural of cactus?", "Where is {thing} located?",
        "How long do {animal}s live?", "what time zone is {country} in?",
        "Who is the author of {book} and when was it published?", "spell {word} for me",
        "What's the opposite of {word}?", "Is {country} in Europe?",
        "What is the boiling point of water in Fahrenheit?", "How many days are in a leap year?",
        "just a quick answer: what's the capital of {country}?",
    ]),
    ("writing", "en", [
        "Write a {form} about {topic}.", "Can you write me a {form} about {topic}?",
        "Draft an email to {who} about {what}.", "Write a short note to {who} about {what}.",
        "Give me a catchy title for a blog post about {topic}.",
        "Rewrite this to sound {tone}: {para}", "Make this paragraph {tone}: {para}",
        "Write a {form} for {name}'s birthday.", "Compose a {form} in the style of a fairy tale.",
        "Write an engaging Instagram caption about {topic}.",
        "I need a polite message to {who} about {what}, keep it brief.",
        "Write a cover letter opening line for a job at a bakery.",
        "Come up with five names for a {animal}-themed cafe.",
        "Write a funny {form} about {animal}s.", "Describe {topic} in vivid language.",
        "Write a persuasive paragraph about why people should visit {country}.",
        "Proofread this: {para}", "Fix the grammar in this sentence: 'me and him goes to the park yesterday'",
    ]),
    ("roleplay", "en", [
        "Pretend you are {character} and greet me.", "Act as {character} and tell me about your day.",
        "Let's role-play: you're {character} and I'm a lost traveller.",
        "You are {character}. Describe your favourite meal.",
        "Play {character} and give me a pep talk.", "Respond only as {character} from now on.",
        "Imagine you're {character} reviewing a new restaurant.",
        "Be {character} and explain why you love {topic}.",
        "Stay in character as {character}: what do you think of {animal}s?",
        "Talk to me like {character} would.",
    ]),
    ("advice", "en", [
        "Any tips for {activity}?", "How can I get better at {activity}?",
        "What should I wear to {event}?", "I'm {emotion}, any advice?",
        "Give me three tips for {activity}.", "How do I make {food}?",
        "What's a good recipe for {food}?", "Recommend a {genre} book.",
        "Suggest a {dish_country} dish I can cook tonight.",
        "What are some fun things to do in {country}?", "What's a good gift for {who}?",
        "Can you suggest a few hobbies for someone who likes {topic}?",
        "What are some good houseplants for beginners?",
        "How often should I water a cactus?", "What should I name my new {animal}?",
        "Recommend some {genre} movies for tonight.",
    ]),
    ("explain", "en", [
        "Explain {concept} in simple terms.", "What is {concept}?",
        "Give me a short overview of {concept}.", "Briefly describe the history of {thing}.",
        "What are the main themes of {book}?", "Summarize the plot of {book}.",
        "Tell me a fun fact about {animal}s.", "Why is {thing} famous?",
        "Describe the culture of {country} in a few sentences.",
        "Explain {concept} to a ten-year-old.", "What's the difference between weather and climate?",
        "What is {concept} known for?", "Give me an overview of the art of {country}.",
    ]),
    ("extraction", "en", [
        "Extract all {entities} from this text: {para}", "List the {entities} mentioned here: {para}",
        "Turn this into a JSON object with name, company and city: {para}",
        "Pull out the dates from: {para}", "What {entities} appear in this paragraph? {para}",
        "Make a bullet list of the key points: {para}", "Put this into a table: {para}",
    ]),
    ("summarize", "en", [
        "Summarize this: {para}", "TL;DR: {para}", "Give me a one-sentence summary: {para}",
        "Can you shorten this to two sentences? {para}", "What's the gist of this? {para}",
        "Summarize in three bullet points: {para}",
    ]),
    ("translate", "en", [
        "Translate '{phrase}' into {lang}.", "How would I write '{phrase}' in {lang}?",
        "Translate this into {lang}: {para}", "What does 'merci beaucoup' mean?",
    ]),
    ("chitchat", "es", [
        "hola, ¿qué tal?", "¡gracias!", "muchas gracias", "buenos días", "vale, perfecto",
        "cuéntame un chiste", "estoy un poco cansado hoy", "¡hasta luego!", "genial, gracias",
    ]),
    ("quick_fact", "es", [
        "¿Cuál es la capital de {country}?", "¿Quién escribió {book}?",
        "¿Qué significa '{word}'?", "¿Qué idioma se habla en {country}?",
        "Respuesta rápida: ¿cuántos continentes hay?",
    ]),
    ("writing", "es", [
        "Escribe un poema corto sobre {topic}.", "Redacta un correo breve para {who} sobre {what}.",
        "Dame un título para un blog sobre {topic}.", "Escribe una felicitación de cumpleaños para {name}.",
    ]),
    ("advice", "es", [
        "¿Algún consejo para dormir mejor?", "¿Qué puedo cocinar esta noche?",
        "Recomiéndame un libro de {genre}.", "¿Cómo hago {food}?",
    ]),
    ("chitchat", "fr", [
        "salut !", "bonjour, ça va ?", "merci beaucoup", "d'accord, super", "bonne nuit",
        "raconte-moi une blague", "je m'ennuie un peu", "à plus tard !",
    ]),
    ("quick_fact", "fr", [
        "Quelle est la capitale du {country} ?", "Qui a écrit {book} ?",
        "Que veut dire « {word} » ?", "Réponse rapide : quelle est la plus haute montagne du monde ?",
    ]),
    ("writing", "fr", [
        "Écris un petit poème sur {topic}.", "Rédige un e-mail court à {who} au sujet de {what}.",
        "Propose un slogan pour un café.", "Écris un message d'anniversaire pour {name}.",
    ]),
    ("chitchat", "de", [
        "hallo!", "guten Morgen", "danke schön", "alles klar, danke", "wie geht's dir?",
        "erzähl mir einen Witz", "tschüss!", "super, vielen Dank",
    ]),
    ("quick_fact", "de", [
        "Was ist die Hauptstadt von {country}?", "Wer hat {book} geschrieben?",
        "Was bedeutet '{word}'?", "Kurze Frage: wie viele Kontinente gibt es?",
    ]),
    ("writing", "de", [
        "Schreib ein kurzes Gedicht über {topic}.", "Schreib eine kurze E-Mail an {who} wegen {what}.",
        "Gib mir einen Titel für einen Blogartikel über {topic}.",
    ]),
    ("chitchat", "pt", [
        "olá, tudo bem?", "obrigado!", "bom dia", "valeu, perfeito", "me conta uma piada",
    ]),
    ("quick_fact", "pt", [
        "Qual é a capital de {country}?", "Quem escreveu {book}?", "O que significa '{word}'?",
    ]),
    ("writing", "pt", [
        "Escreva um poema curto sobre {topic}.", "Escreva uma mensagem de aniversário para {name}.",
    ]),
    ("chitchat", "it", ["ciao!", "grazie mille", "buongiorno", "va bene, grazie"]),
    ("quick_fact", "it", ["Qual è la capitale di {country}?", "Chi ha scritto {book}?"]),
]
