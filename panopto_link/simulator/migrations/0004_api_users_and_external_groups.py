import django.db.models.deletion
import uuid
from django.db import migrations, models


def give_users_ids(apps, schema_editor):
    ToolUser = apps.get_model("panopto_simulator", "ToolUser")
    for user in ToolUser.objects.filter(public_id__isnull=True).only("pk"):
        ToolUser.objects.filter(pk=user.pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):

    dependencies = [
        ('panopto_simulator', '0003_api_provider'),
    ]

    operations = [
        migrations.CreateModel(
            name='ExternalGroup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='group id')),
                ('provider_name', models.CharField(max_length=100, verbose_name='membership provider')),
                ('external_id', models.CharField(max_length=300, verbose_name='external id')),
                ('name', models.CharField(max_length=500, verbose_name='name')),
                ('role', models.CharField(choices=[('creator', 'Creator'), ('viewer', 'Viewer')], max_length=16, verbose_name='role')),
            ],
            options={
                'verbose_name': 'stand-in external group',
                'verbose_name_plural': 'stand-in external groups',
                'ordering': ['external_id'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='tooluser',
            name='tooluser_once_per_issuer',
        ),
        # A unique id for every existing user: added empty, filled one by one, then unique.
        migrations.AddField(
            model_name='tooluser',
            name='public_id',
            field=models.UUIDField(null=True, editable=False, verbose_name='user id'),
        ),
        migrations.RunPython(give_users_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='tooluser',
            name='public_id',
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='user id'),
        ),
        migrations.AddConstraint(
            model_name='tooluser',
            constraint=models.UniqueConstraint(condition=models.Q(('subject', ''), _negated=True), fields=('issuer', 'subject'), name='tooluser_once_per_issuer'),
        ),
        migrations.AddField(
            model_name='externalgroup',
            name='folder',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='groups', to='panopto_simulator.folder', verbose_name='folder'),
        ),
        migrations.AddField(
            model_name='externalgroup',
            name='members',
            field=models.ManyToManyField(blank=True, related_name='external_groups', to='panopto_simulator.tooluser', verbose_name='members'),
        ),
        migrations.AddConstraint(
            model_name='externalgroup',
            constraint=models.UniqueConstraint(fields=('provider_name', 'external_id'), name='externalgroup_once_per_provider'),
        ),
        migrations.AddConstraint(
            model_name='externalgroup',
            constraint=models.CheckConstraint(condition=models.Q(('role__in', ['creator', 'viewer'])), name='externalgroup_role_valid'),
        ),
    ]
