// The date picker of Flask-Admin (bootstrap-daterangepicker 1.3) in Russian. In list filters
// it writes dates as the firm does, "01.11.2026 — 30.11.2026" (admin/date_filters.py reads
// them); form fields keep the format their server-side field expects.
// This file loads before the picker (Flask-Admin adds it at the page's end, just before the
// filters that use it at once), so it waits for the picker to be defined and wraps it then.
(function ($) {
  "use strict";
  if (!$ || !$.fn) return;
  var locale = {
    applyLabel: "Применить", cancelLabel: "Отмена", fromLabel: "С", toLabel: "По",
    weekLabel: "Н", customRangeLabel: "Свой период", firstDay: 1,
    daysOfWeek: ["Вс", "Пн", "Вт", "Ср", "Чт", "Пт", "Сб"],
    monthNames: ["Янв", "Фев", "Мар", "Апр", "Май", "Июн", "Июл", "Авг", "Сен", "Окт", "Ноя", "Дек"]
  };
  var formats = {"YYYY-MM-DD": "DD.MM.YYYY", "YYYY-MM-DD HH:mm:ss": "DD.MM.YYYY HH:mm"};
  function russian(stock) {
    return function (options, cb) {
      options = $.extend({}, options || {});
      options.locale = $.extend({}, locale, options.locale || {});
      if (this.hasClass("filter-val")) {
        options.format = formats[options.format] || options.format;
        if (options.separator) options.separator = " — ";
      }
      return stock.call(this, options, cb);
    };
  }
  var wrapped = $.fn.daterangepicker ? russian($.fn.daterangepicker) : undefined;
  Object.defineProperty($.fn, "daterangepicker", {
    configurable: true,
    get: function () { return wrapped; },
    set: function (stock) { wrapped = russian(stock); }
  });
})(window.jQuery);
