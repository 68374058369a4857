import csv
import datetime

import pytest

from unvote.core.errors import UnknownCountry
from unvote.model import countries

D = datetime.date


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("khm", "KHM"),
        ("KHM", "KHM"),
        ("Cambodia", "KHM"),
        ("Kampuchea", "KHM"),
        ("Democratic Kampuchea", "KHM"),
        ("Khmer Republic", "KHM"),
        ("Russian Federation", "RUS"),
        ("Russia", "RUS"),
        ("USSR", "SUN"),
        ("Soviet Union", "SUN"),
        ("Türkiye", "TUR"),
        ("Turkiye", "TUR"),
        ("Turkey", "TUR"),
        ("TÜRKİYE", "TUR"),
        ("TÜRKÝYE", "TUR"),
        ("türkıye", "TUR"),
        ("US", "USA"),
        ("USA", "USA"),
        ("U.S.", "USA"),
        ("United States", "USA"),
        ("United States of America", "USA"),
        ("America", "USA"),
        ("UK", "GBR"),
        ("Britain", "GBR"),
        ("Great Britain", "GBR"),
        ("United Kingdom of Great Britain and Northern Ireland", "GBR"),
        ("China", "CHN"),
        ("PRC", "CHN"),
        ("North Korea", "PRK"),
        ("DPRK", "PRK"),
        ("South Korea", "KOR"),
        ("ROK", "KOR"),
        ("Iran", "IRN"),
        ("Syria", "SYR"),
        ("Laos", "LAO"),
        ("Vietnam", "VNM"),
        ("Viet Nam", "VNM"),
        ("Bolivia", "BOL"),
        ("Venezuela", "VEN"),
        ("Tanzania", "TZA"),
        ("Moldova", "MDA"),
        ("Czech Republic", "CZE"),
        ("Czechia", "CZE"),
        ("Ivory Coast", "CIV"),
        ("Côte d'Ivoire", "CIV"),
        ("cote d’ivoire", "CIV"),
        ("Cape Verde", "CPV"),
        ("Swaziland", "SWZ"),
        ("Burma", "MMR"),
        ("Macedonia", "MKD"),
        ("Zaire", "COD"),
        ("Congo", "COG"),
        ("Siam", "THA"),
        ("Ceylon", "LKA"),
        ("Dahomey", "BEN"),
        ("Upper Volta", "BFA"),
        ("Byelorussian SSR", "BLR"),
        ("Ukrainian SSR", "UKR"),
        ("East Germany", "DDR"),
        ("West Germany", "GER"),
        ("Germany", "DEU"),
        ("Netherlands", "NLD"),
        ("the Gambia", "GMB"),
        ("Bosnia & Herzegovina", "BIH"),
        ("St. Lucia", "LCA"),
        ("  Namibia  ", "NAM"),
        ("NAM", "NAM"),
        ("na", "NAM"),
        ("DE", "DEU"),
    ],
)
def test_lookup(text, code):
    assert countries.lookup(text).code == code


@pytest.mark.parametrize("text", ["Korea", "Holland", "Palestine", "", "XX"])
def test_lookup_unknown(text):
    with pytest.raises(UnknownCountry):
        countries.lookup(text)


def test_unknown_country_suggests_close_names():
    with pytest.raises(UnknownCountry) as info:
        countries.lookup("Cambodja")
    assert info.value.suggestions == ["KHM (Cambodia)"]
    assert str(info.value) == "unknown country 'Cambodja' — did you mean KHM (Cambodia)?"


def test_suggestions_are_one_per_country_and_at_most_three():
    with pytest.raises(UnknownCountry) as info:
        countries.lookup("Korea")
    codes = [s.split()[0] for s in info.value.suggestions]
    assert {"KOR", "PRK"} <= set(codes)
    assert len(codes) == len(set(codes)) <= 3


def test_table_shape():
    everyone = countries.all_countries()
    assert len(everyone) == 202  # 193 members, 8 dissolved seats, the Republic of China (TWN)
    assert len({c.code for c in everyone}) == 202
    current = [c for c in everyone if c.member_to is None]
    assert len(current) == 193
    assert all(c.member_from < c.member_to for c in everyone if c.member_to)
    assert all(len(c.code) == 3 and c.code.isupper() for c in everyone)


def test_namibia_iso2_is_not_missing():
    assert countries.get("NAM").iso2 == "NA"


def test_get_and_display_name():
    assert countries.get("KHM").name == "Cambodia"
    assert countries.get("khm") is None
    assert countries.get("XYZ") is None
    assert countries.display_name("TUR") == "Türkiye"
    assert countries.display_name("SUN") == "USSR"
    assert countries.display_name("XYZ") == "XYZ"


def test_historic_members():
    sun = countries.get("SUN")
    assert (sun.member_from, sun.member_to) == (D(1945, 10, 24), D(1991, 12, 24))
    assert sun.continues_as == "RUS"
    assert countries.get("GER").member_to == D(1990, 10, 2)
    assert countries.get("DEU").member_from == D(1973, 9, 18)
    assert countries.get("RUS").member_from == D(1945, 10, 24)
    assert countries.get("CSK").continues_as is None
    assert countries.get("ZAN").iso2 == ""


def test_continuity_and_lineage():
    assert countries.continuity() == {"SUN": "RUS", "GER": "DEU", "SCG": "SRB"}
    assert countries.lineage("RUS") == ["RUS", "SUN"]
    assert countries.lineage("DEU") == ["DEU", "GER"]
    assert countries.lineage("SRB") == ["SRB", "SCG"]
    assert countries.lineage("KHM") == ["KHM"]
    assert countries.lineage("SUN") == ["SUN"]
    assert countries.lineage("CZE") == ["CZE"]  # CSK split; neither half continues it


@pytest.mark.parametrize(
    ("ccode", "date", "code"),
    [
        (2, None, "USA"),
        (811, D(1975, 1, 1), "KHM"),
        (365, D(1980, 1, 1), "SUN"),
        (365, D(1991, 12, 24), "SUN"),
        (365, D(1991, 12, 25), "RUS"),
        (365, None, "RUS"),
        (260, D(1980, 1, 1), "GER"),
        (260, None, "GER"),
        (255, D(1980, 1, 1), "GER"),
        (255, D(1990, 10, 3), "DEU"),
        (255, None, "DEU"),
        (265, D(1980, 1, 1), "DDR"),
        (345, D(1990, 1, 1), "YUG"),
        (345, D(2001, 1, 1), "SCG"),
        (345, D(2006, 6, 2), "SCG"),
        (345, D(2006, 6, 3), "SRB"),
        (345, None, "SRB"),
        (678, D(1980, 1, 1), "YEM"),
        (679, D(2000, 1, 1), "YEM"),
        (680, D(1980, 1, 1), "YMD"),
        (315, D(1980, 1, 1), "CSK"),
        (316, None, "CZE"),
        (510, D(1962, 1, 1), "TZA"),
        (511, D(1963, 12, 16), "ZAN"),
        (713, D(1960, 1, 1), "CHN"),  # Voeten's code for the Republic of China in the China seat
        (999, None, None),
    ],
)
def test_by_ccode(ccode, date, code):
    assert countries.by_ccode(ccode, date) == code


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("CONGO", "COG"),
        ("GERMANY, FEDERAL REPUBLIC OF", "GER"),
        ("GERMANY", "DEU"),
        ("LAO PEOPLE's DEMOCRATIC REPUBLIC", "LAO"),
        ("NOT A COUNTRY", None),
    ],
)
def test_code_for_name(name, code):
    assert countries.code_for_name(name) == code


def test_code_for_name_covers_every_undl_spelling(shared_data):
    with open(shared_data / "undl" / "ms_names.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 244
    wrong = {}
    for row in rows:
        got = countries.code_for_name(row["ms_name"])
        if got != row["ms_code"]:
            wrong[row["ms_name"]] = (got, row["ms_code"])
    assert wrong == {}
