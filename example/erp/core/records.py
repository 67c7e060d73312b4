"""The in-memory records the example ERP shows: plain frozen dataclasses, no database.

The site only needs something realistic to render; `sample_data` builds the instances.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from django.db import models
from django.templatetags.static import static
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from erp.core.pricing import Quote, price_lines


class Bilingual:
    """Records named in English and Arabic; `display_name` follows the active language."""

    name: str
    name_ar: str

    @property
    def display_name(self) -> str:
        return self.name_ar if (get_language() or "").startswith("ar") else self.name


class Category(models.TextChoices):
    OFFICE = "office", _("Office supplies")
    FURNITURE = "furniture", _("Furniture")
    IT = "it", _("IT equipment")
    PANTRY = "pantry", _("Pantry")
    SAFETY = "safety", _("Safety")


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")
    SHIPPED = "shipped", _("Shipped")
    INVOICED = "invoiced", _("Invoiced")
    CANCELLED = "cancelled", _("Cancelled")


class LeaveStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class LeaveKind(models.TextChoices):
    ANNUAL = "annual", _("Annual leave")
    SICK = "sick", _("Sick leave")
    EMERGENCY = "emergency", _("Emergency leave")
    HAJJ = "hajj", _("Hajj leave")


class MoveKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    DELIVERY = "delivery", _("Delivery")
    TRANSFER = "transfer", _("Transfer")
    ADJUSTMENT = "adjustment", _("Adjustment")


@dataclass(frozen=True)
class Warehouse(Bilingual):
    code: str
    name: str
    name_ar: str
    city: str
    latitude: float
    longitude: float
    capacity_m3: int
    used_m3: int
    image: str

    @property
    def utilisation(self) -> int:
        return round(100 * self.used_m3 / self.capacity_m3)


@dataclass(frozen=True)
class Product(Bilingual):
    id: int
    sku: str
    name: str
    name_ar: str
    category: Category
    price: Decimal
    stock: int
    reorder_level: int
    warehouse: Warehouse
    image: str
    vat_rate: Decimal = Decimal("0.15")

    @property
    def image_url(self) -> str:
        return static(self.image)

    @property
    def is_low(self) -> bool:
        return self.stock <= self.reorder_level

    @property
    def stock_value(self) -> Decimal:
        return self.price * self.stock


@dataclass(frozen=True)
class Customer(Bilingual):
    id: int
    name: str
    name_ar: str
    city: str
    phone: str
    email: str
    vat_number: str
    credit_limit: Decimal


@dataclass(frozen=True)
class Employee(Bilingual):
    id: int
    name: str
    name_ar: str
    job_title: str
    department: str
    email: str
    phone: str
    hired: date
    saudi: bool
    basic_salary: Decimal
    housing_allowance: Decimal
    transport_allowance: Decimal
    leave_balance: int

    @property
    def gross_salary(self) -> Decimal:
        return self.basic_salary + self.housing_allowance + self.transport_allowance

    @property
    def gosi_deduction(self) -> Decimal:
        """Employee share of social insurance: 9.75 % of basic + housing, Saudi nationals only."""
        if not self.saudi:
            return Decimal("0.00")
        base = self.basic_salary + self.housing_allowance
        return (base * Decimal("0.0975")).quantize(Decimal("0.01"))

    @property
    def net_salary(self) -> Decimal:
        return self.gross_salary - self.gosi_deduction


@dataclass(frozen=True)
class OrderLine:
    product: Product
    qty: int
    discount: Decimal = Decimal("0")


@dataclass(frozen=True)
class Order:
    id: int
    customer: Customer
    ordered: date
    status: OrderStatus
    salesperson: Employee
    lines: tuple[OrderLine, ...] = field(default=())
    notes: str = ""

    @property
    def number(self) -> str:
        return f"SO-{self.id}"

    @cached_property
    def totals(self) -> Quote:
        return price_lines((line.product, line.qty, line.discount) for line in self.lines)


@dataclass(frozen=True)
class StockMove:
    id: int
    moved: date
    kind: MoveKind
    product: Product
    warehouse: Warehouse
    qty: int
    reference: str


@dataclass(frozen=True)
class LeaveRequest:
    id: int
    employee: Employee
    kind: LeaveKind
    start: date
    end: date
    status: LeaveStatus
    reason: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Notification:
    id: int
    icon: str
    text: str
    url_name: str
