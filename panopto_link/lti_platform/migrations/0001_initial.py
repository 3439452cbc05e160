"""The LTI platform becomes an app of its own (issue 22, docs/decisions/0017): its three models
leave `panopto_link` without moving data. The tables keep their names (`db_table`), so only
Django's state changes here, and `panopto_link` 0013 forgets them in its own state. The content
types are renamed in place, so the permissions given to groups and users and the admin's history
stay attached to them."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MODELS = ("launchrecord", "platformkey", "consumedtoken")


def _content_types_move(apps, schema_editor, *, source: str, target: str) -> None:
    """Give the content types of the moved models to `target`. When `target`'s already exist
    (made by a `migrate` that stopped between the two apps' migrations), what names the old ones
    — permissions held by groups and users, the admin's log — moves to them instead."""
    db = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    LogEntry = apps.get_model("admin", "LogEntry")
    for model in MODELS:
        old = ContentType.objects.using(db).filter(app_label=source, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.using(db).filter(app_label=target, model=model).first()
        if new is None:
            old.app_label = target
            old.save(update_fields=["app_label"])
            continue
        for permission in Permission.objects.using(db).filter(content_type=old):
            twin = (
                Permission.objects.using(db)
                .filter(content_type=new, codename=permission.codename)
                .first()
            )
            if twin is None:
                permission.content_type = new
                permission.save(update_fields=["content_type"])
                continue
            twin.group_set.add(*permission.group_set.all())
            twin.user_set.add(*permission.user_set.all())
            permission.delete()
        LogEntry.objects.using(db).filter(content_type=old).update(content_type=new)
        old.delete()
    # The running process's cache of content types would still name the old rows.
    from django.contrib.contenttypes.models import ContentType as CurrentContentType

    CurrentContentType.objects.clear_cache()


def forwards(apps, schema_editor) -> None:
    _content_types_move(apps, schema_editor, source="panopto_link", target="lti_platform")


def backwards(apps, schema_editor) -> None:
    _content_types_move(apps, schema_editor, source="lti_platform", target="panopto_link")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("panopto_link", "0012_video_link_item_identity"),
        ("virtualspaces", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ConsumedToken',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('hint', 'message hint'), ('dl_nonce', 'deep-linking response nonce'), ('dl_data', 'deep-linking data')], max_length=16, verbose_name='kind')),
                        ('value', models.CharField(max_length=128, verbose_name='value')),
                        ('expires_at', models.DateTimeField(db_index=True, verbose_name='expires at')),
                    ],
                    options={
                        'verbose_name': 'consumed single-use value',
                        'verbose_name_plural': 'consumed single-use values',
                        'db_table': 'panopto_link_consumedtoken',
                        'constraints': [models.UniqueConstraint(fields=('kind', 'value'), name='consumedtoken_once')],
                    },
                ),
                migrations.CreateModel(
                    name='PlatformKey',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kid', models.CharField(editable=False, max_length=64, unique=True, verbose_name='key id')),
                        ('state', models.CharField(choices=[('next', 'next (published, not signing yet)'), ('current', 'current (signing)'), ('previous', 'previous (published for verification)'), ('retired', 'retired')], max_length=16, verbose_name='state')),
                        ('public_jwk', models.JSONField(editable=False, verbose_name='public key (JWK)')),
                        ('private_key_encrypted', models.TextField(editable=False, verbose_name='encrypted private key')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                        ('activated_at', models.DateTimeField(blank=True, null=True, verbose_name='signing since')),
                        ('deactivated_at', models.DateTimeField(blank=True, null=True, verbose_name='stopped signing at')),
                        ('retired_at', models.DateTimeField(blank=True, null=True, verbose_name='retired at')),
                    ],
                    options={
                        'verbose_name': 'platform signing key',
                        'verbose_name_plural': 'platform signing keys',
                        'db_table': 'panopto_link_platformkey',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['state'], name='platformkey_state_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('state__in', ['next', 'current', 'previous', 'retired'])), name='platformkey_state_valid'), models.UniqueConstraint(condition=models.Q(('state', 'current')), fields=('state',), name='platformkey_one_current'), models.UniqueConstraint(condition=models.Q(('state', 'next')), fields=('state',), name='platformkey_one_next')],
                    },
                ),
                migrations.CreateModel(
                    name='LaunchRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='time')),
                        ('stage', models.CharField(choices=[('initiation', 'login initiation'), ('authorization', 'authorization'), ('deep_linking_return', 'deep linking return')], max_length=32, verbose_name='stage')),
                        ('outcome', models.CharField(choices=[('accepted', 'accepted'), ('refused', 'refused')], max_length=16, verbose_name='outcome')),
                        ('reason', models.CharField(blank=True, max_length=64, verbose_name='reason')),
                        ('detail', models.CharField(blank=True, max_length=500, verbose_name='detail')),
                        ('context_id', models.CharField(blank=True, max_length=255, verbose_name='context id')),
                        ('role_sent', models.CharField(blank=True, max_length=200, verbose_name='role sent')),
                        ('message_type', models.CharField(blank=True, max_length=64, verbose_name='message type')),
                        ('client_id', models.CharField(blank=True, max_length=255, verbose_name='client id')),
                        ('hint_id', models.CharField(blank=True, max_length=64, verbose_name='hint id')),
                        ('sent', models.JSONField(blank=True, default=dict, editable=False, null=True, verbose_name='sent')),
                        ('attempts', models.PositiveIntegerField(db_default=1, default=1, help_text='How many attempts the row stands for: more than one for the refusals of one address or one signed-in user beyond their limit, counted in one row.', verbose_name='attempts')),
                        ('space', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='panopto_launches', to='virtualspaces.virtualspace', verbose_name='virtual space')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='panopto_launches', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'launch record',
                        'verbose_name_plural': 'launch records',
                        'db_table': 'panopto_link_launchrecord',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['space', '-created_at'], name='launch_space_time_idx'), models.Index(fields=['user', '-created_at'], name='launch_user_time_idx')],
                    },
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
