"""Admin tools over the store: inspect what persona knows about a user, and correct it.

`queries` reads (tenants, users, memories with history, turns, traces), `stats` aggregates per
tenant, `corrections` changes things, and `audit` records every change (who, what, when, why).
The admin API, the admin web page and `persona admin` all call these same functions.
"""
