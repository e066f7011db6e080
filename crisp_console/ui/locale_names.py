"""Names of countries and languages from their codes, in the UI's language (Qt's QLocale knows
them all); an unknown code is shown as itself. Cached: the people panel asks on every render."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QLocale


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    territory = QLocale.codeToTerritory(code)
    return code if territory == QLocale.Country.AnyTerritory \
        else QLocale.territoryToString(territory)


@lru_cache(maxsize=512)
def language_name(code: str) -> str:
    language = QLocale.codeToLanguage(code.replace("_", "-").split("-")[0])
    return code if language == QLocale.Language.AnyLanguage \
        else QLocale.languageToString(language)
