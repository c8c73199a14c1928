"""mlcards: spaced-repetition flashcards for machine-learning vocabulary."""

__version__ = "0.1.0"
