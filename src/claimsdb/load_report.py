"""What one load did: the result `claims load` prints. Plain data, so a load with nothing changed
can report it without importing the loader (claimsdb.load.write: the ORM and the models), and can be
printed without rich (nothing_changed_line)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class LoadReport:
    """What one load did, claim by claim."""

    run_id: int | None
    seeds_dir: str
    nothing_changed: bool = False
    previous_run_id: int | None = None
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    unchanged: int = 0
    claims_total: int = 0
    documents_recaptured: list[str] = field(default_factory=list)
    files_read: int = 0
    files_total: int = 0
    """Seed files read by this load, of all the seed files: a load after an edit reads the changed ones."""

    def nothing_changed_line(self, database: str) -> str:
        """What a load with nothing changed says, in plain words: the CLI prints it without rich
        (render.render_load_report prints the same words), escaped where it is printed."""
        return (
            f"Nothing changed: every seed file and document in {self.seeds_dir} matches load run "
            f"{self.previous_run_id}. ({database})"
        )
