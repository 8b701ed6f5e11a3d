"""Every link in a form's GOV.UK error summary lands on an input on the page: the first option
of radios and checkboxes, the first box of a date, the field itself otherwise."""

import re

import pytest
from django.template import Context, Template

from advice.forms import AdviceForm
from concerns.forms.case import AdviceRequestForm, ParentConversationForm
from concerns.forms.escalation import EscalationForm
from concerns.forms.record import CategoriesForm, RiskForm, WhenForm

PAGE = Template(
    "{% load crispy_forms_tags %}{% include 'includes/error_summary.html' %}{% crispy form %}"
)


def summary_targets(html):
    summary = html.split('govuk-error-summary__list"')[1].split("</ul>")[0]
    return re.findall(r'href="#([^"]+)"', summary)


def input_ids(html):
    return set(re.findall(r'<(?:input|select|textarea)\b[^>]*?\bid="([^"]+)"', html, re.S))


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        (WhenForm({}), ["id_observed_on_0", "id_observed_time"]),
        (
            WhenForm({"observed_on_0": "1", "observed_on_2": "2026"}),
            ["id_observed_on_1", "id_observed_time"],
        ),
        (CategoriesForm({}), ["id_categories_1"]),
        (RiskForm({}), ["id_immediate_risk_1"]),
        (
            AdviceRequestForm({"expected_version": "1"}),
            ["id_summary", "id_question", "id_urgency_1"],
        ),
        (
            AdviceForm({"expected_version": "1", "expected_concern_version": "1"}),
            ["id_advice", "id_next_step_1", "id_level_of_need_1"],
        ),
        (ParentConversationForm({"expected_version": "1"}), ["id_held_0"]),
        (
            ParentConversationForm({"expected_version": "1", "held": "yes"}),
            [
                "id_held_on_0",
                "id_held_time",
                "id_with_name",
                "id_with_relationship",
                "id_method_1",
                "id_discussed",
            ],
        ),
        (
            EscalationForm({}),
            [
                "id_indicators",
                "id_referred_to_1",
                "id_referred_on_0",
                "id_referred_time",
                "id_parent_informed_1",
            ],
        ),
    ],
)
def test_each_error_summary_link_lands_on_an_input(db, form, expected):
    assert not form.is_valid()
    html = PAGE.render(Context({"form": form}))
    targets = summary_targets(html)
    assert targets == expected
    assert set(targets) <= input_ids(html)


def test_an_error_about_the_whole_form_is_said_once_in_the_summary(db):
    """A refusal that is about no one field (a page out of date, a request withdrawn
    meanwhile) is in the error summary, which links to the form. The form itself does not
    repeat it as unstyled text above the first question, which a screen reader would read a
    second time and which does not look like an error (GOV.UK: errors go in the summary and
    beside the field they are about)."""
    form = AdviceForm({"expected_version": "1", "expected_concern_version": "1"})
    assert not form.is_valid()
    form.add_error(None, "The school has withdrawn this advice request.")
    html = PAGE.render(Context({"form": form}))
    assert summary_targets(html)[0] == "id_advice"
    assert html.count("The school has withdrawn this advice request.") == 1
    assert "alert-danger" not in html


def test_a_two_digit_year_is_linked_and_marked_on_the_year_box(db):
    """GOV.UK's date input: the error summary links to the box with the fault, and only that
    box is shown in error. A year typed as '26' is the year's fault, not the day's."""
    form = WhenForm(
        {"observed_on_0": "3", "observed_on_1": "2", "observed_on_2": "26", "observed_time": "9am"}
    )
    assert not form.is_valid()
    html = PAGE.render(Context({"form": form}))
    assert summary_targets(html) == ["id_observed_on_2"]
    in_error = re.findall(r'<input\b[^>]*?govuk-input--error[^>]*?\bid="([^"]+)"', html, re.S)
    assert in_error == ["id_observed_on_2"]
    assert html.count("The year must include 4 numbers, for example 2026") == 2
