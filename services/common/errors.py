"""The one refusal: a translation key and its params, raised by any service and told to the
user by the one error handler (handlers/common/errors.py)."""

from __future__ import annotations

from typing import Any


class UserError(ValueError):
    """Bad input, refused with a reason: `key` (msgid), `params` for its placeholders (dates
    stay dates: the view writes them, with the year when `full_dates`), and `hint`, the key
    of a line added below (e.g. the command's usage)."""

    def __init__(
        self, key: str, /, *, hint: str | None = None, full_dates: bool = False, **params: Any
    ) -> None:
        super().__init__(key)
        self.key = key
        self.params: dict[str, Any] = params
        self.hint = hint
        self.full_dates = full_dates

    def hinted(self, hint: str) -> UserError:
        """The same refusal with `hint`'s text added below it."""
        self.hint = hint
        return self
