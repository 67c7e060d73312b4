"""The example company's data: customers, products, warehouses, staff, orders and stock moves.

Hand-written records plus orders and stock moves generated from a fixed seed, so every page
renders the same numbers on every machine (screenshots and audit figures stay comparable).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from erp.core.records import (
    Category,
    Customer,
    Employee,
    LeaveKind,
    LeaveRequest,
    LeaveStatus,
    MoveKind,
    Notification,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    StockMove,
    Warehouse,
)

# The day the sample data describes; pages say "today" for this date.
TODAY = date(2025, 6, 30)

D = Decimal

WAREHOUSES = (
    Warehouse("RUH-01", "Riyadh Central", "مستودع الرياض المركزي", _("Riyadh"), 24.7136, 46.6753, 12000, 9350, "img/gen/warehouse-1.jpg"),
    Warehouse("JED-01", "Jeddah Port", "مستودع ميناء جدة", _("Jeddah"), 21.4858, 39.1925, 8000, 6100, "img/gen/warehouse-2.jpg"),
    Warehouse("DMM-01", "Dammam Industrial", "مستودع الدمام الصناعي", _("Dammam"), 26.4207, 50.0888, 6500, 3900, "img/gen/warehouse-3.jpg"),
    Warehouse("MED-01", "Madinah", "مستودع المدينة المنورة", _("Madinah"), 24.5247, 39.5692, 3000, 2750, "img/gen/warehouse-4.jpg"),
)
RUH, JED, DMM, MED = WAREHOUSES

OFFICE, FURNITURE, IT, PANTRY, SAFETY = Category

PRODUCTS = (
    Product(1, "P-001", "A4 copy paper, 500 sheets", "ورق تصوير A4، 500 ورقة", OFFICE, D("12.50"), 40, 50, RUH, "img/gen/product-01.jpg"),
    Product(
        2, "P-002", "Ballpoint pens, blue, box of 50", "أقلام حبر جاف زرقاء، علبة 50", OFFICE, D("18.00"), 120, 30, RUH, "img/gen/product-02.jpg"
    ),
    Product(3, "P-003", "Heavy-duty stapler", "دباسة للاستخدام الشاق", OFFICE, D("45.00"), 35, 10, JED, "img/gen/product-03.jpg"),
    Product(4, "P-004", "Ergonomic office chair", "كرسي مكتب مريح", FURNITURE, D("649.00"), 12, 5, RUH, "img/gen/product-04.jpg"),
    Product(5, "P-005", "Standing desk, 160 cm", "مكتب قابل لتعديل الارتفاع، 160 سم", FURNITURE, D("1890.00"), 6, 3, DMM, "img/gen/product-05.jpg"),
    Product(6, "P-006", "Mono laser printer", "طابعة ليزر أحادية اللون", IT, D("899.00"), 9, 4, RUH, "img/gen/product-06.jpg"),
    Product(7, "P-007", "Toner cartridge 85A", "خرطوشة حبر 85A", IT, D("219.00"), 48, 20, RUH, "img/gen/product-07.jpg"),
    Product(8, "P-008", 'Laptop 14", i5, 16 GB', "حاسوب محمول 14 بوصة، i5، 16 جيجابايت", IT, D("3450.00"), 15, 5, JED, "img/gen/product-08.jpg"),
    Product(9, "P-009", '27" IPS monitor', "شاشة IPS مقاس 27 بوصة", IT, D("1099.00"), 22, 8, JED, "img/gen/product-09.jpg"),
    Product(10, "P-010", "Wireless keyboard and mouse", "لوحة مفاتيح وفأرة لاسلكية", IT, D("149.00"), 64, 20, RUH, "img/gen/product-10.jpg"),
    Product(11, "P-011", "24-port network switch", "محول شبكة 24 منفذًا", IT, D("1275.00"), 7, 3, DMM, "img/gen/product-11.jpg"),
    Product(12, "P-012", "UPS 1500 VA", "مزود طاقة غير منقطعة 1500 فولت أمبير", IT, D("980.00"), 11, 4, DMM, "img/gen/product-12.jpg"),
    Product(13, "P-013", "Arabic coffee, 1 kg", "قهوة عربية، 1 كجم", PANTRY, D("85.00"), 80, 25, MED, "img/gen/product-13.jpg"),
    Product(14, "P-014", "Khalas dates, 3 kg box", "تمر خلاص، علبة 3 كجم", PANTRY, D("120.00"), 54, 20, MED, "img/gen/product-14.jpg"),
    Product(
        15, "P-015", "Bottled water 330 ml, pack of 40", "مياه معبأة 330 مل، 40 عبوة", PANTRY, D("24.00"), 300, 100, JED, "img/gen/product-15.png"
    ),
    Product(16, "P-016", "Safety helmet", "خوذة سلامة", SAFETY, D("39.00"), 150, 40, DMM, "img/gen/product-16.png"),
    Product(17, "P-017", "Filing cabinet, 4 drawers", "خزانة ملفات بأربعة أدراج", FURNITURE, D("540.00"), 4, 5, RUH, "img/gen/product-17.png"),
    Product(18, "P-018", "Whiteboard 120 × 90 cm", "سبورة بيضاء 120 × 90 سم", FURNITURE, D("310.00"), 0, 3, JED, "img/gen/product-18.png"),
)

CUSTOMERS = (
    Customer(
        1, "Al Noor Trading", "مؤسسة النور التجارية", _("Riyadh"), "+966 11 465 2210", "purchasing@alnoor.example", "300012345600003", D("50000")
    ),
    Customer(
        2,
        "Gulf Star Contracting",
        "نجمة الخليج للمقاولات",
        _("Dammam"),
        "+966 13 833 4120",
        "procurement@gulfstar.example",
        "300023456700003",
        D("120000"),
    ),
    Customer(3, "Red Sea Foods", "أغذية البحر الأحمر", _("Jeddah"), "+966 12 661 0975", "orders@redseafoods.example", "300034567800003", D("75000")),
    Customer(
        4, "Desert Rose Hotels", "فنادق وردة الصحراء", _("Madinah"), "+966 14 822 3301", "supply@desertrose.example", "300045678900003", D("90000")
    ),
    Customer(
        5, "Najd Medical Supplies", "نجد للمستلزمات الطبية", _("Riyadh"), "+966 11 290 7781", "buying@najdmed.example", "300056789000003", D("60000")
    ),
    Customer(6, "Al Waha Schools", "مدارس الواحة", _("Buraidah"), "+966 16 381 4402", "admin@alwaha.example", "300067890100003", D("40000")),
    Customer(
        7,
        "Eastern Cement Co.",
        "شركة الإسمنت الشرقية",
        _("Dammam"),
        "+966 13 857 1190",
        "stores@easterncement.example",
        "300078901200003",
        D("150000"),
    ),
    Customer(8, "Tihama Agriculture", "تهامة الزراعية", _("Jazan"), "+966 17 322 5068", "info@tihama.example", "300089012300003", D("30000")),
    Customer(
        9,
        "Hejaz Office Systems",
        "الحجاز لأنظمة المكاتب",
        _("Makkah"),
        "+966 12 545 7730",
        "sales@hejazoffice.example",
        "300090123400003",
        D("45000"),
    ),
    Customer(
        10,
        "Al Khobar Marine Services",
        "الخبر للخدمات البحرية",
        _("Khobar"),
        "+966 13 899 6612",
        "ops@khobarmarine.example",
        "300001234500003",
        D("80000"),
    ),
    Customer(
        11, "Asir Coffee Roasters", "محمصة عسير للقهوة", _("Abha"), "+966 17 224 9031", "hello@asircoffee.example", "300011223300003", D("25000")
    ),
    Customer(
        12,
        "Qassim Dates Company",
        "شركة تمور القصيم",
        _("Buraidah"),
        "+966 16 323 0457",
        "export@qassimdates.example",
        "300022334400003",
        D("100000"),
    ),
)

EMPLOYEES = (
    Employee(
        1,
        "Faisal Al-Qahtani",
        "فيصل القحطاني",
        _("General manager"),
        _("Management"),
        "faisal@erp.example",
        "+966 50 111 2201",
        date(2015, 3, 1),
        True,
        D("28000"),
        D("7000"),
        D("2000"),
        24,
    ),
    Employee(
        2,
        "Noura Al-Harbi",
        "نورة الحربي",
        _("Sales manager"),
        _("Sales"),
        "noura@erp.example",
        "+966 50 111 2202",
        date(2017, 9, 10),
        True,
        D("18000"),
        D("4500"),
        D("1500"),
        18,
    ),
    Employee(
        3,
        "Omar Al-Shehri",
        "عمر الشهري",
        _("Sales representative"),
        _("Sales"),
        "omar@erp.example",
        "+966 55 111 2203",
        date(2020, 1, 15),
        True,
        D("9000"),
        D("2250"),
        D("800"),
        12,
    ),
    Employee(
        4,
        "Reem Al-Otaibi",
        "ريم العتيبي",
        _("Sales representative"),
        _("Sales"),
        "reem@erp.example",
        "+966 55 111 2204",
        date(2022, 6, 5),
        True,
        D("8500"),
        D("2125"),
        D("800"),
        21,
    ),
    Employee(
        5,
        "Ahmed Hassan",
        "أحمد حسن",
        _("Accountant"),
        _("Finance"),
        "ahmed@erp.example",
        "+966 56 111 2205",
        date(2018, 11, 20),
        False,
        D("11000"),
        D("2750"),
        D("1000"),
        16,
    ),
    Employee(
        6,
        "Sara Al-Dosari",
        "سارة الدوسري",
        _("HR specialist"),
        _("Human resources"),
        "sara@erp.example",
        "+966 53 111 2206",
        date(2019, 4, 1),
        True,
        D("10500"),
        D("2625"),
        D("1000"),
        9,
    ),
    Employee(
        7,
        "Khalid Al-Mutairi",
        "خالد المطيري",
        _("Warehouse supervisor"),
        _("Warehouse"),
        "khalid@erp.example",
        "+966 54 111 2207",
        date(2016, 8, 14),
        True,
        D("9500"),
        D("2375"),
        D("900"),
        30,
    ),
    Employee(
        8,
        "Rajesh Kumar",
        "راجيش كومار",
        _("Storekeeper"),
        _("Warehouse"),
        "rajesh@erp.example",
        "+966 57 111 2208",
        date(2021, 2, 28),
        False,
        D("4800"),
        D("1200"),
        D("500"),
        14,
    ),
    Employee(
        9,
        "Mohammed Al-Zahrani",
        "محمد الزهراني",
        _("IT administrator"),
        _("IT"),
        "mohammed@erp.example",
        "+966 50 111 2209",
        date(2019, 10, 6),
        True,
        D("14000"),
        D("3500"),
        D("1200"),
        11,
    ),
    Employee(
        10,
        "Lina Haddad",
        "لينا حداد",
        _("Marketing coordinator"),
        _("Marketing"),
        "lina@erp.example",
        "+966 58 111 2210",
        date(2023, 5, 21),
        False,
        D("9800"),
        D("2450"),
        D("900"),
        19,
    ),
    Employee(
        11,
        "Abdullah Al-Ghamdi",
        "عبدالله الغامدي",
        _("Driver"),
        _("Logistics"),
        "abdullah@erp.example",
        "+966 59 111 2211",
        date(2021, 7, 3),
        True,
        D("5500"),
        D("1375"),
        D("600"),
        7,
    ),
    Employee(
        12,
        "Hind Al-Subaie",
        "هند السبيعي",
        _("Purchasing officer"),
        _("Procurement"),
        "hind@erp.example",
        "+966 53 111 2212",
        date(2020, 12, 13),
        True,
        D("9200"),
        D("2300"),
        D("900"),
        15,
    ),
)
SALES_TEAM = EMPLOYEES[1:4]

LEAVE_REQUESTS = (
    LeaveRequest(1, EMPLOYEES[3], LeaveKind.ANNUAL, date(2025, 7, 13), date(2025, 7, 24), LeaveStatus.PENDING, "Family visit to Abha"),
    LeaveRequest(2, EMPLOYEES[7], LeaveKind.ANNUAL, date(2025, 8, 1), date(2025, 8, 28), LeaveStatus.PENDING, "Home leave"),
    LeaveRequest(3, EMPLOYEES[10], LeaveKind.SICK, date(2025, 6, 22), date(2025, 6, 24), LeaveStatus.APPROVED, "Medical certificate attached"),
    LeaveRequest(4, EMPLOYEES[4], LeaveKind.ANNUAL, date(2025, 7, 6), date(2025, 7, 10), LeaveStatus.APPROVED, "School holidays"),
    LeaveRequest(5, EMPLOYEES[2], LeaveKind.EMERGENCY, date(2025, 6, 16), date(2025, 6, 17), LeaveStatus.APPROVED, "Family emergency"),
    LeaveRequest(6, EMPLOYEES[9], LeaveKind.ANNUAL, date(2025, 6, 29), date(2025, 7, 3), LeaveStatus.REJECTED, "Overlaps with the product launch"),
    LeaveRequest(7, EMPLOYEES[8], LeaveKind.HAJJ, date(2025, 5, 30), date(2025, 6, 12), LeaveStatus.APPROVED, "Hajj"),
    LeaveRequest(8, EMPLOYEES[11], LeaveKind.ANNUAL, date(2025, 9, 7), date(2025, 9, 18), LeaveStatus.PENDING, "Travel"),
)

NOTIFICATIONS = (
    Notification(1, "fa-triangle-exclamation", _("Whiteboard 120 × 90 cm is out of stock"), "inventory:products"),
    Notification(2, "fa-file-signature", _("Draft orders are waiting for confirmation"), "sales:order_list"),
    Notification(3, "fa-plane-departure", _("Reem Al-Otaibi asked for annual leave"), "hr:leave_requests"),
    Notification(4, "fa-chart-line", _("The June sales report is ready"), "reports:sales_report"),
)


def notifications_for(user: object) -> tuple[Notification, ...]:
    """The bell of one signed-in user: managers (staff) hear about everything, the others only about
    the draft orders they have to confirm. Per user, so a cached bell must be keyed on the user."""
    if not getattr(user, "is_authenticated", False):
        return ()
    return NOTIFICATIONS if getattr(user, "is_staff", False) else NOTIFICATIONS[1:2]


def _status_for(age_days: int, rng: random.Random) -> OrderStatus:
    if rng.random() < 0.06:
        return OrderStatus.CANCELLED
    if age_days > 40:
        return OrderStatus.INVOICED
    if age_days > 14:
        return rng.choice((OrderStatus.SHIPPED, OrderStatus.INVOICED))
    return rng.choice((OrderStatus.DRAFT, OrderStatus.CONFIRMED, OrderStatus.CONFIRMED))


def _build_orders(count: int = 48) -> tuple[Order, ...]:
    rng = random.Random(20250630)
    orders = []
    for n in range(count):
        # Spread over the second quarter, oldest first: 1 April to 30 June.
        age = min(max(round((count - n) * 90 / count) + rng.randint(-1, 1), 0), 90)
        lines = tuple(
            OrderLine(
                product=product,
                qty=rng.randint(1, 40 if product.price < 50 else 6),
                discount=rng.choice((D("0"), D("0"), D("0"), D("5"), D("10"))),
            )
            for product in rng.sample(PRODUCTS, rng.randint(1, 4))
        )
        orders.append(
            Order(
                id=1001 + n,
                customer=rng.choice(CUSTOMERS),
                ordered=TODAY - timedelta(days=age),
                status=_status_for(age, rng),
                salesperson=rng.choice(SALES_TEAM),
                lines=lines,
            )
        )
    return tuple(reversed(orders))


def _build_stock_moves(count: int = 36) -> tuple[StockMove, ...]:
    rng = random.Random(36)
    moves = []
    for n in range(count):
        kind = rng.choice(tuple(MoveKind))
        product = rng.choice(PRODUCTS)
        qty = rng.randint(1, 60)
        reference = {
            MoveKind.RECEIPT: f"PO-{4100 + n}",
            MoveKind.DELIVERY: f"SO-{1001 + rng.randrange(48)}",
            MoveKind.TRANSFER: f"TR-{700 + n}",
            MoveKind.ADJUSTMENT: f"ADJ-{300 + n}",
        }[kind]
        moves.append(
            StockMove(
                id=n + 1,
                moved=TODAY - timedelta(days=count - n),
                kind=kind,
                product=product,
                warehouse=(rng.choice(WAREHOUSES) if kind is MoveKind.TRANSFER else product.warehouse),
                qty=-qty if kind is MoveKind.DELIVERY else qty,
                reference=reference,
            )
        )
    return tuple(reversed(moves))


ORDERS = _build_orders()
STOCK_MOVES = _build_stock_moves()

PRODUCTS_BY_ID = {product.id: product for product in PRODUCTS}
PRODUCTS_BY_SKU = {product.sku: product for product in PRODUCTS}
CUSTOMERS_BY_ID = {customer.id: customer for customer in CUSTOMERS}
EMPLOYEES_BY_ID = {employee.id: employee for employee in EMPLOYEES}
ORDERS_BY_ID = {order.id: order for order in ORDERS}
