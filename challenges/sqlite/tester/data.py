"""What the tester's databases hold: table themes and the words their rows are drawn from.

Every value is plain text or an integer (no reals, no blobs), so a row prints the same way
whatever reads it. No value holds a `|`, a newline or an apostrophe: the first two would
blur the list-mode output, the last would need SQL quoting the stages do not ask for.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Value = str | int | None
Maker = Callable[[random.Random], Value]


def pick(pool: Sequence[str]) -> Maker:
    return lambda rng: rng.choice(pool)


def number(low: int, high: int) -> Maker:
    return lambda rng: rng.randint(low, high)


def sometimes_null(maker: Maker, share: float = 0.3) -> Maker:
    return lambda rng: None if rng.random() < share else maker(rng)


def phrase(pool: Sequence[str], low: int, high: int) -> Maker:
    """A few words joined by spaces: text long enough to need two-byte varints."""
    return lambda rng: " ".join(rng.choice(pool) for _ in range(rng.randint(low, high)))


@dataclass(frozen=True)
class Column:
    name: str
    decl: str
    make: Maker
    kind: str = "text"  # "text", "int", "flag" (0 or 1: serial types 8 and 9), "nullable"


@dataclass(frozen=True)
class Theme:
    """A small table: a pool of names (one row each) and the columns that describe them."""

    table: str
    names: tuple[str, ...]
    name_column: str
    columns: tuple[Column, ...]
    group: str  # a text column whose values repeat: what WHERE filters on


# fmt: off
TASTING = (
    "malty", "brisk", "floral", "grassy", "smoky", "earthy", "sweet", "bright", "mellow", "toasty",
    "nutty", "fruity", "honeyed", "brothy", "citrus", "woody", "spicy", "creamy", "clean", "bitter",
)

THEMES: tuple[Theme, ...] = (
    Theme(
        "teas",
        (
            "Assam", "Darjeeling", "Sencha", "Gyokuro", "Oolong", "Pu-erh", "Rooibos", "Earl Grey",
            "Lapsang Souchong", "Matcha", "Genmaicha", "Keemun", "Yunnan Gold", "Ceylon", "Bancha",
            "Jasmine Pearl", "Hojicha", "Silver Needle", "Tieguanyin", "Kukicha",
        ),
        "name",
        (
            Column(
                "origin", "text", pick(("India", "Japan", "China", "Sri Lanka", "Kenya", "Taiwan", "Nepal"))
            ),
            Column("notes", "text", phrase(TASTING, 8, 14)),
            Column("steep_seconds", "integer", number(45, 420), "int"),
        ),
        "origin",
    ),
    Theme(
        "rivers",
        (
            "Amazon", "Nile", "Yangtze", "Mississippi", "Danube", "Volga", "Mekong", "Niger", "Rhine",
            "Ganges", "Indus", "Orinoco", "Zambezi", "Loire", "Murray", "Yukon", "Tigris", "Euphrates",
            "Elbe", "Paraná",
        ),
        "name",
        (
            Column(
                "continent",
                "text",
                pick(("Africa", "Asia", "Europe", "North America", "South America", "Oceania")),
            ),
            Column("length_km", "integer", number(300, 6650), "int"),
            Column("navigable", "integer", number(0, 1), "flag"),
        ),
        "continent",
    ),
    Theme(
        "birds",
        (
            "Kestrel", "Puffin", "Heron", "Kingfisher", "Albatross", "Swift", "Wren", "Osprey",
            "Lapwing", "Cormorant", "Hoopoe", "Bee-eater", "Nightjar", "Curlew", "Avocet", "Goldfinch",
            "Kakapo", "Shoebill", "Toucan", "Condor",
        ),
        "name",
        (
            Column(
                "habitat", "text", pick(("coast", "forest", "wetland", "grassland", "mountain", "desert"))
            ),
            Column("wingspan_cm", "integer", number(12, 330), "int"),
            Column("endangered", "integer", number(0, 1), "flag"),
        ),
        "habitat",
    ),
    Theme(
        "cheeses",
        (
            "Gruyère", "Comté", "Manchego", "Emmentaler", "Roquefort", "Halloumi", "Feta", "Gouda",
            "Époisses", "Stilton", "Cheddar", "Havarti", "Pecorino", "Reblochon", "Västerbotten",
            "Taleggio", "Gorgonzola", "Mimolette", "Raclette", "Idiazábal",
        ),
        "name",
        (
            Column("milk", "text", pick(("cow", "sheep", "goat", "buffalo"))),
            Column(
                "region",
                "text",
                pick(("Jura", "Normandy", "La Mancha", "Cyprus", "Friesland", "Piedmont", "Savoie")),
            ),
            Column("aged_months", "integer", sometimes_null(number(1, 36)), "nullable"),
        ),
        "milk",
    ),
    Theme(
        "instruments",
        (
            "Oboe", "Sitar", "Cello", "Bassoon", "Marimba", "Theremin", "Harpsichord", "Banjo", "Tuba",
            "Koto", "Bagpipes", "Ukulele", "Celesta", "Didgeridoo", "Mandolin", "Accordion",
            "Saxophone", "Kalimba", "Dulcimer", "Glockenspiel",
        ),
        "name",
        (
            Column("family", "text", pick(("strings", "woodwind", "brass", "percussion", "keyboard"))),
            Column(
                "inventor",
                "text",
                sometimes_null(pick(("Sax", "Cristofori", "Termen", "Boehm", "Denner")), 0.6),
                "nullable",
            ),
            Column("range_notes", "integer", number(8, 88), "int"),
        ),
        "family",
    ),
    Theme(
        "volcanoes",
        (
            "Etna", "Fuji", "Vesuvius", "Krakatoa", "Stromboli", "Kilauea", "Pinatubo", "Hekla",
            "Erebus", "Tambora", "Merapi", "Cotopaxi", "Popocatépetl", "Teide", "Katla", "Taal",
            "Sakurajima", "Nyiragongo", "Villarrica", "Shasta",
        ),
        "name",
        (
            Column(
                "country",
                "text",
                pick(("Italy", "Japan", "Indonesia", "Iceland", "Chile", "Ecuador", "Mexico")),
            ),
            Column("elevation_m", "integer", number(900, 6900), "int"),
            Column("last_eruption", "integer", sometimes_null(number(-9000, 2023)), "nullable"),
        ),
        "country",
    ),
    Theme(
        "cities",
        (
            "Lagos", "Lima", "Osaka", "Porto", "Quito", "Dakar", "Hanoi", "Tbilisi", "Recife",
            "Kraków", "Malmö", "Zürich", "Sendai", "Cusco", "Perth", "Bergen", "Fès", "Medellín",
            "Tampere", "Aarhus",
        ),
        "name",
        (
            Column(
                "country",
                "text",
                pick(("Nigeria", "Peru", "Japan", "Portugal", "Poland", "Sweden", "Brazil")),
            ),
            Column("population", "integer", number(50_000, 21_000_000), "int"),
            Column("area_m2", "integer", number(40_000_000, 9_000_000_000), "int"),
        ),
        "country",
    ),
)

# The multi-page tables of the later stages: synthetic rows, many of them.
CONSTELLATIONS = (
    "Andromeda", "Aquila", "Aries", "Auriga", "Boötes", "Cancer", "Carina", "Cassiopeia", "Centaurus",
    "Cepheus", "Cetus", "Corvus", "Crux", "Cygnus", "Draco", "Eridanus", "Gemini", "Hercules", "Hydra",
    "Leo", "Libra", "Lyra", "Orion", "Pegasus", "Perseus", "Pisces", "Sagittarius", "Scorpius",
    "Taurus", "Ursa Major", "Virgo", "Vela",
)
SPECTRAL = (
    "O", "B", "A", "F", "G", "K", "M",
)
AUTHORS = (
    "Ada Ferreira", "Bo Lindqvist", "Chidi Okafor", "Dana Kowalski", "Emeka Obi", "Farah Haddad",
    "Goran Petrović", "Hana Sato", "Ines Moreau", "Jonas Berg", "Kiri Walker", "Lúcia Andrade",
    "Mei Chen", "Nikolai Volkov", "Olga Nowak", "Pedro Alves", "Quinn Murphy", "Rosa Díaz",
)
WORDS = (
    "page", "cell", "pointer", "header", "varint", "record", "column", "table", "index", "leaf",
    "interior", "root", "child", "key", "rowid", "overflow", "payload", "schema", "cursor", "balance",
    "split", "merge", "order", "search", "offset", "byte", "field", "value", "type", "serial",
    "journal", "write", "read", "cache", "file", "block", "tree", "node", "branch", "level", "depth",
)
COUNTRIES = (
    "Argentina", "Australia", "Austria", "Bangladesh", "Belgium", "Bolivia", "Brazil", "Bulgaria",
    "Cameroon", "Canada", "Chile", "China", "Colombia", "Costa Rica", "Croatia", "Cuba", "Czechia",
    "Denmark", "Ecuador", "Egypt", "Estonia", "Ethiopia", "Finland", "France", "Germany", "Ghana",
    "Greece", "Guatemala", "Hungary", "Iceland", "India", "Indonesia", "Iran", "Ireland", "Israel",
    "Italy", "Jamaica", "Japan", "Jordan", "Kazakhstan", "Kenya", "Latvia", "Lebanon", "Lithuania",
    "Luxembourg", "Malaysia", "Malta", "Mexico", "Mongolia", "Morocco", "Mozambique", "Namibia",
    "Nepal", "Netherlands", "New Zealand", "Nigeria", "Norway", "Oman", "Pakistan", "Panama",
    "Paraguay", "Peru", "Philippines", "Poland", "Portugal", "Qatar", "Romania", "Rwanda", "Senegal",
    "Serbia", "Singapore", "Slovakia", "Slovenia", "South Africa", "South Korea", "Spain", "Sri Lanka",
    "Sweden", "Switzerland", "Tanzania", "Thailand", "Tunisia", "Türkiye", "Uganda", "Ukraine",
    "United Kingdom", "United States", "Uruguay", "Uzbekistan", "Vietnam", "Zambia", "Zimbabwe",
    "Åland", "Curaçao", "São Tomé", "Réunion",
)
ABSENT_COUNTRIES = (
    "Atlantis", "Lemuria", "Freedonia", "Ruritania",
)
SECTORS = (
    "logistics", "biotech", "fintech", "agritech", "retail", "media", "energy", "robotics",
    "education", "tourism", "mining", "textiles",
)
SYLLABLES = (
    "ka", "ri", "to", "mo", "an", "el", "so", "lu", "vi", "da", "ne", "ra", "po", "qui", "ze", "ba",
    "fi", "go", "he", "ju", "ko", "la", "mi", "nu", "or", "pe", "sa", "te", "un",
)
# fmt: on
