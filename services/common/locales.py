"""The languages the bot speaks (locales/<code>/*.po), Russian first."""

SUPPORTED_LOCALES = ("ru", "en")
