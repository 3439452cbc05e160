"""The stand-in identity provider's directory: the demo's people as a university's identity
provider would release them (eduPersonPrincipalName, names, e-mail, and the Neptun code in
schacPersonalUniqueCode; seed_demo gives the portal's accounts the same Neptun codes)."""

SCOPE = "demo.neptun-egyetem.hu"

PEOPLE: dict[str, dict[str, list[str]]] = {
    "hallgato": {
        "eduPersonPrincipalName": [f"hallgato@{SCOPE}"],
        "givenName": ["Hanna"],
        "sn": ["Kovács"],
        "displayName": ["Kovács Hanna"],
        "mail": [f"hallgato@{SCOPE}"],
        "schacPersonalUniqueCode": ["HK7Q2D"],
    },
    "oktato": {
        "eduPersonPrincipalName": [f"oktato@{SCOPE}"],
        "givenName": ["Gábor"],
        "sn": ["Szabó"],
        "displayName": ["Szabó Gábor"],
        "mail": [f"oktato@{SCOPE}"],
        "schacPersonalUniqueCode": ["SZG4T1"],
    },
}
