/*!
 * Sales order form (sales/order_form.html): lines, live totals checked
 * against the server quote, validation, draft autosave, normal submit.
 * Markup and endpoints: docs/example-contract.md ("The order form's AJAX
 * contract"). Needs jQuery 3; uses Select2 4 when loaded, plain <select>s
 * otherwise. Classic script, no build step, ES2019 only (no optional
 * chaining, no BigInt), so it runs as-is in every browser the ERP supports.
 * Money never touches floating point: integers of minor units (section 4).
 */
(function (window, document, $) {
  'use strict';

  var VERSION = '2.4.0';

  /* ---- 1. Configuration ---- */

  var DEFAULTS = {
    currency: 'SAR',
    locale: 'en',
    vatRate: '0.15', // when a product comes without vat_rate (KSA standard rate)
    // 'half-up' = half away from zero (Python's ROUND_HALF_UP, the usual
    // rule on invoices); 'half-even' = banker's. See section 4.
    rounding: 'half-up',
    maxLines: 50,
    maxQty: 100000,
    // Back-dating is for late data entry only; older orders need an adjustment.
    maxPastDays: 7,
    maxFutureDays: 365,
    quoteDebounceMs: 400,
    searchDebounceMs: 250,
    draftDebounceMs: 800,
    draftMaxAgeDays: 14,
    lowStockThreshold: 5,
    requestTimeoutMs: 15000,
    undoTimeoutMs: 10000,
    retry: { attempts: 4, baseDelayMs: 500, maxDelayMs: 8000 },
    cache: { ttlMs: 60000, maxEntries: 100 },
    autosave: true,
    warnOnLeave: true
  };

  var SEL = {
    form: '#order-form', customer: '#id_customer', orderDate: '#id_order_date', notes: '#id_notes',
    linesBody: '#order-lines tbody', template: '#order-line-template', line: 'tr.order-line',
    product: '.line-product', qty: '.line-qty', price: '.line-price', discount: '.line-discount',
    lineTotal: '.line-total', remove: '.line-remove', addLine: '#add-line',
    totals: '#order-totals', subtotal: '#total-subtotal', totalDiscount: '#total-discount',
    vat: '#total-vat', grand: '#total-grand', errors: '#order-errors', submit: '#order-submit',
    csrf: 'input[name="csrfmiddlewaretoken"]'
  };

  // Bootstrap 5 class names, so the template needs no CSS of its own.
  var CSS = {
    invalid: 'is-invalid',
    feedback: 'invalid-feedback',
    hint: 'form-text',
    srOnly: 'visually-hidden',
    estimated: 'is-estimated',
    submitting: 'is-submitting'
  };

  var NAMESPACE = '.orderForm';

  /* ---- 2. Small utilities ---- */

  function hasOwn(obj, key) {
    return obj !== null && obj !== undefined && Object.prototype.hasOwnProperty.call(obj, key);
  }

  function isPlainObject(value) { return Object.prototype.toString.call(value) === '[object Object]'; }

  /** `base` + `override`, nested groups (retry, cache) merged. */
  function mergeConfig(base, override) {
    var out = {};
    var key;
    for (key in base) {
      if (hasOwn(base, key)) { out[key] = isPlainObject(base[key]) ? mergeConfig(base[key]) : base[key]; }
    }
    for (key in override || {}) {
      if (!hasOwn(override, key) || override[key] === undefined) { continue; }
      out[key] = isPlainObject(override[key]) && isPlainObject(out[key]) ?
        mergeConfig(out[key], override[key]) : override[key];
    }
    return out;
  }

  function clamp(value, min, max) { return Math.min(max, Math.max(min, value)); }

  function repeatChar(ch, count) { return count > 0 ? new Array(count + 1).join(ch) : ''; }

  function padStart(str, length, ch) {
    str = String(str);
    return str.length >= length ? str : repeatChar(ch || '0', length - str.length) + str;
  }

  function interpolate(template, params) {
    return String(template).replace(/\{(\w+)\}/g, function (match, name) {
      return params && hasOwn(params, name) ? String(params[name]) : match;
    });
  }

  var uidCounter = 0;
  function uid(prefix) {
    uidCounter += 1;
    return (prefix || 'of') + '-' + uidCounter;
  }

  // Tests replace clock.now to pin "today" and draft ages.
  var clock = { now: function () { return Date.now(); } };

  function debounce(fn, wait) {
    var timer = null;
    var lastArgs = null;
    var lastThis = null;
    function invoke() {
      var args = lastArgs;
      var self = lastThis;
      timer = lastArgs = lastThis = null;
      return fn.apply(self, args);
    }
    function debounced() {
      lastArgs = arguments;
      lastThis = this;
      clearTimeout(timer);
      timer = setTimeout(invoke, wait);
    }
    debounced.cancel = function () {
      clearTimeout(timer);
      timer = lastArgs = lastThis = null;
    };
    debounced.flush = function () {
      if (timer === null) { return undefined; }
      clearTimeout(timer);
      return invoke();
    };
    return debounced;
  }

  /** Console logger keeping recent entries, for OrderForm.log() in a user's browser. */
  function createLogger(prefix, capacity) {
    var logger = { entries: [] };
    ['info', 'warn', 'error'].forEach(function (level) {
      logger[level] = function () {
        var args = Array.prototype.slice.call(arguments);
        logger.entries.push({ time: clock.now(), level: level, args: args });
        if (logger.entries.length > capacity) { logger.entries.shift(); }
        var sink = window.console && (window.console[level] || window.console.log);
        if (sink) { sink.apply(window.console, [prefix].concat(args)); }
      };
    });
    return logger;
  }

  var log = createLogger('[OrderForm]', 200);

  /** LRU cache with a time-to-live; a Map keeps insertion order. */
  function LruCache(maxEntries, ttlMs) {
    this.maxEntries = maxEntries;
    this.ttlMs = ttlMs;
    this.map = new Map();
  }

  LruCache.prototype.get = function (key) {
    var entry = this.map.get(key);
    if (!entry) { return undefined; }
    this.map.delete(key);
    if (clock.now() - entry.time > this.ttlMs) { return undefined; }
    this.map.set(key, entry); // most recently used goes last
    return entry.value;
  };

  LruCache.prototype.set = function (key, value) {
    this.map.delete(key);
    this.map.set(key, { value: value, time: clock.now() });
    while (this.map.size > this.maxEntries) { this.map.delete(this.map.keys().next().value); }
  };

  /* ---- 3. Digits and locales ---- */

  var ARABIC_DIGITS = '\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669'; // ٠-٩
  // Persian/Urdu keyboard layouts type these; both forms are accepted.
  var EXTENDED_DIGITS = '\u06F0\u06F1\u06F2\u06F3\u06F4\u06F5\u06F6\u06F7\u06F8\u06F9'; // ۰-۹
  var AR_DECIMAL = '\u066B'; // ٫
  var AR_GROUP = '\u066C'; // ٬
  var AR_LETTER_MARK = '\u061C';
  // Direction marks come along when amounts are copied from RTL text.
  var BIDI_CONTROLS_RE = /[\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069]/g;

  var LOCALES = {
    en: { lang: 'en', dir: 'ltr', arabicDigits: false, decimal: '.', group: ',',
      currencyPattern: '{symbol}\u00A0{amount}', intlTag: 'en-GB' },
    // Plain "ar-SA" dates use the Umm al-Qura calendar; orders are Gregorian.
    ar: { lang: 'ar', dir: 'rtl', arabicDigits: true, decimal: AR_DECIMAL, group: AR_GROUP,
      currencyPattern: '{amount}\u00A0{symbol}', intlTag: 'ar-SA-u-ca-gregory-nu-arab' }
  };

  var CURRENCIES = {
    SAR: { exponent: 2, symbol: { en: 'SAR', ar: '\u0631.\u0633' } }, // ر.س
    KWD: { exponent: 3, symbol: { en: 'KWD', ar: '\u062F.\u0643' } } // د.ك
  };

  /** "ar-sa", "ar_EG", "AR" -> "ar"; anything unknown -> "en". */
  function resolveLocale(code) {
    var base = String(code || '').toLowerCase().split(/[-_]/)[0];
    return hasOwn(LOCALES, base) ? base : 'en';
  }

  function localeInfo(code) { return LOCALES[resolveLocale(code)]; }

  function currencyInfo(code) {
    var upper = String(code || '').toUpperCase();
    return CURRENCIES[upper] || { exponent: 2, symbol: { en: upper, ar: upper } };
  }

  function toLatinDigits(value) {
    return String(value).replace(/[\u0660-\u0669\u06F0-\u06F9]/g, function (ch) {
      var index = ARABIC_DIGITS.indexOf(ch);
      return String(index >= 0 ? index : EXTENDED_DIGITS.indexOf(ch));
    });
  }

  function toArabicDigits(value) {
    return String(value).replace(/[0-9]/g, function (ch) {
      return ARABIC_DIGITS.charAt(ch.charCodeAt(0) - 48);
    });
  }

  function localizeDigits(value, locale) {
    return localeInfo(locale).arabicDigits ? toArabicDigits(value) : String(value);
  }

  /**
   * Typed text -> plain ASCII decimal ("١٬٢٣٤٫٥" -> "1234.5"). Grouping must
   * be well formed: "1,5" keeps its comma so parsing fails and the user is
   * asked, rather than silently ordering 15.
   */
  function normalizeNumeric(value) {
    if (value === null || value === undefined) { return ''; }
    var str = toLatinDigits(String(value))
      .replace(BIDI_CONTROLS_RE, '')
      .replace(/[\s\u00A0\u2007\u202F]/g, '')
      .replace(/[\u2212\u2012\u2013\uFE63\uFF0D]/g, '-')
      .replace(/\u066B/g, '.')
      .replace(/[\u066C\u060C]/g, ',');
    // Some Arabic sources write the minus after the number ("5-").
    if (/^[0-9.,]+-$/.test(str)) { str = '-' + str.slice(0, -1); }
    if (str.indexOf(',') === -1) { return str; }
    var match = /^([+-]?)(\d{1,3}(?:,\d{3})+)(\.\d*)?$/.exec(str);
    return match ? match[1] + match[2].replace(/,/g, '') + (match[3] || '') : str;
  }

  function groupDigits(digits, separator) { return digits.replace(/\B(?=(\d{3})+$)/g, separator); }

  /** Integer for display ("1,234" / "١٬٢٣٤"): stock, counts, line numbers. */
  function formatInteger(value, locale) {
    var info = localeInfo(locale);
    var n = Math.trunc(Number(value));
    if (!isFinite(n)) { return ''; }
    var digits = groupDigits(String(Math.abs(n)), info.group);
    var sign = n < 0 ? (info.arabicDigits ? AR_LETTER_MARK : '') + '-' : '';
    return sign + (info.arabicDigits ? toArabicDigits(digits) : digits);
  }

  /* ---- 4. Exact decimals and money ----
   * Decimal: {sign, coef: "digits", scale} = sign * coef / 10^scale, read
   * from the string, never a float. Money: integer minor units (halalas).
   * Amount x rate is rounded by integer division, explicitly:
   *   'half-up'   half away from zero: 0.125 -> 0.13, -0.125 -> -0.13.
   *               The default, same as Python's ROUND_HALF_UP.
   *   'half-even' banker's: 0.125 -> 0.12, 0.135 -> 0.14.
   *   'down'/'up' toward / away from zero.
   * Past Number.MAX_SAFE_INTEGER a RangeError is thrown ("amount too
   * large") rather than showing a silently wrong total.
   */

  function assertSafe(n, what) {
    if (!Number.isSafeInteger(n)) { throw new RangeError((what || 'amount') + ' out of safe range: ' + n); }
    return n;
  }

  /** "12.50", "-3", ".5", "١٢٫٥", "1,234.5" or a finite number; else null. */
  function parseDecimal(input) {
    if (input === null || input === undefined) { return null; }
    if (typeof input === 'object' && hasOwn(input, 'coef')) { return input; }
    if (typeof input === 'number') {
      if (!isFinite(input)) { return null; }
      // 1e-7 style: toFixed covers every magnitude that matters for money.
      input = /e/i.test(String(input)) ? input.toFixed(20).replace(/\.?0+$/, '') : String(input);
    }
    var match = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(normalizeNumeric(input));
    if (!match || (!match[2] && !match[3])) { return null; }
    var fraction = match[3] || '';
    var coef = ((match[2] || '') + fraction).replace(/^0+(?=\d)/, '');
    return { sign: match[1] === '-' && /[1-9]/.test(coef) ? -1 : 1, coef: coef, scale: fraction.length };
  }

  /** Drops trailing fractional zeros: 5.000 -> 5, 12.50 -> 12.5. */
  function trimDecimal(dec) {
    var coef = dec.coef;
    var scale = dec.scale;
    while (scale > 0 && coef.length > 1 && coef.charAt(coef.length - 1) === '0') {
      coef = coef.slice(0, -1);
      scale -= 1;
    }
    return { sign: dec.sign, coef: coef, scale: coef === '0' ? 0 : scale };
  }

  function decimalToString(dec) {
    var coef = padStart(dec.coef, dec.scale + 1, '0');
    var cut = coef.length - dec.scale;
    var negative = dec.sign < 0 && /[1-9]/.test(dec.coef);
    return (negative ? '-' : '') + coef.slice(0, cut) + (dec.scale ? '.' + coef.slice(cut) : '');
  }

  /** `dropped`: the cut-off part vs one half (-1, 0, 1; null if nothing). */
  function shouldRoundAway(mode, dropped, truncatedIsOdd) {
    if (dropped === null) { return false; }
    switch (mode) {
      case 'half-up': return dropped >= 0;
      case 'half-even': return dropped > 0 || (dropped === 0 && truncatedIsOdd);
      case 'up': return true;
      case 'down': return false;
      default: throw new Error('unknown rounding mode: ' + mode);
    }
  }

  function roundDiv(n, d, mode) {
    assertSafe(n, 'dividend');
    if (!(d > 0)) { throw new RangeError('divisor must be positive'); }
    var a = Math.abs(n);
    var q = Math.floor(a / d);
    // Float division can be one off near 2^53: settle it with integers.
    while (q * d > a) { q -= 1; }
    while ((q + 1) * d <= a) { q += 1; }
    var r = a - q * d;
    var dropped = r === 0 ? null : (r * 2 === d ? 0 : (r * 2 > d ? 1 : -1));
    if (shouldRoundAway(mode, dropped, q % 2 === 1)) { q += 1; }
    return n < 0 && q !== 0 ? -q : q;
  }

  /** (12.345, 2) -> 1235 (half-up). Works on the digits, so long inputs round exactly. */
  function decimalToScaledInt(dec, scale, mode) {
    var diff = dec.scale - scale;
    var magnitude;
    if (diff <= 0) {
      magnitude = Number(dec.coef + repeatChar('0', -diff));
    } else {
      var coef = padStart(dec.coef, diff, '0');
      var rest = coef.slice(coef.length - diff);
      var dropped = null;
      if (/[1-9]/.test(rest)) {
        var head = rest.charCodeAt(0) - 48;
        dropped = head > 5 || (head === 5 && /[1-9]/.test(rest.slice(1))) ? 1 : (head === 5 ? 0 : -1);
      }
      magnitude = Number(coef.slice(0, coef.length - diff) || '0');
      if (shouldRoundAway(mode || 'half-up', dropped, magnitude % 2 === 1)) { magnitude += 1; }
    }
    assertSafe(magnitude, 'value');
    return dec.sign < 0 && magnitude !== 0 ? -magnitude : magnitude;
  }

  function scaledIntToString(value, scale) {
    assertSafe(value, 'value');
    var digits = padStart(String(Math.abs(value)), scale + 1, '0');
    var cut = digits.length - scale;
    return (value < 0 ? '-' : '') + digits.slice(0, cut) + (scale ? '.' + digits.slice(cut) : '');
  }

  function scaleByDecimal(minor, decimal, divisor, mode) {
    var dec = parseDecimal(decimal);
    if (!dec) { throw new TypeError('invalid rate: ' + decimal); }
    var numerator = assertSafe(minor * Number(dec.coef) * dec.sign, 'product');
    return roundDiv(numerator, Math.pow(10, dec.scale) * divisor, mode || 'half-up');
  }

  var Money = {
    /** Minor units from a decimal string or number; null if unparseable. */
    fromDecimal: function (value, exponent, mode) {
      var dec = parseDecimal(value);
      return dec ? decimalToScaledInt(dec, exponent === undefined ? 2 : exponent, mode || 'half-up') : null;
    },

    /** Reads an amount as typed or pasted, either script, with or without the currency. */
    parse: function (text, options) {
      var opts = options || {};
      var currency = currencyInfo(opts.currency || 'SAR');
      var str = String(text === null || text === undefined ? '' : text);
      [currency.symbol.en, currency.symbol.ar].forEach(function (symbol) {
        str = str.split(symbol).join('');
      });
      str = str.trim();
      var exponent = opts.exponent === undefined ? currency.exponent : opts.exponent;
      return str === '' ? null : Money.fromDecimal(str, exponent, opts.rounding);
    },

    /** "1234.50": the API's wire format (Latin digits, no grouping). */
    toDecimalString: function (minor, exponent) {
      return scaledIntToString(minor, exponent === undefined ? 2 : exponent);
    },

    /** "SAR 1,234.50" / "١٬٢٣٤٫٥٠ ر.س"; options: locale, currency, symbol, grouping. */
    format: function (minor, options) {
      var opts = options || {};
      var info = localeInfo(opts.locale);
      var currency = currencyInfo(opts.currency || 'SAR');
      var plain = scaledIntToString(minor, opts.exponent === undefined ? currency.exponent : opts.exponent);
      var negative = plain.charAt(0) === '-';
      var parts = plain.replace('-', '').split('.');
      var amount = (opts.grouping === false ? parts[0] : groupDigits(parts[0], info.group)) +
        (parts.length > 1 ? info.decimal + parts[1] : '');
      if (info.arabicDigits) { amount = toArabicDigits(amount); }
      // The Arabic letter mark keeps the minus on the number's side in RTL.
      if (negative) { amount = (info.arabicDigits ? AR_LETTER_MARK : '') + '-' + amount; }
      if (opts.symbol === false) { return amount; }
      return interpolate(info.currencyPattern, { symbol: currency.symbol[info.lang], amount: amount });
    },

    add: function (a, b) { return assertSafe(a + b, 'sum'); },
    subtract: function (a, b) { return assertSafe(a - b, 'difference'); },

    multiply: function (minor, qty) { return assertSafe(minor * assertSafe(qty, 'quantity'), 'product'); },

    applyRate: function (minor, rate, mode) { return scaleByDecimal(minor, rate, 1, mode); },

    percentOf: function (minor, percent, mode) { return scaleByDecimal(minor, percent, 100, mode); }
  };

  /* ---- 5. Messages (English / Arabic) ----
   * Not Django's JS catalogue: static snapshots (assetopt benchmarks) have
   * no /jsi18n/. Plural maps use Intl.PluralRules categories (Arabic: six).
   */

  var MESSAGES = {
    en: {
      required_customer: 'Choose a customer.',
      required_date: 'Enter the order date.',
      invalid_date: 'Enter a valid date (YYYY-MM-DD).',
      date_too_old: 'The order date cannot be before {date}.',
      date_too_far: 'The order date cannot be after {date}.',
      no_lines: 'Add at least one product line.',
      too_many_lines: 'An order can have at most {max} lines.',
      required_product: 'Choose a product.',
      duplicate_product: 'This product is already on line {line}.',
      qty_required: 'Enter a quantity.',
      qty_integer: 'Quantity must be a whole number.',
      qty_min: 'Quantity must be at least {min}.',
      qty_max: 'Quantity cannot be more than {max}.',
      qty_stock: {
        one: 'Only {count} unit is in stock.',
        other: 'Only {count} units are in stock.'
      },
      out_of_stock: 'This product is out of stock.',
      discount_invalid: 'Discount must be a number.',
      discount_range: 'Discount must be between {min} and {max} %.',
      discount_precision: 'Use at most 2 decimal places for the discount.',
      amount_too_large: 'The amount is too large.',
      summary_title: {
        one: 'Please correct the problem below.',
        other: 'Please correct the {count} problems below.'
      },
      summary_line_prefix: 'Line {line}: ',
      status_calculating: 'Calculating\u2026',
      status_synced: 'Totals confirmed.',
      status_offline: 'You are offline. Totals are estimated.',
      status_retrying: 'Connection problem. Retrying in {seconds} s\u2026',
      status_error: 'Could not confirm the totals. They are estimated.',
      status_invalid: 'Fix the highlighted fields to confirm the totals.',
      action_retry: 'Retry',
      action_undo: 'Undo',
      action_restore: 'Restore',
      action_discard: 'Discard',
      line_label: 'Line {line}',
      line_product_label: 'Product, line {line}',
      line_qty_label: 'Quantity, line {line}',
      line_price_label: 'Unit price, line {line}',
      line_discount_label: 'Discount %, line {line}',
      line_remove_label: 'Remove line {line}',
      line_added: 'Line {line} added.',
      line_removed: 'Line {line} removed.',
      line_restored: 'Line {line} restored.',
      draft_found: 'You have an unsaved draft of this order from {time}.',
      draft_restored: 'Draft restored.',
      draft_discarded: 'Draft discarded.',
      select_placeholder: 'Search products\u2026',
      select_searching: 'Searching\u2026',
      select_no_results: 'No products found',
      select_error: 'Products could not be loaded',
      stock_out: 'Out of stock',
      stock_low: 'Only {count} left',
      submitting: 'Saving\u2026',
      shortcut_help: 'Alt+N adds a line, Alt+Delete removes the current line, Alt+Z undoes a removal.'
    },
    ar: {
      required_customer: 'اختر العميل.',
      required_date: 'أدخل تاريخ الطلب.',
      invalid_date: 'أدخل تاريخًا صحيحًا (سنة-شهر-يوم).',
      date_too_old: 'لا يمكن أن يكون تاريخ الطلب قبل {date}.',
      date_too_far: 'لا يمكن أن يكون تاريخ الطلب بعد {date}.',
      no_lines: 'أضف سطر منتج واحدًا على الأقل.',
      too_many_lines: 'لا يمكن أن يحتوي الطلب على أكثر من {max} سطرًا.',
      required_product: 'اختر منتجًا.',
      duplicate_product: 'هذا المنتج موجود بالفعل في السطر {line}.',
      qty_required: 'أدخل الكمية.',
      qty_integer: 'يجب أن تكون الكمية عددًا صحيحًا.',
      qty_min: 'يجب ألا تقل الكمية عن {min}.',
      qty_max: 'يجب ألا تزيد الكمية عن {max}.',
      qty_stock: 'الكمية المتوفرة في المخزون: {count} فقط.',
      out_of_stock: 'هذا المنتج غير متوفر في المخزون.',
      discount_invalid: 'يجب أن يكون الخصم رقمًا.',
      discount_range: 'يجب أن يكون الخصم بين {min} و{max} ٪.',
      discount_precision: 'استخدم منزلتين عشريتين على الأكثر للخصم.',
      amount_too_large: 'المبلغ كبير جدًا.',
      summary_title: {
        zero: 'يرجى تصحيح الأخطاء أدناه.',
        one: 'يرجى تصحيح الخطأ أدناه.',
        two: 'يرجى تصحيح الخطأين أدناه.',
        few: 'يرجى تصحيح {count} أخطاء أدناه.',
        many: 'يرجى تصحيح {count} خطأً أدناه.',
        other: 'يرجى تصحيح {count} خطأ أدناه.'
      },
      summary_line_prefix: 'السطر {line}: ',
      status_calculating: 'جارٍ الحساب\u2026',
      status_synced: 'تم تأكيد الإجماليات.',
      status_offline: 'أنت غير متصل. الإجماليات تقديرية.',
      status_retrying: 'مشكلة في الاتصال. إعادة المحاولة خلال {seconds} ث\u2026',
      status_error: 'تعذر تأكيد الإجماليات. القيم المعروضة تقديرية.',
      status_invalid: 'صحح الحقول المحددة لتأكيد الإجماليات.',
      action_retry: 'إعادة المحاولة',
      action_undo: 'تراجع',
      action_restore: 'استعادة',
      action_discard: 'تجاهل',
      line_label: 'السطر {line}',
      line_product_label: 'المنتج، السطر {line}',
      line_qty_label: 'الكمية، السطر {line}',
      line_price_label: 'سعر الوحدة، السطر {line}',
      line_discount_label: 'نسبة الخصم، السطر {line}',
      line_remove_label: 'حذف السطر {line}',
      line_added: 'تمت إضافة السطر {line}.',
      line_removed: 'تم حذف السطر {line}.',
      line_restored: 'تمت استعادة السطر {line}.',
      draft_found: 'لديك مسودة غير محفوظة لهذا الطلب من {time}.',
      draft_restored: 'تمت استعادة المسودة.',
      draft_discarded: 'تم تجاهل المسودة.',
      select_placeholder: 'ابحث عن منتج\u2026',
      select_searching: 'جارٍ البحث\u2026',
      select_no_results: 'لا توجد منتجات مطابقة',
      select_error: 'تعذر تحميل المنتجات',
      stock_out: 'نفد المخزون',
      stock_low: 'متبقٍ: {count} فقط',
      submitting: 'جارٍ الحفظ\u2026',
      shortcut_help: 'Alt+N لإضافة سطر، Alt+Delete لحذف السطر الحالي، Alt+Z للتراجع عن الحذف.'
    }
  };

  var pluralRulesCache = {};

  function pluralCategory(lang, count) {
    if (!pluralRulesCache[lang]) { pluralRulesCache[lang] = new window.Intl.PluralRules(lang); }
    return pluralRulesCache[lang].select(count);
  }

  /** Message in `locale` (else English, else the key); digits localized, `count` picks the plural. */
  function translate(locale, key, params) {
    var lang = resolveLocale(locale);
    var catalogue = MESSAGES[lang];
    var entry = hasOwn(catalogue, key) ? catalogue[key] : MESSAGES.en[key];
    if (entry === undefined) { return key; }
    var values = {};
    var name;
    for (name in params || {}) {
      if (hasOwn(params, name)) {
        var value = params[name];
        values[name] = typeof value === 'number' ? formatInteger(value, lang) :
          (/^[\d\s\-/.:]+$/.test(String(value)) ? localizeDigits(value, lang) : value);
      }
    }
    if (typeof entry === 'object') {
      var category = pluralCategory(lang, params && typeof params.count === 'number' ? params.count : 0);
      entry = hasOwn(entry, category) ? entry[category] : entry.other;
    }
    return interpolate(entry, values);
  }

  /* ---- 6. Validation rules ----
   * Pure functions over a snapshot {customer, orderDate, lines: [{key,
   * product, productInfo, qty, qtyBadInput, discount}]}, testable without a
   * DOM. Errors: {field, line (index or null), lineKey, key, params}.
   */

  /** "2024-05-01" -> {y, m, d}; null when malformed or impossible (02-30). */
  function parseIsoDate(value) {
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(toLatinDigits(String(value || '')).trim());
    if (!match) { return null; }
    var y = Number(match[1]);
    var m = Number(match[2]);
    var d = Number(match[3]);
    var probe = new Date(Date.UTC(y, m - 1, d));
    return probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d ? { y: y, m: m, d: d } : null;
  }

  /** Days from `from` to `to` on UTC midnights: local ones make DST days 23 or 25 h long. */
  function daysBetween(from, to) {
    return Math.round((Date.UTC(to.y, to.m - 1, to.d) - Date.UTC(from.y, from.m - 1, from.d)) / 86400000);
  }

  function todayParts(now) {
    var date = new Date(now === undefined ? clock.now() : now);
    return { y: date.getFullYear(), m: date.getMonth() + 1, d: date.getDate() };
  }

  function addDays(parts, days) {
    var date = new Date(Date.UTC(parts.y, parts.m - 1, parts.d + days));
    return date.getUTCFullYear() + '-' + padStart(date.getUTCMonth() + 1, 2) + '-' + padStart(date.getUTCDate(), 2);
  }

  function isBlankValue(value) {
    return value === null || value === undefined || String(value).trim() === '';
  }

  function validateHeader(snapshot, config, today) {
    var errors = [];
    function add(field, key, params) {
      errors.push({ field: field, line: null, key: key, params: params });
    }
    if (isBlankValue(snapshot.customer)) { add('customer', 'required_customer'); }
    if (isBlankValue(snapshot.orderDate)) {
      add('order_date', 'required_date');
      return errors;
    }
    var date = parseIsoDate(snapshot.orderDate);
    var offset = date ? daysBetween(today, date) : 0;
    // The limit is named as a date ("cannot be before 2024-04-24"): clearer
    // than a number of days, and it needs no plural forms.
    if (!date) {
      add('order_date', 'invalid_date');
    } else if (offset < -config.maxPastDays) {
      add('order_date', 'date_too_old', { date: addDays(today, -config.maxPastDays) });
    } else if (offset > config.maxFutureDays) {
      add('order_date', 'date_too_far', { date: addDays(today, config.maxFutureDays) });
    }
    return errors;
  }

  /** {value} or {error}. badInput: a type=number field holding text reads as "". */
  function checkQuantity(raw, badInput, config) {
    var str = normalizeNumeric(raw);
    if (badInput) { return { error: 'qty_integer' }; }
    if (str === '') { return { error: 'qty_required' }; }
    var dec = parseDecimal(str);
    if (!dec || trimDecimal(dec).scale > 0) { return { error: 'qty_integer' }; }
    var value = Number(trimDecimal(dec).coef) * dec.sign;
    if (value < 1) { return { error: 'qty_min', params: { min: 1 } }; }
    if (value > config.maxQty) { return { error: 'qty_max', params: { max: config.maxQty } }; }
    return { value: value };
  }

  /** A discount percentage: {value: decimal} or {error}; blank means 0. */
  function checkDiscount(raw) {
    var str = normalizeNumeric(raw).replace(/[%\u066A]$/, '');
    if (str === '') { return { value: parseDecimal('0') }; }
    var dec = parseDecimal(str);
    if (!dec) { return { error: 'discount_invalid' }; }
    dec = trimDecimal(dec);
    // Rounded up to hundredths, so 100.001 % is out of range too.
    if (dec.sign < 0 || decimalToScaledInt(dec, 2, 'up') > 10000) {
      return { error: 'discount_range', params: { min: 0, max: 100 } };
    }
    return dec.scale > 2 ? { error: 'discount_precision' } : { value: dec };
  }

  function validateLine(line, index, config) {
    var errors = [];
    var info = line.productInfo || null;
    var stock = info && typeof info.stock === 'number' ? info.stock : null;
    function add(field, key, params) {
      errors.push({ field: field, line: index, lineKey: line.key, key: key, params: params });
    }
    if (isBlankValue(line.product)) {
      add('product', 'required_product');
    } else if (stock !== null && stock <= 0) {
      add('product', 'out_of_stock');
    }
    var qty = checkQuantity(line.qty, line.qtyBadInput, config);
    if (qty.error) {
      add('qty', qty.error, qty.params);
    } else if (stock !== null && stock > 0 && qty.value > stock) {
      add('qty', 'qty_stock', { count: stock });
    }
    var discount = checkDiscount(line.discount);
    if (discount.error) { add('discount', discount.error, discount.params); }
    return errors;
  }

  /** Whole-order validation; `now` (ms) pins "today" for tests. */
  function validateOrder(snapshot, config, now) {
    var cfg = mergeConfig(DEFAULTS, config);
    var errors = validateHeader(snapshot, cfg, todayParts(now));
    var lines = snapshot.lines || [];
    var firstLine = {};
    if (!lines.length) {
      errors.push({ field: 'lines', line: null, key: 'no_lines' });
    } else if (lines.length > cfg.maxLines) {
      errors.push({ field: 'lines', line: null, key: 'too_many_lines', params: { max: cfg.maxLines } });
    }
    lines.forEach(function (line, index) {
      errors = errors.concat(validateLine(line, index, cfg));
      var id = isBlankValue(line.product) ? null : String(line.product);
      if (id !== null && hasOwn(firstLine, id)) {
        errors.push({ field: 'product', line: index, lineKey: line.key, key: 'duplicate_product',
          params: { line: firstLine[id] + 1 } });
      } else if (id !== null) {
        firstLine[id] = index;
      }
    });
    return { valid: errors.length === 0, errors: errors };
  }

  /* ---- 7. Totals ----
   * Line: gross = price x qty, discount = round(gross x pct), net.
   * Order: subtotal, discount, vat = round(sum of net x rate) (rounded once,
   * not per line, as the quote view does), total = net + vat.
   * Contract example: 2 x 12.50 at 5 % -> 25.00 / 1.25 / 3.56 / 27.31.
   */

  /** lines: [{price: minor, qty, discount: "5", vatRate: "0.15"}] -> minor units. */
  function computeTotals(lines, options) {
    var opts = options || {};
    var mode = opts.rounding || DEFAULTS.rounding;
    var defaultRate = opts.vatRate || DEFAULTS.vatRate;
    var result = { lines: [], subtotal: 0, discount: 0, net: 0, vat: 0, total: 0 };
    var vatParts = []; // [net, rate] pairs, summed exactly on a common scale below
    var scale = 0;
    lines.forEach(function (line) {
      var gross = Money.multiply(line.price, line.qty);
      var discount = Money.percentOf(gross, line.discount || '0', mode);
      var net = Money.subtract(gross, discount);
      var rate = trimDecimal(parseDecimal(line.vatRate || defaultRate) || parseDecimal(defaultRate));
      vatParts.push([net, rate]);
      scale = Math.max(scale, rate.scale);
      result.lines.push({ gross: gross, discount: discount, net: net, vatRate: decimalToString(rate) });
      result.subtotal = Money.add(result.subtotal, gross);
      result.discount = Money.add(result.discount, discount);
      result.net = Money.add(result.net, net);
    });
    var vatScaled = vatParts.reduce(function (sum, part) {
      return Money.add(sum, Money.multiply(part[0], decimalToScaledInt(part[1], scale)));
    }, 0);
    result.vat = roundDiv(vatScaled, Math.pow(10, scale), mode);
    result.total = Money.add(result.net, result.vat);
    return result;
  }

  /** Quote answer in minor units; throws when off contract, never shown as confirmed. */
  function parseQuoteResponse(data, exponent) {
    if (!data || !Array.isArray(data.lines)) { throw new TypeError('quote response without lines'); }
    function amount(value, what) {
      var minor = typeof value === 'string' ? Money.fromDecimal(value, exponent) : null;
      if (minor === null) { throw new TypeError('quote response: bad ' + what + ': ' + JSON.stringify(value)); }
      return minor;
    }
    return {
      lines: data.lines.map(function (line, i) {
        return {
          product: String(line.product),
          unitPrice: amount(line.unit_price, 'lines.' + i + '.unit_price'),
          lineTotal: amount(line.line_total, 'lines.' + i + '.line_total')
        };
      }),
      subtotal: amount(data.subtotal, 'subtotal'),
      discount: amount(data.discount, 'discount'),
      vat: amount(data.vat, 'vat'),
      total: amount(data.total, 'total')
    };
  }

  /** Local vs server figures that differ: [{field, local, server}]. */
  function diffTotals(local, server) {
    var diffs = [];
    ['subtotal', 'discount', 'vat', 'total'].forEach(function (field) {
      if (local[field] !== server[field]) { diffs.push({ field: field, local: local[field], server: server[field] }); }
    });
    local.lines.forEach(function (line, i) {
      var other = server.lines[i];
      if (!other || line.net !== other.lineTotal) {
        diffs.push({ field: 'lines.' + i + '.line_total', local: line.net, server: other ? other.lineTotal : null });
      }
    });
    return diffs;
  }

  /** "lines.0.qty" -> {line: 0, field: "qty"}; "__all__" -> {line: null, field: "form"}. */
  function parseServerErrorKey(key) {
    var match = /^lines\.(\d+)(?:\.(\w+))?$/.exec(key);
    if (match) {
      var field = match[2] === 'unit_price' ? 'price' : match[2] || 'product';
      return { line: Number(match[1]), field: field };
    }
    return { line: null, field: key === '__all__' || key === 'non_field_errors' ? 'form' : key };
  }

  /* ---- 8. HTTP: JSON requests, abort, retry with backoff ---- */

  function RequestError(kind, message, status, data, retryAfterMs) {
    this.name = 'RequestError';
    this.kind = kind; // 'network' | 'timeout' | 'abort' | 'http' | 'parse'
    this.message = message;
    this.status = status || 0;
    this.data = data || null;
    this.retryAfterMs = retryAfterMs || 0;
  }
  RequestError.prototype = Object.create(Error.prototype);
  RequestError.prototype.constructor = RequestError;

  function toRequestError(xhr, textStatus) {
    if (textStatus === 'abort' || textStatus === 'timeout') { return new RequestError(textStatus, 'request ' + textStatus); }
    if (!xhr || xhr.status === 0) { return new RequestError('network', 'network error'); }
    if (textStatus === 'parsererror') { return new RequestError('parse', 'invalid JSON', xhr.status); }
    var retryAfter = Number(xhr.getResponseHeader('Retry-After')) || 0; // seconds form only
    return new RequestError('http', 'HTTP ' + xhr.status, xhr.status, xhr.responseJSON || null, retryAfter * 1000);
  }

  /**
   * One JSON request as {promise, abort}. X-CSRFToken goes with unsafe
   * methods only (Django's advice): never on GETs that proxies may log.
   */
  function ajaxJson(options) {
    var method = (options.method || 'GET').toUpperCase();
    var unsafe = !/^(GET|HEAD|OPTIONS|TRACE)$/.test(method);
    var headers = unsafe && options.csrfToken ? { 'X-CSRFToken': options.csrfToken } : {};
    var xhr = null;
    var promise = new Promise(function (resolve, reject) {
      xhr = $.ajax({
        url: options.url,
        method: method,
        data: unsafe ? JSON.stringify(options.data) : options.data,
        contentType: unsafe ? 'application/json; charset=utf-8' : undefined,
        dataType: 'json',
        headers: headers,
        timeout: options.timeout || DEFAULTS.requestTimeoutMs
      });
      xhr.done(resolve).fail(function (jqXHR, textStatus) {
        reject(toRequestError(jqXHR, textStatus));
      });
    });
    return {
      promise: promise,
      abort: function () {
        if (xhr && xhr.readyState !== 4) { xhr.abort(); }
      }
    };
  }

  function isOffline() { return window.navigator && window.navigator.onLine === false; }

  function isRetryable(err) {
    if (isOffline()) { return false; } // wait for "online" instead of burning attempts
    if (err.kind === 'network' || err.kind === 'timeout') { return true; }
    return err.kind === 'http' && [408, 429, 500, 502, 503, 504].indexOf(err.status) !== -1;
  }

  /**
   * Exponential backoff, half fixed and half random: without jitter every
   * open form retries in lockstep after a deploy. Honours Retry-After.
   */
  function backoffDelay(attempt, retry, err) {
    var exp = Math.min(retry.maxDelayMs, retry.baseDelayMs * Math.pow(2, attempt - 1));
    var delay = exp / 2 + Math.random() * (exp / 2);
    return Math.round(Math.max(delay, Math.min(err.retryAfterMs || 0, retry.maxDelayMs * 4)));
  }

  /** start() -> {promise, abort}, tried up to retry.attempts times; abort() stops it all. */
  function withRetry(start, retry, onRetry) {
    var current = null;
    var timer = null;
    var settled = false;
    var rejectOuter = null;
    var promise = new Promise(function (resolve, reject) {
      rejectOuter = reject;
      function attempt(n) {
        current = start();
        current.promise.then(function (data) {
          settled = true;
          resolve(data);
        }, function (err) {
          current = null;
          if (settled) { return; }
          if (n >= retry.attempts || !isRetryable(err)) {
            settled = true;
            reject(err);
            return;
          }
          var delay = backoffDelay(n, retry, err);
          log.info('retry ' + n + ' in ' + delay + ' ms after', err.kind, err.status);
          if (onRetry) { onRetry(n, delay, err); }
          timer = setTimeout(function () { attempt(n + 1); }, delay);
        });
      }
      attempt(1);
    });
    return {
      promise: promise,
      abort: function () {
        if (settled) { return; }
        settled = true;
        clearTimeout(timer);
        if (current) { current.abort(); }
        rejectOuter(new RequestError('abort', 'request aborted'));
      }
    };
  }

  /* ---- 9. Product catalogue: cached, de-duplicated searches ---- */

  function normalizeProduct(raw, exponent) {
    if (!raw || raw.id === undefined || raw.id === null || raw.id === '') { return null; }
    var stock = raw.stock === null || raw.stock === undefined || raw.stock === '' ? NaN : Number(raw.stock);
    var rate = parseDecimal(raw.vat_rate === undefined ? '' : raw.vat_rate);
    return {
      id: String(raw.id),
      sku: String(raw.sku || ''),
      name: String(raw.name || ''),
      name_ar: String(raw.name_ar || ''),
      price: raw.price === undefined || raw.price === null ? null : Money.fromDecimal(raw.price, exponent),
      stock: isFinite(stock) ? Math.trunc(stock) : null,
      vatRate: rate ? decimalToString(trimDecimal(rate)) : null
    };
  }

  /** Back to the contract's field names (drafts, undo). */
  function productToPlain(product, exponent) {
    return {
      id: product.id, sku: product.sku, name: product.name, name_ar: product.name_ar,
      price: product.price === null ? null : Money.toDecimalString(product.price, exponent),
      stock: product.stock, vat_rate: product.vatRate
    };
  }

  function productLabel(product, lang) {
    var name = lang === 'ar' ? product.name_ar || product.name : product.name || product.name_ar;
    return name || product.sku || '#' + product.id;
  }

  function ProductCatalogue(url, options) {
    this.url = url;
    this.options = options;
    this.cache = new LruCache(options.cache.maxEntries, options.cache.ttlMs);
    this.inflight = {};
    this.known = {};
  }

  ProductCatalogue.prototype.key = function (term) {
    return toLatinDigits(String(term || '')).trim().toLowerCase().replace(/\s+/g, ' ');
  };

  ProductCatalogue.prototype.cached = function (term) { return this.cache.get(this.key(term)); };

  /** Normalized products; one request per term in flight, answers cached for cache.ttlMs. */
  ProductCatalogue.prototype.search = function (term) {
    var self = this;
    var key = this.key(term);
    var hit = this.cache.get(key);
    if (hit) { return Promise.resolve(hit); }
    if (this.inflight[key]) { return this.inflight[key]; }
    var retry = { attempts: 2, baseDelayMs: this.options.retry.baseDelayMs, maxDelayMs: this.options.retry.maxDelayMs };
    var promise = withRetry(function () {
      return ajaxJson({ url: self.url, data: { q: key }, timeout: self.options.timeout });
    }, retry).promise.then(function (data) {
      var results = (data && Array.isArray(data.results) ? data.results : []).map(function (raw) {
        return self.remember(normalizeProduct(raw, self.options.exponent));
      }).filter(Boolean);
      self.cache.set(key, results);
      return results;
    });
    this.inflight[key] = promise;
    function done() { delete self.inflight[key]; }
    promise.then(done, done);
    return promise;
  };

  ProductCatalogue.prototype.remember = function (product) {
    if (product) { this.known[product.id] = product; }
    return product;
  };

  ProductCatalogue.prototype.get = function (id) {
    return id && hasOwn(this.known, String(id)) ? this.known[String(id)] : null;
  };

  /* ---- 10. Status indicator and screen reader announcements ---- */

  function StatusIndicator(ctx) {
    var self = this;
    this.ctx = ctx;
    this.state = 'idle';
    this.el = $('<div class="order-status small" role="status" aria-live="polite" data-state="idle"></div>').get(0);
    this.textEl = $('<span class="order-status__text"></span>').appendTo(this.el).get(0);
    this.actionEl = $('<button type="button" class="btn btn-link btn-sm order-status__action" hidden></button>')
      .appendTo(this.el).on('click' + NAMESPACE, function () {
        if (self.action) { self.action.handler(); }
      }).get(0);
    // Undo has its own button: quote updates must not take it away.
    this.undoEl = $('<button type="button" class="btn btn-link btn-sm order-status__undo" hidden></button>')
      .appendTo(this.el).on('click' + NAMESPACE, function () {
        if (self.undo) { self.undo(); }
      }).get(0);
    // Announcements (line added/removed) get a live region of their own.
    this.announcer = $('<div aria-live="polite" aria-atomic="true"></div>').addClass(CSS.srOnly).get(0);
    var anchor = ctx.el.totals || ctx.el.submit;
    if (anchor) { $(this.el).insertAfter(anchor); } else { ctx.form.appendChild(this.el); }
    ctx.form.appendChild(this.announcer);
  }

  /** state: idle, calculating, synced, offline, retrying, error, invalid, submitting. */
  StatusIndicator.prototype.set = function (state, message, action) {
    this.state = state;
    this.action = action || null;
    this.el.setAttribute('data-state', state);
    this.el.setAttribute('aria-busy', String(state === 'calculating' || state === 'submitting'));
    this.textEl.textContent = message || '';
    this.actionEl.hidden = !action;
    this.actionEl.textContent = action ? action.label : '';
  };

  /** Shows or (with no handler) hides the Undo button. */
  StatusIndicator.prototype.offerUndo = function (label, handler) {
    this.undo = handler || null;
    this.undoEl.hidden = !handler;
    this.undoEl.textContent = handler ? label : '';
  };

  StatusIndicator.prototype.retrying = function (delayMs, action) {
    this.set('retrying', this.ctx.t('status_retrying', { seconds: Math.ceil(delayMs / 1000) }), action);
  };

  StatusIndicator.prototype.announce = function (message) {
    var announcer = this.announcer;
    announcer.textContent = ''; // so a repeated message is read again
    setTimeout(function () { announcer.textContent = message; }, 30);
  };

  /* ---- 11. Inline errors, ARIA and the #order-errors summary ---- */

  function addToken(el, attr, token) {
    var tokens = (el.getAttribute(attr) || '').split(/\s+/).filter(Boolean);
    if (tokens.indexOf(token) === -1) { tokens.push(token); }
    el.setAttribute(attr, tokens.join(' '));
  }

  function removeToken(el, attr, token) {
    var tokens = (el.getAttribute(attr) || '').split(/\s+/).filter(function (t) { return t && t !== token; });
    if (tokens.length) { el.setAttribute(attr, tokens.join(' ')); } else { el.removeAttribute(attr); }
  }

  /** Select2 hides the <select>: its combobox shows the error state and holds focus. */
  function select2Parts(el) {
    var $container = el && el.tagName === 'SELECT' && $(el).data('select2') ? $(el).next('.select2-container') : $();
    return { container: $container.get(0) || null, selection: $container.find('.select2-selection').get(0) || null };
  }

  function ErrorView(ctx) {
    this.ctx = ctx;
    this.summary = ctx.el.errors;
    this.marked = [];
    if (this.summary) { this.summary.setAttribute('tabindex', '-1'); }
  }

  ErrorView.prototype.mark = function (el, message) {
    var parts = select2Parts(el);
    var feedback = document.createElement('div');
    feedback.className = CSS.feedback + ' d-block';
    feedback.id = el.id + '-error';
    feedback.textContent = message;
    var after = parts.container || el;
    after.parentNode.insertBefore(feedback, after.nextSibling);
    var nodes = parts.selection ? [el, parts.selection] : [el];
    nodes.forEach(function (node) {
      node.classList.add(CSS.invalid);
      node.setAttribute('aria-invalid', 'true');
      addToken(node, 'aria-describedby', feedback.id);
    });
    this.marked.push({ nodes: nodes, feedback: feedback });
  };

  ErrorView.prototype.clearMarks = function () {
    this.marked.forEach(function (entry) {
      entry.nodes.forEach(function (node) {
        node.classList.remove(CSS.invalid);
        node.removeAttribute('aria-invalid');
        removeToken(node, 'aria-describedby', entry.feedback.id);
      });
      $(entry.feedback).remove();
    });
    this.marked = [];
  };

  /** First message per field inline; with options.summary all, as links, in #order-errors. */
  ErrorView.prototype.render = function (errors, options) {
    var opts = options || {};
    var ctx = this.ctx;
    var self = this;
    var seen = [];
    var $list = $('<ul class="order-errors__list mb-0"></ul>');
    this.clearMarks();
    errors.forEach(function (error) {
      var el = ctx.fieldFor(error);
      var message = error.message !== undefined ? error.message : ctx.t(error.key, error.params);
      if (el && seen.indexOf(el) === -1) {
        seen.push(el);
        self.mark(el, message);
      }
      var text = (error.line === null || error.line === undefined ? '' :
        ctx.t('summary_line_prefix', { line: error.line + 1 })) + message;
      var $item = $('<li></li>').appendTo($list);
      if (!el) {
        $item.text(text);
        return;
      }
      $('<a></a>').attr('href', '#' + el.id).text(text).appendTo($item).on('click' + NAMESPACE, function (event) {
        event.preventDefault();
        ctx.focusField(el);
      });
    });
    // Errors Django rendered after a failed POST stay until our own summary replaces them.
    if (!this.summary || (!opts.summary && !this.ownsSummary)) { return; }
    this.ownsSummary = true;
    var show = Boolean(opts.summary && errors.length);
    $(this.summary).empty().toggleClass('alert alert-danger', show).prop('hidden', !show);
    if (!show) { return; }
    $('<p class="order-errors__title fw-semibold mb-1"></p>')
      .text(ctx.t('summary_title', { count: errors.length })).appendTo(this.summary);
    $list.appendTo(this.summary);
    if (opts.focus) { this.summary.focus(); }
  };

  /* ---- 12. Product picker: Select2 over AJAX, or a plain <select> ---- */

  function ProductPicker(ctx) {
    this.ctx = ctx;
    this.useSelect2 = Boolean($.fn && $.fn.select2) && ctx.config.select2 !== false;
    this.fallbackLoad = null;
    if (!this.useSelect2) { log.info('Select2 not loaded: plain <select> for products'); }
  }

  /** {level: out | low | ok | unknown, text} for a product's stock. */
  ProductPicker.prototype.stockInfo = function (product) {
    var t = this.ctx.t.bind(this.ctx);
    if (!product || product.stock === null) { return { level: 'unknown', text: '' }; }
    if (product.stock <= 0) { return { level: 'out', text: t('stock_out') }; }
    if (product.stock <= this.ctx.config.lowStockThreshold) {
      return { level: 'low', text: t('stock_low', { count: product.stock }) };
    }
    return { level: 'ok', text: '' };
  };

  /** "Cable P-001 ... SAR 12.50 [Only 3 left]" */
  ProductPicker.prototype.renderResult = function (item) {
    if (!item.product) { return item.text; }
    var product = item.product;
    var stock = this.stockInfo(product);
    var $row = $('<span class="product-option d-flex gap-2"></span>').text(item.text)
      .append(' ', $('<small class="text-muted me-auto"></small>').text(product.sku));
    if (product.price !== null) { $row.append($('<span></span>').text(this.ctx.formatMoney(product.price))); }
    if (stock.text) {
      $row.append($('<span class="badge"></span>').text(stock.text)
        .addClass(stock.level === 'out' ? 'bg-danger' : 'bg-warning text-dark'));
    }
    return $row;
  };

  /**
   * Select2 transport with our debounce and cache: a cached term answers at
   * once, a new one waits searchDebounceMs ("cable": one request, not five).
   */
  ProductPicker.prototype.transport = function (options, success, failure) {
    var catalogue = this.ctx.catalogue;
    var term = options.data && options.data.term ? options.data.term : '';
    var cancelled = false;
    function run() {
      catalogue.search(term).then(function (results) {
        if (!cancelled) { success(results); }
      }, function (err) {
        if (cancelled) { return; }
        log.warn('product search failed', term, err.kind, err.status);
        failure();
      });
    }
    var timer = null;
    if (catalogue.cached(term)) { run(); } else { timer = setTimeout(run, this.ctx.config.searchDebounceMs); }
    return { abort: function () { cancelled = true; clearTimeout(timer); } };
  };

  ProductPicker.prototype.attach = function (line) {
    var ctx = this.ctx;
    var select = line.productEl;
    if (!select.querySelector('option[value=""]')) {
      select.insertBefore(new Option('', ''), select.firstChild); // placeholder / "no product"
    }
    if (this.useSelect2) { this.attachSelect2(line); } else { this.attachFallback(line); }
    $(select).on('change' + NAMESPACE, function () { ctx.onProductChange(line); });
  };

  ProductPicker.prototype.attachSelect2 = function (line) {
    var self = this;
    var ctx = this.ctx;
    var message = function (key) { return function () { return ctx.t(key); }; };
    $(line.productEl).select2({
      width: '100%',
      dir: ctx.dir,
      placeholder: ctx.t('select_placeholder'),
      allowClear: true,
      language: {
        searching: message('select_searching'),
        noResults: message('select_no_results'),
        errorLoading: message('select_error')
      },
      ajax: {
        transport: function (options, success, failure) { return self.transport(options, success, failure); },
        processResults: function (products) {
          return {
            results: products.map(function (product) {
              // Disabled results are greyed out and cannot be picked.
              return { id: product.id, text: productLabel(product, ctx.lang), product: product,
                disabled: product.stock !== null && product.stock <= 0 };
            })
          };
        }
      },
      templateResult: function (item) { return self.renderResult(item); },
      templateSelection: function (item) { return item.product ? productLabel(item.product, ctx.lang) : item.text; }
    }).on('select2:select' + NAMESPACE, function () {
      // After a product comes its quantity.
      setTimeout(function () { ctx.lines.focus(line, 'qty'); }, 0);
    });
  };

  ProductPicker.prototype.attachFallback = function (line) {
    var self = this;
    var select = line.productEl;
    var placeholder = select.querySelector('option[value=""]');
    select.classList.add('form-select');
    placeholder.textContent = this.ctx.t('select_searching');
    select.setAttribute('aria-busy', 'true');
    this.fallbackLoad = this.fallbackLoad || this.ctx.catalogue.search('');
    this.fallbackLoad.then(function (products) {
      self.fillOptions(select, products);
      placeholder.textContent = '\u2014';
    }, function (err) {
      log.warn('products for the plain select failed to load', err.kind);
      placeholder.textContent = self.ctx.t('select_error');
      self.fallbackLoad = null; // the next line tries again
    }).then(function () {
      select.removeAttribute('aria-busy');
    });
  };

  /** Options for the plain <select>: "Name — SAR 12.50 — Only 3 left". */
  ProductPicker.prototype.fillOptions = function (select, products) {
    var self = this;
    var current = select.value;
    products.forEach(function (product) {
      var option = $(select).find('option').filter(function () { return this.value === product.id; }).get(0);
      if (!option) { option = select.appendChild(new Option('', product.id)); }
      var stock = self.stockInfo(product);
      var parts = [productLabel(product, self.ctx.lang)];
      if (product.price !== null) { parts.push(self.ctx.formatMoney(product.price)); }
      if (stock.text) { parts.push(stock.text); }
      option.textContent = parts.join(' \u2014 ');
      option.disabled = stock.level === 'out' && product.id !== current;
    });
    select.value = current;
  };

  /** Selects `product` (adding its <option> when missing) and fires change. */
  ProductPicker.prototype.setProduct = function (line, product) {
    var select = line.productEl;
    if (product) {
      var exists = $(select).find('option').filter(function () { return this.value === product.id; }).length;
      if (!exists) { select.appendChild(new Option(productLabel(product, this.ctx.lang), product.id)); }
    }
    $(select).val(product ? product.id : '').trigger('change');
  };

  ProductPicker.prototype.focus = function (line) {
    (select2Parts(line.productEl).selection || line.productEl).focus();
  };

  ProductPicker.prototype.detach = function (line) {
    var $select = $(line.productEl).off(NAMESPACE);
    if ($select.data('select2')) { $select.select2('destroy'); }
  };

  /* ---- 13. Order lines: add, remove, undo, renumber, focus ---- */

  var LINE_FIELDS = ['product', 'qty', 'price', 'discount', 'remove'];

  function LineManager(ctx) {
    this.ctx = ctx;
    this.lines = [];
    this.lastRemoved = null;
    this.undoTimer = null;
  }

  LineManager.prototype.createRow = function () {
    var template = this.ctx.el.template;
    return template.content.querySelector(SEL.line).cloneNode(true);
  };

  /** Wraps a new row: its fields get ids that survive renumbering. */
  LineManager.prototype.adopt = function (row) {
    var line = { key: uid('line'), row: row, product: null, hintEl: null };
    LINE_FIELDS.forEach(function (field) {
      var el = row.querySelector(SEL[field]);
      line[field + 'El'] = el;
      if (el && !el.id) { el.id = line.key + '-' + field; }
    });
    line.totalEl = row.querySelector(SEL.lineTotal);
    this.ctx.setupLine(line);
    return line;
  };

  LineManager.prototype.add = function (data, options) {
    var opts = options || {};
    var ctx = this.ctx;
    if (this.lines.length >= ctx.config.maxLines) {
      ctx.status.announce(ctx.t('too_many_lines', { max: ctx.config.maxLines }));
      return null;
    }
    var index = opts.index === undefined ? this.lines.length : clamp(opts.index, 0, this.lines.length);
    var row = this.createRow();
    ctx.el.tbody.insertBefore(row, this.lines[index] ? this.lines[index].row : null);
    var line = this.adopt(row);
    this.lines.splice(index, 0, line);
    if (data) { this.apply(line, data); }
    this.renumber();
    if (opts.focus !== false) { this.focus(line, 'product'); }
    if (opts.announce !== false) { ctx.status.announce(ctx.t('line_added', { line: index + 1 })); }
    ctx.onLinesChanged();
    return line;
  };

  /** Removes a line, kept for one undo; the last line is replaced by a blank one. */
  LineManager.prototype.remove = function (line, options) {
    var opts = options || {};
    var ctx = this.ctx;
    var index = this.lines.indexOf(line);
    if (index === -1) { return; }
    if (!opts.silent) { this.lastRemoved = { data: this.serialize(line), index: index }; }
    ctx.picker.detach(line);
    $(line.row).remove();
    this.lines.splice(index, 1);
    var placeholder = this.lines.length ? null : this.add(null, { focus: false, announce: false });
    if (this.lastRemoved && !opts.silent) { this.lastRemoved.placeholder = placeholder; }
    this.renumber();
    ctx.onLinesChanged();
    if (opts.silent) { return; }
    // Keep the keyboard where it was: same column, the line that moved up.
    this.focus(this.lines[Math.min(index, this.lines.length - 1)], opts.column || 'remove');
    ctx.status.announce(ctx.t('line_removed', { line: index + 1 }));
    this.offerUndo(index);
  };

  LineManager.prototype.offerUndo = function (index) {
    var self = this;
    var status = this.ctx.status;
    clearTimeout(this.undoTimer);
    status.offerUndo(this.ctx.t('action_undo') + ': ' + this.ctx.t('line_removed', { line: index + 1 }),
      function () { self.undo(); });
    this.undoTimer = setTimeout(function () {
      self.lastRemoved = null;
      status.offerUndo(null);
    }, this.ctx.config.undoTimeoutMs);
  };

  LineManager.prototype.undo = function () {
    var removed = this.lastRemoved;
    var line;
    if (!removed) { return null; }
    this.lastRemoved = null;
    clearTimeout(this.undoTimer);
    this.ctx.status.offerUndo(null);
    if (removed.placeholder && this.lines.indexOf(removed.placeholder) !== -1 && this.isBlank(removed.placeholder)) {
      line = removed.placeholder; // the blank line that took its place: refill it
      this.apply(line, removed.data);
      this.ctx.onLinesChanged();
    } else {
      line = this.add(removed.data, { index: removed.index, focus: false, announce: false });
    }
    if (line) {
      this.focus(line, 'product');
      this.ctx.status.announce(this.ctx.t('line_restored', { line: this.lines.indexOf(line) + 1 }));
    }
    return line;
  };

  /** A line as plain data, products in the contract's shape. */
  LineManager.prototype.serialize = function (line) {
    var select = line.productEl;
    var product = null;
    if (line.product && line.product.id === select.value) {
      product = productToPlain(line.product, this.ctx.exponent);
    } else if (select.value) {
      product = { id: select.value, name: $(select).find('option:selected').text() };
    }
    return { product: product, qty: line.qtyEl.value, discount: line.discountEl.value };
  };

  LineManager.prototype.apply = function (line, data) {
    var ctx = this.ctx;
    var product = null;
    if (data.product && data.product.id !== undefined) {
      // What the catalogue knows (fresher stock) beats the saved snapshot.
      product = ctx.catalogue.get(data.product.id) || normalizeProduct(data.product, ctx.exponent);
    }
    line.qtyEl.value = data.qty === undefined || data.qty === null ? '1' : String(data.qty);
    line.discountEl.value = data.discount === undefined || data.discount === null ? '0' : String(data.discount);
    line.product = product;
    ctx.picker.setProduct(line, product);
  };

  LineManager.prototype.isBlank = function (line) {
    var qty = normalizeNumeric(line.qtyEl.value);
    var discount = normalizeNumeric(line.discountEl.value);
    return !line.productEl.value && (qty === '' || qty === '1') && (discount === '' || Number(discount) === 0);
  };

  /** Position-dependent labels ("Quantity, line 3"): after every change. */
  LineManager.prototype.renumber = function () {
    var ctx = this.ctx;
    this.lines.forEach(function (line, i) {
      var params = { line: i + 1 };
      line.row.setAttribute('data-line', String(i + 1));
      line.row.setAttribute('aria-label', ctx.t('line_label', params));
      [['productEl', 'line_product_label'], ['qtyEl', 'line_qty_label'], ['priceEl', 'line_price_label'],
        ['discountEl', 'line_discount_label'], ['removeEl', 'line_remove_label']
      ].forEach(function (pair) {
        if (line[pair[0]]) { line[pair[0]].setAttribute('aria-label', ctx.t(pair[1], params)); }
      });
      if (line.removeEl) {
        line.removeEl.setAttribute('title', ctx.t('line_remove_label', params));
        line.removeEl.setAttribute('aria-keyshortcuts', 'Alt+Delete');
      }
    });
  };

  LineManager.prototype.lineFor = function (node) {
    var row = node && node.closest ? node.closest(SEL.line) : null;
    return this.lines.filter(function (line) { return line.row === row; })[0] || null;
  };

  /** The column of a focused element; Select2's parts count as "product". */
  LineManager.prototype.columnOf = function (line, node) {
    var found = LINE_FIELDS.filter(function (field) { return line[field + 'El'] === node; })[0];
    return found || 'product';
  };

  LineManager.prototype.focus = function (line, column) {
    if (!line) { return; }
    if (column === 'product') {
      this.ctx.picker.focus(line);
      return;
    }
    var el = line[column + 'El'] || line.qtyEl;
    el.focus();
    if (el.type === 'text') { el.select(); }
  };

  LineManager.prototype.findDuplicate = function (productId, except) {
    return this.lines.filter(function (line) {
      return line !== except && productId && line.productEl.value === productId;
    })[0] || null;
  };

  /* ---- 14. Server quote: debounced, abortable, retried; server wins ---- */

  function QuoteSync(ctx) {
    this.ctx = ctx;
    this.request = null;
    this.seq = 0;
    this.lastKey = null;
    this.lastQuote = null;
    this.mismatches = [];
    this.waitingOnline = false;
    this.schedule = debounce(this.run.bind(this), ctx.config.quoteDebounceMs);
  }

  /** Stops the pending and in-flight requests; late answers are ignored. */
  QuoteSync.prototype.cancel = function () {
    this.schedule.cancel();
    this.seq += 1;
    if (this.request) { this.request.abort(); }
    this.request = null;
  };

  /** Asks for a quote for the current lines; resolves with it or null. */
  QuoteSync.prototype.run = function () {
    var self = this;
    var ctx = this.ctx;
    var built = ctx.buildQuoteRequest();
    this.cancel();
    if (!built.payload) {
      var invalid = built.reason === 'invalid';
      ctx.status.set(invalid ? 'invalid' : 'idle', invalid ? ctx.t('status_invalid') : '');
      return Promise.resolve(null);
    }
    var key = JSON.stringify(built.payload);
    if (key === this.lastKey) {
      this.apply(this.lastQuote, built); // unchanged since the last answer (e.g. after an undo)
      return Promise.resolve(this.lastQuote);
    }
    if (isOffline()) {
      this.waitForOnline();
      return Promise.resolve(null);
    }
    var seq = this.seq;
    ctx.status.set('calculating', ctx.t('status_calculating'));
    this.request = withRetry(function () {
      return ajaxJson({ url: ctx.urls.quote, method: 'POST', data: built.payload,
        csrfToken: ctx.csrfToken, timeout: ctx.config.requestTimeoutMs });
    }, ctx.config.retry, function (attempt, delay) {
      if (seq === self.seq) { ctx.status.retrying(delay, self.retryAction()); }
    });
    return this.request.promise.then(function (data) {
      if (seq !== self.seq) { return null; }
      self.request = null;
      var quote = parseQuoteResponse(data, ctx.exponent);
      self.lastKey = key;
      self.lastQuote = quote;
      self.apply(quote, built);
      return quote;
    }).catch(function (err) {
      if (seq !== self.seq || err.kind === 'abort') { return null; }
      self.request = null;
      self.fail(err, built);
      return null;
    });
  };

  QuoteSync.prototype.retryAction = function () {
    var self = this;
    return { label: this.ctx.t('action_retry'), handler: function () { self.retryNow(); } };
  };

  QuoteSync.prototype.retryNow = function () {
    this.lastKey = null;
    return this.run();
  };

  QuoteSync.prototype.waitForOnline = function () {
    var self = this;
    this.ctx.status.set('offline', this.ctx.t('status_offline'));
    if (this.waitingOnline) { return; }
    this.waitingOnline = true;
    $(window).one('online' + NAMESPACE, function () {
      self.waitingOnline = false;
      self.retryNow();
    });
  };

  /**
   * The server's figures replace the local estimate. A difference means the
   * calculations drifted (price change, rounding rule), so it is logged.
   */
  QuoteSync.prototype.apply = function (quote, built) {
    var diffs = built.local ? diffTotals(built.local, quote) : [];
    if (diffs.length) {
      var record = { time: clock.now(), payload: built.payload, diffs: diffs };
      this.mismatches = this.mismatches.slice(-19).concat([record]);
      log.warn('server quote differs from the local calculation; using the server values', record);
    }
    this.ctx.applyServerQuote(quote, built.lines);
    this.ctx.status.set('synced', this.ctx.t('status_synced'));
  };

  QuoteSync.prototype.fail = function (err, built) {
    var ctx = this.ctx;
    if (err.kind === 'http' && err.status === 400 && err.data && err.data.errors) {
      ctx.applyServerErrors(err.data.errors, built.lines);
      ctx.status.set('invalid', ctx.t('status_invalid'));
    } else if (err.kind === 'network' && isOffline()) {
      this.waitForOnline();
    } else {
      log.error('quote request failed', err.kind, err.status, err.message);
      ctx.status.set('error', ctx.t('status_error'), this.retryAction());
    }
  };

  /* ---- 15. Draft autosave (localStorage) ----
   * Schema 2: {schema, savedAt, locale, currency, data: {customer,
   * orderDate, notes, lines: [{product (contract fields) | null, qty,
   * discount}]}}: whole products, so restored lines show names at once.
   * Schema 1 (product ids only) is migrated, anything else dropped.
   */

  var DRAFT_SCHEMA = 2;

  function migrateDraft(raw) {
    if (!raw || typeof raw !== 'object') { return null; }
    if (raw.schema === DRAFT_SCHEMA && raw.data && Array.isArray(raw.data.lines)) { return raw; }
    if (raw.version !== 1 || !Array.isArray(raw.lines)) { return null; }
    return {
      schema: DRAFT_SCHEMA,
      savedAt: Date.parse(raw.saved) || 0,
      locale: null,
      currency: null,
      data: {
        customer: raw.customer ? String(raw.customer) : '',
        orderDate: raw.date || '',
        notes: raw.notes || '',
        lines: raw.lines.map(function (l) {
          return { product: l.product_id ? { id: String(l.product_id) } : null,
            qty: String(l.qty === undefined ? 1 : l.qty), discount: String(l.discount || '0') };
        })
      }
    };
  }

  function isMeaningfulDraft(data) {
    return Boolean(data && (data.customer || String(data.notes || '').trim() ||
      (data.lines || []).some(function (l) { return l.product; })));
  }

  /**
   * localStorage may be missing, throw on access (private mode, blocked
   * site data) or be full. Drafts are a convenience: failures only log.
   */
  function DraftStore(key, maxAgeDays) {
    this.key = key;
    this.maxAgeMs = maxAgeDays * 86400000;
    this.storage = null;
    try {
      window.localStorage.setItem(key + ':probe', '1');
      window.localStorage.removeItem(key + ':probe');
      this.storage = window.localStorage;
    } catch (err) {
      log.info('localStorage unavailable, drafts off', err && err.name);
    }
  }

  DraftStore.prototype.attempt = function (what, fn) {
    if (!this.storage) { return null; }
    try {
      return fn(this.storage);
    } catch (err) {
      log.warn('draft ' + what + ' failed', err && err.name);
      return null;
    }
  };

  DraftStore.prototype.save = function (data, meta) {
    var record = { schema: DRAFT_SCHEMA, savedAt: clock.now(), locale: meta.locale, currency: meta.currency, data: data };
    var key = this.key;
    return this.attempt('save', function (storage) {
      storage.setItem(key, JSON.stringify(record));
      return true;
    }) || false;
  };

  DraftStore.prototype.load = function (meta) {
    var key = this.key;
    var record = this.attempt('load', function (storage) {
      return migrateDraft(JSON.parse(storage.getItem(key) || 'null'));
    });
    var stale = record && clock.now() - record.savedAt > this.maxAgeMs;
    // Amounts saved in another currency would be misread: dropped too.
    var foreign = record && record.currency && record.currency !== meta.currency;
    if (!record || stale || foreign || !isMeaningfulDraft(record.data)) {
      this.clear();
      return null;
    }
    return record;
  };

  DraftStore.prototype.clear = function () {
    var key = this.key;
    this.attempt('clear', function (storage) { storage.removeItem(key); });
  };

  /* ---- 16. Controller: wires the parts to the #order-form markup ---- */

  function toId(value) { return /^\d+$/.test(value) ? Number(value) : value; }

  function OrderFormController(form, options) {
    var self = this;
    var data = function (name) { return form.getAttribute('data-' + name) || ''; };
    var csrf = form.querySelector(SEL.csrf);
    var dir = String(document.dir || document.documentElement.getAttribute('dir') || '').toLowerCase();
    this.form = form;
    this.$form = $(form);
    this.config = mergeConfig(DEFAULTS, options);
    this.currency = (data('currency') || this.config.currency).toUpperCase();
    this.locale = this.lang = resolveLocale(data('locale') || document.documentElement.lang || this.config.locale);
    this.dir = dir === 'rtl' || dir === 'ltr' ? dir : localeInfo(this.locale).dir;
    this.exponent = currencyInfo(this.currency).exponent;
    this.urls = { quote: data('quote-url'), products: data('products-url') };
    this.csrfToken = csrf ? csrf.value : '';
    this.el = {};
    ['customer', 'orderDate', 'notes', 'linesBody', 'template', 'addLine', 'totals', 'subtotal',
      'totalDiscount', 'vat', 'grand', 'errors', 'submit'].forEach(function (name) {
      self.el[name] = form.querySelector(SEL[name]) || document.querySelector(SEL[name]);
    });
    this.el.tbody = this.el.linesBody;
    if (!this.el.tbody || !this.el.template) { throw new Error('#order-lines tbody and #order-line-template are required'); }
    this.started = this.submitting = this.submitAttempted = this.draftPending = this.guarding = false;
    this.touched = {};
    this.serverErrors = [];
    this.catalogue = new ProductCatalogue(this.urls.products, { exponent: this.exponent,
      retry: this.config.retry, timeout: this.config.requestTimeoutMs, cache: this.config.cache });
    this.status = new StatusIndicator(this);
    this.errors = new ErrorView(this);
    this.picker = new ProductPicker(this);
    this.lines = new LineManager(this);
    this.quote = new QuoteSync(this);
    // Keyed by path: drafts of /orders/new/ and /orders/7/edit/ stay apart.
    this.drafts = new DraftStore('assetopt.orderForm.draft:' + window.location.pathname, this.config.draftMaxAgeDays);
    this.saveDraftSoon = debounce(this.saveDraft.bind(this), this.config.draftDebounceMs);
    this.leaveGuard = this.onBeforeUnload.bind(this);
    this.start();
  }

  var proto = OrderFormController.prototype;

  proto.t = function (key, params) { return translate(this.locale, key, params); };

  proto.formatMoney = function (minor) {
    return Money.format(minor, { locale: this.locale, currency: this.currency });
  };

  /** For the unit price input: no symbol, no grouping, locale digits. */
  proto.displayAmount = function (minor) {
    return Money.format(minor, { locale: this.locale, currency: this.currency, symbol: false, grouping: false });
  };

  proto.start = function () {
    // Our messages speak the page's language; the browser's bubbles would
    // speak the browser's, and pop up before our submit handler runs.
    this.form.setAttribute('novalidate', '');
    this.form.classList.toggle('is-rtl', this.dir === 'rtl');
    $(this.el.addLine).attr({ 'aria-keyshortcuts': 'Alt+N', title: this.t('shortcut_help') });
    this.lines.add(null, { focus: false, announce: false });
    this.bind();
    this.baseline = this.stateKey();
    this.started = true;
    this.recalculate();
    this.offerDraft();
  };

  /** type=number rejects ٠-٩ (reads ""), so in Arabic they become numeric-keypad text fields. */
  proto.setupLine = function (line) {
    if (this.locale === 'ar') {
      [line.qtyEl, line.discountEl].forEach(function (el) {
        if (el.type !== 'number') { return; }
        el.type = 'text';
        el.setAttribute('inputmode', el === line.qtyEl ? 'numeric' : 'decimal');
        el.setAttribute('autocomplete', 'off');
      });
    }
    this.picker.attach(line);
  };

  proto.bind = function () {
    var self = this;
    var ns = NAMESPACE;
    this.$form
      .on('input' + ns + ' change' + ns, function (e) { self.onEdit(e); })
      .on('focusout' + ns, function (e) { self.onBlur(e.target); })
      .on('keydown' + ns, function (e) { self.onKeyDown(e); })
      .on('submit' + ns, function (e) { self.onSubmit(e); })
      .on('click' + ns, SEL.remove, function (e) {
        var line = self.lines.lineFor(e.currentTarget);
        if (line) { self.lines.remove(line); }
      });
    $(this.el.addLine).on('click' + ns, function (e) {
      e.preventDefault();
      self.lines.add();
    });
    $(window)
      // Back button after a submit: the page returns from the bfcache with
      // its button still disabled.
      .on('pageshow' + ns, function (e) {
        if (e.originalEvent && e.originalEvent.persisted) { self.resetSubmitting(); }
      })
      .on('pagehide' + ns, function () { self.saveDraftSoon.flush(); });
  };

  /** Nodes inside a Select2 widget stand for the <select> it replaces. */
  proto.fieldOf = function (node) {
    return $(node).closest('.select2-container').prev('select').get(0) || node;
  };

  proto.touch = function (node) {
    var el = this.fieldOf(node);
    if (el && el.id) { this.touched[el.id] = true; }
  };

  proto.onEdit = function (e) {
    if (this.submitting || !this.started) { return; }
    if (e.type === 'change') { this.touch(e.target); }
    this.changed();
  };

  proto.onBlur = function (node) {
    var el = this.fieldOf(node);
    var line = this.lines.lineFor(el);
    if (this.submitting || !el.id || !this.form.contains(el)) { return; }
    this.touch(el);
    if (line && (el === line.qtyEl || el === line.discountEl) && el.type === 'text') {
      // Echo the number in the locale's digits, however it was typed.
      var plain = normalizeNumeric(el.value);
      if (parseDecimal(plain)) { el.value = this.locale === 'ar' ? toArabicDigits(plain).replace('.', AR_DECIMAL) : plain; }
    }
    this.validate();
  };

  proto.onLinesChanged = function () {
    if (this.started) { this.changed(); }
  };

  /** Each edit: local totals now, server quote soon, draft a little later. */
  proto.changed = function () {
    this.serverErrors = [];
    this.recalculate();
    this.quote.cancel(); // an answer for the old input must not overwrite the new totals
    this.quote.schedule();
    this.validate();
    this.updateLeaveGuard();
    if (this.config.autosave) { this.saveDraftSoon(); }
  };

  proto.onProductChange = function (line) {
    var id = line.productEl.value;
    var product = null;
    if (id) {
      product = this.catalogue.get(id) || (line.product && line.product.id === id ? line.product :
        normalizeProduct({ id: id, name: $(line.productEl).find('option:selected').text() }, this.exponent));
    }
    line.product = product;
    line.priceEl.value = product && product.price !== null ? this.displayAmount(product.price) : '';
    $(line.qtyEl).attr('max', product && product.stock !== null ? product.stock : null);
    this.renderStockHint(line);
    var duplicate = id ? this.lines.findDuplicate(id, line) : null;
    if (duplicate) {
      this.touch(line.productEl);
      this.status.announce(this.t('duplicate_product', { line: this.lines.lines.indexOf(duplicate) + 1 }));
    }
  };

  proto.renderStockHint = function (line) {
    var info = this.picker.stockInfo(line.product);
    if (!line.hintEl) {
      line.hintEl = $('<div class="line-stock-hint"></div>').addClass(CSS.hint)
        .attr('id', line.key + '-stock').appendTo(line.qtyEl.parentNode).get(0);
      addToken(line.qtyEl, 'aria-describedby', line.hintEl.id);
    }
    line.hintEl.setAttribute('data-level', info.level);
    line.hintEl.textContent = info.text;
  };

  proto.snapshot = function () {
    var el = this.el;
    return {
      customer: el.customer ? el.customer.value : '',
      orderDate: el.orderDate ? el.orderDate.value : '',
      notes: el.notes ? el.notes.value : '',
      lines: this.lines.lines.map(function (line) {
        return { key: line.key, product: line.productEl.value, productInfo: line.product, qty: line.qtyEl.value,
          qtyBadInput: Boolean(line.qtyEl.validity && line.qtyEl.validity.badInput), discount: line.discountEl.value };
      })
    };
  };

  /**
   * Errors of the fields already visited (all after a submit attempt).
   * Quote errors show but don't block: Django validates the POST anyway.
   */
  proto.validate = function (focusSummary) {
    var self = this;
    var result = validateOrder(this.snapshot(), this.config);
    var all = result.errors.concat(this.serverErrors);
    var shown = this.submitAttempted ? all : all.filter(function (error) {
      var el = self.fieldFor(error);
      return el && self.touched[el.id];
    });
    this.errors.render(shown, { summary: this.submitAttempted, focus: focusSummary });
    return { valid: result.valid, errors: all };
  };

  proto.fieldFor = function (error) {
    if (error.line === null || error.line === undefined) {
      return { customer: this.el.customer, order_date: this.el.orderDate, notes: this.el.notes,
        lines: this.el.addLine }[error.field] || null;
    }
    var line = error.lineKey ? this.lines.lines.filter(function (l) { return l.key === error.lineKey; })[0] :
      this.lines.lines[error.line];
    return line ? line[(LINE_FIELDS.indexOf(error.field) === -1 ? 'product' : error.field) + 'El'] : null;
  };

  proto.focusField = function (el) { (select2Parts(el).selection || el).focus(); };

  /* ---- totals ---- */

  /** Local totals of the lines that can be priced right now. */
  proto.localTotals = function (lines) {
    var config = this.config;
    var priced = [];
    var rows = [];
    lines.forEach(function (line) {
      var qty = checkQuantity(line.qtyEl.value, line.qtyEl.validity && line.qtyEl.validity.badInput, config);
      var discount = checkDiscount(line.discountEl.value);
      if (!line.product || line.product.price === null || qty.error || discount.error) { return; }
      priced.push({ price: line.product.price, qty: qty.value, discount: decimalToString(discount.value),
        vatRate: line.product.vatRate });
      rows.push(line);
    });
    return { totals: computeTotals(priced, { vatRate: config.vatRate, rounding: config.rounding }), rows: rows };
  };

  proto.recalculate = function () {
    var self = this;
    var result;
    try {
      result = this.localTotals(this.lines.lines);
    } catch (err) {
      if (!(err instanceof RangeError)) { throw err; }
      log.warn('totals overflow', err.message);
      this.status.set('error', this.t('amount_too_large'));
      return null;
    }
    this.lines.lines.forEach(function (line) {
      var i = result.rows.indexOf(line);
      if (line.totalEl) { line.totalEl.textContent = i === -1 ? '' : self.formatMoney(result.totals.lines[i].net); }
    });
    this.renderTotals(result.totals, 'local');
    return result.totals;
  };

  proto.renderTotals = function (totals, source) {
    var self = this;
    var fields = { subtotal: 'subtotal', totalDiscount: 'discount', vat: 'vat', grand: 'total' };
    Object.keys(fields).forEach(function (name) {
      if (self.el[name]) { self.el[name].textContent = self.formatMoney(totals[fields[name]]); }
    });
    $(this.el.totals).attr('data-source', source).toggleClass(CSS.estimated, source !== 'server');
    this.totals = { source: source, subtotal: totals.subtotal, discount: totals.discount, vat: totals.vat, total: totals.total };
    this.$form.trigger('orderform:totals', [this.totals]);
  };

  /** Quote payload: the lines with a product, once they are all valid. */
  proto.buildQuoteRequest = function () {
    var config = this.config;
    var snapshot = this.snapshot();
    var lines = this.lines.lines.filter(function (line) { return line.productEl.value; });
    if (!lines.length || !this.urls.quote) { return { reason: 'incomplete' }; }
    var blocking = validateOrder(snapshot, config).errors.some(function (error) {
      return error.line !== null && error.line !== undefined && snapshot.lines[error.line].product;
    });
    if (blocking) { return { reason: 'invalid' }; }
    var local = null;
    try {
      local = this.localTotals(lines);
    } catch (err) {
      log.warn('no local totals to compare', err.message); // overflow: the server may still quote
    }
    return {
      lines: lines,
      local: local && local.rows.length === lines.length ? local.totals : null, // else nothing to compare
      payload: {
        customer: snapshot.customer ? toId(snapshot.customer) : null, // the view prices without one
        lines: lines.map(function (line) {
          return { product: toId(line.productEl.value), qty: checkQuantity(line.qtyEl.value, false, config).value,
            discount: decimalToString(checkDiscount(line.discountEl.value).value) };
        })
      }
    };
  };

  proto.applyServerQuote = function (quote, lines) {
    var self = this;
    quote.lines.forEach(function (item, i) {
      var line = lines[i];
      // Skip lines removed or changed while the request was out.
      if (!line || self.lines.lines.indexOf(line) === -1 || line.productEl.value !== item.product) { return; }
      if (line.product) { line.product.price = item.unitPrice; }
      line.priceEl.value = self.displayAmount(item.unitPrice);
      if (line.totalEl) { line.totalEl.textContent = self.formatMoney(item.lineTotal); }
    });
    this.renderTotals(quote, 'server');
  };

  proto.applyServerErrors = function (errors, lines) {
    var self = this;
    this.serverErrors = [];
    Object.keys(errors).forEach(function (key) {
      var where = parseServerErrorKey(key);
      var line = where.line === null ? null : lines[where.line];
      if (where.line !== null && (!line || self.lines.lines.indexOf(line) === -1)) { return; }
      var error = { field: where.field, line: line ? self.lines.lines.indexOf(line) : null,
        lineKey: line ? line.key : undefined, message: String([].concat(errors[key])[0]) };
      self.serverErrors.push(error);
      if (self.fieldFor(error)) { self.touch(self.fieldFor(error)); }
    });
    this.validate();
  };

  /**
   * Shortcuts read event.code, the physical key: on an Arabic layout
   * Alt+N reports key "ى", and on macOS Option+N is a dead key.
   */
  proto.onKeyDown = function (e) {
    var code = (e.originalEvent || e).code || '';
    var target = this.fieldOf(e.target);
    var line = this.lines.lineFor(target);
    var handled = true;
    if (e.altKey && !e.ctrlKey && !e.metaKey && code === 'KeyN') {
      this.lines.add();
    } else if (e.altKey && code === 'KeyZ') {
      this.lines.undo();
    } else if (e.altKey && line && (code === 'Delete' || code === 'Backspace')) {
      this.lines.remove(line, { column: this.lines.columnOf(line, target) });
    } else if (e.key === 'Enter' && e.target.tagName === 'INPUT') {
      // Enter in a field would submit the whole order (implicit submission).
      // In a line it goes to the next line instead, adding one at the end.
      if (line) {
        this.lines.focus(this.lines.lines[this.lines.lines.indexOf(line) + 1] ||
          this.lines.add(null, { focus: false }), 'product');
      }
    } else {
      handled = false;
    }
    if (handled) { e.preventDefault(); }
  };

  /* ---- submit, drafts, leaving the page ---- */

  /** Latin digits and plain decimals for Django, whatever the UI showed. */
  proto.normalizeForSubmit = function () {
    var config = this.config;
    this.lines.lines.forEach(function (line) {
      var qty = checkQuantity(line.qtyEl.value, false, config);
      var discount = checkDiscount(line.discountEl.value);
      if (!qty.error) { line.qtyEl.value = String(qty.value); }
      if (!discount.error) { line.discountEl.value = decimalToString(discount.value); }
      line.priceEl.value = normalizeNumeric(line.priceEl.value);
    });
    if (this.el.orderDate) { this.el.orderDate.value = toLatinDigits(this.el.orderDate.value); }
  };

  proto.onSubmit = function (e) {
    var manager = this.lines;
    if (this.submitting) {
      e.preventDefault(); // a second click, or Enter, while the POST is under way
      return;
    }
    this.submitAttempted = true;
    this.quote.cancel();
    // Untouched blank rows are dropped rather than failing "Choose a product".
    var blanks = manager.lines.filter(function (line) { return manager.isBlank(line); });
    if (blanks.length < manager.lines.length) {
      blanks.forEach(function (line) { manager.remove(line, { silent: true }); });
    }
    if (!this.validate(true).valid) {
      e.preventDefault();
      this.status.set('invalid', '');
      return;
    }
    this.normalizeForSubmit();
    this.submitting = true;
    this.saveDraftSoon.cancel();
    this.drafts.clear();
    this.updateLeaveGuard();
    if (this.el.submit) {
      this.submitLabel = this.el.submit.innerHTML;
      $(this.el.submit).prop('disabled', true).attr('aria-busy', 'true').text(this.t('submitting'));
    }
    // Only the button is disabled: disabled fields would be left out of the POST.
    this.$form.addClass(CSS.submitting).attr('aria-busy', 'true');
    this.status.set('submitting', this.t('submitting'));
    this.$form.trigger('orderform:submit', [this]);
  };

  proto.resetSubmitting = function () {
    this.submitting = false;
    this.$form.removeClass(CSS.submitting).removeAttr('aria-busy');
    if (this.el.submit && this.submitLabel !== undefined) {
      $(this.el.submit).html(this.submitLabel).prop('disabled', false).removeAttr('aria-busy');
    }
    this.status.set('idle', '');
  };

  proto.serializeState = function () {
    var manager = this.lines;
    var snapshot = this.snapshot();
    return { customer: snapshot.customer, orderDate: snapshot.orderDate, notes: snapshot.notes,
      lines: manager.lines.map(function (line) { return manager.serialize(line); }) };
  };

  /** What the user entered, leaving out prices and stock the server may change. */
  proto.stateKey = function () {
    var s = this.snapshot();
    return JSON.stringify([s.customer, s.orderDate, s.notes, s.lines.map(function (l) {
      return [l.product, normalizeNumeric(l.qty), normalizeNumeric(l.discount)];
    })]);
  };

  proto.isDirty = function () { return !this.submitting && this.stateKey() !== this.baseline; };

  /** Listens to beforeunload only when dirty: a permanent listener blocks the bfcache. */
  proto.updateLeaveGuard = function () {
    var want = Boolean(this.config.warnOnLeave && this.isDirty());
    if (want !== this.guarding) {
      window[want ? 'addEventListener' : 'removeEventListener']('beforeunload', this.leaveGuard);
    }
    this.guarding = want;
  };

  proto.onBeforeUnload = function (e) {
    if (!this.isDirty()) { return undefined; }
    e.preventDefault();
    e.returnValue = ''; // older Chrome needs it; the browser shows its own text
    return '';
  };

  proto.saveDraft = function () {
    if (this.submitting || this.draftPending) { return; }
    var data = this.serializeState();
    if (this.isDirty() && isMeaningfulDraft(data)) {
      this.drafts.save(data, { locale: this.locale, currency: this.currency });
    } else {
      this.drafts.clear();
    }
  };

  /** Offers a draft; autosave waits for the answer, or the blank form would overwrite it. */
  proto.offerDraft = function () {
    var self = this;
    var record = this.config.autosave ? this.drafts.load({ currency: this.currency }) : null;
    if (!record) { return; }
    var when = new window.Intl.DateTimeFormat(localeInfo(this.locale).intlTag,
      { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(record.savedAt));
    this.draftPending = true;
    var $banner = $('<div class="order-draft alert alert-info d-flex flex-wrap align-items-center gap-2" role="status"></div>')
      .append($('<span></span>').text(this.t('draft_found', { time: when })));
    [['action_restore', 'btn-primary', true], ['action_discard', 'btn-outline-secondary', false]].forEach(function (spec) {
      $('<button type="button" class="btn btn-sm"></button>').addClass(spec[1]).text(self.t(spec[0]))
        .on('click' + NAMESPACE, function () { self.answerDraft(spec[2], record); }).appendTo($banner);
    });
    this.draftBanner = $banner.prependTo(this.form).get(0);
  };

  proto.answerDraft = function (restore, record) {
    $(this.draftBanner).remove();
    this.draftBanner = null;
    this.draftPending = false;
    if (restore) { this.restoreDraft(record.data); } else { this.drafts.clear(); }
    this.status.announce(this.t(restore ? 'draft_restored' : 'draft_discarded'));
  };

  proto.restoreDraft = function (data) {
    var manager = this.lines;
    this.started = false; // one recalculation at the end, not one per line
    if (this.el.customer && data.customer) { $(this.el.customer).val(data.customer).trigger('change'); }
    if (this.el.orderDate && data.orderDate) { this.el.orderDate.value = data.orderDate; }
    if (this.el.notes) { this.el.notes.value = data.notes || ''; }
    manager.lines.slice().forEach(function (line) { manager.remove(line, { silent: true }); });
    (data.lines || []).slice(0, this.config.maxLines).forEach(function (item, i) {
      if (i === 0) { manager.apply(manager.lines[0], item); } else { manager.add(item, { focus: false, announce: false }); }
    });
    manager.renumber();
    this.started = true;
    this.changed();
  };

  // Instance API for tests and the page's inline script.
  proto.addLine = function (data) { return this.lines.add(data || null); };
  proto.removeLine = function (index) { return this.lines.remove(this.lines.lines[index]); };
  proto.undoRemove = function () { return this.lines.undo(); };
  proto.getState = function () { return this.serializeState(); };
  proto.refreshQuote = function () { return this.quote.retryNow(); };

  /* ---- 17. Self-test ----
   * Checks the pure parts and returns the failures (empty: all pass).
   * Needs no DOM: runs under node with stub window and jQuery.
   */

  function selfTest() {
    var failures = [];
    var realNow = clock.now;
    var now = new Date(2024, 4, 10, 12, 0, 0).getTime(); // local 2024-05-10
    var line = { key: 'a', product: '1', productInfo: { stock: 5 }, qty: '2', discount: '5' };
    function eq(name, actual, expected) {
      var a = JSON.stringify(actual);
      var b = JSON.stringify(expected);
      if (a !== b) { failures.push(name + ': expected ' + b + ', got ' + a); }
    }
    function keys(lines, header, config) {
      var snapshot = mergeConfig({ customer: '3', orderDate: '2024-05-10', lines: lines }, header);
      return validateOrder(snapshot, config, now).errors.map(function (e) { return e.key; });
    }
    function lineWith(changes) { return [mergeConfig(line, changes)]; }
    var cases = [
      ['digits', function () {
        eq('convert', [toLatinDigits('٠١٢٣٤٥٦٧٨٩ ۱۲'), toArabicDigits('2024')], ['0123456789 12', '٢٠٢٤']);
        eq('normalize', ['١٬٢٣٤٫٥٠', '1,5', '\u200F5-'].map(normalizeNumeric), ['1234.50', '1,5', '-5']);
      }],
      ['money', function () {
        eq('fromDecimal', ['12.50', '0.005', '-0.125', '0.30000000000000004', 'abc', '', '1e5'].map(function (v) {
          return Money.fromDecimal(v);
        }), [1250, 1, -13, 30, null, null, null]);
        eq('half-even', [Money.fromDecimal('0.125', 2, 'half-even'), Money.fromDecimal('0.135', 2, 'half-even')], [12, 14]);
        eq('parse', [Money.parse('١٬٢٣٤٫٥٠ ر.س'), Money.parse('SAR 1,234.50')], [123450, 123450]);
        eq('wire format', Money.toDecimalString(-1205), '-12.05');
        eq('format', [Money.format(123450, { locale: 'en' }), Money.format(123450, { locale: 'ar' }),
          Money.format(-5, { symbol: false }), Money.format(1000, { currency: 'KWD' })],
          ['SAR\u00A01,234.50', '١٬٢٣٤٫٥٠\u00A0ر.س', '-0.05', 'KWD\u00A01.000']);
        eq('rates', [Money.percentOf(2500, '5'), Money.applyRate(2375, '0.15'), Money.applyRate(1, '0.5'),
          Money.applyRate(1, '0.5', 'half-even'), roundDiv(-5, 2, 'half-up')], [125, 356, 1, 0, -3]);
        var threw = false;
        try { Money.multiply(Number.MAX_SAFE_INTEGER, 2); } catch (err) { threw = err instanceof RangeError; }
        eq('overflow throws', threw, true);
      }],
      ['totals', function () {
        var local = computeTotals([{ price: 1250, qty: 2, discount: '5', vatRate: '0.15' }]);
        eq('contract example', [local.subtotal, local.discount, local.vat, local.total], [2500, 125, 356, 2731]);
        var mixed = computeTotals([{ price: 3, qty: 1, vatRate: '0.15' }, { price: 3, qty: 1, vatRate: '0.05' }]);
        eq('vat rounded once', [mixed.vat, mixed.total], [1, 7]); // 0.45 + 0.15 halala
        var server = parseQuoteResponse({ lines: [{ product: 1, unit_price: '12.50', line_total: '23.75' }],
          subtotal: '25.00', discount: '1.25', vat: '3.56', total: '27.31' }, 2);
        eq('server agrees', diffTotals(local, server), []);
      }],
      ['validation', function () {
        eq('valid', keys([line]), []);
        eq('header', keys([line], { customer: '', orderDate: '2024-02-30' }), ['required_customer', 'invalid_date']);
        eq('date range', [keys([line], { orderDate: '2024-05-01' }), keys([line], { orderDate: '2026-01-01' })],
          [['date_too_old'], ['date_too_far']]);
        eq('qty', ['2.5', '0', '', '٦', '٥'].map(function (qty) { return keys(lineWith({ qty: qty }))[0] || 'ok'; }),
          ['qty_integer', 'qty_min', 'qty_required', 'qty_stock', 'ok']);
        eq('discount', ['101', '-1', '5.555', 'abc', '', '12.5٪'].map(function (d) {
          return keys(lineWith({ discount: d }))[0] || 'ok';
        }), ['discount_range', 'discount_range', 'discount_precision', 'discount_invalid', 'ok', 'ok']);
        eq('stock', keys(lineWith({ productInfo: { stock: 0 }, qty: '1' })), ['out_of_stock']);
        eq('duplicate', keys([line, mergeConfig(line, { key: 'b' })]), ['duplicate_product']);
        eq('max lines', keys([line, line, line].map(function (l, i) { return mergeConfig(l, { product: String(i) }); }),
          {}, { maxLines: 2 }), ['too_many_lines']);
      }],
      ['messages', function () {
        eq('same keys', Object.keys(MESSAGES.ar).sort(), Object.keys(MESSAGES.en).sort());
        eq('plural', [translate('en', 'summary_title', { count: 3 }), translate('ar', 'summary_title', { count: 2 })],
          ['Please correct the 3 problems below.', 'يرجى تصحيح الخطأين أدناه.']);
      }],
      ['drafts', function () {
        var v1 = migrateDraft({ version: 1, saved: '2024-05-01', customer: 3, lines: [{ product_id: 7, qty: 2 }] });
        eq('v1 migrated', [v1.schema, v1.data.customer, v1.data.lines[0]], [2, '3', { product: { id: '7' }, qty: '2', discount: '0' }]);
      }]
    ];
    clock.now = function () { return now; };
    cases.forEach(function (test) {
      try {
        test[1]();
      } catch (err) {
        failures.push(test[0] + ': threw ' + (err && err.message));
      }
    });
    clock.now = realNow;
    return failures;
  }

  /* ---- 18. Public API ---- */

  /** Starts the form (idempotent: a second call returns the same controller). */
  function init(target, options) {
    if (!$) { throw new Error('OrderForm needs jQuery 3'); }
    var form = !target || typeof target === 'string' ? document.querySelector(target || SEL.form) : $(target).get(0);
    if (!form) { return null; }
    var controller = $.data(form, 'orderForm');
    if (!controller) {
      controller = new OrderFormController(form, options);
      $.data(form, 'orderForm', controller);
    }
    return controller;
  }

  window.OrderForm = {
    version: VERSION,
    defaults: DEFAULTS,
    init: init,
    instance: function () {
      var form = document.querySelector(SEL.form);
      return form && $ ? $.data(form, 'orderForm') || null : null;
    },
    selfTest: selfTest,
    log: function () { return log.entries.slice(); },
    clock: clock,
    Money: Money,
    Decimal: { parse: parseDecimal, trim: trimDecimal, toString: decimalToString, toScaledInt: decimalToScaledInt,
      roundDiv: roundDiv },
    digits: { toLatin: toLatinDigits, toArabic: toArabicDigits, normalize: normalizeNumeric, formatInteger: formatInteger },
    messages: MESSAGES,
    translate: translate,
    validateOrder: validateOrder,
    computeTotals: computeTotals,
    parseQuoteResponse: parseQuoteResponse,
    diffTotals: diffTotals,
    parseServerErrorKey: parseServerErrorKey,
    migrateDraft: migrateDraft,
    Controller: OrderFormController
  };

  // Start on DOM ready when the page has the form. Loading the file starts
  // nothing else, so tests can load it without a DOM.
  if (typeof $ === 'function') {
    $(function () {
      if (!document.querySelector(SEL.form)) { return; }
      try {
        init();
      } catch (err) {
        log.error('order form failed to start', err);
      }
    });
  }
})(window, document, window.jQuery);
