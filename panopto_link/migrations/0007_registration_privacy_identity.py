"""The registration's knobs for a real Panopto site (issue 12): the privacy level replaces the
two switches `send_name` and `send_email` (each existing choice kept), the institutional
identifier and its custom parameter, custom parameters, where a launch opens, and whether this
is the production Panopto site.

Servers of the previous release run beside this one during a release (docs/operations.md): the
new columns have database defaults, so the previous release's inserts still work, and the two
switches leave the model but keep their columns (with database defaults) for one release, so its
reads still work. The release after drops them (see the comment at the end)."""

from django.db import migrations, models

# (send_name, send_email) → privacy level, and back.
LEVELS = {
    (False, False): "anonymous",
    (True, False): "name",
    (False, True): "email",
    (True, True): "name_and_email",
}


def switches_to_level(apps, schema_editor):
    Registration = apps.get_model("panopto_link", "PanoptoRegistration")
    for registration in Registration.objects.all():
        registration.privacy_level = LEVELS[(registration.send_name, registration.send_email)]
        registration.save(update_fields=["privacy_level"])


def level_to_switches(apps, schema_editor):
    Registration = apps.get_model("panopto_link", "PanoptoRegistration")
    switches = {level: pair for pair, level in LEVELS.items()}
    for registration in Registration.objects.all():
        registration.send_name, registration.send_email = switches[registration.privacy_level]
        registration.save(update_fields=["send_name", "send_email"])


class Migration(migrations.Migration):

    dependencies = [
        ("panopto_link", "0006_launch_record_attempts"),
    ]

    operations = [
        migrations.AddField(
            model_name="panoptoregistration",
            name="privacy_level",
            field=models.CharField(
                choices=[
                    ("anonymous", "anonymous: no name, e-mail address or identifier"),
                    ("name", "name only"),
                    ("email", "e-mail address only"),
                    ("name_and_email", "name and e-mail address"),
                ],
                db_default="name",
                default="name",
                help_text="What Panopto learns of a person besides an opaque, stable id and the role. Send no more than Panopto needs: names show who recorded or commented; e-mail addresses let Panopto send notifications. Anonymous also withholds the institutional identifier.",
                max_length=16,
                verbose_name="privacy level",
            ),
        ),
        migrations.RunPython(switches_to_level, level_to_switches),
        migrations.SeparateDatabaseAndState(
            # Gone from the model; the columns stay one more release, defaulting to true for
            # the rows this release inserts. (Next release: RunSQL dropping both columns.)
            state_operations=[
                migrations.RemoveField(model_name="panoptoregistration", name="send_email"),
                migrations.RemoveField(model_name="panoptoregistration", name="send_name"),
            ],
            database_operations=[
                migrations.AlterField(
                    model_name="panoptoregistration",
                    name="send_name",
                    field=models.BooleanField(db_default=True, default=True),
                ),
                migrations.AlterField(
                    model_name="panoptoregistration",
                    name="send_email",
                    field=models.BooleanField(db_default=True, default=True),
                ),
            ],
        ),
        migrations.AddField(
            model_name="panoptoregistration",
            name="identifier_kind",
            field=models.CharField(
                choices=[
                    ("username", "portal username"),
                    ("email", "e-mail address"),
                    ("neptun_code", "Neptun code (directory identifier)"),
                ],
                db_default="username",
                default="username",
                help_text="Sent as lis.person_sourcedid (and as the custom parameter below): what Panopto matches its accounts on. Choose the value your single sign-on gives Panopto, or lecturers end up with a second, empty Panopto account.",
                max_length=16,
                verbose_name="institutional identifier",
            ),
        ),
        migrations.AddField(
            model_name="panoptoregistration",
            name="identifier_parameter",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text="Also send the identifier as this custom parameter (e.g. neptun_code), the name to enter in Panopto's username parameter override. Lower-case letters, digits and underscores. Empty: only lis.person_sourcedid.",
                max_length=64,
                verbose_name="custom parameter of the identifier",
            ),
        ),
        migrations.AddField(
            model_name="panoptoregistration",
            name="custom_parameters",
            field=models.TextField(
                blank=True,
                db_default="",
                default="",
                help_text="Sent with every launch, one key=value per line; keys in lower-case letters, digits and underscores. A value that is exactly a substitution variable is replaced at each launch: $User.id, $User.username, $Person.sourcedId, $Person.name.full, $Person.name.given, $Person.name.family, $Person.email.primary, $Context.id, $Context.title, $Context.label, $CourseSection.sourcedId (the space code), $ResourceLink.id, $ResourceLink.title. Variables are case-sensitive; an unknown one, or one the privacy level withholds, is sent as written.",
                verbose_name="custom parameters",
            ),
        ),
        migrations.AddField(
            model_name="panoptoregistration",
            name="launch_opens",
            field=models.CharField(
                choices=[("same_window", "in the same window"), ("new_tab", "in a new tab")],
                db_default="same_window",
                default="same_window",
                help_text="Where a launch from the portal opens Panopto. In a new tab the portal stays open; every check of the launch is the same.",
                max_length=16,
                verbose_name="Panopto opens",
            ),
        ),
        migrations.AddField(
            model_name="panoptoregistration",
            name="is_production_site",
            field=models.BooleanField(
                db_default=False,
                default=False,
                help_text="Tick for the registration of the production Panopto site. The self-test warns when a portal whose environment (PORTAL_ENVIRONMENT) is not production points at it — for example a test portal restored from a production backup — because its launches would create real folders and accounts.",
                verbose_name="production Panopto site",
            ),
        ),
        migrations.AddConstraint(
            model_name="panoptoregistration",
            constraint=models.CheckConstraint(
                condition=models.Q(("privacy_level__in", ["anonymous", "name", "email", "name_and_email"])),
                name="registration_privacy_level_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="panoptoregistration",
            constraint=models.CheckConstraint(
                condition=models.Q(("identifier_kind__in", ["username", "email", "neptun_code"])),
                name="registration_identifier_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="panoptoregistration",
            constraint=models.CheckConstraint(
                condition=models.Q(("launch_opens__in", ["same_window", "new_tab"])),
                name="registration_launch_opens_valid",
            ),
        ),
    ]
