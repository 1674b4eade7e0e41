import pytest

from core.documents.words import amount_in_words, plural


@pytest.mark.parametrize(
    "kopecks, text",
    [
        (1_250_000, "двенадцать тысяч пятьсот рублей 00 копеек"),
        (100, "один рубль 00 копеек"),
        (201, "два рубля 01 копейка"),
        (502, "пять рублей 02 копейки"),
        (1105, "одиннадцать рублей 05 копеек"),
        (2111, "двадцать один рубль 11 копеек"),
        (2221, "двадцать два рубля 21 копейка"),
        (11_400, "сто четырнадцать рублей 00 копеек"),
        (0, "ноль рублей 00 копеек"),
        (99, "ноль рублей 99 копеек"),
        (200_000_000, "два миллиона рублей 00 копеек"),
        (
            123_456_789,
            "один миллион двести тридцать четыре тысячи пятьсот шестьдесят семь рублей 89 копеек",
        ),
    ],
)
def test_amount_in_words(kopecks, text):
    assert amount_in_words(kopecks) == text


def test_capitalised_and_negative():
    assert (
        amount_in_words(1_250_000, capitalize=True) == "Двенадцать тысяч пятьсот рублей 00 копеек"
    )
    with pytest.raises(ValueError):
        amount_in_words(-1)


@pytest.mark.parametrize(
    "n, word",
    [
        (1, "a"),
        (2, "b"),
        (4, "b"),
        (5, "c"),
        (11, "c"),
        (12, "c"),
        (21, "a"),
        (22, "b"),
        (111, "c"),
        (101, "a"),
    ],
)
def test_plural(n, word):
    assert plural(n, "a", "b", "c") == word
