"""What one load did: the result `claims load` prints. Plain data, so a load with nothing changed
can report it without importing the loader (claimsdb.load.write: the ORM and the models), and
plain lines (`lines`), so `claims load --quiet` prints it without importing rich."""

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

    def lines(self, database: str) -> list[str]:
        """What the load says, in plain words, a line each (escaped where they are printed)."""
        if self.nothing_changed:
            return [
                f"Nothing changed: every seed file and document in {self.seeds_dir} matches load run "
                f"{self.previous_run_id}. ({database})"
            ]
        lines = [
            f"Loaded {self.seeds_dir} into {database} as load run {self.run_id}: {len(self.added)} added, "
            f"{len(self.changed)} changed, {len(self.restored)} restored, {len(self.withdrawn)} withdrawn, "
            f"{self.unchanged} unchanged; {self.claims_total} claims in the seeds."
        ]
        if self.files_read < self.files_total:
            lines.append(
                f"  Read {self.files_read:,} of {self.files_total:,} seed files: those changed since the last load "
                "and those a change reaches; the rest are as the last load left them (--force reads every file)."
            )
        if self.documents_recaptured:
            lines.append(f"  re-captured documents (new bytes accepted): {', '.join(self.documents_recaptured)}")
        for label, ids in (("changed", self.changed), ("restored", self.restored), ("withdrawn", self.withdrawn)):
            if ids:
                lines.append(f"  {label}: {', '.join(ids)}")
        if self.withdrawn:
            lines.append(
                "  Withdrawn claims stay in the database, marked, and are hidden unless you ask for them (--withdrawn)."
            )
        return lines
