from django.urls import path

from erp.hr import views

app_name = "hr"

urlpatterns = [
    path("employees/", views.employees, name="employees"),
    path("employees/<int:pk>/", views.employee_detail, name="employee_detail"),
    path("payroll/", views.payroll, name="payroll"),
    path("leave/", views.leave_requests, name="leave_requests"),
]
