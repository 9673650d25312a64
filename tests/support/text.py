"""Text helpers for assertions."""


def spaces(text: str) -> str:
    """Babel's no-break spaces («1 200 ₽», «12,5 %») as plain ones, for readable asserts."""
    return text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")
