/*
 * Select2 for every <select class="js-select2">. Language and direction come from
 * the defaults base.html sets; a data-placeholder attribute adds a clear button.
 */
(function ($) {
  "use strict";

  $("select.js-select2").each(function () {
    var $select = $(this);
    var placeholder = $select.data("placeholder");
    $select.select2({
      placeholder: placeholder || undefined,
      allowClear: Boolean(placeholder),
      minimumResultsForSearch: 8
    });
  });

  // A filter bar's select submits its form as soon as a value is picked.
  $(".filter-bar select.js-select2").on("select2:select select2:clear", function () {
    $(this).closest("form").trigger("submit");
  });
})(jQuery);
