"""Which number in a caption is the sum (core.money.captions): a table of crews' phrasings."""

from __future__ import annotations

import pytest

from core.money.captions import read_caption

R = 100  # kopecks in a ruble

# caption, the sum in kopecks (None: no sum or unclear), the note that must remain
TABLE = [
    # money marked by a currency, in every spelling
    ("1 000", 1_000 * R, ""),
    ("1000р", 1_000 * R, ""),
    ("обед 1000р.", 1_000 * R, "обед"),
    ("шпатлёвка 1 500,50 руб", 150_050, "шпатлёвка"),
    ("краска 2 300 рублей", 2_300 * R, "краска"),
    ("стяжки 640₽", 640 * R, "стяжки"),
    ("дюбели 380 ₽", 380 * R, "дюбели"),
    ("щебень 12 тыс", 12_000 * R, "щебень"),
    ("генератор 15к", 15_000 * R, "генератор"),
    ("перфоратор 7,5к", 7_500 * R, "перфоратор"),
    ("сварка 2.500", 2_500 * R, "сварка"),
    ("мойка 350,5", 35_050, "мойка"),
    # money marked by a word before it; the word never hangs in the note
    ("заправился на 1800", 1_800 * R, "заправился"),
    ("отдал 900 за парковку", 900 * R, "парковку"),
    ("стоянка, заплатил 200", 200 * R, "стоянка"),
    ("потратила 450 на канцтовары", 450 * R, "канцтовары"),
    ("итого: 7 200", 7_200 * R, ""),
    ("мешки для мусора за 260", 260 * R, "мешки для мусора"),
    ("чек на 3 100, хомуты", 3_100 * R, "хомуты"),
    ("потратил на бензин 1000", 1_000 * R, "бензин"),
    ("на такси потратила 540", 540 * R, "такси"),
    ("1000 на бензин", 1_000 * R, "бензин"),
    ("заплатил за кабель 30 м 1500 рублей", 1_500 * R, "кабель 30 м"),
    ("бензин на 1000 р, аи-95", 1_000 * R, "бензин, аи-95"),
    # numbers that belong to what was bought are not the sum
    ("провод ПВС 3х1,5 25 м 2750", 2_750 * R, "провод ПВС 3х1,5 25 м"),
    ("кабель 4 мм² 12 м 1900", 1_900 * R, "кабель 4 мм² 12 м"),
    ("кабель 2,5кв 40 метров 3200", 3_200 * R, "кабель 2,5кв 40 метров"),
    ("труба 20x2 4 м 560", 560 * R, "труба 20x2 4 м"),
    ("профиль 60*27 10 шт 1450", 1_450 * R, "профиль 60*27 10 шт"),
    ("брус 100 Х 100 6 м 3000", 3_000 * R, "брус 100 Х 100 6 м"),
    ("лист 1250×2500 2 шт 4100", 4_100 * R, "лист 1250×2500 2 шт"),
    ("дизель 55 л 3850", 3_850 * R, "дизель 55 л"),
    ("ДТ 30 литров 2100", 2_100 * R, "ДТ 30 литров"),
    ("цемент 50кг 3 мешка 1350", 1_350 * R, "цемент 50кг 3 мешка"),
    ("розетки 6 штук 1100", 1_100 * R, "розетки 6 штук"),
    ("автоматы D25 2 шт 1600", 1_600 * R, "автоматы D25 2 шт"),
    ("узо 40А 30мА 2300", 2_300 * R, "узо 40А 30мА"),
    ("бензин АИ-92 2600", 2_600 * R, "бензин АИ-92"),
    ("Аи-98 3 000 р", 3_000 * R, "Аи-98"),
    ("болты М10 20 шт 480", 480 * R, "болты М10 20 шт"),
    ("лампы 12 вт 5 шт 700", 700 * R, "лампы 12 вт 5 шт"),
    ("3 розетки 900", 900 * R, "3 розетки"),
    ("2 уп саморезов 430", 430 * R, "2 уп саморезов"),
    ("заказ №1507 гофра 16 мм 50 м 900", 900 * R, "заказ №1507 гофра 16 мм 50 м"),
    # dates, times, phones are not sums
    ("03.12 такси 640", 640 * R, "03.12 такси"),
    ("такси 27.11.2026 780", 780 * R, "такси 27.11.2026"),
    ("парковка 14:30 150", 150 * R, "парковка 14:30"),
    ("5 декабря мойка 400", 400 * R, "5 декабря мойка"),
    (
        "эвакуатор 4500, водитель +7 912 555-12-34",
        4_500 * R,
        "эвакуатор, водитель +7 912 555-12-34",
    ),
    # no sum at all, or only numbers of things
    ("купил всякого", None, "купил всякого"),
    ("кабель 30 м", None, "кабель 30 м"),
    ("уголок 50х50", None, "уголок 50х50"),
    ("саморезы 3 уп по 250", None, "саморезы 3 уп по 250"),
    ("бензин 40 л", None, "бензин 40 л"),
    # punctuation, not a minus
    ("бензин - 1200", 1_200 * R, "бензин"),
    ("бензин — 1200", 1_200 * R, "бензин"),
]


@pytest.mark.parametrize(("caption", "amount", "note"), TABLE, ids=[t[0] for t in TABLE])
def test_the_sum_and_the_note(caption, amount, note):
    read = read_caption(caption)
    assert (read.amount, read.note) == (amount, note)
    assert not read.negative


@pytest.mark.parametrize(
    ("caption", "amounts"),
    [
        ("кабель 30 1500", [30 * R, 1_500 * R]),
        ("бензин 700 1200", [700 * R, 1_200 * R]),
        ("на 500 и на 700", [500 * R, 700 * R]),
        ("1500р и ещё 300 р", [1_500 * R, 300 * R]),
    ],
)
def test_two_candidates_are_asked_about(caption, amounts):
    read = read_caption(caption)
    assert read.amount is None
    assert [c.amount for c in read.choices] == amounts
    for choice in read.choices:  # each choice keeps the other number in its note
        assert str(choice.amount // R) not in choice.note.replace(" ", "")


@pytest.mark.parametrize("caption", ["бензин -500", "-1 000 материалы", "такси −300"])
def test_a_minus_is_flagged_not_read_as_a_sum(caption):
    read = read_caption(caption)
    assert read.negative and read.amount is None


@pytest.mark.parametrize(
    ("caption", "number"),
    [("№1504 кабель 900", 1504), ("по заказу 1611 бензин 900", 1611), ("бензин 900", None)],
)
def test_an_order_number_is_found_and_is_not_the_sum(caption, number):
    read = read_caption(caption)
    assert read.order_number == number and read.amount == 900 * R
