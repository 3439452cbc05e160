"""Sign-in with eduID end to end through djangosaml2 and pysaml2: the portal's signed
AuthnRequest, a real signed answer of the tests' identity provider, the account it signs in."""

from portal.models import ExternalIdentity, User


def test_a_signed_answer_to_the_portals_request_signs_the_person_in(saml):
    response = saml.sign_in("hallgato")
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/"
    user = User.objects.get(username="hallgato@demo.neptun-egyetem.hu")
    assert (user.first_name, user.last_name, user.neptun_code) == ("Hanna", "Kovács", "HK7Q2D")
    assert not user.has_usable_password()
    identity = ExternalIdentity.objects.get(user=user)
    assert identity.subject == "hallgato@demo.neptun-egyetem.hu"
    assert saml.client.get("/").status_code == 200
