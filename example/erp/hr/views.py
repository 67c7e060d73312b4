from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from erp.core.sample_data import EMPLOYEES, EMPLOYEES_BY_ID, LEAVE_REQUESTS, TODAY
from erp.core.shortcuts import get_or_404
from erp.hr.forms import LeaveRequestForm


def employees(request: HttpRequest) -> HttpResponse:
    return render(request, "hr/employees.html", {"employees": EMPLOYEES})


def employee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    employee = get_or_404(EMPLOYEES_BY_ID, pk)
    return render(
        request,
        "hr/employee_detail.html",
        {
            "employee": employee,
            "leave_requests": [leave for leave in LEAVE_REQUESTS if leave.employee == employee],
            "years": (TODAY - employee.hired).days // 365,
        },
    )


def payroll(request: HttpRequest) -> HttpResponse:
    totals = {
        field: sum((getattr(employee, field) for employee in EMPLOYEES), Decimal(0))
        for field in (
            "basic_salary",
            "housing_allowance",
            "transport_allowance",
            "gross_salary",
            "gosi_deduction",
            "net_salary",
        )
    }
    return render(request, "hr/payroll.html", {"employees": EMPLOYEES, "totals": totals, "period": TODAY})


@require_http_methods(["GET", "POST"])
def leave_requests(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = LeaveRequestForm(request.POST)
        if form.is_valid():
            employee = EMPLOYEES_BY_ID[form.cleaned_data["employee"]]
            message = _("Leave request for %(name)s sent for approval.")
            messages.success(request, message % {"name": employee.display_name})
            return redirect("hr:leave_requests")
    else:
        today = timezone.localdate()
        form = LeaveRequestForm(initial={"start": today, "end": today})
    return render(request, "hr/leave_requests.html", {"form": form, "leave_requests": LEAVE_REQUESTS})
