/*
 * Small behaviours shared by forms and buttons:
 *   [data-print]        prints the page;
 *   [data-confirm]      asks first, in a Bootstrap modal, before a link is followed;
 *   form[data-submit-once]  disables its submit button while the request is on its way.
 */
(function ($, window, bootstrap, ERP) {
  "use strict";

  $(document).on("click", "[data-print]", function () {
    window.print();
  });

  function confirmDialog(message, onConfirm) {
    var $modal = $(
      '<div class="modal fade confirm-modal" tabindex="-1" aria-modal="true" role="dialog">' +
        '<div class="modal-dialog modal-dialog-centered"><div class="modal-content">' +
          '<div class="modal-body"><i class="fa-solid fa-circle-question" aria-hidden="true"></i><p></p></div>' +
          '<div class="modal-footer">' +
            '<button type="button" class="btn btn-link" data-bs-dismiss="modal"></button>' +
            '<button type="button" class="btn btn-primary" data-confirm-ok></button>' +
          "</div>" +
        "</div></div>" +
      "</div>"
    );
    var modal = new bootstrap.Modal($modal.appendTo(document.body)[0]);
    $modal.find(".modal-body p").text(message || ERP.t("areYouSure"));
    $modal.find("[data-bs-dismiss]").text(ERP.t("cancel"));
    $modal.find("[data-confirm-ok]").text(ERP.t("confirm")).on("click", function () {
      modal.hide();
      onConfirm();
    });
    $modal.on("hidden.bs.modal", function () {
      modal.dispose();
      $modal.remove();
    });
    modal.show();
  }

  $(document).on("click", "a[data-confirm]", function (event) {
    var href = this.href;
    event.preventDefault();
    confirmDialog($(this).data("confirm"), function () {
      window.location.assign(href);
    });
  });

  $(document).on("submit", "form[data-submit-once]", function () {
    var $buttons = $(this).find('button[type="submit"]');
    // Disable after the browser has taken the submitter's name/value.
    window.setTimeout(function () {
      $buttons.prop("disabled", true).addClass("is-busy");
    }, 0);
  });

  // Back/forward cache: a restored page must not keep its buttons disabled.
  $(window).on("pageshow", function () {
    $("form[data-submit-once] .is-busy").prop("disabled", false).removeClass("is-busy");
  });
})(jQuery, window, window.bootstrap, window.ERP);
