"""XML from another party is data (ASVS 5.5.2): the stand-in's SOAP endpoint parses a request
without entities, DTDs or network access, and the portal's client reads WSDLs and answers with
zeep's DTDs and entities forbidden, and loads documents only from the Panopto site's origin."""

import pytest
from lxml import etree

from panopto_link.lti.origins import origin
from panopto_link.panopto_api import soap
from panopto_link.simulator import soap as stand_in_soap

pytestmark = pytest.mark.django_db

ENDPOINT = "/panopto-sim/Panopto/PublicAPI/4.6/SessionManagement.svc"
ENTITY_BODY = b"""<?xml version="1.0"?>
<!DOCTYPE s [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
<GetAllFoldersByExternalId xmlns="http://tempuri.org/"><auth>
<UserKey xmlns="http://schemas.datacontract.org/2004/07/Panopto.Server.Services.PublicAPI.V40">&secret;</UserKey>
</auth></GetAllFoldersByExternalId></s:Body></s:Envelope>"""


def test_the_stand_in_does_not_expand_an_external_entity(client):
    answer = client.post(
        ENDPOINT,
        ENTITY_BODY,
        content_type="text/xml",
        HTTP_SOAPACTION='"http://tempuri.org/ISessionManagement/GetAllFoldersByExternalId"',
    )
    assert answer.status_code == 500  # a SOAP fault: unknown user key
    assert b"Fault" in answer.content
    # What the stand-in read as the user key: the entity left unexpanded, not the file.
    root = etree.fromstring(ENTITY_BODY, stand_in_soap._PARSER)
    operation = root.find(f"{{{stand_in_soap.SOAP_ENV}}}Body/*")
    assert stand_in_soap._text(operation, "t:auth/p:UserKey") == ""


def test_the_stand_in_answers_a_body_that_is_not_xml_with_a_fault(client):
    answer = client.post(ENDPOINT, b"\x00not xml", content_type="text/xml")
    assert answer.status_code == 500 and b"not XML" in answer.content


def test_the_client_loads_documents_only_from_the_panopto_sites_origin():
    transport = soap.OutboundTransport("https://uni.hosted.panopto.com")
    for url in ("file:///etc/passwd", "https://elsewhere.example/x.xsd"):
        with pytest.raises(soap.PanoptoApiUnavailable, match="outside the Panopto site"):
            transport.load(url)


def test_the_sites_origin_is_compared_as_rfc_6454_says():
    """A registration typed with capitals and :443 still loads its own WSDL and schemas
    (issue 21's one origin function), and nothing else."""
    transport = soap.OutboundTransport(origin("https://Uni.Hosted.Panopto.com:443/"))
    assert transport.on_site("https://uni.hosted.panopto.com/Panopto/PublicAPI/4.6/x.svc?wsdl")
    assert transport.on_site("HTTPS://UNI.hosted.panopto.com:443/x.xsd")
    assert not transport.on_site("http://uni.hosted.panopto.com/x.xsd")
    assert not transport.on_site("https://uni.hosted.panopto.com:8443/x.xsd")
    assert not transport.on_site("file:///etc/passwd")
