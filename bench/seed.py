"""A large institute in PostgreSQL, by COPY: 100,000 users, 20,000 spaces with their folders,
1,000,000 memberships. Deterministic (a seeded random generator), and done once: a marker
table remembers the size it was seeded at, and a second run at that size does nothing.

Two users are there to be measured: BENCH040 is a member of exactly 40 spaces (courses with
their subjects' folders linked, subjects, other spaces), BENCH010 of 10, so that the Panopto
page's query count can be compared at two sizes.
"""

import datetime
import random
import sys
import time
import uuid
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

from panopto_link.models import (
    FolderLink,
    FolderState,
    PanoptoFolder,
    PanoptoLicence,
    PanoptoRegistration,
)
from portal.models import User
from virtualspaces.models import Membership, MembershipRole, SpaceType, VirtualSpace

SEMESTERS = ("2025/26/2", "2026/27/1")
BENCH_USERS = {"BENCH040": 40, "BENCH010": 10}
CLIENT_ID = "panopto-bench-client"
DEPLOYMENT_ID = "bench-deployment-1"
PANOPTO = "https://panopto.bench.example.edu/Panopto"
LAUNCH_URL = PANOPTO + "/LTI/LTI13.aspx"
LOGIN_URL = PANOPTO + "/oidc/login"
LAST_NAMES = ("Nagy", "Kovács", "Tóth", "Szabó", "Horváth", "Varga", "Kiss", "Molnár", "Papp")
FIRST_NAMES = ("Bence", "Máté", "Levente", "Hanna", "Anna", "Zsófia", "Luca", "Lili", "Eszter")


@dataclass(frozen=True)
class Size:
    users: int = 100_000
    spaces: int = 20_000
    memberships: int = 1_000_000

    @property
    def lecturers(self) -> int:
        return max(1, self.users // 50)

    @property
    def subjects(self) -> int:
        return self.spaces // 5

    @property
    def courses(self) -> int:
        return self.spaces * 7 // 10

    @property
    def others(self) -> int:
        return self.spaces - self.subjects - self.courses


@dataclass(frozen=True)
class SeedReport:
    size: Size
    seconds: float
    seeded_now: bool
    seeded_at: str


class Progress:
    """One line on stderr, redrawn at most five times a second: a bar, the count, the time."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, total, 0
        self.started = self.drawn = time.monotonic()
        self._draw()

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if now - self.drawn >= 0.2 or self.done >= self.total:
            self.drawn = now
            self._draw()

    def _draw(self) -> None:
        share = self.done / self.total if self.total else 1
        bar = "#" * int(share * 30)
        sys.stderr.write(
            f"\r  {self.label:<12} [{bar:<30}] {share:6.1%} {self.done:>9,}/{self.total:,}"
            f"  {time.monotonic() - self.started:6.1f} s"
        )
        sys.stderr.flush()

    def close(self) -> None:
        self._draw()
        sys.stderr.write("\n")


def _marker() -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_seed (users int, spaces int, memberships int,"
            " seconds double precision, seeded_at timestamptz)"
        )
        cursor.execute("SELECT users, spaces, memberships, seconds, seeded_at FROM bench_seed")
        return cursor.fetchone()


def seed_institute(size: Size, *, force: bool = False) -> SeedReport:
    """Seed the institute unless the database already holds one of this size."""
    marker = _marker()
    if marker and marker[:3] == (size.users, size.spaces, size.memberships) and not force:
        return SeedReport(size, marker[3], seeded_now=False, seeded_at=marker[4].isoformat())
    started = time.monotonic()
    print(
        f"Seeding {size.users:,} users, {size.spaces:,} spaces, {size.memberships:,} memberships",
        file=sys.stderr,
    )
    _empty()
    rng = random.Random(20261127)  # reproducible data, not secrets
    now = timezone.now()
    _copy_users(size, rng, now)
    _copy_spaces(size, now)
    _copy_folders(size, rng, now)
    _copy_links(size)
    _copy_memberships(size, rng, now)
    _configure(now)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(
            no_style(), [User, VirtualSpace, PanoptoFolder, FolderLink, Membership]
        ):
            cursor.execute(statement)
        cursor.execute("ANALYZE")
        seconds = time.monotonic() - started
        cursor.execute("DELETE FROM bench_seed")
        cursor.execute(
            "INSERT INTO bench_seed VALUES (%s, %s, %s, %s, now())",
            [size.users, size.spaces, size.memberships, seconds],
        )
    print(f"Seeded in {seconds:.1f} s", file=sys.stderr)
    return SeedReport(size, seconds, seeded_now=True, seeded_at=now.isoformat())


def _empty() -> None:
    tables = [
        model._meta.db_table for model in (User, VirtualSpace, PanoptoLicence, PanoptoRegistration)
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def _copy(model, columns: list[str], rows, progress: Progress) -> None:
    """COPY the rows into the model's table, advancing the progress bar as they go."""
    with connection.cursor() as cursor:
        # A million rows in one statement: longer than the app servers' statement timeout.
        cursor.execute("SET statement_timeout = 0")
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
        statement = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        with raw.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                progress.advance()
    progress.close()


def _copy_users(size: Size, rng: random.Random, now: datetime.datetime) -> None:
    password = make_password(None)  # nobody signs in with a password: sessions are made
    bench_ids = {size.users - n: name for n, name in enumerate(BENCH_USERS)}

    def rows():
        for user_id in range(1, size.users + 1):
            if user_id in bench_ids:
                username = bench_ids[user_id]
            elif user_id <= size.lecturers:
                username = f"OKT{user_id:05d}"
            else:
                username = f"H{user_id:06d}"
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            subject = uuid.UUID(int=rng.getrandbits(128), version=4)
            yield (
                *(user_id, password, username, first, last),
                *(f"{username.lower()}@bench.example.edu", False, False, True, now, subject),
            )

    _copy(
        User,
        [
            *("id", "password", "username", "first_name", "last_name", "email"),
            *("is_superuser", "is_staff", "is_active", "date_joined", "lti_subject"),
        ],
        rows(),
        Progress("users", size.users),
    )


def _space_type(size: Size, space_id: int) -> str:
    if space_id <= size.subjects:
        return SpaceType.SUBJECT
    if space_id <= size.subjects + size.courses:
        return SpaceType.COURSE
    return SpaceType.OTHER


def _course_subject(size: Size, space_id: int) -> int:
    return (space_id - size.subjects - 1) % size.subjects + 1


def _copy_spaces(size: Size, now: datetime.datetime) -> None:
    def rows():
        for space_id in range(1, size.spaces + 1):
            kind = _space_type(size, space_id)
            if kind == SpaceType.SUBJECT:
                yield (space_id, f"Tárgy {space_id}", f"T{space_id:05d}", kind, "", None, False)
            elif kind == SpaceType.COURSE:
                subject = _course_subject(size, space_id)
                yield (
                    *(space_id, f"Tárgy {subject} – kurzus {space_id}"),
                    *(f"T{subject:05d}-K{space_id:05d}", kind, SEMESTERS[space_id % 2]),
                    *(subject, False),
                )
            else:
                yield (
                    *(space_id, f"Közösség {space_id}", f"E{space_id:05d}", kind, ""),
                    *(None, space_id % 20 == 0),
                )

    def with_common(rows):
        for row in rows:
            yield (*row, "", now)

    _copy(
        VirtualSpace,
        [
            *("id", "name", "code", "space_type", "semester", "subject_id", "is_public"),
            *("description", "created_at"),
        ],
        with_common(rows()),
        Progress("spaces", size.spaces),
    )


def folder_created(space_id: int) -> bool:
    """Whether the seeded space's Panopto folder is created: all but one in ten."""
    return space_id % 10 != 0


def _copy_folders(size: Size, rng: random.Random, now: datetime.datetime) -> None:
    def rows():
        for space_id in range(1, size.spaces + 1):
            created = folder_created(space_id)
            yield (
                *(space_id, space_id, uuid.UUID(int=rng.getrandbits(128)).hex),
                uuid.UUID(int=rng.getrandbits(128)).hex,
                FolderState.CREATED if created else FolderState.NOT_CREATED,
                *(True, now if created else None),
            )

    _copy(
        PanoptoFolder,
        ["id", "space_id", "context_id", "resource_link_id", "state", "is_enabled", "created_at"],
        rows(),
        Progress("folders", size.spaces),
    )


def _copy_links(size: Size) -> None:
    def rows():
        for link_id, course_id in enumerate(
            range(size.subjects + 1, size.subjects + size.courses + 1), start=1
        ):
            yield (link_id, course_id, _course_subject(size, course_id), 0)

    _copy(
        FolderLink,
        ["id", "course_id", "linked_space_id", "position"],
        rows(),
        Progress("folder links", size.courses),
    )


def _bench_user_spaces(size: Size, count: int, rng: random.Random) -> list[int]:
    """Mostly courses (with their subjects' folders linked), some subjects and other spaces."""
    courses = rng.sample(
        range(size.subjects + 1, size.subjects + size.courses + 1), count * 6 // 10
    )
    subjects = rng.sample(range(1, size.subjects + 1), count * 2 // 10)
    others = rng.sample(
        range(size.subjects + size.courses + 1, size.spaces + 1),
        count - len(courses) - len(subjects),
    )
    return courses + subjects + others


def _copy_memberships(size: Size, rng: random.Random, now: datetime.datetime) -> None:
    """Every space has one administrator (a lecturer administers several); the students'
    memberships make up the rest, spread evenly, in distinct spaces per student."""
    bench_ids = {size.users - n: count for n, count in enumerate(BENCH_USERS.values())}
    students = size.users - size.lecturers - len(bench_ids)
    remaining = size.memberships - size.spaces - sum(bench_ids.values())
    per_student, extra = divmod(remaining, students)
    all_spaces = range(1, size.spaces + 1)

    def rows():
        membership_id = 0
        for space_id in all_spaces:
            membership_id += 1
            lecturer = (space_id - 1) % size.lecturers + 1
            yield (membership_id, lecturer, space_id, MembershipRole.ADMINISTRATOR, now)
        student = 0
        for user_id in range(size.lecturers + 1, size.users + 1):
            if user_id in bench_ids:
                spaces = _bench_user_spaces(size, bench_ids[user_id], rng)
            else:
                spaces = rng.sample(all_spaces, per_student + (1 if student < extra else 0))
                student += 1
            for space_id in spaces:
                membership_id += 1
                role = MembershipRole.GUEST_MEMBER if rng.random() < 0.05 else MembershipRole.MEMBER
                yield (membership_id, user_id, space_id, role, now)

    _copy(
        Membership,
        ["id", "user_id", "space_id", "role", "created_at"],
        rows(),
        Progress("memberships", size.memberships),
    )


def _configure(now: datetime.datetime) -> None:
    """A valid licence and a complete Panopto registration (the real tool is never called)."""
    today = timezone.localdate()
    PanoptoLicence.objects.create(
        valid_from=today - datetime.timedelta(days=365),
        valid_until=today + datetime.timedelta(days=365),
        note="bench",
    )
    PanoptoRegistration.objects.create(
        id=1,
        client_id=CLIENT_ID,
        deployment_id=DEPLOYMENT_ID,
        login_url=LOGIN_URL,
        launch_url=LAUNCH_URL,
        redirect_uris=LAUNCH_URL,
        jwks_url=PANOPTO + "/LTI/jwks",
        site_url=PANOPTO,
    )
