"""Challenge definitions: YAML metadata and stage instructions, loaded into typed models."""

from crack.challenge.loader import find_challenge, list_challenges, load_challenge
from crack.challenge.model import Challenge, Concepts, Difficulty, Rubric, Stage

__all__ = [
    "Challenge",
    "Concepts",
    "Difficulty",
    "Rubric",
    "Stage",
    "find_challenge",
    "list_challenges",
    "load_challenge",
]
