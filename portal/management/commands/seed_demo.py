"""`manage.py seed_demo`: a realistic, deterministic Hungarian university for the demo, and, when
the Panopto stand-in is installed, its registration with the portal.

Idempotent: every row is looked up by its natural key first, so a second run adds nothing.
"""

import datetime
import random
import time
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from panopto_link.models import PanoptoLicence
from panopto_link.services import (
    folder_links_create_missing,
    folders_ensure,
    licence_save,
)
from panopto_link.staff import helpdesk_group_ensure
from virtualspaces.models import MembershipRole, SpaceType, VirtualSpace
from virtualspaces.services import memberships_create_missing, spaces_create_missing

DEMO_PASSWORD = "demo"  # noqa: S105 - the demo's published password, printed at the end
DEMO_STUDENT = "hallgato"
DEMO_LECTURER = "oktato"
DEMO_IT_ADMIN = "itadmin"
# A guest member of the walkthrough course (SPEC §2: vendég tag), and a staff account of the
# helpdesk group, not a superuser (panopto_link.permissions.staff.HELPDESK_PERMISSIONS).
DEMO_GUEST = "vendeg"
DEMO_HELPDESK = "helpdesk"
SEMESTERS = ("2025/26/2", "2026/27/1")
CURRENT_SEMESTER = SEMESTERS[-1]
STUDENT_COUNT = 320
LECTURER_COUNT = 36

LAST_NAMES = [
    "Nagy",
    "Kovács",
    "Tóth",
    "Szabó",
    "Horváth",
    "Varga",
    "Kiss",
    "Molnár",
    "Németh",
    "Farkas",
    "Balogh",
    "Papp",
    "Takács",
    "Juhász",
    "Lakatos",
    "Mészáros",
    "Oláh",
    "Simon",
    "Rácz",
    "Fekete",
    "Szilágyi",
    "Török",
    "Fehér",
    "Balázs",
    "Gál",
    "Kis",
    "Szűcs",
    "Kocsis",
    "Orsós",
    "Pintér",
    "Fodor",
    "Szalai",
    "Sipos",
    "Magyar",
    "Lukács",
    "Gulyás",
    "Biró",
    "Király",
    "Katona",
    "László",
    "Jakab",
    "Bogdán",
    "Balog",
    "Sándor",
    "Boros",
    "Fazekas",
    "Kelemen",
    "Antal",
    "Somogyi",
    "Orosz",
]
FIRST_NAMES = [
    "Bence",
    "Máté",
    "Levente",
    "Dominik",
    "Ádám",
    "Dániel",
    "Marcell",
    "Olivér",
    "Balázs",
    "Noel",
    "Zsombor",
    "Gergő",
    "Botond",
    "Hanna",
    "Anna",
    "Zoé",
    "Léna",
    "Luca",
    "Emma",
    "Boglárka",
    "Lili",
    "Zsófia",
    "Jázmin",
    "Nóra",
    "Eszter",
    "Dorina",
    "Réka",
    "Petra",
    "Kristóf",
    "Tamás",
    "Péter",
    "Gábor",
    "Katalin",
    "Judit",
    "Erzsébet",
    "Viktória",
    "Krisztina",
    "András",
    "Zoltán",
    "Csaba",
]
SUBJECTS = (
    ("NPUMAT101", "Analízis I"),
    ("NPUMAT102", "Lineáris algebra"),
    ("NPUMAT201", "Valószínűségszámítás"),
    ("NPUINF101", "A programozás alapjai"),
    ("NPUINF102", "Számítógép-architektúrák"),
    ("NPUINF201", "Adatbázisok"),
    ("NPUINF202", "Operációs rendszerek"),
    ("NPUINF203", "Számítógép-hálózatok"),
    ("NPUINF301", "Szoftvertechnológia"),
    ("NPUINF302", "Mesterséges intelligencia"),
    ("NPUINF303", "Webfejlesztés"),
    ("NPUINF304", "Információbiztonság"),
    ("NPUFIZ101", "Fizika I"),
    ("NPUKGT101", "A közgazdaságtan alapjai"),
    ("NPUMEN101", "Menedzsment és vállalkozásgazdaságtan"),
    ("NPUJOG101", "Jogi ismeretek mérnököknek"),
)
OTHER_SPACES = (
    ("NPU-TDK-AI", "Tudományos diákköri kutatócsoport – gépi tanulás", False),
    ("NPU-SZD-2026", "Szakdolgozati konzultáció 2026", False),
    ("NPU-KORUS", "Egyetemi kórus", True),
    ("NPU-NYILT-ETIKA", "Nyílt előadássorozat: a mesterséges intelligencia etikája", True),
    ("NPU-HOK", "Hallgatói önkormányzat", True),
    ("NPU-TEHETSEG", "Informatikai tehetséggondozó program", False),
)
PUBLIC_SUBJECTS = {"NPUINF302"}
# The course the README's walkthrough uses: the demo lecturer administers it, the student is in.
WALKTHROUGH_COURSE = "NPUINF101-EA-" + CURRENT_SEMESTER.replace("/", "-")


# The demo accounts' Neptun codes (the other people's usernames are their Neptun codes). Panopto
# is told to match accounts on the Neptun code (see panopto_link.simulator.demo.DEMO_LAUNCH).
DEMO_NEPTUN_CODES = {
    DEMO_STUDENT: "HK7Q2D",
    DEMO_LECTURER: "SZG4T1",
    DEMO_IT_ADMIN: "RK9AD3",
    DEMO_GUEST: "VT3G8M",
    DEMO_HELPDESK: "UF5H2K",
}


def neptun_code(rng: random.Random) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") + "".join(rng.choices(alphabet, k=5))


class Command(BaseCommand):
    help = "Seed a realistic demo university (idempotent: running it again changes nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--panopto-url",
            help="Where browsers reach the Panopto stand-in (scheme://host:port). Default: the "
            "portal's address (LTI_ISSUER) under the other loopback name, e.g. "
            "http://localhost:8000 for http://127.0.0.1:8000, so the two are different sites.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even where the settings do not allow demo data (production): creates the "
            f"superuser {DEMO_IT_ADMIN} with the published password '{DEMO_PASSWORD}'.",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEMO_DATA_ALLOWED and not options["force"]:
            # Before the database is touched: the demo's superuser has a published password.
            raise CommandError(
                f"These settings ({settings.SETTINGS_MODULE}) do not allow demo data: seed_demo "
                f"would create the superuser {DEMO_IT_ADMIN} with the published password "
                f"'{DEMO_PASSWORD}' and hundreds of invented people. Refused; use --force to "
                "seed anyway (never on a production database)."
            )
        # In English throughout: the labels that the commands it calls print (panopto_configure's
        # field names) would otherwise come in the default language, Hungarian, between
        # English lines (issue 25 item 11).
        with translation.override("en"):
            self.seed(options)

    def seed(self, options) -> None:
        started = time.monotonic()
        self.rng = random.Random(20260901)  # noqa: S311 - demo data, not security
        with transaction.atomic():
            users = self.seed_users()
            spaces = self.seed_spaces()
            self.seed_memberships(users, spaces)
            self.seed_panopto(spaces)
            self.seed_stand_in(options.get("panopto_url"))
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s."))
        self.print_accounts()

    def step(self, number: int, text: str) -> None:
        self.stdout.write(f"[{number}/5] {text}")

    # -- users --------------------------------------------------------------------------------
    def seed_users(self) -> dict[str, Any]:
        self.step(1, "users")
        User = get_user_model()
        password = make_password(DEMO_PASSWORD)
        seen: set[str] = set()

        def person(prefix: str, count: int) -> list[tuple[str, str, str]]:
            people: list[tuple[str, str, str]] = []
            while len(people) < count:
                code = neptun_code(self.rng)
                first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
                if code in seen:
                    continue
                seen.add(code)
                people.append((code, first, last))
            return people

        wanted = [
            (DEMO_STUDENT, "Hanna", "Kovács", False, False),
            (DEMO_LECTURER, "Gábor", "Szabó", False, False),
            (DEMO_IT_ADMIN, "Katalin", "Rendszer", True, True),
            (DEMO_GUEST, "Vilma", "Vendég", False, False),
            (DEMO_HELPDESK, "Huba", "Ügyfél", True, False),
        ]
        students = person("s", STUDENT_COUNT)
        lecturers = person("l", LECTURER_COUNT)
        wanted += [(code, first, last, False, False) for code, first, last in students]
        wanted += [(code, first, last, False, False) for code, first, last in lecturers]
        wanted_names = {w[0] for w in wanted}

        existing = set(
            User.objects.filter(username__in=[w[0] for w in wanted]).values_list(
                "username", flat=True
            )
        )
        new = [
            User(
                username=username,
                neptun_code=DEMO_NEPTUN_CODES.get(username, username),
                first_name=first,
                last_name=last,
                email=f"{username.lower()}@demo.neptun-egyetem.hu",
                password=password,
                is_staff=staff,
                is_superuser=superuser,
            )
            for username, first, last, staff, superuser in wanted
            if username not in existing
        ]
        User.objects.bulk_create(new, batch_size=500)
        by_name = {u.username: u for u in User.objects.filter(username__in=[w[0] for w in wanted])}
        # Users seeded before Neptun codes were stored get theirs now (a second run: none).
        without_code = [
            user
            for user in by_name.values()
            if not user.neptun_code and user.username in wanted_names
        ]
        for user in without_code:
            user.neptun_code = DEMO_NEPTUN_CODES.get(user.username, user.username)
        User.objects.bulk_update(without_code, ["neptun_code"], batch_size=500)
        by_name[DEMO_HELPDESK].groups.add(helpdesk_group_ensure())
        self.stdout.write(f"      {len(wanted)} users ({len(new)} new)")
        return {
            "guest": by_name[DEMO_GUEST],
            "student": by_name[DEMO_STUDENT],
            "lecturer": by_name[DEMO_LECTURER],
            "students": [by_name[code] for code, _f, _l in students],
            "lecturers": [by_name[code] for code, _f, _l in lecturers],
        }

    # -- spaces -------------------------------------------------------------------------------
    def seed_spaces(self) -> dict[str, list[VirtualSpace]]:
        self.step(2, "virtual spaces")
        wanted: list[VirtualSpace] = []
        for code, name in SUBJECTS:
            wanted.append(
                VirtualSpace(
                    code=code,
                    name=name,
                    space_type=SpaceType.SUBJECT,
                    is_public=code in PUBLIC_SUBJECTS,
                    description=f"{name}: a tárgy közös virtuális tere.",
                )
            )
        for code, name, is_public in OTHER_SPACES:
            wanted.append(
                VirtualSpace(code=code, name=name, space_type=SpaceType.OTHER, is_public=is_public)
            )
        created = spaces_create_missing(wanted)
        subjects = {s.code: s for s in VirtualSpace.objects.filter(space_type=SpaceType.SUBJECT)}

        courses: list[VirtualSpace] = []
        for code, name in SUBJECTS:
            for semester in SEMESTERS:
                suffix = semester.replace("/", "-")
                for kind, label in (
                    ("EA", "előadás"),
                    ("GY1", "gyakorlat 1"),
                    ("GY2", "gyakorlat 2"),
                ):
                    courses.append(
                        VirtualSpace(
                            code=f"{code}-{kind}-{suffix}",
                            name=f"{name} – {label}",
                            space_type=SpaceType.COURSE,
                            semester=semester,
                            subject=subjects[code],
                        )
                    )
        created += spaces_create_missing(courses)
        all_codes = [w.code for w in wanted] + [c.code for c in courses]
        spaces = list(VirtualSpace.objects.filter(code__in=all_codes).order_by("code"))
        self.stdout.write(f"      {len(spaces)} spaces ({len(created)} new)")
        return {
            "subjects": [s for s in spaces if s.space_type == SpaceType.SUBJECT],
            "courses": [s for s in spaces if s.space_type == SpaceType.COURSE],
            "others": [s for s in spaces if s.space_type == SpaceType.OTHER],
        }

    # -- memberships --------------------------------------------------------------------------
    def seed_memberships(self, users: dict, spaces: dict) -> None:
        self.step(3, "memberships")
        rng = self.rng
        rows: dict[tuple[int, int], str] = {}

        def give(user, space, role: str) -> None:
            # Administrator wins: never demote a row already given a stronger role.
            key = (user.pk, space.pk)
            if rows.get(key) == MembershipRole.ADMINISTRATOR:
                return
            rows[key] = role

        subjects = spaces["subjects"]
        courses_by_subject: dict[int, list[VirtualSpace]] = {}
        for course in spaces["courses"]:
            courses_by_subject.setdefault(course.subject_id, []).append(course)

        lecturers = users["lecturers"]
        for index, subject in enumerate(subjects):
            owner = users["lecturer"] if index < 3 else lecturers[index % len(lecturers)]
            give(owner, subject, MembershipRole.ADMINISTRATOR)
            for course in courses_by_subject[subject.pk]:
                teacher = owner if course.code.split("-")[1] == "EA" else rng.choice(lecturers)
                give(teacher, course, MembershipRole.ADMINISTRATOR)

        students = users["students"]
        for semester in SEMESTERS:
            for student in students:
                for subject in rng.sample(subjects, k=6):
                    course_pair = [
                        c for c in courses_by_subject[subject.pk] if c.semester == semester
                    ]
                    lecture = next(c for c in course_pair if "-EA-" in c.code)
                    practice = rng.choice([c for c in course_pair if "-GY" in c.code])
                    give(student, lecture, MembershipRole.MEMBER)
                    give(student, practice, MembershipRole.MEMBER)
                    give(student, subject, MembershipRole.MEMBER)

        # The demo student: the first three subjects (the demo lecturer's) this semester.
        demo_student = users["student"]
        for subject in subjects[:3]:
            give(demo_student, subject, MembershipRole.MEMBER)
            for course in courses_by_subject[subject.pk]:
                if course.semester == CURRENT_SEMESTER and "-GY2-" not in course.code:
                    give(demo_student, course, MembershipRole.MEMBER)
        for other in spaces["others"]:
            give(rng.choice(lecturers), other, MembershipRole.ADMINISTRATOR)
            for student in rng.sample(students, k=25):
                give(student, other, MembershipRole.MEMBER)
            for student in rng.sample(students, k=4):
                give(student, other, MembershipRole.GUEST_MEMBER)
        walkthrough = next(c for c in spaces["courses"] if c.code == WALKTHROUGH_COURSE)
        give(users["guest"], walkthrough, MembershipRole.GUEST_MEMBER)
        tdk = next(s for s in spaces["others"] if s.code == "NPU-TDK-AI")
        give(users["lecturer"], tdk, MembershipRole.ADMINISTRATOR)
        give(demo_student, tdk, MembershipRole.GUEST_MEMBER)

        new = memberships_create_missing(rows)
        self.stdout.write(f"      {len(rows)} memberships ({new} new)")

    # -- Panopto ------------------------------------------------------------------------------
    def seed_panopto(self, spaces: dict) -> None:
        self.step(4, "Panopto licence, folders and links")
        today = timezone.localdate()
        if not PanoptoLicence.objects.filter(note="Demo licence").exists():
            licence_save(
                licence=PanoptoLicence(
                    note="Demo licence",
                    valid_from=today.replace(month=1, day=1),
                    valid_until=today.replace(month=12, day=31) + datetime.timedelta(days=365),
                )
            )
        all_spaces = [s for group in spaces.values() for s in group]
        folders_ensure(all_spaces)
        folder_links_create_missing(
            [(course, course.subject_id) for course in spaces["courses"] if course.subject_id]
        )
        self.stdout.write(
            f"      {len(all_spaces)} folders, {len(spaces['courses'])} course links to subjects"
        )

    # -- the Panopto stand-in -----------------------------------------------------------------
    def seed_stand_in(self, panopto_url: str | None) -> None:
        self.step(5, "Panopto stand-in registration")
        if not apps.is_installed("panopto_link.simulator"):
            self.stdout.write("      skipped: the stand-in is not installed in these settings")
            return
        from panopto_link.simulator.demo import DEMO_LAUNCH, connect_stand_in, stand_in_origin_for

        origin = panopto_url or stand_in_origin_for(settings.LTI_ISSUER)
        self.stdout.write(f"      portal (LTI issuer) {settings.LTI_ISSUER}, stand-in {origin}")
        connect_stand_in(
            portal_url=settings.LTI_ISSUER,
            stand_in_origin=origin,
            launch=DEMO_LAUNCH,
            stdout=self.stdout,
        )

    def print_accounts(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Sign in at {settings.LTI_ISSUER}/ with (password for all: demo):")
        self.stdout.write(f"  student           {DEMO_STUDENT}")
        self.stdout.write(f"  lecturer          {DEMO_LECTURER}")
        self.stdout.write(f"  IT administrator  {DEMO_IT_ADMIN}   (Django admin: /admin/)")
        self.stdout.write(f"  guest member      {DEMO_GUEST}    (of the walkthrough course)")
        self.stdout.write(
            f"  helpdesk          {DEMO_HELPDESK}  (staff, not superuser: reads the admin, adds "
            "members; docs/operations.md)"
        )
        course = VirtualSpace.objects.filter(code=WALKTHROUGH_COURSE).first()
        if course is not None:
            page = reverse("virtualspaces:space_home", args=[course.pk])
            self.stdout.write(
                f"The README's walkthrough course, {course.name}: {settings.LTI_ISSUER}{page}"
            )
