"""Regenerate member_states.jsonl from pycountry plus UN usage.

Why a script: pycountry carries ISO names and official names, but the UN writes its own short
names ("Türkiye", "Iran (Islamic Republic of)") and speakers use common ones ("Iran", "Syria").
Run: python models/actors/build_member_states.py
"""

from __future__ import annotations

import json
from pathlib import Path

import pycountry

# The 193 Member States (ISO 3166 alpha-3) plus the two non-member observer States.
MEMBERS = (
    "AFG ALB DZA AND AGO ATG ARG ARM AUS AUT AZE BHS BHR BGD BRB BLR BEL BLZ BEN BTN BOL BIH BWA "
    "BRA BRN BGR BFA BDI CPV KHM CMR CAN CAF TCD CHL CHN COL COM COG CRI CIV HRV CUB CYP CZE PRK "
    "COD DNK DJI DMA DOM ECU EGY SLV GNQ ERI EST SWZ ETH FJI FIN FRA GAB GMB GEO DEU GHA GRC GRD "
    "GTM GIN GNB GUY HTI HND HUN ISL IND IDN IRN IRQ IRL ISR ITA JAM JPN JOR KAZ KEN KIR KWT KGZ "
    "LAO LVA LBN LSO LBR LBY LIE LTU LUX MDG MWI MYS MDV MLI MLT MHL MRT MUS MEX FSM MCO MNG MNE "
    "MAR MOZ MMR NAM NRU NPL NLD NZL NIC NER NGA MKD NOR OMN PAK PLW PAN PNG PRY PER PHL POL PRT "
    "QAT KOR MDA ROU RUS RWA KNA LCA VCT WSM SMR STP SAU SEN SRB SYC SLE SGP SVK SVN SLB SOM ZAF "
    "SSD ESP LKA SDN SUR SWE CHE SYR TJK THA TLS TGO TON TTO TUN TUR TKM TUV UGA UKR ARE GBR TZA "
    "USA URY UZB VUT VEN VNM YEM ZMB ZWE"
).split()
OBSERVERS = ("VAT", "PSE")

# UN short names where they differ from pycountry's name.
UN_NAMES = {
    "BOL": "Bolivia (Plurinational State of)",
    "COD": "Democratic Republic of the Congo",
    "COG": "Congo",
    "CIV": "Côte d'Ivoire",
    "CZE": "Czechia",
    "PRK": "Democratic People's Republic of Korea",
    "KOR": "Republic of Korea",
    "FSM": "Micronesia (Federated States of)",
    "IRN": "Iran (Islamic Republic of)",
    "LAO": "Lao People's Democratic Republic",
    "MDA": "Republic of Moldova",
    "NLD": "Netherlands (Kingdom of the)",
    "RUS": "Russian Federation",
    "SYR": "Syrian Arab Republic",
    "TZA": "United Republic of Tanzania",
    "TUR": "Türkiye",
    "GBR": "United Kingdom of Great Britain and Northern Ireland",
    "USA": "United States of America",
    "VEN": "Venezuela (Bolivarian Republic of)",
    "VNM": "Viet Nam",
    "VAT": "Holy See",
    "PSE": "State of Palestine",
    "SWZ": "Eswatini",
    "MKD": "North Macedonia",
    "TWN": "Taiwan",
    "BHS": "Bahamas",
    "GMB": "Gambia",
    "CPV": "Cabo Verde",
    "BRN": "Brunei Darussalam",
}

# Common and former names used in speeches and documents.
EXTRA_ALIASES = {
    "BOL": ["Bolivia", "Plurinational State of Bolivia"],
    "COD": ["DRC", "DR Congo", "Congo-Kinshasa", "Democratic Republic of Congo"],
    "COG": ["Republic of the Congo", "Republic of Congo", "Congo-Brazzaville"],
    "CIV": ["Cote d'Ivoire", "Côte d’Ivoire", "Ivory Coast"],
    "CZE": ["Czech Republic"],
    "PRK": ["North Korea", "DPRK", "Democratic People’s Republic of Korea"],
    "KOR": ["South Korea"],
    "FSM": ["Micronesia", "Federated States of Micronesia"],
    "IRN": ["Iran", "Islamic Republic of Iran"],
    "LAO": ["Laos", "Lao PDR", "Lao People’s Democratic Republic"],
    "MDA": ["Moldova"],
    "NLD": ["Netherlands", "the Netherlands", "Kingdom of the Netherlands", "Holland"],
    "RUS": ["Russia"],
    "SYR": ["Syria"],
    "TZA": ["Tanzania"],
    "TUR": ["Turkey", "Turkiye", "Republic of Türkiye"],
    "GBR": ["United Kingdom", "UK", "U.K.", "Great Britain", "Britain"],
    "USA": ["United States", "US", "U.S.", "U.S.A.", "USA"],
    "VEN": ["Venezuela", "Bolivarian Republic of Venezuela"],
    "VNM": ["Vietnam", "Viet nam"],
    "VAT": ["Vatican", "Holy See (Vatican City State)"],
    "PSE": ["Palestine"],
    "SWZ": ["Swaziland", "Kingdom of Eswatini"],
    "MKD": ["Macedonia", "former Yugoslav Republic of Macedonia", "Republic of North Macedonia"],
    "BHS": ["The Bahamas", "Commonwealth of the Bahamas"],
    "GMB": ["The Gambia"],
    "CPV": ["Cape Verde"],
    "BRN": ["Brunei"],
    "MMR": ["Burma"],
    "TLS": ["East Timor"],
    "ARE": ["UAE", "Emirates"],
    "KNA": ["Saint Kitts and Nevis", "St. Kitts and Nevis"],
    "LCA": ["St. Lucia"],
    "VCT": ["St. Vincent and the Grenadines"],
    "STP": ["Sao Tome and Principe"],
    "DOM": [],
    "CAF": ["CAR"],
    # Formal names as the UN protocol list prints them where pycountry differs.
    "GUY": ["Co-operative Republic of Guyana", "Co‑operative Republic of Guyana", "Cooperative Republic of Guyana"],
    "URY": ["Oriental Republic of Uruguay"],
}

# Names that are also common words or given names: match with exact case only.
CASE_SENSITIVE = {"Jordan", "Chad", "Niger", "Georgia", "Dominica", "Turkey", "Congo"}


def _entry(code: str, kind: str) -> dict:
    """One gazetteer row: UN short name as canonical, ISO names and common names as aliases."""
    country = pycountry.countries.get(alpha_3=code)
    name = UN_NAMES.get(code, country.name)
    aliases = [country.name, getattr(country, "official_name", None), getattr(country, "common_name", None)]
    aliases += EXTRA_ALIASES.get(code, [])
    seen = {name}
    clean = []
    for alias in aliases:
        # ISO inverted forms ("Korea, Republic of") never occur in running text.
        if alias and alias not in seen and ", " not in alias:
            seen.add(alias)
            clean.append(alias)
    row = {"name": name, "type": "member_state", "aliases": clean, "iso3": code, "status": kind}
    if name in CASE_SENSITIVE:
        row["case"] = "sensitive"
    return row


def main() -> None:
    """Write models/actors/member_states.jsonl next to this script."""
    out = Path(__file__).with_name("member_states.jsonl")
    rows = [_entry(c, "member") for c in MEMBERS] + [_entry(c, "observer") for c in OBSERVERS]
    assert len(MEMBERS) == 193, len(MEMBERS)
    with out.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {out}")


if __name__ == "__main__":
    main()
