"""Flask-WTF forms: input shape and GOV.UK error wording only, no database queries.

Every form derives from ``base.GovForm`` (a list-filter form from ``base.FilterForm``), uses the
filters of ``base`` (``strip``, ``upper``), is checked with ``validate_on_submit()`` and is given
a service's refusal with ``form.add_service_error(error)``; one module per area.
"""
