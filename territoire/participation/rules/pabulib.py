"""Reading and writing the Pabulib ``.pb`` format (participatory budgeting library).

A file has three sections, each introduced by a line holding only its name::

    META
    key;value
    description;Budget participatif 2026
    budget;600000
    vote_type;approval
    PROJECTS
    project_id;cost;votes;name;category;district
    1;45000;812;Aire de jeux du Port;enfance;Port
    VOTES
    voter_id;vote;age;sex;voting_method;district
    v1;1,4,7;34;F;internet;Port

Fields are separated by ``;`` with CSV quoting. Every error names its line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from territoire.participation.rules.model import Election, Project

SECTIONS = ("META", "PROJECTS", "VOTES")
SUPPORTED_VOTE_TYPES = ("approval",)


class PbError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass
class PbFile:
    meta: dict[str, str] = field(default_factory=dict)
    projects: list[dict[str, str]] = field(default_factory=list)  # in file order
    votes: list[dict[str, str]] = field(default_factory=list)
    project_columns: list[str] = field(default_factory=list)
    vote_columns: list[str] = field(default_factory=list)

    @property
    def budget(self) -> Fraction:
        return _amount(self.meta.get("budget", ""), 0, "budget")

    def project_ids(self) -> list[str]:
        return [p["project_id"] for p in self.projects]

    def ballots(self) -> list[frozenset[str]]:
        return [frozenset(_split_vote(v.get("vote", ""))) for v in self.votes]

    def election(self) -> Election:
        vote_type = self.meta.get("vote_type", "approval").strip().lower()
        if vote_type not in SUPPORTED_VOTE_TYPES:
            raise PbError(0, f"vote_type '{vote_type}' is not supported (approval only)")
        return Election(
            projects=[
                Project(p["project_id"], _amount(p["cost"], 0, "cost"), p.get("name", ""))
                for p in self.projects
            ],
            budget=self.budget,
            ballots=self.ballots(),
        )


def _amount(text: str, line: int, what: str) -> Fraction:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise PbError(line, f"{what} '{text}' is not a number") from None
    if not value.is_finite() or value < 0:
        raise PbError(line, f"{what} '{text}' must be a non-negative number")
    return Fraction(value)


def _split_vote(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def parse(text: str) -> PbFile:
    """Parse a ``.pb`` document; raise :class:`PbError` naming the line of the first problem."""
    if text.startswith("\ufeff"):
        text = text[1:]
    pb = PbFile()
    section: str | None = None
    header: list[str] | None = None
    seen_sections: list[str] = []
    project_ids: set[str] = set()
    voter_ids: set[str] = set()
    reader = csv.reader(io.StringIO(text), delimiter=";")
    vote_lines: list[tuple[int, dict[str, str]]] = []
    for row in reader:
        line = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        first = row[0].strip()
        if len(row) == 1 and first.upper() in SECTIONS:
            name = first.upper()
            if name in seen_sections:
                raise PbError(line, f"section {name} appears twice")
            expected = SECTIONS[len(seen_sections)]
            if name != expected:
                raise PbError(line, f"section {expected} expected, found {name}")
            seen_sections.append(name)
            section, header = name, None
            continue
        if section is None:
            raise PbError(line, "the file must start with a META section")
        if header is None:
            header = [h.strip().lower() for h in row]
            if section == "META":
                if header[:2] != ["key", "value"]:
                    raise PbError(line, "the META header must be 'key;value'")
            elif section == "PROJECTS":
                for required in ("project_id", "cost"):
                    if required not in header:
                        raise PbError(line, f"the PROJECTS header has no '{required}' column")
                pb.project_columns = header
            else:
                for required in ("voter_id", "vote"):
                    if required not in header:
                        raise PbError(line, f"the VOTES header has no '{required}' column")
                pb.vote_columns = header
            continue
        if len(row) != len(header):
            raise PbError(line, f"{len(row)} fields where the header has {len(header)}")
        record = {k: v.strip() for k, v in zip(header, row, strict=True)}
        if section == "META":
            pb.meta[record["key"].lower()] = record["value"]
        elif section == "PROJECTS":
            pid = record["project_id"]
            if not pid:
                raise PbError(line, "empty project_id")
            if pid in project_ids:
                raise PbError(line, f"project_id '{pid}' appears twice")
            _amount(record["cost"], line, "cost")
            project_ids.add(pid)
            pb.projects.append(record)
        else:
            vid = record["voter_id"]
            if vid in voter_ids:
                raise PbError(line, f"voter_id '{vid}' appears twice")
            voter_ids.add(vid)
            vote_lines.append((line, record))
    if "PROJECTS" not in seen_sections:
        raise PbError(reader.line_num, "the PROJECTS section is missing")
    if "budget" not in pb.meta:
        raise PbError(1, "META has no 'budget'")
    pb.budget  # noqa: B018 - validates the amount
    for line, record in vote_lines:
        chosen = _split_vote(record["vote"])
        if len(set(chosen)) != len(chosen):
            raise PbError(line, "a project is listed twice in this vote")
        for pid in chosen:
            if pid not in project_ids:
                raise PbError(line, f"vote for unknown project '{pid}'")
        pb.votes.append(record)
    return pb


def dumps(pb: PbFile) -> str:
    """Write a ``.pb`` document (the inverse of :func:`parse`)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    out.write("META\n")
    writer.writerow(["key", "value"])
    for key, value in pb.meta.items():
        writer.writerow([key, value])
    out.write("PROJECTS\n")
    columns = pb.project_columns or ["project_id", "cost"]
    writer.writerow(columns)
    for project in pb.projects:
        writer.writerow([project.get(c, "") for c in columns])
    out.write("VOTES\n")
    columns = pb.vote_columns or ["voter_id", "vote"]
    writer.writerow(columns)
    for vote in pb.votes:
        writer.writerow([vote.get(c, "") for c in columns])
    return out.getvalue()


def format_amount(value: Fraction) -> str:
    """An exact amount as .pb writes it: an integer when it is one, else a decimal."""
    if value.denominator == 1:
        return str(value.numerator)
    return str(Decimal(value.numerator) / Decimal(value.denominator))
