/*
 * Sidebar toggle. On wide screens the button collapses the sidebar to icons and
 * remembers the choice; on narrow screens it slides the sidebar in over the page.
 */
(function ($, window) {
  "use strict";

  var STORAGE_KEY = "erp.sidebar.collapsed";
  var narrow = window.matchMedia("(max-width: 991.98px)");
  var $body = $(document.body);
  var $toggle = $("[data-sidebar-toggle]");

  function readCollapsed() {
    try {
      return window.localStorage.getItem(STORAGE_KEY) === "1";
    } catch (error) {
      return false; // Storage blocked (private mode, policy): start expanded.
    }
  }

  function writeCollapsed(collapsed) {
    try {
      window.localStorage.setItem(STORAGE_KEY, collapsed ? "1" : "0");
    } catch (error) {
      // Not remembered; the toggle still works for this page.
    }
  }

  function syncExpanded() {
    var expanded = narrow.matches
      ? $body.hasClass("sidebar-open")
      : !$body.hasClass("sidebar-collapsed") && !$body.hasClass("sidebar-compact");
    $toggle.attr("aria-expanded", expanded ? "true" : "false");
  }

  function closeDrawer() {
    $body.removeClass("sidebar-open");
    syncExpanded();
  }

  if (readCollapsed()) {
    $body.addClass("sidebar-collapsed");
  }
  syncExpanded();

  $toggle.on("click", function () {
    if (narrow.matches) {
      $body.toggleClass("sidebar-open");
    } else {
      var collapsed = !$body.hasClass("sidebar-collapsed");
      $body.toggleClass("sidebar-collapsed", collapsed);
      writeCollapsed(collapsed);
    }
    syncExpanded();
  });

  // The drawer closes on Escape and on a click outside it.
  $(document).on("keydown", function (event) {
    if (event.key === "Escape" && $body.hasClass("sidebar-open")) {
      closeDrawer();
      $toggle.trigger("focus");
    }
  });

  $(document).on("click", function (event) {
    if ($body.hasClass("sidebar-open") &&
        !$(event.target).closest("#sidebar, [data-sidebar-toggle]").length) {
      closeDrawer();
    }
  });

  narrow.addEventListener("change", closeDrawer);
})(jQuery, window);
