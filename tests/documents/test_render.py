import dataclasses
import datetime as dt

import pytest
import zxingcpp

from core.base.errors import ValidationError
from core.documents import (
    DocumentError,
    LineItem,
    Party,
    load_texts,
    render_act,
    render_contract,
    render_invoice,
    render_order_form,
    render_receipt,
    render_upd,
    render_waybill,
)
from core.documents.data import Company
from tests.documents.conftest import flat, goods_of, page_count, pdf_png, pdf_text

WORDS = "Двенадцать тысяч пятьсот рублей 00 копеек"


def test_invoice_text(sale):
    text = flat(pdf_text(render_invoice(sale)))
    assert "Счёт на оплату № 12 от 23 ноября 2026 г." in text
    for part in (
        "ПАО «Сбербанк России», г. Москва",
        "БИК 044525225",
        "Сч. № 30101810400000000225",
        "ИНН 7701234567 КПП 770101001 ООО «Печатный двор» Получатель Сч. № 40702810938000012345",
        "ООО «Ромашка», ИНН 7712345678, КПП 771201001, г. Москва, ул. Ленина, д. 1",
        "Основание: Заказ № 123 от 23.11.2026",
        "1 Баннер 3×2 м, печать 720 dpi, люверсы 6 м² 1 500,00 9 000,00",
        "2 Визитки 90×50 мм, 4+4, 1000 шт. 1 шт. 2 500,00 2 500,00",
        "3 Дизайн макета 1 усл. 1 000,00 1 000,00",
        "Итого: 12 500,00",
        "Без налога (НДС): —",
        "Всего к оплате: 12 500,00",
        "Всего наименований 3, на сумму 12 500,00 руб.",
        WORDS,
        "Оплатить не позднее 30.11.2026.",
        "Директор должность подпись Петров П.П.",
        "Главный бухгалтер должность подпись Сидорова А.А.",
    ):
        assert part in text, part


def test_invoice_takes_off_the_advance_and_has_a_payment_qr(sale):
    """Issue 25: an advance already paid is off; the QR (ГОСТ Р 56042-2014) is what a banking
    app reads: the payee, the bank and the sum to pay in kopecks."""
    pdf = render_invoice(dataclasses.replace(sale, paid=500_000))
    text = flat(pdf_text(pdf))
    assert "Итого: 12 500,00 Без налога (НДС): — Оплачено ранее (аванс): 5 000,00" in text
    assert "Всего к оплате: 7 500,00" in text
    # the words under «на сумму 12 500,00» say they are the rest, not that sum
    assert "на сумму 12 500,00 руб. Всего к оплате: семь тысяч пятьсот рублей 00 копеек" in text
    found = zxingcpp.read_barcodes(pdf_png(pdf, dpi=200))
    assert [b.format for b in found] == [zxingcpp.BarcodeFormat.QRCode]
    payload = found[0].bytes.decode("utf-8")
    assert payload.startswith("ST00012|")
    fields = dict(part.split("=", 1) for part in payload.split("|")[1:])
    assert fields == {
        "Name": "ООО «Печатный двор»", "PersonalAcc": "40702810938000012345",
        "BankName": "ПАО «Сбербанк России», г. Москва", "BIC": "044525225",
        "CorrespAcc": "30101810400000000225", "Sum": "750000",
        "Purpose": "Оплата по счёту № 12 от 23.11.2026, без НДС",
        "PayeeINN": "7701234567", "KPP": "770101001",
    }  # fmt: skip
    with pytest.raises(DocumentError, match="заказ уже оплачен полностью"):
        render_invoice(dataclasses.replace(sale, paid=sale.total))


def test_payment_qr_states_the_vat_of_what_is_left_to_pay(sale):
    """After an advance the QR asks for the rest, and its purpose names the VAT inside that
    rest (a payment order states its own VAT), not the whole paper's: 9 500,00 at 20 % holds
    1 583,33; with two rates the rest is shared as the lines are."""
    items = tuple(dataclasses.replace(i, vat_rate=20) for i in sale.items)
    doc = dataclasses.replace(sale, items=items, paid=300_000)

    def purpose(d):
        payload = zxingcpp.read_barcodes(pdf_png(render_invoice(d), dpi=200))[0].text
        return dict(p.split("=", 1) for p in payload.split("|")[1:])

    fields = purpose(doc)
    assert fields["Sum"] == "950000"
    assert fields["Purpose"] == "Оплата по счёту № 12 от 23.11.2026, в т.ч. НДС 1 583,33"
    assert "В том числе НДС 20%: 2 083,34" in flat(pdf_text(render_invoice(doc)))  # the paper's
    mixed = (dataclasses.replace(items[0], vat_rate=10), *items[1:])
    # 9 500,00 shared 9 000 : 3 500 → 6 840,00 at 10 % (621,82) and 2 660,00 at 20 % (443,33)
    assert purpose(dataclasses.replace(doc, items=mixed))["Purpose"].endswith("НДС 1 065,15")
    assert purpose(dataclasses.replace(doc, paid=0))["Purpose"].endswith("НДС 2 083,34")


def test_payment_qr_keeps_its_separators_out_of_values(sale):
    from core.documents import payment_qr_text

    seller = dataclasses.replace(sale.seller, name="ООО «Пик|Плюс»\nфилиал")
    text = payment_qr_text(seller, 100, "Оплата | по счёту")
    assert "Name=ООО «Пик/Плюс» филиал|" in text and "Purpose=Оплата / по счёту|" in text


def test_invoice_with_vat_and_fractional_quantity(sale):
    items = (LineItem("Плёнка оракал", "2,5".replace(",", "."), "м²", 33333, 22),)
    text = flat(pdf_text(render_invoice(dataclasses.replace(sale, items=items))))
    # 2,5 × 333,33 = 833,325 -> 833,33; VAT inside: 833,33 × 22/122 = 150,27
    assert "1 Плёнка оракал 2,5 м² 333,33 833,33" in text
    assert "В том числе НДС 22%: 150,27" in text
    assert "Восемьсот тридцать три рубля 33 копейки" in text


def test_vat_is_rounded_per_line_and_summed_per_rate(sale):
    """One rounding rule: each line's VAT to the kopeck, half up; a rate's total is the sum
    of its lines (so the table and the totals agree)."""
    items = (
        LineItem("Печать", 1, "шт", 100, 22),  # 100 × 22/122 = 18,03 → 18
        LineItem("Ламинация", 1, "шт", 100, 22),  # 18
        LineItem("Брошюры", 3, "шт", 3333, 10),  # 99,99 → VAT 9,09 (908,999… → 909)
        LineItem("Доставка", 1, "усл. ед", 50000, None),
    )
    doc = dataclasses.replace(sale, items=items)
    assert [i.vat for i in items] == [18, 18, 909, None] and doc.vat == 945
    text = flat(pdf_text(render_act(doc)))
    assert "В том числе НДС 22%: 0,36 В том числе НДС 10%: 9,09 Без налога (НДС): —" in text


def test_act_text(sale):
    buyer = dataclasses.replace(
        sale.buyer, signer_post="Генеральный директор", signer_name="Кузнецова Мария Ивановна"
    )
    text = flat(pdf_text(render_act(dataclasses.replace(sale, buyer=buyer))))
    # both sides' posts and names (402-ФЗ ст. 9), both seals
    assert (
        "ИСПОЛНИТЕЛЬ Директор должность подпись Петров П.П. расшифровка подписи ЗАКАЗЧИК "
        "Генеральный директор должность подпись Кузнецова М.И. расшифровка подписи М.П. М.П."
    ) in text
    assert "Акт № 12 от 23 ноября 2026 г. выполненных работ (оказанных услуг)" in text
    assert "Исполнитель: ООО «Печатный двор», ИНН 7701234567" in text
    assert "р/с 40702810938000012345 в банке ПАО «Сбербанк России», г. Москва" in text
    assert "Заказчик: ООО «Ромашка»" in text
    assert "Всего оказано услуг 3, на сумму 12 500,00 руб." in text
    assert WORDS in text
    assert "Заказчик претензий по объёму, качеству и срокам оказания услуг не имеет." in text
    assert "ИСПОЛНИТЕЛЬ" in text and "ЗАКАЗЧИК" in text and text.count("М.П.") == 2


def test_torg12_text(goods_sale):
    text = flat(pdf_text(render_waybill(goods_sale)))
    assert "Унифицированная форма № ТОРГ-12" in text and "ТОВАРНАЯ НАКЛАДНАЯ" in text
    assert "Грузоотправитель ООО «Печатный двор»" in text and "Плательщик ООО «Ромашка»" in text
    assert (
        "1 Баннер 3×2 м, печать 720 dpi, люверсы — м² — — — — — 6 1 500,00 9 000,00 без НДС — 9 000,00"
        in text
    )
    assert "Всего по накладной 7 X 11 500,00 X — 11 500,00" in text
    assert "содержит два порядковых номеров записей" in text
    assert "Всего отпущено на сумму: одиннадцать тысяч пятьсот рублей 00 копеек" in text
    for role in ("Отпуск груза разрешил", "Главный (старший) бухгалтер", "Отпуск груза произвёл",
                 "Груз принял", "Груз получил грузополучатель"):  # fmt: skip
        assert role in text
    assert "Директор должность подпись Петров П.П." in text and text.count("М.П.") == 2


def test_torg12_carries_goods_only(sale):
    """ТОРГ-12 is a waybill for goods: a service on it is refused in Russian (it belongs to
    the act or the УПД), and an order of services alone gets no ТОРГ-12 at all."""
    with pytest.raises(DocumentError) as err:
        render_waybill(sale)
    assert str(err.value) == (
        "Нельзя оформить накладную ТОРГ-12: «Дизайн макета» — работа или услуга, а в ТОРГ-12 "
        "входят только товары (работы и услуги — в акте или УПД)."
    )
    services = tuple(dataclasses.replace(i, subject="service") for i in sale.items)
    with pytest.raises(DocumentError, match="в заказе нет товаров"):
        render_waybill(dataclasses.replace(sale, items=services))
    assert "Дизайн макета" in flat(pdf_text(render_upd(sale)))  # the УПД takes both


def test_upd_status_follows_vat(sale):
    """УПД: status 1 (a счёт-фактура too) when the lines carry VAT, 2 when без НДС; the ФНС
    form's lines and columns by their numbers."""
    vat_items = tuple(dataclasses.replace(i, vat_rate=22, okei="796") for i in sale.items)
    text = flat(pdf_text(render_upd(dataclasses.replace(sale, items=vat_items))))
    assert "Статус: 1" in text
    for part in ("Счёт-фактура № 12 от 23.11.2026 (1)", "Продавец: ООО «Печатный двор» (2)",
                 "ИНН/КПП продавца: 7701234567/770101001 (2б)",
                 "Документ об отгрузке: № п/п 1–3 № 12 от 23.11.2026 (5а)",
                 "ИНН/КПП покупателя: 7712345678/771201001 (6б)",
                 "Валюта: наименование, код Российский рубль, 643 (7)",
                 "№ А 1а 1б 2 2а 3 4 5 6 7 8 9 10 10а 11 12 12а 13 14",
                 "1 — Баннер 3×2 м, печать 720 dpi, люверсы — 796 м² 6 1 229,51 7 377,05",
                 "22% 1 622,95 9 000,00", "Всего к оплате (9) 10 245,90 X 2 254,10 12 500,00",
                 "Главный бухгалтер или иное уполномоченное лицо",
                 "Товар (груз) передал / услуги, результаты работ, права сдал [10]",
                 "Ответственный за правильность оформления факта хозяйственной жизни [13]"):  # fmt: skip
        assert part in text, part
    plain = flat(pdf_text(render_upd(sale)))
    assert "Статус: 2" in plain and "без НДС — 9 000,00" in plain


def test_bookkeepers_line_never_repeats_the_director(sale):
    seller = dataclasses.replace(sale.seller, accountant="")
    doc = dataclasses.replace(sale, seller=seller)
    assert "Главный бухгалтер" not in flat(pdf_text(render_invoice(doc)))
    for render in (render_invoice, render_upd, render_waybill):
        paper = goods_of(doc) if render is render_waybill else doc
        assert flat(pdf_text(render(paper))).count("Петров П.П.") == (
            3 if render is render_upd else 1
        )  # the director signs as himself ([10], [13] and the head's line), never as bookkeeper


def test_long_invoice_breaks_pages_and_keeps_totals(sale):
    items = tuple(LineItem(f"Позиция {n}", 1, "шт.", 10000) for n in range(1, 81))
    pdf = render_invoice(dataclasses.replace(sale, items=items))
    assert page_count(pdf) >= 2
    text = flat(pdf_text(pdf))
    assert "80 Позиция 80 1 шт. 100,00 100,00" in text
    assert "Всего к оплате: 8 000,00" in text and "Восемь тысяч рублей 00 копеек" in text


def test_papers_for_a_private_person_need_no_inn(sale):
    """The law asks no ИНН of a citizen: invoice, act, УПД and ТОРГ-12 go to a private person
    with the name alone; a company without requisites is still refused."""
    bare = Party(name="Иванов Иван Иванович", phone="+7 916 123-45-67")
    doc = dataclasses.replace(sale, buyer=bare)
    for render in (render_invoice, render_act, render_upd, render_waybill):
        paper = goods_of(doc) if render is render_waybill else doc
        assert "Иванов Иван Иванович" in flat(pdf_text(render(paper)))
    act = flat(pdf_text(render_act(doc)))
    assert "Иванов И.И. расшифровка подписи" in act and act.count("М.П.") == 1  # no seal
    upd = flat(pdf_text(render_upd(doc)))
    assert "ИНН/КПП покупателя: — (6б)" in upd and upd.count("М.П.") == 1  # our seal only
    assert flat(pdf_text(render_waybill(goods_of(doc)))).count("М.П.") == 1
    firm = Party(name="ООО «Вектор»", kind="company")
    with pytest.raises(DocumentError) as err:
        render_invoice(dataclasses.replace(sale, buyer=firm))
    assert (
        str(err.value)
        == "Нельзя оформить счёт: не заполнены реквизиты клиента «ООО „Вектор“»: ИНН, адрес."
    )
    assert err.value.missing == ["ИНН", "адрес"]
    assert isinstance(err.value, ValidationError)  # shown to users like every domain error


def test_organisation_needs_kpp_and_valid_digits(sale):
    buyer = dataclasses.replace(sale.buyer, kpp="", inn="77123")
    with pytest.raises(DocumentError) as err:
        render_act(dataclasses.replace(sale, buyer=buyer))
    assert str(err.value) == "Нельзя оформить акт: ИНН «77123» должен состоять из 10 или 12 цифр."
    buyer = dataclasses.replace(sale.buyer, kpp="")
    with pytest.raises(DocumentError, match="реквизиты клиента «ООО „Ромашка“»: КПП"):
        render_waybill(dataclasses.replace(sale, buyer=buyer))


def test_invoice_needs_our_bank_details(sale):
    seller = dataclasses.replace(sale.seller, bik="", account="")
    with pytest.raises(DocumentError) as err:
        render_invoice(dataclasses.replace(sale, seller=seller))
    assert "не заполнены реквизиты фирмы (настройки → реквизиты): БИК, расчётный счёт" in str(
        err.value
    )
    render_act(dataclasses.replace(sale, seller=seller))  # an act does not need them


def test_bad_items_are_refused(sale):
    with pytest.raises(DocumentError, match="нет ни одной позиции"):
        render_invoice(dataclasses.replace(sale, items=()))
    with pytest.raises(DocumentError, match="количество в позиции 1"):
        render_invoice(dataclasses.replace(sale, items=(LineItem("x", 0, "шт.", 100),)))


def test_order_form_text_and_qr(order_form):
    pdf = render_order_form(order_form)
    text = flat(pdf_text(pdf))
    for part in (
        "ООО «Печатный двор», ИНН 7701234567",
        "Бланк заказа № 123 от 23.11.2026",
        "Заказчик: Иванов Иван Иванович",
        "Телефон: +7 916 123-45-67",
        "Описание заказа: Баннер 3×2 м на люверсах, визитки, дизайн",
        "Стоимость заказа 12 500,00 ₽",
        "Предоплата 5 000,00 ₽",
        "К оплате при получении 7 500,00 ₽",
        "Срок готовности: 25.11.2026",
        "Макет (предварительный просмотр)",
        "Заказ принял Мария Менеджерова",
    ):
        assert part in text, part
    found = zxingcpp.read_barcodes(pdf_png(pdf, dpi=150))
    assert [(b.format, b.text) for b in found] == [
        (zxingcpp.BarcodeFormat.QRCode, order_form.track_url)
    ]


def test_order_form_preview_is_on_the_page(order_form):
    png = pdf_png(render_order_form(order_form), dpi=50).convert("RGB")
    colours = {c for _, c in png.getcolors(1 << 20)}
    assert any(r > 230 and g > 200 and b < 60 for r, g, b in colours)  # the layout's yellow
    plain = pdf_png(
        render_order_form(dataclasses.replace(order_form, preview_jpeg=None, track_url="")), dpi=50
    )
    assert not any(
        r > 230 and g > 200 and b < 60
        for r, g, b in {c for _, c in plain.convert("RGB").getcolors(1 << 20)}
    )
    assert (
        zxingcpp.read_barcodes(
            pdf_png(render_order_form(dataclasses.replace(order_form, track_url="")))
        )
        == []
    )


def test_order_form_refuses_advance_over_total(order_form):
    with pytest.raises(DocumentError, match="Аванс 20 000,00 ₽ больше стоимости 12 500,00 ₽"):
        render_order_form(dataclasses.replace(order_form, advance=2_000_000))


def test_contract_text(contract):
    text = flat(pdf_text(render_contract(contract)))
    for part in (
        "Договор-расписка № 45",
        "г. Химки 23 ноября 2026 г.",
        "ООО «Электромонтаж», в лице директора Сергеева Сергея Сергеевича, действующего на "
        "основании Устава, именуемое в дальнейшем «Исполнитель»",
        "и гражданин Иванов Иван Иванович, паспорт 4510 123456, выдан ОВД Химки 01.02.2010, "
        "именуемый в дальнейшем «Заказчик»",
        "Объект: Дача / садовый участок, адрес: Московская обл., Солнечногорский р-н, СНТ «Берёзка», уч. 17.",
        "Стоимость работ составляет 45 000,00 ₽ (сорок пять тысяч рублей 00 копеек).",
        "аванс в сумме 15 000,00 ₽ (пятнадцать тысяч рублей 00 копеек)",
        "Остаток оплаты 30 000,00 ₽ (тридцать тысяч рублей 00 копеек)",
        "Расписка в получении аванса",
        "Аванс в сумме 15 000,00 ₽ (пятнадцать тысяч рублей 00 копеек) получил.",
        "Окончательный расчёт и приёмка работ",
        "Остаток оплаты в сумме 30 000,00 ₽ (тридцать тысяч рублей 00 копеек) получил представитель Исполнителя",
        "Работы принял Заказчик",
    ):
        assert part in text, part
    assert text.count("«___» ____________ 20___ г.") == 3
    assert page_count(render_contract(contract)) == 1


def test_contract_without_passport_leaves_a_blank(contract):
    client = dataclasses.replace(contract.client, passport="")
    text = flat(pdf_text(render_contract(dataclasses.replace(contract, client=client))))
    assert "гражданин Иванов Иван Иванович, паспорт ____" in text


def test_contract_preamble_for_an_entrepreneur_and_a_woman(contract):
    ip = Company(name="ИП Морозова Анна Викторовна", inn="500100732259", ogrn="304500116000157",
                 director="Морозова Анна Викторовна", director_basis="свидетельство о государственной регистрации")  # fmt: skip
    client = dataclasses.replace(contract.client, name="Черных Ольга Ивановна")
    text = flat(pdf_text(render_contract(dataclasses.replace(contract, company=ip, client=client))))
    assert (
        "ИП Морозова Анна Викторовна (ОГРНИП 304500116000157), действующая на основании "
        "свидетельства о государственной регистрации, именуемая в дальнейшем «Исполнитель»"
    ) in text
    assert (
        "и гражданка Черных Ольга Ивановна, паспорт" in text
        and "именуемая в дальнейшем «Заказчик»" in text
    )


def test_an_entrepreneur_never_acts_on_a_charter(contract):
    # The firm's basis defaults to «Устав» (config, settings); an ИП has none: it acts on the
    # record in ЕГРИП. A basis the director typed (a power of attorney) is printed as typed.
    ip = Company(name="ИП Лебедь Александр Иванович", inn="500100732259",
                 ogrn="304500116000157", director="Лебедь Александр Иванович")  # fmt: skip
    text = flat(pdf_text(render_contract(dataclasses.replace(contract, company=ip))))
    assert "Устав" not in text
    assert (
        "ИП Лебедь Александр Иванович (ОГРНИП 304500116000157), действующий на основании "
        "листа записи ЕГРИП, именуемый в дальнейшем «Исполнитель»"
    ) in text
    by_proxy = dataclasses.replace(ip, director_basis="доверенность № 5 от 01.02.2026")
    text = flat(pdf_text(render_contract(dataclasses.replace(contract, company=by_proxy))))
    assert "действующий на основании доверенности № 5 от 01.02.2026" in text


def test_contract_needs_object_and_work(contract):
    with pytest.raises(DocumentError) as err:
        render_contract(dataclasses.replace(contract, object_address="", work=" "))
    assert str(err.value) == "Нельзя оформить договор: не заполнено: адрес объекта, работы."


def test_receipt_says_it_is_not_a_fiscal_cheque(receipt):
    text = flat(pdf_text(render_receipt(receipt)))
    assert "Квитанция № 7 от 23.11.2026 о приёме наличных денежных средств" in text
    assert "Принято от: Иванова Ивана Ивановича" in text  # «от кого»: the genitive
    assert "Деньги получил Директор должность подпись Сергеев С.С. расшифровка подписи" in text
    assert "Основание: Аванс по договору-расписке № 45 от 23.11.2026" in text
    assert "Сумма: 15 000,00 ₽ (пятнадцать тысяч рублей 00 копеек)" in text
    assert "НЕ ЯВЛЯЕТСЯ КАССОВЫМ ЧЕКОМ" in text
    with pytest.raises(DocumentError, match="сумма должна быть больше нуля"):
        render_receipt(dataclasses.replace(receipt, amount=0))


def test_texts_can_be_reworded_without_code(sale):
    texts = load_texts({"act": {"accepted": "Работы приняты, претензий нет."}})
    text = flat(pdf_text(render_act(sale, texts=texts)))
    assert "Работы приняты, претензий нет." in text and "не имеет" not in text
    with pytest.raises(KeyError, match="act.nope"):
        load_texts({"act": {"nope": "x"}})


def test_fonts_are_embedded(sale):
    import subprocess

    out = subprocess.run(
        ["pdffonts", "-"], input=render_invoice(sale), capture_output=True, check=True
    ).stdout.decode()
    names = {line.split()[0].split("+")[-1] for line in out.splitlines()[2:]}
    assert names == {"DejaVuSansBook", "DejaVuSansBold"}
    assert out.count(" yes yes ") >= 2  # embedded, subset


def test_font_dir_is_a_parameter(sale, tmp_path):
    with pytest.raises(FileNotFoundError):
        render_invoice(sale, font_dir=tmp_path)


@pytest.mark.parametrize("render, fixture", [
    (render_invoice, "sale"), (render_act, "sale"), (render_waybill, "goods_sale"), (render_upd, "sale"),
    (render_order_form, "order_form"), (render_contract, "contract"), (render_receipt, "receipt"),
])  # fmt: skip
def test_every_document_is_one_clean_a4_page(request, render, fixture):
    pdf = render(request.getfixturevalue(fixture))
    assert pdf.startswith(b"%PDF-") and page_count(pdf) == 1
    png = pdf_png(pdf, dpi=30)
    landscape = render in (render_waybill, render_upd)  # the forms are laid out across A4
    assert png.size == ((351, 249) if landscape else (249, 351))  # A4 at 30 dpi
    assert png.convert("L").getextrema()[0] < 50  # something dark is printed


def test_dates_in_titles():
    from core.documents.pdf import long_date

    assert long_date(dt.date(2026, 3, 1)) == "1 марта 2026 г."


def test_subset_fonts_render_the_same_text(sale, tmp_path):
    from core.documents.fonts import subset_fonts

    small = subset_fonts(tmp_path / "fonts")
    assert (small / "DejaVuSans.ttf").stat().st_size < 150_000
    full = flat(pdf_text(render_invoice(sale)))
    cut = render_invoice(sale, font_dir=small)
    assert flat(pdf_text(cut)) == full
    assert "№" in full and "×" in full and "«" in full
