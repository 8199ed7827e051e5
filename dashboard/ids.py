"""Component ids, one place for all pages (pages prefix theirs to stay unique)."""

# Overzicht
OVERZICHT_GEBIED = "overzicht-gebied"
OVERZICHT_KAARTEN = "overzicht-kaarten"
OVERZICHT_TABEL = "overzicht-tabel"
OVERZICHT_DOWNLOAD_CSV = "overzicht-download-csv"
OVERZICHT_DOWNLOAD_XLSX = "overzicht-download-xlsx"
OVERZICHT_DOWNLOAD = "overzicht-download"
OVERZICHT_TITEL = "overzicht-titel"

# Wijken vergelijken
VERGELIJK_INDICATOR = "vergelijk-indicator"
VERGELIJK_PEILDATUM = "vergelijk-peildatum"
VERGELIJK_GEBIED = "vergelijk-gebied"
VERGELIJK_KAART = "vergelijk-kaart"
VERGELIJK_RANGLIJST = "vergelijk-ranglijst"
VERGELIJK_TABEL = "vergelijk-tabel"
VERGELIJK_SAMENVATTING = "vergelijk-samenvatting"
VERGELIJK_DOWNLOAD_CSV = "vergelijk-download-csv"
VERGELIJK_DOWNLOAD_XLSX = "vergelijk-download-xlsx"
VERGELIJK_DOWNLOAD = "vergelijk-download"
VERGELIJK_NAVIGATIE = "vergelijk-navigatie"
VERGELIJK_PROFIELEN = "vergelijk-profielen"

# Indicator
INDICATOR_KEUZE = "indicator-keuze"
INDICATOR_GEBIEDEN = "indicator-gebieden"
INDICATOR_TREND = "indicator-trend"
INDICATOR_TABEL = "indicator-tabel"
INDICATOR_TOELICHTING = "indicator-toelichting"
INDICATOR_ONDERDRUKT = "indicator-onderdrukt"
INDICATOR_DOWNLOAD_CSV = "indicator-download-csv"
INDICATOR_DOWNLOAD_XLSX = "indicator-download-xlsx"
INDICATOR_DOWNLOAD = "indicator-download"
INDICATOR_NAAM = "indicator-naam"
INDICATOR_UITSPLITSING = "indicator-uitsplitsing"
INDICATOR_UITSPLITSING_BLOK = "indicator-uitsplitsing-blok"

# Wijkprofiel
PROFIEL_WIJK = "profiel-wijk"
PROFIEL_PEILDATUM = "profiel-peildatum"
PROFIEL_GRAFIEK = "profiel-grafiek"
PROFIEL_TABEL = "profiel-tabel"
PROFIEL_TITEL = "profiel-titel"
PROFIEL_DOWNLOAD_CSV = "profiel-download-csv"
PROFIEL_DOWNLOAD_XLSX = "profiel-download-xlsx"
PROFIEL_DOWNLOAD = "profiel-download"
PROFIEL_STATUSSEN = "profiel-statussen"

# Datakwaliteit
DQ_BRONNEN = "dq-bronnen"
DQ_REGELS = "dq-regels"
DQ_BESTANDEN = "dq-bestanden"
DQ_ONVOLLEDIG = "dq-onvolledig"
DQ_DOWNLOAD_XLSX = "dq-download-xlsx"
DQ_DOWNLOAD = "dq-download"


# PDCA-sessie (workflow: signals -> actions -> besluitenlijst)
PDCA_URL = "pdca-url"
PDCA_PEILDATUM = "pdca-peildatum"
PDCA_SOORTEN = "pdca-soorten"
PDCA_SIGNALEN = "pdca-signalen"
PDCA_SIGNAAL_KNOP = "pdca-signaal-knop"  # pattern-matching: {"type": PDCA_SIGNAAL_KNOP, "index": rang}
PDCA_WIJZIG_KNOP = "pdca-wijzig-knop"  # pattern-matching: {"type": PDCA_WIJZIG_KNOP, "index": actie id}
PDCA_FORMULIER = "pdca-formulier"
PDCA_FORMULIER_TITEL = "pdca-formulier-titel"
PDCA_BEWERKT = "pdca-bewerkt"  # store: {"id", "versie"} of the action being changed, or None for a new one
PDCA_SIGNAAL = "pdca-signaal"  # store: the signal text the new action starts from
PDCA_SIGNAAL_TEKST = "pdca-signaal-tekst"
PDCA_INDICATOR = "pdca-indicator"
PDCA_GEBIED = "pdca-gebied"
PDCA_OMSCHRIJVING = "pdca-omschrijving"
PDCA_BESLUIT = "pdca-besluit"
PDCA_EIGENAAR = "pdca-eigenaar"
PDCA_DEADLINE = "pdca-deadline"
PDCA_STATUS = "pdca-status"
PDCA_OPSLAAN = "pdca-opslaan"
PDCA_LEEGMAKEN = "pdca-leegmaken"
PDCA_MELDING = "pdca-melding"
PDCA_ACTIES = "pdca-acties"
PDCA_OVERGENOMEN = "pdca-overgenomen"
PDCA_HISTORIE = "pdca-historie"
PDCA_VERSIE = "pdca-versie"
PDCA_EXPORT_PDF = "pdca-export-pdf"
PDCA_EXPORT_XLSX = "pdca-export-xlsx"
PDCA_DOWNLOAD = "pdca-download"
PDCA_EXPORT_MELDING = "pdca-export-melding"
