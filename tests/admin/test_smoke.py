import pytest

PAGES = ["/admin/", "/admin/order/", "/admin/order/?tab=archive", "/admin/order/?tab=sub", "/admin/order/new/",
         "/admin/client/", "/admin/client/new/", "/admin/cash/", "/admin/task/", "/admin/task/new/",
         "/admin/employee/", "/admin/employee/new/", "/admin/pay/", "/admin/bonus/", "/admin/bonus/new/",
         "/admin/settings/", "/admin/stage/", "/admin/template/", "/admin/template/new/", "/admin/import/",
         "/admin/stage/new/", "/admin/documents/"]  # fmt: skip


@pytest.mark.parametrize("url", PAGES)
def test_director_opens_every_page(as_role, world, url):
    resp = as_role("director").get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)[-3000:]


def test_cards_open(as_role, world):
    s = as_role("director")
    for url in (f"/admin/order/card/?id={world['own'].id}", f"/admin/order/edit/?id={world['own'].id}",
                f"/admin/client/card/?id={world['c1'].id}", f"/admin/client/edit/?id={world['c1'].id}"):  # fmt: skip
        resp = s.get(url)
        assert resp.status_code == 200, (url, resp.get_data(as_text=True)[-3000:])
