def test_login_page_renders_in_chinese(client):
    response = client.get("/login")
    assert response.status_code == 200
    # Chinese by default; the English alternative is tested in test_i18n.py.
    assert "登录" in response.get_data(as_text=True)


def test_supervisor_sees_agencies(world, login):
    client = login(world.supervisor)
    response = client.get("/admin/agencies/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "测试市甲局" in html and "测试区丙局" in html
