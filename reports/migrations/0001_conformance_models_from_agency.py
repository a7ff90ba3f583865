# The conformance snapshots and reports move here from the tenant core (agency 0011) with their
# tables, rows and content types: only Django's record of the models changes, and the two content
# types are renamed so that anything naming them (the audit trail, permissions) still does.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ("conformancesnapshot", "conformancereport")


def _rename(apps, schema_editor, source: str, target: str) -> None:
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(schema_editor.connection.alias)
    for model in MODELS:
        if not content_types.filter(app_label=target, model=model).exists():
            content_types.filter(app_label=source, model=model).update(app_label=target)


def move_content_types(apps, schema_editor):
    _rename(apps, schema_editor, "agency", "reports")


def move_content_types_back(apps, schema_editor):
    _rename(apps, schema_editor, "reports", "agency")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('agency', '0011_core_names_no_app_above'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('clients', '0003_search_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ConformanceSnapshot',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('period_start', models.DateField(verbose_name='period start')),
                        ('period_end', models.DateField(verbose_name='period end')),
                        ('results', models.JSONField(help_text='One entry per clause: status, summary, evidence.', verbose_name='results')),
                        ('met', models.PositiveSmallIntegerField(default=0, verbose_name='clauses met')),
                        ('not_met', models.PositiveSmallIntegerField(default=0, verbose_name='clauses not met')),
                        ('agency', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='agency.agency')),
                        ('client', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='conformance_snapshots', to='clients.client')),
                        ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'conformance snapshot',
                        'verbose_name_plural': 'conformance snapshots',
                        'db_table': 'agency_conformancesnapshot',
                        'ordering': ['-period_start', 'client_id'],
                    },
                ),
                migrations.CreateModel(
                    name='ConformanceReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('period_start', models.DateField(verbose_name='period start')),
                        ('period_end', models.DateField(verbose_name='period end')),
                        ('language', models.CharField(choices=[('zh-hans', 'Simplified Chinese'), ('en', 'English')], default='zh-hans', max_length=10, verbose_name='language')),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('building', 'Building'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=20, verbose_name='status')),
                        ('progress', models.PositiveSmallIntegerField(default=0, verbose_name='progress (%)')),
                        ('file', models.FileField(blank=True, upload_to='conformance/%Y/%m/', verbose_name='file')),
                        ('error', models.TextField(blank=True, verbose_name='error')),
                        ('agency', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='agency.agency')),
                        ('client', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='conformance_reports', to='clients.client')),
                        ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('snapshot', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='reports.conformancesnapshot')),
                    ],
                    options={
                        'verbose_name': 'conformance report',
                        'verbose_name_plural': 'conformance reports',
                        'db_table': 'agency_conformancereport',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.AddIndex(
                    model_name='conformancesnapshot',
                    index=models.Index(fields=['agency', 'period_start'], name='snapshot_agency_period'),
                ),
                migrations.AddConstraint(
                    model_name='conformancesnapshot',
                    constraint=models.UniqueConstraint(fields=('client', 'period_start', 'period_end'), name='snapshot_one_per_period'),
                ),
                migrations.AddIndex(
                    model_name='conformancereport',
                    index=models.Index(fields=['agency', 'client', 'created_at'], name='report_agency_client_created'),
                ),
            ],
            database_operations=[
                migrations.RunPython(move_content_types, move_content_types_back),
            ],
        ),
    ]
