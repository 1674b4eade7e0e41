"""Names, posts and words in the case a sentence needs: «в лице генерального директора Сергеева
Сергея Сергеевича, действующего на основании Устава», «Принято от Ивановой Марии Петровны».

People's names go through petrovich (its rules know Russian surnames, first names and
patronymics, double surnames, «оглы»/«кызы»); posts and documents through pymorphy3's
dictionary (the head noun and the adjectives before it change, the rest stays: «директора по
развитию», «председателя правления»). What the libraries get wrong for Russian surnames that
never decline (Черных, Седых, Дурново, Живаго) is caught before them."""

from __future__ import annotations

import re
from functools import cache

import pymorphy3
from petrovich.enums import Case, Gender
from petrovich.main import Petrovich

__all__ = ["gender_of", "person_case", "phrase_case", "surname_first"]

_CASES = {"gent": Case.GENITIVE, "datv": Case.DATIVE, "accs": Case.ACCUSATIVE,
          "ablt": Case.INSTRUMENTAL, "loct": Case.PREPOSITIONAL}  # fmt: skip
_ENTREPRENEUR = re.compile(r"^(ИП|Индивидуальный предприниматель)\s+", re.IGNORECASE)
# Russian surnames that keep one form in every case, whatever the gender.
_FROZEN_SURNAME = re.compile(r"(ых|их|ово|аго|яго)$", re.IGNORECASE)
# «Ген. директор», «Зам. директора»: a shortened word before the post's noun.
_SHORTENED = re.compile(r"[А-ЯЁа-яё]{2,6}\.")
_PATRONYMIC_TAIL = ("оглы", "улы", "уулу", "кызы", "гызы")


@cache
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


@cache
def _petrovich() -> Petrovich:
    return Petrovich()


def _first_name_gender(word: str) -> str | None:
    names = [p for p in _morph().parse(word) if "Name" in p.tag]
    if not names:
        return None
    tag = names[0].tag
    return "male" if "masc" in tag else "female" if "femn" in tag else None


def _is_first_name(word: str) -> bool:
    return any(
        {"Name", "sing", "nomn"} <= set(str(p.tag).replace(" ", ",").split(","))
        for p in _morph().parse(word)
    )


def surname_first(name: str) -> str:
    """Staff are often entered as people call them, «Олег Продажин»; a paper's «расшифровка
    подписи» wants the surname first («Продажин О.»). Two words, a first name then a word that
    is none: swapped; anything else stays as written."""
    parts = name.split()
    if len(parts) == 2 and _is_first_name(parts[0]) and not _is_first_name(parts[1]):
        return f"{parts[1]} {parts[0]}"
    return " ".join(parts)


def gender_of(full_name: str) -> str | None:
    """ "male", "female" or None (unknown): by the patronymic, then the first name, then
    the surname's ending."""
    parts = _ENTREPRENEUR.sub("", full_name).split()
    low = [p.lower() for p in parts]
    if any(t in low for t in ("оглы", "улы", "уулу")):
        return "male"
    if any(t in low for t in ("кызы", "гызы")):
        return "female"
    if len(parts) >= 3 and not parts[2].endswith("."):
        if low[2].endswith(("вич", "ич")):
            return "male"
        if low[2].endswith(("вна", "чна", "шна")):
            return "female"
    if len(parts) >= 2 and not parts[1].endswith("."):
        found = _first_name_gender(parts[1])
        if found:
            return found
    if parts and re.search(r"(ова|ева|ёва|ина|ына|ская|цкая|ая)$", low[0]):
        return "female"
    if parts and re.search(r"(ов|ев|ёв|ин|ын|ский|цкий|ой|ый)$", low[0]):
        return "male"
    return None


def _gender(gender: str | None) -> str:
    return {"male": Gender.MALE, "female": Gender.FEMALE}.get(gender or "", Gender.ANDRGN)


def _rule(rules: list[dict], word: str, gender: str, tags: set[str], whole: bool) -> dict | None:
    low = word.lower()
    for rule in rules:
        if rule["gender"] not in ("androgynous", gender) or set(rule.get("tags", ())) - tags:
            continue
        if any(low == s if whole else low.endswith(s) for s in rule["test"]):
            return rule
    return None


def _segment(kind: str, word: str, case: int, gender: str, tags: set[str]) -> str:
    if kind == "lastname" and _FROZEN_SURNAME.search(word):
        return word
    rules = _petrovich().data[kind]
    rule = _rule(rules["exceptions"], word, gender, tags, True)
    rule = rule or _rule(rules["suffixes"], word, gender, tags, False)
    mod = rule["mods"][case] if rule else "."
    if mod == ".":  # petrovich's «stays as it is»
        return word
    return _spelling(word[: len(word) - mod.count("-")] + mod.replace("-", ""))


def _inflect(kind: str, word: str, case: str, gender: str | None) -> str:
    """petrovich's own algorithm over its rules, part by part of a hyphenated name. The Python
    port skips the rules written for both genders when a gender is given (Никита, Фома,
    Шульга, Цой stayed or went wrong) and prints a dot for «stays as it is» (Дюма.)."""
    parts = word.split("-")
    first = {"first_word"} if len(parts) > 1 else set()
    return "-".join(
        _segment(kind, p, _CASES[case], _gender(gender), first if i == 0 else set())
        for i, p in enumerate(parts)
    )


def person_case(full_name: str, case: str = "gent", gender: str | None = None) -> str:
    """ "Фамилия Имя Отчество" (or "Фамилия И.О.", or "ИП Фамилия Имя Отчество") in a case."""
    text = " ".join(full_name.split())
    if not text or case == "nomn":
        return text
    prefix = ""
    if m := _ENTREPRENEUR.match(text):
        prefix, text = m.group(0), text[m.end() :]
        if prefix.lower().startswith("индивидуальный"):
            prefix = phrase_case(prefix.strip(), case) + " "
    gender = gender or gender_of(text)
    parts = text.split()
    out = [_inflect("lastname", parts[0], case, gender)]
    if len(parts) > 1:
        first = parts[1]
        out.append(first if first.endswith(".") else _inflect("firstname", first, case, gender))
    if len(parts) > 2:
        middle = " ".join(parts[2:])
        if middle.endswith(".") or parts[-1].lower() in _PATRONYMIC_TAIL:
            out.append(middle)  # initials, «Рашид оглы», «Гасан кызы»: they never change
        else:
            out.append(_inflect("middlename", middle, case, gender))
    return prefix + " ".join(out)


def _restore(original: str, word: str) -> str:
    if original.isupper() and len(original) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if original[:1].isupper() else word


def _spelling(word: str) -> str:
    """After г, к, х, ж, ш, ч, щ Russian writes и, never ы: «Ольги», «Саши»."""
    return re.sub(r"(?<=[гкхжшчщ])ы(?=$|-)", "и", word)


def _nominative(word: str, pos: tuple[str, ...]) -> pymorphy3.analyzer.Parse | None:
    if not re.fullmatch(r"[А-Яа-яЁё-]+", word):
        return None
    return next(
        (p for p in _morph().parse(word)
         if p.tag.POS in pos and "nomn" in p.tag and "plur" not in p.tag),
        None,
    )  # fmt: skip


def phrase_case(phrase: str, case: str = "gent", *, lower_first: bool = False) -> str:
    """A post or a document's name in a case: the leading adjectives and their noun change,
    the words after them stay («Старший менеджер по продажам» → «Старшего менеджера по
    продажам»). lower_first: lowercase for the middle of a sentence (not abbreviations)."""
    words = phrase.split()
    run = 0
    while run < len(words) and (
        _SHORTENED.fullmatch(words[run]) or _nominative(words[run], ("NOUN", "ADJF", "PRTF"))
    ):
        run += 1
    nouns = [i for i in range(run) if _nominative(words[i], ("NOUN",))]
    head = nouns[-1] if nouns else None
    gender = None
    if head is not None:
        parse = _nominative(words[head], ("NOUN",))
        gender = parse.tag.gender
        changed = parse.inflect({case, "sing"})
        words[head] = _restore(words[head], changed.word) if changed else words[head]
    for i in range(head if head is not None else run):
        parse = _nominative(words[i], ("ADJF", "PRTF", "NOUN"))
        if parse is None:  # «Ген.», «Зам.»: a shortened word stays as written
            continue
        wanted = {case, "sing"} | ({gender} if gender and parse.tag.POS != "NOUN" else set())
        changed = parse.inflect(wanted) or parse.inflect({case, "sing"})
        words[i] = _restore(words[i], changed.word) if changed else words[i]
    text = " ".join(words)
    if lower_first and words and not words[0].isupper():
        text = text[:1].lower() + text[1:]
    return text
