"""Form errors are tied to their fields for screen readers (templates/_forms.html)."""

import re

from tests.fixtures_accounts import login


def test_an_invalid_field_is_marked_and_described_by_its_error_in_spanish(client, coordinator_user):
    login(client, coordinator_user)
    html = client.post(
        "/coordinator/records/new?lang=es", data={"age": "abc", "barriers": ["food_insecurity"]}
    ).get_data(as_text=True)
    grade = re.search(r"<select id=\"f-grade_band\"[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in grade and 'aria-describedby="e-grade_band"' in grade
    error = re.search(r'<p class="field-error" id="e-grade_band" role="alert">([^<]+)</p>', html)
    assert error and not re.search(r"\b(the|required|choose)\b", error.group(1), re.I)
    age = re.search(r"<input id=\"f-age\"[^>]*>", html).group(0)
    assert 'aria-describedby="h-age e-age"' in age and 'aria-invalid="true"' in age
    notes = re.search(r"<textarea id=\"f-notes\"[^>]*>", html).group(0)
    assert 'aria-describedby="h-notes"' in notes and "aria-invalid" not in notes
