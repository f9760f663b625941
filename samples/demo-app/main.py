"""A small notes service: the app `catalyst-streaming demo` adds a streaming endpoint to."""
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI(title="Notes")


class Note(BaseModel):
    title: str
    body: str = ""


NOTES: dict[int, Note] = {}


@app.get("/notes")
async def list_notes() -> dict[int, Note]:
    return NOTES


@app.post("/notes", status_code=201)
async def add_note(note: Note) -> int:
    note_id = len(NOTES) + 1
    NOTES[note_id] = note
    return note_id


@app.get("/notes/{note_id}")
async def read_note(note_id: int) -> Note:
    if note_id not in NOTES:
        raise HTTPException(status_code=404, detail="no such note")
    return NOTES[note_id]
