"""Follow-up messages for multi-turn examples: what a user says after an earlier exchange."""

from __future__ import annotations

# after a hard task, these continue the work: they need the reasoning tier
HARD_FOLLOWUPS: list[str] = [
    "Now do the same for {n1} years.", "What if the rate were {pct}% instead?",
    "Can you make it run in O(n log n)?", "Why does the second step follow from the first?",
    "Generalise that to any prime p.", "Now handle the case where the input is empty.",
    "Can you double-check the calculation? I got a different number.",
    "And what if there are {n1} people instead of {n2}?", "Explain the third step in more detail.",
    "Now add error handling and unit tests.", "Does this still hold if n is negative? Prove it.",
    "Ok, and how would the answer change if the price went up by {pct}%?",
    "That doesn't compile, it says {error}. Fix it.", "Can you redo it without recursion?",
    "What's the worst-case complexity of your solution, and can we do better?",
    "Now extend the plan to cover the case where one developer leaves halfway.",
    "Redo the numbers assuming {n1} units a month.", "Is there a counterexample? Check carefully.",
    "Write the proof formally, with every step justified.", "Make it thread-safe.",
    "Now compute the variance too.", "What happens at the boundary when x = 0?",
    "Ahora hazlo para {n1} años.", "Et si le taux passe à {pct} % ?", "Und wenn es {n1} Personen sind?",
    "Now apply the same reasoning to the {juris} rules.", "Can you verify the result by another method?",
]

# light acknowledgements: fine on the fast tier even mid-task
LIGHT_FOLLOWUPS: list[str] = [
    "thanks!", "thank you", "great, that works", "ok cool", "perfect", "got it, thanks",
    "awesome", "nice, thanks a lot", "cool", "ok", "makes sense", "that's all, thanks",
    "merci !", "danke!", "gracias", "obrigado", "brilliant, cheers", "yes that worked",
    "lol ok", "good to know", "ty", "thx", "sounds good", "fantastic, thank you!",
]

# follow-ups that reshape an earlier light reply: fast
LIGHT_EDITS: list[str] = [
    "Make it shorter.", "Now make it rhyme.", "Can you make it funnier?",
    "Rewrite it in a more formal tone.", "Add a couple of emojis.", "Translate it into {lang}.",
    "Another one please.", "Give me three more options.", "Make it sound more like {character}.",
    "Now write it as a limerick.", "Can you make the ending happier?", "Use simpler words.",
    "Put it in bullet points.",
    "Shorten it to one sentence.", "Make it a bit warmer.", "Change the name to {name}.",
    "Say it like a pirate.", "Now in the style of a news headline.", "Hazlo más corto.",
    "Plus court, s'il te plaît.", "Mach es lustiger.",
]
