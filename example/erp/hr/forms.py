from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from erp.core.records import LeaveKind
from erp.core.sample_data import EMPLOYEES, EMPLOYEES_BY_ID


def _employee_choices() -> list[tuple[int, str]]:
    return [(employee.id, employee.display_name) for employee in EMPLOYEES]


def _date_input() -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"})


class LeaveRequestForm(forms.Form):
    employee = forms.TypedChoiceField(
        label=_("Employee"),
        coerce=int,
        choices=_employee_choices,
        widget=forms.Select(attrs={"class": "form-select js-select2"}),
    )
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=LeaveKind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    start = forms.DateField(label=_("From"), widget=_date_input())
    end = forms.DateField(label=_("To"), widget=_date_input())
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The leave cannot end before it starts."))
        employee_id = cleaned.get("employee")
        if employee_id is not None:
            employee = EMPLOYEES_BY_ID[employee_id]
            if start and end and (end - start).days + 1 > employee.leave_balance:
                self.add_error(
                    None,
                    _("%(name)s has only %(days)d days of leave left.") % {"name": employee.display_name, "days": employee.leave_balance},
                )
        return cleaned
