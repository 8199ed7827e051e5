"""PDCA notes: round trip, validation, concurrent writers."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import date
from pathlib import Path

import pytest

from dashboard.notes import Note, NoteRejected, add_note, default_state_path, notes_for, sessions

SESSIE = date(2017, 1, 1)


def _note(text: str, fase: str = "Check") -> Note:
    return Note(SESSIE, "zelfredzaamheid", "WK001401", fase, text, "Extra inzet wijkteam", "J. de Vries",
                date(2017, 3, 1))


def test_default_state_path():
    assert default_state_path(Path("/data/monitor.duckdb")) == Path("/data/monitor_state.sqlite")


def test_note_round_trip_keeps_text_verbatim(tmp_path):
    state = tmp_path / "state.sqlite"
    text = "<script>alert('x')</script> & 'quotes'"
    note_id = add_note(state, _note(text))
    [stored] = notes_for(state, SESSIE)
    assert stored.id == note_id
    assert stored.notitie == text
    assert (stored.fase, stored.besluit, stored.eigenaar, stored.deadline) == (
        "Check", "Extra inzet wijkteam", "J. de Vries", date(2017, 3, 1))
    assert notes_for(state, date(2016, 1, 1)) == []


@pytest.mark.parametrize(("note", "reason"), [
    (_note("   "), "leeg"),
    (_note("tekst", fase="Review"), "fase"),
    (_note("x" * 4001), "langer"),
])
def test_invalid_notes_are_rejected(tmp_path, note, reason):
    with pytest.raises(NoteRejected, match=reason):
        add_note(tmp_path / "state.sqlite", note)


def test_sessions_summarise_per_peildatum(tmp_path):
    state = tmp_path / "state.sqlite"
    add_note(state, _note("a"))
    add_note(state, _note("b"))
    add_note(state, Note(date(2016, 1, 1), "tevredenheid", "GM0014", "Plan", "c"))
    summary = [(s.peildatum, s.notities) for s in sessions(state)]
    assert summary == [(date(2017, 1, 1), 2), (date(2016, 1, 1), 1)]


def _write_many(state: Path, writer: int, count: int) -> None:
    for i in range(count):
        add_note(state, _note(f"schrijver {writer} notitie {i}"))


def test_ten_threads_lose_no_note(tmp_path):
    state = tmp_path / "state.sqlite"
    threads = [threading.Thread(target=_write_many, args=(state, w, 20)) for w in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    texts = {n.notitie for n in notes_for(state, SESSIE)}
    assert len(texts) == 200


def test_ten_processes_lose_no_note(tmp_path):
    state = tmp_path / "state.sqlite"
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_write_many, args=(state, w, 10)) for w in range(10)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert [p.exitcode for p in processes] == [0] * 10
    assert len(notes_for(state, SESSIE)) == 100
