"""The contract with Panopto (docs/panopto-api.md): the operation names, parameter names,
namespaces, SOAP actions and auth code the portal's client sends over HTTP, and the interface
the stand-in's WSDL declares, are compared with what Panopto's public clients send, as the docs
record it with sources. The stand-in cannot drift from Panopto, nor the client from either,
unnoticed."""

import hashlib
import re
from pathlib import Path

import pytest
from lxml import etree

from core import outbound
from panopto_link.panopto_api import access, auth, soap, users
from panopto_link.simulator import soap as stand_in_soap

DOC = Path(__file__).resolve().parents[3] / "docs" / "panopto-api.md"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
TEMPURI = "http://tempuri.org/"
PANOPTO = "http://schemas.datacontract.org/2004/07/Panopto.Server.Services.PublicAPI.V40"
ARRAYS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
XSD = "http://www.w3.org/2001/XMLSchema"


def documented(marker: str) -> dict[str, list[str]]:
    text = DOC.read_text()
    block = text.split(f"<!-- {marker} -->", 1)[1].split("<!-- end ", 1)[0]
    rows = [line for line in block.splitlines() if line.startswith("| ") and "---" not in line]
    table = {}
    for row in rows[1:]:
        name, fields, _sources = (cell.strip() for cell in row.strip("|").split("|"))
        table[name] = [field.strip() for field in fields.split(",")]
    return table


OPERATIONS = documented("contract")
TYPES = documented("contract types")
# Each service's operations, as documented: SessionManagement's table is the first.
SERVICES = {
    "SessionManagement": OPERATIONS,
    "UserManagement": documented("contract UserManagement"),
    "AccessManagement": documented("contract AccessManagement"),
}
ALL_OPERATIONS = {name: p for operations in SERVICES.values() for name, p in operations.items()}
SERVICE_OF = {name: service for service, ops in SERVICES.items() for name in ops}


def test_the_docs_record_the_operations_of_each_service():
    assert set(OPERATIONS) == {
        "GetAllFoldersByExternalId",
        "ProvisionExternalCourseWithRoles",
        "GetSessionsList",
    }
    assert set(SERVICES["UserManagement"]) == {
        "GetUserByKey",
        "GetUsers",
        "GetGroup",
        "GetUsersInGroup",
        "SyncExternalUser",
        "RemoveMembersFromExternalGroup",
    }
    assert set(SERVICES["AccessManagement"]) == {
        "GetFolderAccessDetails",
        "GrantUsersAccessToFolder",
        "RevokeUsersAccessFromFolder",
    }


def test_the_stand_in_answers_exactly_the_documented_operations():
    for service, operations in SERVICES.items():
        assert set(stand_in_soap.SERVICES[service].operations) == set(operations), service


# --- the auth code ---------------------------------------------------------------------------


def panopto_moodle_block_auth_code(userkey: str, servername: str, applicationkey: str) -> str:
    """`panopto_generate_auth_code` of Panopto's Moodle block, line for line:
    $payload = $userkey . '@' . $servername . '|' . $applicationkey; strtoupper(sha1($payload))."""
    payload = userkey + "@" + servername + "|" + applicationkey
    return hashlib.sha1(payload.encode()).hexdigest().upper()  # noqa: S324


VECTOR = ("neptun\\portal-api", "uni.hosted.panopto.com", "0b9f2a6c-1d3e-4f5a-8b7c")


def test_the_auth_code_is_panoptos_on_both_sides():
    expected = panopto_moodle_block_auth_code(*VECTOR)
    # Fixed, so that the reference above cannot change along with the code under test.
    assert expected == "32F0207C86FCE0D8428512986294CDFB1AB3614B"
    assert auth.auth_code(*VECTOR) == expected
    assert stand_in_soap.expected_auth_code(*VECTOR) == expected
    assert auth.user_key("neptun", "portal-api") == VECTOR[0]


# --- what the client sends -------------------------------------------------------------------


@pytest.fixture
def sent(monkeypatch):
    """Every call the client makes, as it goes on the wire (the call itself goes through)."""
    calls = []
    real = outbound.http_call

    def recording(method, url, **kwargs):
        answer = real(method, url, **kwargs)
        if method == "POST":
            calls.append((kwargs.get("headers") or {}, kwargs.get("body")))
        return answer

    monkeypatch.setattr(outbound, "http_call", recording)
    return calls


def children(element) -> list[str]:
    return [etree.QName(child).localname for child in element]


def calls_of_every_operation(connection) -> None:
    """Each documented operation, called once through the portal's client."""
    folder = soap.provision_course(connection, name="Fizika", external_id="ctx-c")
    soap.folders_by_external_id(connection, ["ctx-c"])
    soap.newest_sessions(connection, folder_id=folder.id, count=3)
    users.sync_external_user(
        connection,
        username="teacher",
        first_name="T",
        last_name="U",
        email="t@example.com",
        external_group_ids=["ctx-c_creators"],
    )
    teacher = users.user_by_key(connection, username="teacher")
    access.grant_users_access(connection, folder_id=folder.id, user_ids=[teacher.id], role="Viewer")
    access.folder_access(connection, folder_id=folder.id)  # GetFolderAccessDetails, GetGroup,…
    access.revoke_folder_access(connection, folder_id=folder.id, username="teacher")


@pytest.mark.django_db(transaction=True)
def test_the_client_sends_panoptos_operations_parameters_and_auth_code(stand_in_api, sent):
    calls_of_every_operation(stand_in_api)
    seen = {}
    for headers, body in sent:
        operation = etree.fromstring(body).find(f"{{{SOAP_ENV}}}Body/*")
        name = etree.QName(operation).localname
        assert etree.QName(operation).namespace == TEMPURI
        service = SERVICE_OF[name]
        assert headers["SOAPAction"].strip('"') == f"http://tempuri.org/I{service}/{name}"
        seen[name] = operation
        # Only the parameters Panopto's clients send, in their order (omitted ones are optional).
        sent_names = children(operation)
        assert sent_names == [p for p in ALL_OPERATIONS[name] if p in sent_names], name
        authentication = operation.find(f"{{{TEMPURI}}}auth")
        assert [etree.QName(c).namespace for c in authentication] == [PANOPTO] * len(authentication)
        fields = {etree.QName(c).localname: c.text for c in authentication}
        assert set(fields) <= set(TYPES["AuthenticationInfo"])
        # SyncExternalUser is made as the user it syncs (the Moodle block's way).
        user = "teacher" if name == "SyncExternalUser" else "portal-api"
        assert fields["UserKey"] == f"neptun\\{user}"
        assert fields["AuthCode"] == panopto_moodle_block_auth_code(
            f"neptun\\{user}", stand_in_api.host, stand_in_api.application_key
        )
    assert set(seen) == set(ALL_OPERATIONS)
    for name, parameter, item in (
        ("GetUsers", "userIds", "guid"),
        ("RevokeUsersAccessFromFolder", "userIds", "guid"),
        ("RemoveMembersFromExternalGroup", "memberIds", "guid"),
        ("SyncExternalUser", "externalGroupIds", "string"),
    ):
        array = seen[name].find(f"{{{TEMPURI}}}{parameter}")
        assert {etree.QName(c).text for c in array} == {f"{{{ARRAYS}}}{item}"}, name
    lookup = seen["GetAllFoldersByExternalId"]
    for parameter in ("folderExternalIds", "providerNames"):
        strings = lookup.find(f"{{{TEMPURI}}}{parameter}")
        assert [etree.QName(c).text for c in strings] == [f"{{{ARRAYS}}}string"]
    request = seen["GetSessionsList"].find(f"{{{TEMPURI}}}request")
    sent_fields = children(request)
    assert sent_fields == [f for f in TYPES["ListSessionsRequest"] if f in sent_fields]
    pagination = request.find(f"{{{PANOPTO}}}Pagination")
    assert children(pagination) == TYPES["Pagination"]


# --- what the stand-in declares --------------------------------------------------------------


def wsdl_of(client, service: str):
    answer = client.get(f"/panopto-sim/Panopto/PublicAPI/4.6/{service}.svc?wsdl")
    assert answer.status_code == 200
    return etree.fromstring(answer.content)


def schemas_of(wsdl) -> dict:
    return {s.get("targetNamespace"): s for s in wsdl.iter(f"{{{XSD}}}schema")}


@pytest.mark.django_db
@pytest.mark.parametrize("service", list(SERVICES))
def test_the_stand_ins_wsdl_declares_panoptos_operations_and_parameters(client, service):
    wsdl = wsdl_of(client, service)
    schemas = schemas_of(wsdl)
    assert set(schemas) == {TEMPURI, PANOPTO, ARRAYS}
    for operation, parameters in SERVICES[service].items():
        element = schemas[TEMPURI].find(f"{{{XSD}}}element[@name='{operation}']")
        declared = [e.get("name") for e in element.iter(f"{{{XSD}}}element")][1:]
        assert declared == parameters, operation
        action = wsdl.find(
            f".//{{http://schemas.xmlsoap.org/wsdl/soap/}}operation"
            f"[@soapAction='http://tempuri.org/I{service}/{operation}']"
        )
        assert action is not None, operation
    port = wsdl.find(".//{http://schemas.xmlsoap.org/wsdl/}port")
    assert port.get("name") == f"BasicHttpBinding_I{service}"
    assert re.search(rf"/Panopto/PublicAPI/4\.6/{service}\.svc$", port[0].get("location"))


@pytest.mark.django_db
def test_the_stand_ins_wsdls_declare_panoptos_types(client):
    """Each documented type is declared by a WSDL of the stand-in, with Panopto's fields in
    their order, and alike wherever more than one declares it."""
    declarations: dict[str, list[list[str]]] = {}
    for service in SERVICES:
        schemas = schemas_of(wsdl_of(client, service))
        for declared in schemas[PANOPTO].findall(f"{{{XSD}}}complexType"):
            fields = [e.get("name") for e in declared.iter(f"{{{XSD}}}element")]
            declarations.setdefault(declared.get("name"), []).append(fields)
    for type_name, fields in TYPES.items():
        assert type_name in declarations, type_name
        assert all(found == fields for found in declarations[type_name]), type_name
