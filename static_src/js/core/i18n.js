/*
 * Language helpers shared by the page scripts: the page language and direction,
 * number and money formatting, and the few strings the scripts write themselves.
 * Loaded first among our scripts; everything else hangs off window.ERP.
 */
(function (window, document) {
  "use strict";

  var root = document.documentElement;
  var lang = root.getAttribute("lang") || "en";

  var STRINGS = {
    en: {
      confirm: "Confirm",
      cancel: "Cancel",
      areYouSure: "Are you sure?"
    },
    ar: {
      confirm: "تأكيد",
      cancel: "إلغاء",
      areYouSure: "هل أنت متأكد؟"
    }
  };

  // Latin digits in both languages: amounts are compared against printed invoices.
  var locale = lang === "ar" ? "ar-SA-u-nu-latn" : "en-SA";

  var numberFormat = new Intl.NumberFormat(locale, {
    minimumFractionDigits: 0,
    maximumFractionDigits: 2
  });

  var moneyFormat = new Intl.NumberFormat(locale, {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2
  });

  function t(key) {
    var table = STRINGS[lang] || STRINGS.en;
    return table[key] || STRINGS.en[key] || key;
  }

  function formatNumber(value) {
    return numberFormat.format(Number(value));
  }

  function formatMoney(value, currency) {
    var amount = moneyFormat.format(Number(value));
    return currency ? amount + "\u00a0" + currency : amount;
  }

  window.ERP = window.ERP || {};
  window.ERP.lang = lang;
  window.ERP.rtl = root.getAttribute("dir") === "rtl";
  window.ERP.t = t;
  window.ERP.formatNumber = formatNumber;
  window.ERP.formatMoney = formatMoney;
})(window, document);
