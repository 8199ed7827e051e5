"""Component ids, one place for all pages (pages prefix theirs to stay unique)."""


def gemeente_keuze(gemeente_id: str) -> str:
    """The id around a gemeente choice's label and select (components.area_choice), hidden for one gemeente."""
    return f"{gemeente_id}-keuze"


# Overzicht
OVERZICHT_GEMEENTE = "overzicht-gemeente"  # chooses which gemeente's areas OVERZICHT_GEBIED lists
OVERZICHT_GEBIED = "overzicht-gebied"
OVERZICHT_KAARTEN = "overzicht-kaarten"
OVERZICHT_TABEL = "overzicht-tabel"
OVERZICHT_DOWNLOAD_CSV = "overzicht-download-csv"
OVERZICHT_DOWNLOAD_XLSX = "overzicht-download-xlsx"
OVERZICHT_DOWNLOAD = "overzicht-download"
OVERZICHT_TITEL = "overzicht-titel"
OVERZICHT_PEILDATUM = "overzicht-peildatum"
OVERZICHT_AANDACHT = "overzicht-aandacht"
OVERZICHT_RAPPORT = "overzicht-rapport"
OVERZICHT_URL = "overzicht-url"

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
VERGELIJK_URL = "vergelijk-url"
VERGELIJK_KAARTTABEL = "vergelijk-kaarttabel"

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
INDICATOR_VERGELIJK = "indicator-vergelijk"
INDICATOR_GEMEENTE = "indicator-gemeente"  # chooses which gemeente's areas INDICATOR_GEBIEDEN lists
INDICATOR_VERGELIJK_GEMEENTE = "indicator-vergelijk-gemeente"  # the same for INDICATOR_VERGELIJK
INDICATOR_URL = "indicator-url"
INDICATOR_TABEL_BLOK = "indicator-tabel-blok"
INDICATOR_LEGENDA = "indicator-legenda"

# Wijkprofiel
PROFIEL_GEMEENTE = "profiel-gemeente"  # chooses which gemeente's wijken PROFIEL_WIJK lists
PROFIEL_GEMEENTE_KEUZE = gemeente_keuze(PROFIEL_GEMEENTE)
PROFIEL_WIJK = "profiel-wijk"
PROFIEL_PEILDATUM = "profiel-peildatum"
PROFIEL_GRAFIEK = "profiel-grafiek"
PROFIEL_TABEL = "profiel-tabel"
PROFIEL_TITEL = "profiel-titel"
PROFIEL_DOWNLOAD_CSV = "profiel-download-csv"
PROFIEL_DOWNLOAD_XLSX = "profiel-download-xlsx"
PROFIEL_DOWNLOAD = "profiel-download"
PROFIEL_TRENDS = "profiel-trends"
PROFIEL_CONTEXT = "profiel-context"
PROFIEL_URL = "profiel-url"
PROFIEL_TABEL_BLOK = "profiel-tabel-blok"
PROFIEL_VERGELIJKBAAR = "profiel-vergelijkbaar"
PROFIEL_VERGELIJKBAAR_TABEL = "profiel-vergelijkbaar-tabel"

# Werkwijzen vergelijken
WERKWIJZE_KEUZE = "werkwijze-keuze"
WERKWIJZE_INDICATOR = "werkwijze-indicator"
WERKWIJZE_GRAFIEK = "werkwijze-grafiek"
WERKWIJZE_TABEL = "werkwijze-tabel"
WERKWIJZE_LEZING = "werkwijze-lezing"
WERKWIJZE_GROEP = "werkwijze-groep"
WERKWIJZE_OVERZICHT = "werkwijze-overzicht"
WERKWIJZE_URL = "werkwijze-url"
WERKWIJZE_TABEL_BLOK = "werkwijze-tabel-blok"
WERKWIJZE_OVERZICHT_BLOK = "werkwijze-overzicht-blok"

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
PDCA_GEMEENTE = "pdca-gemeente"  # chooses which gemeente's areas PDCA_GEBIED lists
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

# Instellingen (werkwijzen, begroting, taakstelling; the role beheer)
INSTELLINGEN_STAND_TEKST = "instellingen-stand-tekst"
INSTELLINGEN_WERKWIJZEN = "instellingen-werkwijzen"
INSTELLINGEN_WW_WIJZIG = "instellingen-ww-wijzig"  # pattern type, index = naam
INSTELLINGEN_WW_VERWIJDER = "instellingen-ww-verwijder"  # pattern type, index = naam
INSTELLINGEN_WW_FORMULIER = "instellingen-ww-formulier"
INSTELLINGEN_WW_TITEL = "instellingen-ww-titel"
INSTELLINGEN_WW_BEWERKT = "instellingen-ww-bewerkt"
INSTELLINGEN_WW_NAAM = "instellingen-ww-naam"
INSTELLINGEN_WW_OMSCHRIJVING = "instellingen-ww-omschrijving"
INSTELLINGEN_WW_WIJKEN = "instellingen-ww-wijken"
INSTELLINGEN_WW_STARTDATUM = "instellingen-ww-startdatum"
INSTELLINGEN_WW_REDEN = "instellingen-ww-reden"
INSTELLINGEN_WW_OPSLAAN = "instellingen-ww-opslaan"
INSTELLINGEN_WW_LEEGMAKEN = "instellingen-ww-leegmaken"
INSTELLINGEN_WW_MELDING = "instellingen-ww-melding"
# per amount section (begroting, taakstelling): f"{prefix}-{onderdeel}"
INSTELLINGEN_STAND = "instellingen-stand"  # the section's version the page shows (dcc.Store)
INSTELLINGEN_GESCHIEDENIS = "instellingen-geschiedenis"
INSTELLINGEN_BEDRAGEN = "instellingen-bedragen"
INSTELLINGEN_BEDRAG = "instellingen-bedrag"  # pattern type, index = "jaar|wet"
INSTELLINGEN_REDEN = "instellingen-reden"
INSTELLINGEN_OPSLAAN = "instellingen-opslaan"
INSTELLINGEN_MELDING = "instellingen-melding"
# "terug naar monitor.toml" per section (suffix -<onderdeel>)
INSTELLINGEN_TERUG = "instellingen-terug"
INSTELLINGEN_TERUG_REDEN = "instellingen-terug-reden"
INSTELLINGEN_TERUG_MELDING = "instellingen-terug-melding"
# Geld per wijk (costs)
GELD_PEILDATUM = "geld-peildatum"
GELD_WET = "geld-wet"
GELD_UITKOMST = "geld-uitkomst"
GELD_INHOUD = "geld-inhoud"
GELD_SAMENVATTING = "geld-samenvatting"
GELD_KAART = "geld-kaart"
GELD_RANGLIJST = "geld-ranglijst"
GELD_TABEL = "geld-tabel"
GELD_WETTEN = "geld-wetten"
GELD_BEGROTING = "geld-begroting"
GELD_BEGROTING_TABEL = "geld-begroting-tabel"
GELD_SPREIDING = "geld-spreiding"
GELD_SPREIDING_TABEL = "geld-spreiding-tabel"
GELD_MARKEER = "geld-markeer"  # the wijk whose similar wijken the scatter marks
GELD_INSTELLINGEN = "geld-instellingen"
PROFIEL_KOSTEN = "profiel-kosten"
# Paged lists (components.Pager derives <prefix>-paginas, -vorige, -volgende, -positie and -pagina)
PDCA_SIGNALEN_PAGINAS = "pdca-signalen"
VERGELIJK_PAGINAS = "vergelijk-wijken"
