#!/usr/bin/env python3
"""Writes the synthetic FINESS fixtures of this folder (run it from here; the outputs are
committed). Same shape as the real extracts (domain.md §5, etalab-cs1100502-sample.csv) and the
FINESS+ JSON schema (schema-structures-v1.json, ANS `finess` repository). Names marked FICTIF
are invented; the numbers of the real EJ/EG pairs of domain.md keep their real links."""
import json


def luhn(p8):
    """Completes 8 digits with their Luhn key."""
    for k in "0123456789":
        s, t = p8 + k, 0
        for i, c in enumerate(reversed(s)):
            v = int(c) * (2 if i % 2 else 1)
            t += v - 9 if v > 9 else v
        if t % 10 == 0:
            return s


def ej(n, rs, rsl, numvoie, typvoie, voie, commune, achem, dep, libdep, tel, statut, libstatut,
       cat, libcat, siren, ape, datecrea):
    return ["structureej", n, rs, rsl, "", numvoie, typvoie, voie, "", "", "", commune, achem,
            dep, libdep, tel, statut, libstatut, cat, libcat, siren, ape, datecrea]


def et(n, nej, rs, rsl, numvoie, typvoie, voie, commune, dep, libdep, achem, cat, libcat,
       dateouv, datemaj):
    return ["structureet", n, nej, rs, rsl, "", "", numvoie, typvoie, voie, "", "", commune,
            dep, libdep, achem, "0200000000", "", cat, libcat, "1102", "Centres Hospitaliers",
            "", "8610Z", "03", "ARS établissements Publics de santé dotation globale", "1",
            "Etablissement public de santé", dateouv, dateouv, datemaj]  # numuai: the trailing ;


def quote(field):
    if any(c in field for c in ';"\n'):
        return '"' + field.replace('"', '""') + '"'
    return field


def line(fields):
    return ";".join(quote(f) for f in fields) + ";"


ROUEN = luhn("76000001")
ROUEN_N, ROUEN_S = luhn("76000002"), luhn("76000003")
CAEN_EJ, CAEN_EG = luhn("14000001"), luhn("14000002")
GCS, GCS_EG = luhn("14000003"), luhn("14000004")
SAINTLO = luhn("50000001")
RHONE_EJ, RHONE_EG = luhn("69000001"), luhn("69000002")
PARIS_CLOSED = luhn("75000001")
CLOSED_EJ, CLOSED_EJ_EG = luhn("33000001"), luhn("33000002")

EJ_LINES = [
    ej("010780054", "CH DE BOURG EN BRESSE", "CENTRE HOSPITALIER DE BOURG-EN-BRESSE", "900",
       "RTE", "DE PARIS", "451", "01440 VIRIAT", "01", "AIN", "0474454647", "13",
       "Etablissement Public Communal d'Hospitalisation", "355", "Centre Hospitalier (C.H.)",
       "260100045", "8610Z", "1979-02-13"),
    ej("970408589", "CHU DE LA RÉUNION", "CENTRE HOSPITALIER UNIVERSITAIRE DE LA RÉUNION", "",
       "ALL", "DES TOPAZES", "411", "97405 ST DENIS CEDEX", "9D", "LA RÉUNION", "0262905050",
       "14", "Etablissement Public Régional d'Hospitalisation", "101",
       "Centre Hospitalier Régional (C.H.R.)", "200030013", "8610Z", "2012-01-01"),
    ej("590799730", "ALEFPA", "ASSOCIATION LAÏQUE POUR L'ÉDUCATION ET LA FORMATION (FICTIF)",
       "199", "R", "DE L'ÉPÉE", "350", "59000 LILLE", "59", "NORD", "0320000000", "61",
       "Association Loi 1901 Reconnue d'Utilité Publique", "", "", "775665000", "8899B",
       "1960-01-01"),
    ej("970302022", "CH DE CAYENNE", "CENTRE HOSPITALIER DE CAYENNE ANDRÉE ROSEMON", "", "AV",
       "ALEXIS BLAISE", "302", "97306 CAYENNE CEDEX", "9C", "GUYANE", "0594395050", "13",
       "Etablissement Public Communal d'Hospitalisation", "355", "Centre Hospitalier (C.H.)",
       "269733028", "8610Z", "1904-04-04"),
    ej("750712184", "AP-HP", "ASSISTANCE PUBLIQUE - HÔPITAUX DE PARIS", "3", "AV", "VICTORIA",
       "104", "75004 PARIS", "75", "PARIS", "0140274000", "14",
       "Etablissement Public Régional d'Hospitalisation", "", "", "267500452", "8610Z",
       "1849-01-10"),
    ej(ROUEN, "CH FICTIF DE ROUEN", "CENTRE HOSPITALIER FICTIF DE ROUEN", "1", "R",
       "DE GERMONT", "540", "76000 ROUEN", "76", "SEINE-MARITIME", "0232888990", "13",
       "Etablissement Public Communal d'Hospitalisation", "355", "Centre Hospitalier (C.H.)",
       "267600012", "8610Z", "1970-01-01"),
    ej(CAEN_EJ, "GH FICTIF DU CALVADOS", "GROUPE HOSPITALIER FICTIF DU CALVADOS", "12", "AV",
       "DE LA CÔTE DE NACRE", "118", "14000 CAEN", "14", "CALVADOS", "0231060606", "13",
       "Etablissement Public Communal d'Hospitalisation", "355", "Centre Hospitalier (C.H.)",
       "261400019", "8610Z", "1980-05-01"),
]

EG_LINES = [
    et("750100125", "750712184", "HOPITAL FICTIF AP-HP", "HÔPITAL FICTIF DE L'AP-HP", "47",
       "BD", "DE L'HÔPITAL", "113", "75", "PARIS", "75013 PARIS", "101",
       "Centre Hospitalier Régional (C.H.R.)", "1964-01-01", "2024-01-01"),
    et(ROUEN_N, ROUEN, "SITE FICTIF ROUEN NORD", "SITE FICTIF DE ROUEN NORD", "4", "R",
       "DU NORD", "540", "76", "SEINE-MARITIME", "76000 ROUEN", "355",
       "Centre Hospitalier (C.H.)", "1990-01-01", "2025-03-01"),
    et(ROUEN_S, ROUEN, "SITE FICTIF ROUEN SUD", "SITE FICTIF DE ROUEN SUD", "8", "R", "DU SUD",
       "540", "76", "SEINE-MARITIME", "76100 ROUEN", "355", "Centre Hospitalier (C.H.)",
       "1991-01-01", "2025-03-01"),
    et(CAEN_EG, CAEN_EJ, "SITE FICTIF DE CAEN", "SITE FICTIF DE CAEN CÔTE DE NACRE", "12", "AV",
       "DE LA CÔTE DE NACRE", "118", "14", "CALVADOS", "14000 CAEN", "355",
       "Centre Hospitalier (C.H.)", "1975-01-01", "2025-04-01"),
]
GEO_LINES = [["geolocalisation", n, "652000.1", "6862000.2",
              "1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93", "2025-06-13"]
             for n in ["750100125", ROUEN_N, ROUEN_S, CAEN_EG]]


def write(name, text, encoding, bom=False, newline="\n"):
    data = text.replace("\n", newline).encode(encoding)
    with open(name, "wb") as f:
        f.write((b"\xef\xbb\xbf" if bom else b"") + data)


ej_text = "finess;etalab;7;2026-05-12\n" + "".join(line(l) + "\n" for l in EJ_LINES)
write("synthetic-ej-windows1252.csv", ej_text, "cp1252", newline="\r\n")
write("synthetic-ej-utf8.csv", ej_text, "utf-8")
write("synthetic-ej-utf8-bom.csv", ej_text, "utf-8", bom=True)

eg_text = ("finess;etalab;8;2026-05-12\n" + "".join(line(l) + "\n" for l in EG_LINES)
           + "".join(line(l) + "\n" for l in GEO_LINES))
write("synthetic-eg-utf8-bom.csv", eg_text, "utf-8", bom=True)
write("synthetic-eg-windows1252.csv", eg_text, "cp1252")

good = et(SAINTLO, CAEN_EJ, "SITE FICTIF DE SAINT-LÔ", "", "1", "R", "DU BELLE", "502", "50",
          "MANCHE", "50000 SAINT-LÔ", "355", "Centre Hospitalier (C.H.)", "2000-01-01",
          "2025-01-01")
bad_lines = [
    line(good),                                              # 2: kept
    ";".join(good[:10]),                                      # 3: truncated
    line(["structurexx"] + good[1:]),                         # 4: unknown section
    line([good[0], "75010012"] + good[2:]),                   # 5: malformed number
    line(good),                                               # 6: duplicate of line 2
    line(ej(RHONE_EJ, "EJ FICTIVE DU RHÔNE", "", "", "", "", "123", "69000 LYON", "69",
            "RHÔNE", "", "60", "Association Loi 1901 non Reconnue d'Utilité Publique", "",
            "", "", "", "2001-01-01")),                       # 7: kept
    line(et(RHONE_EG, RHONE_EJ, 'SITE "A;B" FICTIF', "", "", "", "", "123", "69", "RHÔNE",
            "69000 LYON", "355", "Centre Hospitalier (C.H.)", "2001-01-01", "2025-01-01")),  # 8
    line(["geolocalisation", RHONE_EG, "1", "2"]),            # 9: truncated geolocalisation
]
write("synthetic-bad-lines.csv",
      "finess;etalab;9;2026-05-12\n" + "\n".join(bad_lines) + "\nstructureet;0100",
      "utf-8")

write("not-an-extract.csv", "nofinesset;rs;departement\n010000024;CH DE FLEYRIAT;01\n", "utf-8")


def addr(cog, cp, achem, num="1", typ="R", voie="DE LA PAIX"):
    return [{"usageAdresse": "02", "numeroVoie": num, "typeVoie": typ, "libelleVoie": voie,
             "cogCommune": cog, "ligneAcheminement": achem, "codePostal": cp,
             "coordonneesGeographique": {"coordonneeX": "0", "coordonneeY": "0",
                                         "directionLatitude": "49.18",
                                         "directionLongitude": "-0.37"}}]


def ege(n, court, long, cog, cp, achem, etat="A", fermeture=None, ege_id="1"):
    info = {"egeId": ege_id, "complementDenominationEg": "", "dateOuverture": "1990-01-01",
            "datePremiereAutorisation": "1990-01-01", "nomEgeCourt": court,
            "nomEgeLong": long, "numFinessEge": n, "espic": ["0"], "siret": "26140001900017"}
    if fermeture:
        info["dateFermeture"] = fermeture
    return {"informationsGeneralesEGE": info, "categorieentiteGeographiqueExercice": "355",
            "modefixationtarifaire": "03", "typeBudget": ["01"],
            "adresse": addr(cog, cp, achem),
            "contact": [{"typeContact": {"roleContact": "01"},
                         "telecom": {"telephone": "0231000000"}}],
            "engagement": [], "evenement": [], "roleEge": [], "etatObjet": etat,
            "dateDerniereMaj": "2025-10-21 19:19:05"}


def pmej(n, court, long, cog, cp, achem, eges, etat="A", fermeture=None, pm_id="1"):
    info = {"pmSmsseId": pm_id, "codeApe": "86.10Z", "dateCreation": "1994-01-01",
            "denominationLonguePmSmsse": long, "denominationPm": court, "numFinessPm": n,
            "fonctionPublique": "02", "categorieentiteGeographiqueExercice": "",
            "siren": "261400019", "statutJuridique": "13", "typePersonneMorale": "01"}
    if fermeture:
        info["dateFermeture"] = fermeture
    return {"informationsGeneralesPMEJ": info, "adresse": addr(cog, cp, achem),
            "contact": [], "engagement": [], "evenement": [], "ege": eges, "etatObjet": etat,
            "dateDerniereMaj": "2025-10-21 19:19:05"}


structures = {
    "schemaVersion": "v1.0.0",
    "generatedAt": "2026-11-20T04:00:00.000000000Z",
    "gcc": [{"gccId": "1", "nomGcc": "14 Calvados", "typeGcc": "001",
             "gccIdentifiantExterne": "28101", "engagement": [], "evenement": [],
             "pmejDuGcc": [{"pmSmsseId": "10", "typeRoleEntiteGroupe": "M"}], "egeDuGcc": [],
             "etatObjet": "A", "dateDerniereMaj": "2025-10-21 19:19:05"}],
    "gco": [{"pmSmsseId": "403", "typeGco": "003", "pmejDuGco": [], "egeDuGco": []}],
    "pmej": [
        pmej(GCS, "GCS FICTIF DE NORMANDIE  ", "GROUPEMENT DE COOPÉRATION FICTIF DE NORMANDIE",
             "14118", "14000", "CAEN", [
                 ege(GCS_EG, "SITE FICTIF DU GCS", "SITE FICTIF DU GCS DE NORMANDIE", "14118",
                     "14000", "CAEN"),
                 ege(PARIS_CLOSED, "SITE FICTIF FERMÉ", "SITE FICTIF FERMÉ DE PARIS", "75113",
                     "75013", "PARIS", etat="I", fermeture="2025-12-31", ege_id="2"),
             ], pm_id="10"),
        pmej(CLOSED_EJ, "EJ FICTIVE FERMÉE", "ENTITÉ JURIDIQUE FICTIVE FERMÉE", "33063", "33000",
             "BORDEAUX", [ege(CLOSED_EJ_EG, "SITE FICTIF DE BORDEAUX", "", "33063", "33000",
                              "BORDEAUX", etat="I", fermeture="2019-03-03", ege_id="3")],
             etat="I", fermeture="2019-03-03", pm_id="11"),
        pmej("ABC", "NUMÉRO ABÎMÉ", "", "01053", "01000", "BOURG EN BRESSE", [], pm_id="12"),
        pmej(luhn("97100001"), "EJ FICTIVE DE GUADELOUPE", "", "97101", "97139", "LES ABYMES",
             [{"informationsGeneralesEGE": {"nomEgeCourt": "SANS NUMÉRO"}, "adresse": [],
               "etatObjet": "A", "dateDerniereMaj": "2025-10-21 19:19:05"}], pm_id="13"),
    ],
}
text = json.dumps(structures, ensure_ascii=False, indent=1)
write("synthetic-structures.json", text, "utf-8")
write("synthetic-structures-bom.json", text, "utf-8", bom=True)
write("synthetic-structures-truncated.json", text[: len(text) * 2 // 3], "utf-8")
write("not-structures.json", json.dumps({"records": [{"numFinessPm": "010000016"}]}), "utf-8")

print(f"ROUEN={ROUEN} ROUEN_N={ROUEN_N} ROUEN_S={ROUEN_S} CAEN_EJ={CAEN_EJ} CAEN_EG={CAEN_EG} "
      f"GCS={GCS} GCS_EG={GCS_EG} SAINTLO={SAINTLO} RHONE_EJ={RHONE_EJ} RHONE_EG={RHONE_EG} "
      f"PARIS_CLOSED={PARIS_CLOSED} CLOSED_EJ={CLOSED_EJ} CLOSED_EJ_EG={CLOSED_EJ_EG} "
      f"GUADELOUPE={luhn('97100001')}")
