"""every HSDS 3.0 table and field (issue 14)

Programs, funding, accessibility, organization identifiers, metadata, table
descriptions and third-party attributes become tables; the missing columns
(organization logo/uri/tax status/parent, service fees/assurer/program, the full schedule
rule, links to service_at_location, phone languages, location contacts); hsds_extra on
every HSDS table for extension fields, original spellings and unresolved references

Revision ID: 0010_hsds_complete
Revises: 0009_query_terms
Create Date: 2026-12-08 01:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_hsds_complete'
down_revision = '0009_query_terms'
branch_labels = None
depends_on = None

# Existing HSDS tables that gain hsds_extra (the new ones are created with it).
EXTRA = ('organization', 'service', 'location', 'address', 'service_at_location', 'phone',
         'contact', 'schedule', 'language', 'service_area', 'cost_option',
         'required_document', 'taxonomy', 'taxonomy_term')
# table -> [(column, type)] added to existing tables
COLUMNS = {
    'organization': [('tax_status', sa.String(200)), ('logo', sa.String(500)),
                     ('uri', sa.String(500)), ('parent_organization_id', sa.String(36))],
    'service': [('fees', sa.Text()), ('assurer_email', sa.String(320))],
    'location': [('external_identifier_type', sa.String(200))],
    'schedule': [('dtstart', sa.Date()), ('until', sa.Date()), ('count', sa.Integer()),
                 ('wkst', sa.String(2)), ('byweekno', sa.String(200)),
                 ('bymonthday', sa.String(200)), ('byyearday', sa.String(200)),
                 ('schedule_link', sa.String(500)), ('attending_type', sa.Text()),
                 ('utc_offset', sa.Float())],
}
# (table, column, referred table, ondelete): new references on existing tables
REFERENCES = [
    ('contact', 'service_at_location_id', 'service_at_location', 'CASCADE'),
    ('contact', 'location_id', 'location', 'CASCADE'),
    ('phone', 'service_at_location_id', 'service_at_location', 'CASCADE'),
    ('schedule', 'service_at_location_id', 'service_at_location', 'CASCADE'),
    ('language', 'phone_id', 'phone', 'CASCADE'),
    ('service', 'program_id', 'program', 'SET NULL'),
]


def _id():
    return [sa.Column('id', sa.String(length=36), nullable=False),
            sa.Column('hsds_extra', sa.JSON(), nullable=True)]


def _parent(table, column, referred, nullable=True):
    return [
        sa.Column(column, sa.String(length=36), nullable=nullable),
        sa.ForeignKeyConstraint([column], [f'{referred}.id'], ondelete='CASCADE',
                                name=op.f(f'fk_{table}_{column}_{referred}')),
    ]


def _create(table, *items, index=()):
    op.create_table(table, *items, *_id(), sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')))
    for column in index:
        op.create_index(op.f(f'ix_{table}_{column}'), table, [column])


def upgrade():
    _create('meta_table_description',
            sa.Column('name', sa.String(200)), sa.Column('language', sa.String(20)),
            sa.Column('character_set', sa.String(50)))
    _create('metadata',
            sa.Column('resource_id', sa.String(36)), sa.Column('resource_type', sa.String(50)),
            sa.Column('last_action_date', sa.Date()),
            sa.Column('last_action_type', sa.String(50)),
            sa.Column('field_name', sa.Text()), sa.Column('previous_value', sa.Text()),
            sa.Column('replacement_value', sa.Text()), sa.Column('updated_by', sa.Text()),
            index=('resource_id',))
    _create('organization_identifier',
            *_parent('organization_identifier', 'organization_id', 'organization', False),
            sa.Column('identifier_scheme', sa.String(200)),
            sa.Column('identifier_type', sa.String(200), nullable=False),
            sa.Column('identifier', sa.Text(), nullable=False),
            index=('organization_id',))
    _create('program',
            *_parent('program', 'organization_id', 'organization', False),
            sa.Column('name', sa.String(300), nullable=False),
            sa.Column('alternate_name', sa.String(300)), sa.Column('description', sa.Text()),
            index=('organization_id',))
    _create('accessibility',
            *_parent('accessibility', 'location_id', 'location'),
            sa.Column('description', sa.Text()), sa.Column('details', sa.Text()),
            sa.Column('url', sa.String(500)),
            index=('location_id',))
    _create('attribute',
            sa.Column('link_id', sa.String(36)),
            *_parent('attribute', 'taxonomy_term_id', 'taxonomy_term', False),
            sa.Column('link_type', sa.String(200)), sa.Column('link_entity', sa.String(50)),
            sa.Column('value', sa.Text()),
            index=('link_id', 'taxonomy_term_id'))
    _create('funding',
            *_parent('funding', 'organization_id', 'organization'),
            *_parent('funding', 'service_id', 'service'),
            sa.Column('source', sa.Text()),
            index=('organization_id', 'service_id'))
    for table in EXTRA:
        with op.batch_alter_table(table) as batch_op:
            for name, type_ in COLUMNS.get(table, []):
                batch_op.add_column(sa.Column(name, type_, nullable=True))
            for _, column, referred, ondelete in (r for r in REFERENCES if r[0] == table):
                batch_op.add_column(sa.Column(column, sa.String(36), nullable=True))
                batch_op.create_index(op.f(f'ix_{table}_{column}'), [column])
                batch_op.create_foreign_key(op.f(f'fk_{table}_{column}_{referred}'), referred,
                                            [column], ['id'], ondelete=ondelete)
            batch_op.add_column(sa.Column('hsds_extra', sa.JSON(), nullable=True))


def downgrade():
    for table in reversed(EXTRA):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('hsds_extra')
            for _, column, referred, _ondelete in (r for r in REFERENCES if r[0] == table):
                batch_op.drop_constraint(op.f(f'fk_{table}_{column}_{referred}'),
                                         type_='foreignkey')
                batch_op.drop_index(op.f(f'ix_{table}_{column}'))
                batch_op.drop_column(column)
            for name, _type in reversed(COLUMNS.get(table, [])):
                batch_op.drop_column(name)
    for table in ('funding', 'attribute', 'accessibility', 'program', 'organization_identifier',
                  'metadata', 'meta_table_description'):
        op.drop_table(table)
