"""PDCA actions: history kept, permissions, overdue, carried over, migration of old notes, concurrent writers."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from datetime import date
from pathlib import Path

import pytest

from dashboard.acties import (
    MIGRATED_AUTHOR, ActionRejected, Invoer, action, actions_of, add_action, carried_over, default_state_path,
    earlier_sessions, history, may_edit, sessions, update_action,
)

SESSIE = date(2017, 1, 1)
VOLGENDE = date(2018, 1, 1)


def _add(state: Path, text: str = "Extra inzet wijkteam", door: str = "anna", sessie: date = SESSIE, **fields) -> int:
    return add_action(state, sessie, "zelfredzaamheid", "WK001401", Invoer(text, **fields), door,
                      signaal="buiten marge")


def test_default_state_path():
    assert default_state_path(Path("/data/monitor.duckdb")) == Path("/data/monitor_state.sqlite")


def test_action_round_trip_keeps_text_verbatim(tmp_path):
    state = tmp_path / "state.sqlite"
    text = "<script>alert('x')</script> & 'quotes'"
    actie_id = _add(state, text, eigenaar="J. de Vries", deadline=date(2017, 3, 1), besluit="Doen")
    [stored] = actions_of(state, SESSIE)
    assert (stored.id, stored.omschrijving, stored.auteur, stored.signaal) == (actie_id, text, "anna", "buiten marge")
    assert (stored.status, stored.eigenaar, stored.deadline, stored.besluit, stored.versie) == (
        "open", "J. de Vries", date(2017, 3, 1), "Doen", 1)
    assert actions_of(state, date(2016, 1, 1)) == []


@pytest.mark.parametrize(("invoer", "reason"), [
    (Invoer("   "), "leeg"),
    (Invoer("tekst", status="klaar"), "status"),
    (Invoer("x" * 4001), "langer"),
    (Invoer("tekst", eigenaar="x" * 201), "eigenaar"),
])
def test_invalid_actions_are_rejected(tmp_path, invoer, reason):
    with pytest.raises(ActionRejected, match=reason):
        add_action(tmp_path / "state.sqlite", SESSIE, "zelfredzaamheid", "GM0014", invoer, "anna")


def test_every_change_is_a_new_version_with_author_and_session(tmp_path):
    state = tmp_path / "state.sqlite"
    actie_id = _add(state, eigenaar="Bram")
    assert update_action(state, actie_id, Invoer("Extra inzet wijkteam", "lopend", "Bram"), "anna", "programmateam",
                         SESSIE, versie=1) == 2
    assert update_action(state, actie_id, Invoer("Extra inzet wijkteam", "afgerond", "Bram", besluit="Gelukt"),
                         "beheerder", "beheer", VOLGENDE, versie=2) == 3
    steps = [(w.versie, w.status, w.door, w.sessie, w.besluit) for w in history(state, actie_id)]
    assert steps == [(1, "open", "anna", SESSIE, ""), (2, "lopend", "anna", SESSIE, ""),
                     (3, "afgerond", "beheerder", VOLGENDE, "Gelukt")]
    current = action(state, actie_id)
    assert (current.status, current.versie, current.gewijzigd_door, current.auteur) == ("afgerond", 3, "beheerder", "anna")


def test_the_history_cannot_be_overwritten_or_deleted(tmp_path):
    state = tmp_path / "state.sqlite"
    _add(state)
    con = sqlite3.connect(state)
    for sql in ("UPDATE actie_versies SET status = 'afgerond'", "DELETE FROM actie_versies",
                "UPDATE acties SET auteur = 'mallory'", "DELETE FROM acties"):
        with pytest.raises(sqlite3.IntegrityError, match="niet"):
            con.execute(sql)
    con.close()
    assert [w.status for w in history(state, actions_of(state, SESSIE)[0].id)] == ["open"]


def test_only_the_author_or_beheer_may_edit(tmp_path):
    state = tmp_path / "state.sqlite"
    actie_id = _add(state, door="anna")
    current = action(state, actie_id)
    assert may_edit(current, "anna", "programmateam") and may_edit(current, "beheerder", "beheer")
    assert not may_edit(current, "bram", "programmateam") and not may_edit(current, None, None)
    with pytest.raises(ActionRejected, match="alleen anna"):
        update_action(state, actie_id, Invoer("overgenomen", "vervallen"), "bram", "programmateam", SESSIE, 1)
    assert [w.versie for w in history(state, actie_id)] == [1]


def test_a_change_on_an_old_version_is_refused(tmp_path):
    state = tmp_path / "state.sqlite"
    actie_id = _add(state)
    update_action(state, actie_id, Invoer("eerste", "lopend"), "anna", "programmateam", SESSIE, 1)
    with pytest.raises(ActionRejected, match="intussen gewijzigd"):
        update_action(state, actie_id, Invoer("tweede", "afgerond"), "beheerder", "beheer", SESSIE, 1)
    assert action(state, actie_id).omschrijving == "eerste"


def test_open_actions_are_carried_into_later_sessions_and_overdue_ones_flagged(tmp_path):
    state = tmp_path / "state.sqlite"
    late = _add(state, "te laat", deadline=date(2017, 6, 1))
    on_time = _add(state, "op tijd", status="lopend", deadline=date(2018, 6, 1))
    no_deadline = _add(state, "zonder deadline")
    closed = _add(state, "klaar", deadline=date(2017, 2, 1))
    update_action(state, closed, Invoer("klaar", "afgerond"), "anna", "programmateam", SESSIE, 1)
    cancelled = _add(state, "vervallen")
    update_action(state, cancelled, Invoer("vervallen", "vervallen"), "anna", "programmateam", SESSIE, 1)
    next_one = _add(state, "van de volgende sessie", sessie=VOLGENDE)
    carried = carried_over(state, VOLGENDE)
    assert [a.id for a in carried] == [late, on_time, no_deadline]  # earliest due date first, none last
    today = date(2018, 1, 15)
    assert [a.te_laat(today) for a in carried] == [True, False, False]
    assert not action(state, closed).te_laat(today)  # afgerond is never overdue
    assert carried_over(state, SESSIE) == []  # nothing from the same or a later session
    # closed during the next session: it stays in that session's view, and no longer comes back after it
    update_action(state, late, Invoer("te laat", "afgerond", deadline=date(2017, 6, 1)), "anna", "programmateam", VOLGENDE, 1)
    assert [a.id for a in carried_over(state, VOLGENDE)] == [late, on_time, no_deadline]
    assert [a.id for a in carried_over(state, date(2019, 1, 1))] == [on_time, no_deadline, next_one]


def test_sessions_and_only_earlier_sessions(tmp_path):
    state = tmp_path / "state.sqlite"
    _add(state, "a")
    _add(state, "b")
    _add(state, "c", sessie=date(2016, 1, 1))
    _add(state, "d", sessie=VOLGENDE)
    assert [(s.peildatum, s.acties) for s in sessions(state)] == [(VOLGENDE, 1), (SESSIE, 2), (date(2016, 1, 1), 1)]
    assert [s.peildatum for s in earlier_sessions(state, SESSIE)] == [date(2016, 1, 1)]


def test_old_notes_are_migrated_into_actions_on_open(tmp_path):
    state = tmp_path / "state.sqlite"
    con = sqlite3.connect(state)
    con.executescript("""
        CREATE TABLE notities (id INTEGER PRIMARY KEY AUTOINCREMENT, peildatum TEXT NOT NULL, indicator TEXT NOT NULL,
            gebiedcode TEXT NOT NULL, fase TEXT NOT NULL, notitie TEXT NOT NULL, besluit TEXT NOT NULL DEFAULT '',
            eigenaar TEXT NOT NULL DEFAULT '', deadline TEXT, aangemaakt_op TEXT NOT NULL);
        INSERT INTO notities (peildatum, indicator, gebiedcode, fase, notitie, besluit, eigenaar, deadline, aangemaakt_op)
        VALUES ('2017-01-01', 'tevredenheid', 'GM0014', 'Check', 'Bespreken met wijkteam', 'Agenderen', 'J. de Vries',
                '2017-03-01', '2017-01-20T10:00:00'),
               ('2016-01-01', 'zelfredzaamheid', 'WK001401', 'Plan', 'Oud', '', '', NULL, '2016-01-20T09:00:00');
    """)
    con.close()
    [migrated] = actions_of(state, SESSIE)
    assert (migrated.omschrijving, migrated.besluit, migrated.eigenaar, migrated.deadline, migrated.status) == (
        "[Check] Bespreken met wijkteam", "Agenderen", "J. de Vries", date(2017, 3, 1), "open")
    assert migrated.auteur == MIGRATED_AUTHOR and migrated.aangemaakt_op.isoformat() == "2017-01-20T10:00:00"
    assert len(actions_of(state, date(2016, 1, 1))) == 1
    assert len(actions_of(state, SESSIE)) == 1  # opening again migrates nothing twice
    con = sqlite3.connect(state)
    assert con.execute("SELECT count(*) FROM notities_oud").fetchone() == (2,)  # the old rows are kept
    con.close()


def _write_many(state: Path, writer: int, count: int) -> None:
    for i in range(count):
        _add(state, f"schrijver {writer} actie {i}", door=f"schrijver{writer}")


def _edit_same(state: Path, actie_id: int, writer: int, results) -> None:
    try:
        update_action(state, actie_id, Invoer(f"versie van {writer}", "lopend"), "beheerder", "beheer", SESSIE, 1)
        results.put("ok")
    except ActionRejected:
        results.put("geweigerd")


def test_ten_threads_lose_no_action(tmp_path):
    state = tmp_path / "state.sqlite"
    threads = [threading.Thread(target=_write_many, args=(state, w, 20)) for w in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({a.omschrijving for a in actions_of(state, SESSIE)}) == 200


@pytest.mark.integration  # ten Python processes
def test_ten_processes_lose_no_action_and_one_of_concurrent_edits_wins(tmp_path):
    state = tmp_path / "state.sqlite"
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_write_many, args=(state, w, 10)) for w in range(10)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert [p.exitcode for p in processes] == [0] * 10
    stored = actions_of(state, SESSIE)
    assert len(stored) == 100 and all(a.versie == 1 and a.auteur == a.omschrijving.split()[0] + a.omschrijving.split()[1]
                                      for a in stored)
    # five processes change the same action on version 1 at once: exactly one change is kept, none is lost silently
    results = context.Queue()
    editors = [context.Process(target=_edit_same, args=(state, stored[0].id, w, results)) for w in range(5)]
    for editor in editors:
        editor.start()
    for editor in editors:
        editor.join(timeout=60)
    outcomes = sorted(results.get(timeout=5) for _ in editors)
    assert outcomes == ["geweigerd"] * 4 + ["ok"]
    assert [w.versie for w in history(state, stored[0].id)] == [1, 2]
