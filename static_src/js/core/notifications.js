/*
 * The navbar's notification bell and the flash messages under it.
 * Read notifications are remembered per browser, so the badge stays quiet
 * after "Mark all as read" until something new arrives.
 */
(function ($, window) {
  "use strict";

  var STORAGE_KEY = "erp.notifications.read";
  var FLASH_DELAY_MS = 6000;

  function readIds() {
    try {
      return JSON.parse(window.localStorage.getItem(STORAGE_KEY)) || [];
    } catch (error) {
      return [];
    }
  }

  function saveIds(ids) {
    try {
      window.localStorage.setItem(STORAGE_KEY, JSON.stringify(ids));
    } catch (error) {
      // Not remembered across pages; the badge still clears on this one.
    }
  }

  function render($menu, readIdList) {
    var unread = 0;
    $menu.find("[data-notification-id]").each(function () {
      var id = String($(this).data("notification-id"));
      var isRead = readIdList.indexOf(id) !== -1;
      $(this).toggleClass("is-read", isRead);
      if (!isRead) {
        unread += 1;
      }
    });
    var $count = $menu.find("[data-notifications-count]");
    $count.text(unread).prop("hidden", unread === 0);
  }

  $("[data-notifications]").each(function () {
    var $menu = $(this);
    render($menu, readIds());

    $menu.on("click", "[data-notification-id]", function () {
      var ids = readIds();
      var id = String($(this).data("notification-id"));
      if (ids.indexOf(id) === -1) {
        ids.push(id);
        saveIds(ids);
      }
    });

    $menu.on("click", "[data-notifications-clear]", function () {
      var ids = $menu.find("[data-notification-id]").map(function () {
        return String($(this).data("notification-id"));
      }).get();
      saveIds(ids);
      render($menu, ids);
    });
  });

  // Success and info messages leave by themselves; warnings and errors stay until closed.
  $(".alert-success[data-autodismiss], .alert-info[data-autodismiss]").each(function () {
    var $alert = $(this);
    window.setTimeout(function () {
      $alert.addClass("is-leaving");
      window.setTimeout(function () {
        $alert.remove();
      }, 300);
    }, FLASH_DELAY_MS);
  });
})(jQuery, window);
