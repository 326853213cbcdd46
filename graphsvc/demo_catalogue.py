"""Static vocabulary of the demo world: names, CoP themes, organisations, regions.

Pure data plus two small helpers (:func:`cop_profiles`, :func:`email_local_part`);
the generator in :mod:`graphsvc.demo` decides who gets what.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# fmt: off
FIRST_NAMES: tuple[str, ...] = (
    "Zoë", "Łukasz", "Ngozi", "José", "Søren", "Chloé", "Björn", "Anaïs", "Jürgen", "Małgorzata",
    "Siobhán", "Aoife", "Dmitri", "Amara", "Chinedu", "Priya", "Arjun", "Mei", "Hiroshi", "Yuki",
    "Fatima", "Omar", "Leila", "Tomás", "Inés", "Mateo", "Lucía", "Olga", "Ivan", "Katarzyna",
    "Emma", "Oliver", "Sophie", "James", "Hannah", "Daniel", "Grace", "Samuel", "Ella", "Thomas",
    "Amelia", "Noah", "Isla", "Liam", "Freya", "Ethan", "Maya", "Lucas", "Ava", "Henrik",
    "Ingrid", "Kwame", "Abena", "Rania", "Karim", "Élodie", "François", "Sinéad", "Eoin", "Nikolai",
    "Anja", "Matěj", "Zsófia", "Bálint", "Çağla", "Emre", "Thandiwe", "Sipho", "Ana", "João",
)

LAST_NAMES: tuple[str, ...] = (
    "Okafor", "Nowak", "Kowalski", "García", "Fernández", "Müller", "Schröder", "Jensen", "Ødegård",
    "Lindqvist", "Dvořák", "Novák", "Horváth", "Nagy", "Yılmaz", "Öztürk", "Adeyemi", "Mensah",
    "Nkosi", "Patel", "Sharma", "Nguyen", "Tanaka", "Suzuki", "Chen", "Wang", "Kim", "Park",
    "Haddad", "Khalil", "O'Brien", "Ó Súilleabháin", "MacDonald", "Smith", "Jones", "Williams",
    "Brown", "Taylor", "Davies", "Evans", "Wilson", "Thomas", "Roberts", "Walker", "Wright",
    "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris",
    "Martin", "Jackson", "Clarke", "Lewis", "Morgan", "Costa", "Pereira", "Silva", "Rossi",
    "Bianchi", "Dubois", "Lefèvre", "Moreau", "Van der Berg", "De Vries", "Nuñez",
)

DEPARTMENTS: tuple[str, ...] = (
    "Operations", "Research", "Digital", "Finance", "Policy", "Field Services", "People",
    "Communications", "Engineering", "Customer Services",
)
# fmt: on


@dataclass(frozen=True, slots=True)
class Organisation:
    """An employer: a community of kind ``organisation`` under a ``sector``."""

    slug: str
    name: str
    domain: str
    sector: str
    share: float


SECTORS: dict[str, str] = {
    "public": "Public sector",
    "private": "Private sector",
}

ORGANISATIONS: tuple[Organisation, ...] = (
    Organisation(
        "northwind-health", "Northwind Health Trust", "northwind-health.example", "public", 0.45
    ),
    Organisation(
        "riverside-council", "Riverside City Council", "riverside.example", "public", 0.35
    ),
    Organisation(
        "brightwater", "Brightwater Engineering Ltd", "brightwater.example", "private", 0.20
    ),
)

#: region slug → (name, share of people, towns people there live in)
REGIONS: dict[str, tuple[str, float, tuple[str, ...]]] = {
    "north": ("Northern Region", 0.55, ("Manchester", "Leeds", "Newcastle", "York", "Sheffield")),
    "south": ("Southern Region", 0.45, ("Bristol", "Brighton", "Southampton", "Exeter", "Reading")),
}


@dataclass(frozen=True, slots=True)
class CopTheme:
    """What a Community of Practice is about."""

    slug: str
    name: str
    description: str
    objectives: str
    topics: tuple[str, ...]


THEMES: tuple[CopTheme, ...] = (
    CopTheme(
        "data-science",
        "Data Science",
        "Analysts and scientists sharing methods for turning data into decisions.",
        "Share reusable notebooks; run a monthly model review; mentor new analysts.",
        ("machine learning", "statistics", "data visualisation", "python", "forecasting"),
    ),
    CopTheme(
        "digital-health",
        "Digital Health",
        "Clinicians and technologists improving care with digital tools.",
        "Pilot two remote-care services a year; agree common data standards.",
        ("telemedicine", "patient records", "health informatics", "interoperability"),
    ),
    CopTheme(
        "climate-adaptation",
        "Climate Adaptation",
        "Practitioners preparing places and services for a changing climate.",
        "Publish a local adaptation playbook; map heat and flood hotspots.",
        ("flood risk", "heat resilience", "nature-based solutions", "climate data"),
    ),
    CopTheme(
        "open-source",
        "Open Source",
        "People who build, publish and maintain open-source software together.",
        "Release internal tools openly; grow reviewers; keep dependencies healthy.",
        ("git", "code review", "licensing", "community management", "python"),
    ),
    CopTheme(
        "procurement",
        "Procurement Innovation",
        "Buyers and suppliers rethinking how public money buys outcomes.",
        "Shorten tender cycles; embed social value in every contract.",
        ("tendering", "supplier engagement", "contract management", "social value"),
    ),
    CopTheme(
        "service-design",
        "Service Design",
        "Designers and researchers shaping services around the people who use them.",
        "Test every new service with users; share research in one repository.",
        ("user research", "journey mapping", "accessibility", "prototyping"),
    ),
    CopTheme(
        "cybersecurity",
        "Cybersecurity",
        "Security practitioners protecting systems, data and people.",
        "Run quarterly incident drills; share threat intelligence within a day.",
        ("threat modelling", "incident response", "identity management", "risk"),
    ),
    CopTheme(
        "agile-delivery",
        "Agile Delivery",
        "Delivery leads and teams improving how work flows from idea to use.",
        "Coach ten new teams a year; share retrospective formats that work.",
        ("scrum", "kanban", "retrospectives", "product ownership"),
    ),
    CopTheme(
        "knowledge-management",
        "Knowledge Management",
        "Librarians, curators and facilitators helping knowledge find its way.",
        "Keep one findable wiki; capture lessons learned from every project.",
        ("wikis", "taxonomy", "lessons learned", "facilitation"),
    ),
    CopTheme(
        "sustainable-mobility",
        "Sustainable Mobility",
        "Planners and engineers making travel cleaner, safer and fairer.",
        "Double active-travel routes; electrify the fleet by 2030.",
        ("electric vehicles", "active travel", "route planning", "road safety"),
    ),
    CopTheme(
        "people-culture",
        "People and Culture",
        "HR, coaches and managers building healthy, inclusive workplaces.",
        "Halve onboarding time; train every manager in coaching.",
        ("onboarding", "coaching", "wellbeing", "inclusion"),
    ),
    CopTheme(
        "asset-management",
        "Asset Management",
        "Engineers keeping buildings, networks and equipment in good shape.",
        "Move to condition-based maintenance; build a digital twin of key sites.",
        ("maintenance planning", "sensors", "digital twins", "lifecycle costing"),
    ),
)

#: Sector flavours that extend the theme list when more CoPs are needed than themes exist.
QUALIFIERS: tuple[str, ...] = (
    "Health",
    "Energy",
    "Transport",
    "Education",
    "Finance",
    "Housing",
    "Water",
    "Agriculture",
    "Manufacturing",
    "Retail",
)


@dataclass(frozen=True, slots=True)
class CopProfile:
    """One CoP of the generated world: id, name, texts, topics."""

    id: str
    name: str
    description: str
    objectives: str
    topics: tuple[str, ...]


def cop_profiles(count: int) -> list[CopProfile]:
    """The first ``count`` CoP profiles: themes first, then themes × sector qualifiers."""
    profiles: list[CopProfile] = []
    for index in range(count):
        theme = THEMES[index % len(THEMES)]
        round_ = index // len(THEMES)
        if round_ == 0:
            profiles.append(
                CopProfile(
                    f"cop-{theme.slug}",
                    f"{theme.name} CoP",
                    theme.description,
                    theme.objectives,
                    theme.topics,
                )
            )
            continue
        qualifier_index = (round_ - 1) % len(QUALIFIERS)
        qualifier = QUALIFIERS[qualifier_index]
        repeat = (round_ - 1) // len(QUALIFIERS)
        suffix = f" {repeat + 1}" if repeat else ""
        slug = f"{theme.slug}-{qualifier.lower()}{'-' + str(repeat + 1) if repeat else ''}"
        profiles.append(
            CopProfile(
                f"cop-{slug}",
                f"{theme.name} in {qualifier} CoP{suffix}",
                f"{theme.description} Focus: {qualifier.lower()}.",
                theme.objectives,
                (*theme.topics, qualifier.lower()),
            )
        )
    return profiles


_FOLD = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
        "œ": "oe",
        "þ": "th",
    }
)


@lru_cache(maxsize=16384)
def email_local_part(first: str, last: str) -> str:
    """``first.last`` folded to lower-case ASCII letters (``Łukasz Dvořák`` → ``lukasz.dvorak``)."""

    def fold(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
        ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
        return re.sub(r"[^a-z0-9]", "", ascii_text)

    return f"{fold(first)}.{fold(last)}"
