/*
 * DataTables for every <table class="js-datatable">: sorting, search and paging in
 * the page language. Options can come from data-* attributes on the table
 * (data-order='[[0, "desc"]]'); the page length default is set in base.html.
 */
(function ($, ERP) {
  "use strict";

  var LANGUAGES = {
    ar: {
      // Django's Arabic number format: 1.234,50 (see django/conf/locale/ar/formats.py).
      decimal: ",",
      thousands: ".",
      emptyTable: "لا توجد بيانات في الجدول",
      info: "عرض _START_ إلى _END_ من أصل _TOTAL_ سجل",
      infoEmpty: "عرض 0 إلى 0 من أصل 0 سجل",
      infoFiltered: "(من أصل _MAX_ سجل)",
      lengthMenu: "عرض _MENU_ سجلات",
      loadingRecords: "جارٍ التحميل...",
      processing: "جارٍ المعالجة...",
      search: "بحث:",
      zeroRecords: "لم يُعثر على سجلات مطابقة",
      paginate: {
        first: "الأول",
        last: "الأخير",
        next: "التالي",
        previous: "السابق"
      },
      aria: {
        sortAscending: ": ترتيب تصاعدي",
        sortDescending: ": ترتيب تنازلي"
      }
    }
  };

  $("table.js-datatable").each(function () {
    var $table = $(this);
    // An empty table keeps its "nothing here" row; DataTables would replace it.
    if ($table.find("tbody td[colspan]").length) {
      return;
    }
    $table.DataTable({
      language: LANGUAGES[ERP.lang] || {},
      autoWidth: false,
      columnDefs: [{ targets: "num", type: "num-fmt" }]
    });
  });
})(jQuery, window.ERP);
